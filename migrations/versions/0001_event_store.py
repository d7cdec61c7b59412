"""The event store: one append-only table, API keys, and stored idempotency keys.

Revision ID: 0001
Revises:
"""

from migrations import run_sql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("""
    CREATE TABLE events (
        position        bigint PRIMARY KEY CHECK (position > 0),
        event_id        uuid NOT NULL UNIQUE,
        stream_id       uuid NOT NULL,
        stream_type     text NOT NULL,
        version         bigint NOT NULL CHECK (version > 0),
        type            text NOT NULL,
        payload         jsonb NOT NULL,
        sealed          bytea,
        occurred_at     timestamptz NOT NULL,
        recorded_at     timestamptz NOT NULL,
        actor           text,
        source          text,
        correlation_id  uuid,
        causation_id    uuid,
        mode            text NOT NULL CHECK (mode IN ('actual', 'exercise')),
        content_digest  bytea NOT NULL,
        hash            bytea NOT NULL,
        UNIQUE (stream_id, version)
    );
    COMMENT ON TABLE events IS
        'Append-only log of every step of the IT-nedbrud response plan. position is the commit order.';
    COMMENT ON COLUMN events.content_digest IS
        'SHA-256 of the event as the sender stated it: an event_id sent again with other content is refused.';
    COMMENT ON COLUMN events.hash IS
        'SHA-256 over the previous row''s hash and this row''s canonical bytes (see service/log/chain.py).';

    CREATE FUNCTION refuse_event_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the event log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$;

    CREATE TRIGGER events_refuse_update_delete BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION refuse_event_mutation();
    CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_mutation();

    CREATE TABLE idempotency_keys (
        scope           text NOT NULL,
        key             text NOT NULL,
        request_digest  bytea NOT NULL,
        status          integer NOT NULL,
        event_id        uuid NOT NULL REFERENCES events (event_id),
        extras          jsonb NOT NULL DEFAULT '{}',
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
    );
    COMMENT ON TABLE idempotency_keys IS
        'Idempotency-Key headers already answered: the same key and body get the same answer again.';

    CREATE TABLE api_keys (
        key_id      uuid PRIMARY KEY,
        key_hash    bytea NOT NULL UNIQUE,
        role        text NOT NULL
            CHECK (role IN ('reporter', 'staff', 'leader', 'it', 'auditor', 'admin')),
        units       text[],
        label       text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz
    );
    COMMENT ON TABLE api_keys IS 'Bearer keys, stored as SHA-256 of the key; the key itself is never kept.';
    """)


def downgrade() -> None:
    raise NotImplementedError("the event log is never migrated down")
