"""org notices: the outbox of notices to mediation organizations (a referral arrived or left), each with an
idempotency key, attempts and the time of its next try

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("referral_id", sa.Integer(), sa.ForeignKey("referrals.id"), nullable=False),
        sa.Column("org_id", sa.String(length=40), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_org_notices_referral_id", "org_notices", ["referral_id"])
    op.create_index("ix_org_notices_org_id", "org_notices", ["org_id"])
    op.create_index("ix_org_notices_status", "org_notices", ["status"])
    op.create_index("ix_org_notices_next_attempt_at", "org_notices", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_table("org_notices")
