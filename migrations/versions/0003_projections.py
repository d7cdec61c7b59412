"""Projections: the situation picture, the back-entry worklist, unit readiness, and how far each
has read the log.

Each projection row keeps its fold state (`state`, plain JSON, never personal data) beside the
columns the API filters on; a projection's rows and its position change in one transaction.

Revision ID: 0003
Revises: 0002
"""

from migrations import run_sql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("""
    CREATE TABLE projection_positions (
        name        text PRIMARY KEY,
        position    bigint NOT NULL DEFAULT 0 CHECK (position >= 0),
        updated_at  timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO projection_positions (name) VALUES ('situation'), ('back-entry'), ('readiness');

    CREATE TABLE situation_incidents (
        key             text PRIMARY KEY,
        incident_id     uuid NOT NULL,
        mode            text NOT NULL,
        status          text NOT NULL,
        detected_at     timestamptz,
        last_change_at  timestamptz,
        position        bigint NOT NULL,
        state           jsonb NOT NULL
    );
    CREATE INDEX situation_incidents_open ON situation_incidents (mode, status, detected_at);

    CREATE TABLE back_entry_items (
        key             text PRIMARY KEY,
        record_id       uuid NOT NULL,
        incident_id     uuid,
        mode            text NOT NULL,
        unit            text,
        citizen_ref     text,
        status          text NOT NULL,
        occurred_at     timestamptz,
        position        bigint NOT NULL,
        state           jsonb NOT NULL
    );
    CREATE INDEX back_entry_items_worklist ON back_entry_items (mode, status, unit, occurred_at);
    CREATE INDEX back_entry_items_incident ON back_entry_items (incident_id);
    CREATE INDEX back_entry_items_citizen ON back_entry_items (citizen_ref);

    CREATE TABLE unit_readiness (
        key              text PRIMARY KEY,
        unit             text NOT NULL,
        mode             text NOT NULL,
        list_printed_at  timestamptz,
        position         bigint NOT NULL,
        state            jsonb NOT NULL
    );
    """)


def downgrade() -> None:
    run_sql("""
    DROP TABLE unit_readiness;
    DROP TABLE back_entry_items;
    DROP TABLE situation_incidents;
    DROP TABLE projection_positions;
    """)
