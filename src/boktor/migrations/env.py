"""Alembic environment: the URL comes from Boktor, never from an ini file."""

from alembic import context

from boktor.db import Base, engine_for, load_all_models

load_all_models()
config = context.config
url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")

engine = engine_for(url)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=url.startswith("sqlite"),  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
