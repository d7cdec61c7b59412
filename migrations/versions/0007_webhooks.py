"""Webhooks out: other municipal systems subscribe to the log (an SMS gateway, the intranet).

Each webhook keeps its position in the log, as a projection does, so its worker resumes where it
stopped; each delivery attempt of a matching event is a row, so an operator sees what was sent,
when, and what the receiver answered. The signing secret is stored wrapped under the sealing key,
which is never in the database.

Revision ID: 0007
Revises: 0006
"""

from migrations import run_sql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("""
    CREATE TABLE webhooks (
        webhook_id     uuid PRIMARY KEY,
        url            text NOT NULL,
        event_types    text[] NOT NULL,
        mode           text NOT NULL CHECK (mode IN ('actual', 'exercise')),
        units          text[],
        secret_wrapped bytea NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        created_by     text NOT NULL,
        position       bigint NOT NULL,
        deleted_at     timestamptz
    );
    COMMENT ON TABLE webhooks IS
        'Subscribers to the log: where to post, which events, and the last position handled.';
    CREATE TABLE webhook_deliveries (
        delivery_id     bigserial PRIMARY KEY,
        webhook_id      uuid NOT NULL REFERENCES webhooks,
        position        bigint NOT NULL,
        event_id        uuid NOT NULL,
        status          text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts        integer NOT NULL DEFAULT 0,
        first_attempt_at timestamptz,
        last_attempt_at timestamptz,
        next_attempt_at timestamptz,
        response_status integer,
        error           text
    );
    CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, delivery_id);
    CREATE UNIQUE INDEX webhook_deliveries_one_pending ON webhook_deliveries (webhook_id)
        WHERE status = 'pending';
    GRANT SELECT, INSERT, UPDATE ON webhooks, webhook_deliveries TO nedbrud_service;
    GRANT USAGE ON SEQUENCE webhook_deliveries_delivery_id_seq TO nedbrud_service;
    """)


def downgrade() -> None:
    run_sql("DROP TABLE webhook_deliveries; DROP TABLE webhooks;")
