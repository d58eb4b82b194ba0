"""audience index: a covering index for counting audiences over 300,000 members

Revision ID: 0006
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "organisation_id",
    "personnel_type_id",
    "status",
    "province_code",
    "district_code",
    "position_id",
    "surveyed_at",
    "followed_at",
    "created_at",
]


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index("ix_members_audience", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_audience")
