"""Find each unit's current emergency list without reading the whole log: the picture and
readiness ask which units keep one on every read.

Revision ID: 0009
Revises: 0008
"""

from migrations import run_sql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("""
    CREATE INDEX events_emergency_lists ON events (stream_id, version)
        WHERE stream_type = 'emergency-list';
    """)


def downgrade() -> None:
    run_sql("DROP INDEX events_emergency_lists;")
