"""notice claims: when a dispatcher claimed a notice for sending, so another Rasa server takes it over only
after that claim has lapsed (not whenever a dispatcher starts)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("claimed_at")
