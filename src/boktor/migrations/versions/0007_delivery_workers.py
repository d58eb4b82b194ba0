"""delivery workers' heartbeats; room on ledger pages for status updates

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-26 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boktor.db

revision: str = "0007"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery_workers",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", boktor.db.UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", boktor.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_workers")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Every ledger row is updated once (pending -> sent); half of each page left free lets PostgreSQL do that
        # in place (a HOT update) instead of writing a new entry in each of the table's four indexes.
        op.execute("ALTER TABLE deliveries SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE deliveries RESET (fillfactor)")
    op.drop_table("delivery_workers")
