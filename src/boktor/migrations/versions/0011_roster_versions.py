"""an office uploads its roster again as a new version of the same roster: rosters.version and updated_at

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 07:20:00

Rosters uploaded before are version 1, last updated when they were uploaded.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boktor.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rosters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("updated_at", boktor.db.UTCDateTime(), nullable=True))
    op.execute("UPDATE rosters SET updated_at = uploaded_at")
    with op.batch_alter_table("rosters", schema=None) as batch_op:
        batch_op.alter_column("version", server_default=None)
        batch_op.alter_column("updated_at", existing_type=boktor.db.UTCDateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("rosters", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("version")
