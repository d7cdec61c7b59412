"""Keys through functions: the service role no longer reads `api_keys` (its hashes) wholesale.

The running service looks a key up by its hash, lists keys without their hashes, and makes and
revokes keys (`/v1/keys`, admin) only through the SECURITY DEFINER functions below, which run as
the owner and do one narrow thing each. Whoever holds the service role's password can so no
longer copy every key's hash to test guesses against offline; it can still confirm a hash it
already has, which is a key it already has. The owner (`nedbrud keys`, `serve`'s bootstrap)
works on the table directly.

`bootstrap` marks the key registered from NEDBRUD_BOOTSTRAP_KEY, so `serve` can retire it when
the variable changes or is unset; `revoked_reason` tells such a retirement (undone if the same
key is configured again) from a revocation by an admin (never undone).

Revision ID: 0008
Revises: 0007
"""

from migrations import run_sql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("""
    ALTER TABLE api_keys ADD COLUMN bootstrap boolean NOT NULL DEFAULT false;
    ALTER TABLE api_keys ADD COLUMN revoked_reason text
        CHECK (revoked_reason IN ('revoked', 'bootstrap-retired'));
    COMMENT ON COLUMN api_keys.bootstrap IS
        'Registered from NEDBRUD_BOOTSTRAP_KEY: retired at start when the variable no longer names it.';
    -- Keys an earlier version registered from the variable: retired at the next start unless
    -- the variable still names them.
    UPDATE api_keys SET bootstrap = true WHERE label = 'bootstrap (NEDBRUD_BOOTSTRAP_KEY)';
    UPDATE api_keys SET revoked_reason = 'revoked' WHERE revoked_at IS NOT NULL;

    REVOKE SELECT ON api_keys FROM nedbrud_service;

    CREATE FUNCTION api_key_holders(hashes bytea[])
        RETURNS TABLE (key_hash bytea, key_id uuid, role text, units text[])
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT k.key_hash, k.key_id, k.role, k.units FROM public.api_keys k
        WHERE k.key_hash = ANY (hashes) AND k.revoked_at IS NULL
    $$;
    COMMENT ON FUNCTION api_key_holders(bytea[]) IS
        'The active keys with these hashes: the only way the service reads a key hash.';

    CREATE FUNCTION api_keys_active(ids uuid[]) RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT k.key_id FROM public.api_keys k
        WHERE k.key_id = ANY (ids) AND k.revoked_at IS NULL
    $$;

    CREATE FUNCTION api_keys_listed()
        RETURNS TABLE (key_id uuid, role text, units text[], label text,
                       created_at timestamptz, revoked_at timestamptz, bootstrap boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT k.key_id, k.role, k.units, k.label, k.created_at, k.revoked_at, k.bootstrap
        FROM public.api_keys k ORDER BY k.created_at, k.key_id
    $$;

    CREATE FUNCTION api_key_create(
        new_key_id uuid, new_key_hash bytea, new_role text, new_units text[], new_label text
    ) RETURNS timestamptz
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        INSERT INTO public.api_keys (key_id, key_hash, role, units, label)
        VALUES (new_key_id, new_key_hash, new_role, new_units, new_label)
        RETURNING created_at
    $$;

    CREATE FUNCTION api_key_revoke(revoked_key_id uuid) RETURNS boolean
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        WITH revoked AS (
            UPDATE public.api_keys SET revoked_at = now(), revoked_reason = 'revoked'
            WHERE key_id = revoked_key_id AND revoked_at IS NULL
            RETURNING 1
        )
        SELECT count(*) = 1 FROM revoked
    $$;

    REVOKE ALL ON FUNCTION api_key_holders(bytea[]), api_keys_active(uuid[]), api_keys_listed(),
        api_key_create(uuid, bytea, text, text[], text), api_key_revoke(uuid) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION api_key_holders(bytea[]), api_keys_active(uuid[]), api_keys_listed(),
        api_key_create(uuid, bytea, text, text[], text), api_key_revoke(uuid) TO nedbrud_service;
    """)


def downgrade() -> None:
    run_sql("""
    DROP FUNCTION api_key_holders(bytea[]), api_keys_active(uuid[]), api_keys_listed(),
        api_key_create(uuid, bytea, text, text[], text), api_key_revoke(uuid);
    GRANT SELECT ON api_keys TO nedbrud_service;
    ALTER TABLE api_keys DROP COLUMN revoked_reason, DROP COLUMN bootstrap;
    """)
