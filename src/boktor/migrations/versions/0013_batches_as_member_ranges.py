"""ledger rows take their batch's outcome: a batch is a member id range, rows say only if they were skipped

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 10:10:00

Marking each of 300,000 rows "sent" as its batch was accepted cost PostgreSQL more than writing them (2.4 s of
its time, on the two cores it shares with the worker and LINE's stand-in). Now what became of a recipient is what
became of their batch, unless they had blocked the account by then (`skipped`, the only update). A batch is a
run of consecutive recipients, so its first and last member id find its rows through the ledger's key, and the
index on deliveries.batch_id goes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As the queries say it on each engine, so that the planner sees the index fits.
SKIPPED_PG = sa.text("skipped")
SKIPPED_SQLITE = sa.text("skipped = 1")


def upgrade() -> None:
    with op.batch_alter_table("delivery_batches") as batch_op:
        batch_op.add_column(sa.Column("first_member_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_member_id", sa.Integer(), nullable=True))
    # Every batch written so far has its rows marked with its id: their lowest and highest member id.
    op.execute(
        "UPDATE delivery_batches SET"
        " first_member_id = COALESCE("
        "(SELECT min(member_id) FROM deliveries d WHERE d.batch_id = delivery_batches.id), 0),"
        " last_member_id = COALESCE("
        "(SELECT max(member_id) FROM deliveries d WHERE d.batch_id = delivery_batches.id), -1)"
    )
    with op.batch_alter_table("delivery_batches") as batch_op:
        batch_op.alter_column("first_member_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("last_member_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.add_column(sa.Column("skipped", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE deliveries SET skipped = (status = 'skipped')")
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.drop_index("ix_deliveries_batch_id")
        batch_op.drop_column("status")
        batch_op.create_index(
            "ix_deliveries_skipped",
            ["announcement_id"],
            postgresql_where=SKIPPED_PG,
            sqlite_where=SKIPPED_SQLITE,
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.drop_index("ix_deliveries_skipped")
        batch_op.add_column(sa.Column("status", sa.String(length=10), nullable=True))
    op.execute(
        "UPDATE deliveries SET status = CASE WHEN skipped THEN 'skipped' ELSE COALESCE("
        "(SELECT b.status FROM delivery_batches b WHERE b.id = deliveries.batch_id), 'sent') END"
    )
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=10), nullable=False)
        batch_op.drop_column("skipped")
        batch_op.create_index("ix_deliveries_batch_id", ["batch_id"], unique=False)
    with op.batch_alter_table("delivery_batches") as batch_op:
        batch_op.drop_column("last_member_id")
        batch_op.drop_column("first_member_id")
