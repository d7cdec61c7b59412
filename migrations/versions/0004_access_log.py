"""The access log: one row for every response that showed a citizen's name or CPR number.

Revision ID: 0004
Revises: 0003
"""

from migrations import run_sql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("""
    CREATE TABLE access_log (
        id           bigserial PRIMARY KEY,
        at           timestamptz NOT NULL DEFAULT clock_timestamp(),
        key_id       uuid NOT NULL,
        role         text NOT NULL,
        purpose      text NOT NULL CHECK (purpose IN ('treatment', 'back-entry', 'audit')),
        citizen_ref  text NOT NULL,
        endpoint     text NOT NULL,
        outcome      text NOT NULL
    );
    CREATE INDEX access_log_citizen ON access_log (citizen_ref, at);
    COMMENT ON TABLE access_log IS
        'Who saw which citizen''s name or CPR number, when and why; written before the data leaves.';
    """)


def downgrade() -> None:
    run_sql("DROP TABLE access_log;")
