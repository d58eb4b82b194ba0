"""coverage index: a follower's roster entry and its area, read from the index alone

Revision ID: 0003
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["member_id", "province_code", "district_code", "subdistrict_code", "organisation_id"]


def upgrade() -> None:
    with op.batch_alter_table("roster_entries", schema=None) as batch_op:
        batch_op.create_index("ix_roster_entries_member_area", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("roster_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_roster_entries_member_area")
