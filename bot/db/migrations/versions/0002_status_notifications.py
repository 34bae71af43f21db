"""status notifications: WeChat contacts (encrypted OpenID, last message), the notice outbox, event org

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wechat_contacts",
        sa.Column("sender_hash", sa.String(64), primary_key=True),
        sa.Column("openid_enc", sa.Text, nullable=False),
        sa.Column("last_inbound_at", TS, nullable=False, index=True),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("referral_id", sa.Integer, sa.ForeignKey("referrals.id"), nullable=False, index=True),
        sa.Column("referral_status", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("shown_at", TS, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(20), nullable=True),
    )
    # Batch mode: SQLite cannot alter columns in place; on PostgreSQL it is a plain ALTER TABLE.
    with op.batch_alter_table("referral_events") as batch:
        batch.add_column(sa.Column("org_id", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("referral_events") as batch:
        batch.drop_column("org_id")
    op.drop_table("notifications")
    op.drop_table("wechat_contacts")
