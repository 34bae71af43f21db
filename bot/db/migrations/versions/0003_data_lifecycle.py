"""data lifecycle: referrals.anonymised_at, monthly question counts, periodic job runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Not batch mode: SQLite would copy the referrals table, which other tables' foreign keys point at.
    op.add_column("referrals", sa.Column("anonymised_at", TS, nullable=True))
    op.create_table(
        "question_counts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("audience", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.UniqueConstraint("month", "channel", "audience", "kind", "topic"),
    )
    op.create_table(
        "job_runs",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("last_slot", TS, nullable=True),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("outcome", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
    op.drop_table("question_counts")
    op.drop_column("referrals", "anonymised_at")  # SQLite 3.35+ drops a column in place
