"""Least privilege: the service connects as `nedbrud_service`, which may read and append but not
alter or delete the log; the tables stay owned by the role that runs the migrations.

Revision ID: 0005
Revises: 0004
"""

from migrations import run_sql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("""
    DO $$
    BEGIN
        CREATE ROLE nedbrud_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;  -- roles belong to the cluster: another database of it made it already
    END
    $$;
    DO $$
    BEGIN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO nedbrud_service', current_database());
    END
    $$;
    GRANT USAGE ON SCHEMA public TO nedbrud_service;
    -- The log and its answers: read and append, nothing else (the triggers refuse the rest too).
    GRANT SELECT, INSERT ON events, idempotency_keys, access_log TO nedbrud_service;
    GRANT USAGE ON SEQUENCE access_log_id_seq TO nedbrud_service;
    -- Keys are made and revoked by `nedbrud keys`, as the owner.
    GRANT SELECT ON api_keys TO nedbrud_service;
    -- The projections are the service's to keep up to date (a rebuild runs as the owner).
    GRANT SELECT, INSERT, UPDATE ON situation_incidents, back_entry_items, unit_readiness,
        projection_positions TO nedbrud_service;
    """)


def downgrade() -> None:
    run_sql("""
    REVOKE ALL ON events, idempotency_keys, access_log, api_keys, situation_incidents,
        back_entry_items, unit_readiness, projection_positions FROM nedbrud_service;
    REVOKE ALL ON SEQUENCE access_log_id_seq FROM nedbrud_service;
    REVOKE USAGE ON SCHEMA public FROM nedbrud_service;
    DO $$
    BEGIN
        EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM nedbrud_service', current_database());
    END
    $$;
    """)
