"""status lookup limits: failed status queries counted per reference and per client; references are random now,
so the per-day counter behind the old sequential ones goes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_lookup_misses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("missed_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_index(
        "ix_status_lookup_misses_scope_key", "status_lookup_misses", ["scope", "key", "missed_at"]
    )
    op.drop_table("reference_counters")


def downgrade() -> None:
    counters = op.create_table(
        "reference_counters",
        sa.Column("day", sa.String(8), primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    # Sequential numbering goes on after the last sequential reference of each day (random ones are left alone).
    last: dict[str, int] = {}
    for (reference,) in op.get_bind().execute(sa.text("SELECT reference FROM referrals")):
        match = re.fullmatch(r"QY-(\d{8})-(\d{4})", reference)
        if match:
            last[match.group(1)] = max(last.get(match.group(1), 0), int(match.group(2)))
    op.bulk_insert(counters, [{"day": day, "last": n} for day, n in sorted(last.items())])
    op.drop_index("ix_status_lookup_misses_scope_key", table_name="status_lookup_misses")
    op.drop_table("status_lookup_misses")
