"""initial schema: organizations, referrals and their history, reference counters, users, Q&A log

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False, index=True),
        sa.Column("county_code", sa.String(6), nullable=True, index=True),
        sa.Column("town_code", sa.String(9), nullable=True, index=True),
        sa.Column("village_code", sa.String(12), nullable=True, index=True),
        sa.Column("dispute_types", sa.String(300), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("illustrative", sa.Boolean, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(24), nullable=False, unique=True),
        sa.Column("conversation_key", sa.String(128), nullable=False, unique=True),
        sa.Column("org_id", sa.String(40), sa.ForeignKey("organizations.id"), nullable=False, index=True),
        sa.Column("dispute_type", sa.String(30), nullable=False),
        sa.Column("county_code", sa.String(6), nullable=True),
        sa.Column("town_code", sa.String(9), nullable=True),
        sa.Column("village_code", sa.String(12), nullable=True),
        sa.Column("place_text", sa.String(200), nullable=False),
        sa.Column("counterparty", sa.String(100), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("applicant_name_enc", sa.Text, nullable=False),
        sa.Column("phone_enc", sa.Text, nullable=False),
        sa.Column("phone_last4", sa.String(4), nullable=False),
        sa.Column("consent_at", TS, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("sender_hash", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("route_reason", sa.String(300), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "referral_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("referral_id", sa.Integer, sa.ForeignKey("referrals.id"), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "reference_counters",
        sa.Column("day", sa.String(8), primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("org_id", sa.String(40), sa.ForeignKey("organizations.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "qa_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", TS, nullable=False, index=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("audience", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("topic", sa.String(40), nullable=True, index=True),
        sa.Column("kb_id", sa.String(40), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("question_masked", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("qa_log", "users", "reference_counters", "referral_events", "referrals", "organizations"):
        op.drop_table(table)
