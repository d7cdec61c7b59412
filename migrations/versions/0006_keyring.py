"""The keyring: one data key per data subject (a citizen, or a stream with staff names and free
text), apart from the events, so deleting a citizen's key erases their sealed data
(crypto-shredding) without touching a row of the log.

Each key is stored wrapped (AES-GCM) under a key-encryption key that lives outside the database,
so a copy of the database alone opens nothing. A sealed part names the key id it was sealed
under: a citizen forgotten and then recorded again gets a new key, and the old parts stay erased. The service may read and add keys; only the owner
deletes one (`nedbrud forget`).

Revision ID: 0006
Revises: 0005
"""

from migrations import run_sql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("""
    CREATE SCHEMA keyring;
    CREATE TABLE keyring.subject_keys (
        key_id     bytea PRIMARY KEY,
        subject    text NOT NULL UNIQUE,
        wrapped    bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE keyring.subject_keys IS
        'One data key per data subject, wrapped under a key kept outside the database. '
        'Deleting a row erases what was sealed under it (nedbrud forget).';
    GRANT USAGE ON SCHEMA keyring TO nedbrud_service;
    GRANT SELECT, INSERT ON keyring.subject_keys TO nedbrud_service;
    """)


def downgrade() -> None:
    run_sql("DROP SCHEMA keyring CASCADE;")
