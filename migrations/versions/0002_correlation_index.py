"""Find an incident's manual records (and its timeline) by correlation id.

Revision ID: 0002
Revises: 0001
"""

from migrations import run_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("""
    CREATE INDEX events_correlation_id ON events (correlation_id)
        WHERE correlation_id IS NOT NULL;
    """)


def downgrade() -> None:
    run_sql("DROP INDEX events_correlation_id;")
