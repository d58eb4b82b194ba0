"""an approver can send an announcement back to draft: the reason is kept until it is submitted again

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("announcements", sa.Column("return_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_column("return_reason")
