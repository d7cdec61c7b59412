"""Read-only SQL for dashboards (Grafana and the like): views in the API's names, and a role that
may read them and nothing else.

The projection tables keep most of the picture in `state` (the fold's own JSON, internal names);
the views in schema `dashboards` give it as columns named as the API names them: one row per
incident (the situation picture), per incident and unit, per paper record (the back-entry
worklist, without the citizen's name or CPR number, the medication or any free text: the
citizen appears as `citizen_ref` at most, as in the plain payload), and per unit's printed list
(readiness). The views run with their owner's rights, so `nedbrud_reader` reads them without any
right on the tables: not the events (and so not their sealed part), the keyring, the keys or the
access log. A dashboard logs in as a role of its own that is granted `nedbrud_reader`
(README, "SQL for dashboards").

Revision ID: 0010
Revises: 0009
"""

from migrations import run_sql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("""
    DO $$
    BEGIN
        CREATE ROLE nedbrud_reader NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;  -- roles belong to the cluster: another database of it made it already
    END
    $$;
    DO $$
    BEGIN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO nedbrud_reader', current_database());
    END
    $$;

    CREATE SCHEMA dashboards;
    COMMENT ON SCHEMA dashboards IS
        'Read-only views for dashboards, in the API''s names; readable by nedbrud_reader.';

    -- Each incident's systems as the picture reads them: scoped (or declared) and restored.
    CREATE VIEW dashboards.incident_systems AS
    SELECT s.incident_id,
        coalesce(ARRAY(
            SELECT a.system FROM jsonb_array_elements_text(coalesce(
                s.state->'scope'->'value'->'affected_systems', s.state->'declared_systems'))
                WITH ORDINALITY AS a(system, n)
            WHERE NOT (s.state->'restored') ? a.system
            GROUP BY a.system ORDER BY min(a.n)), '{}') AS systems_down,
        coalesce(ARRAY(
            SELECT r.key FROM jsonb_each_text(s.state->'restored') AS r
            ORDER BY r.value::timestamptz, r.key), '{}') AS systems_restored
    FROM situation_incidents s WHERE s.detected_at IS NOT NULL;

    CREATE VIEW dashboards.incidents AS
    SELECT s.incident_id,
        s.state->>'title' AS title,
        s.status,
        s.mode,
        s.detected_at,
        s.state->>'detected_via' AS detected_via,
        y.systems_down,
        y.systems_restored,
        ARRAY(SELECT jsonb_array_elements_text(coalesce(
            s.state->'scope'->'value'->'affected_units', s.state->'declared_units')))
            AS affected_units,
        (s.state->'scope'->'value'->>'isolated_to_single_unit')::boolean
            AS isolated_to_single_unit,
        s.state->'scope'->'value'->>'severity' AS severity,
        (s.state->'scope'->'value'->>'expected_restoration_at')::timestamptz
            AS expected_restoration_at,
        ARRAY(SELECT jsonb_array_elements_text(s.state->'steps')) AS steps_done,
        ARRAY(SELECT jsonb_array_elements_text(s.state->'escalations')) AS escalated_to,
        f.staffing_requested,
        f.staffing_granted,
        f.staffing_undecided,
        r.pending AS records_pending,
        r.entered AS records_entered,
        r.voided AS records_voided,
        cardinality(y.systems_down) = 0 AND r.pending = 0 AS may_close,
        cardinality(y.systems_down) = 0 AS may_close_with_waiver,
        (s.state->>'version')::integer AS version,
        s.last_change_at,
        (s.state->>'closed_at')::timestamptz AS closed_at,
        s.position
    FROM situation_incidents s
    JOIN dashboards.incident_systems y USING (incident_id)
    CROSS JOIN LATERAL (
        SELECT coalesce(sum((q.value->>'requested')::integer), 0)::integer AS staffing_requested,
            coalesce(sum((q.value->>'granted')::integer), 0)::integer AS staffing_granted,
            count(*) FILTER (WHERE q.value->'granted' = 'null')::integer AS staffing_undecided
        FROM jsonb_each(s.state->'staffing') AS q
    ) f
    CROSS JOIN LATERAL (
        SELECT greatest(0, (s.state->>'records_made')::integer
                - (s.state->>'records_entered')::integer
                - (s.state->>'records_voided')::integer) AS pending,
            (s.state->>'records_entered')::integer AS entered,
            (s.state->>'records_voided')::integer AS voided
    ) r;
    COMMENT ON VIEW dashboards.incidents IS
        'One row per incident, as GET /v1/situation shows it (without the plan''s outstanding steps).';

    CREATE VIEW dashboards.manual_records AS
    SELECT b.record_id,
        b.incident_id,
        b.state->>'kind' AS kind,
        b.unit,
        b.citizen_ref,
        b.mode,
        b.status,
        b.occurred_at,
        (b.state->>'recorded_at')::timestamptz AS recorded_at,
        b.state->>'by' AS by,
        b.state->>'entered_by' AS entered_by,
        (b.state->>'entered_at')::timestamptz AS entered_at,
        b.state->>'journal_reference' AS journal_reference,
        (b.state->>'voided_at')::timestamptz AS voided_at,
        b.position
    FROM back_entry_items b WHERE b.occurred_at IS NOT NULL;
    COMMENT ON VIEW dashboards.manual_records IS
        'One row per paper record, as GET /v1/back-entry lists it, without name, CPR or summary.';

    CREATE VIEW dashboards.incident_units AS
    WITH named AS (
        SELECT s.incident_id, u.unit, u.affected, s.state
        FROM situation_incidents s
        CROSS JOIN LATERAL (
            SELECT n.unit, bool_or(n.affected) AS affected FROM (
                SELECT jsonb_array_elements_text(coalesce(
                    s.state->'scope'->'value'->'affected_units', s.state->'declared_units')), true
                UNION ALL SELECT jsonb_array_elements_text(s.state->'notified'), false
                UNION ALL SELECT q.value->>'unit', false FROM jsonb_each(s.state->'staffing') q
                    WHERE q.value->>'unit' <> ''
                UNION ALL SELECT jsonb_object_keys(s.state->'verified'), false
                UNION ALL SELECT b.unit, false FROM back_entry_items b
                    WHERE b.incident_id = s.incident_id AND b.occurred_at IS NOT NULL
            ) AS n(unit, affected) GROUP BY n.unit
        ) u
        WHERE s.detected_at IS NOT NULL
    )
    SELECT n.incident_id,
        n.unit,
        n.state->>'mode' AS mode,
        n.affected,
        n.state->'notified' ? n.unit AS notified,
        ARRAY(SELECT jsonb_array_elements_text(coalesce(n.state->'verified'->n.unit, '[]')))
            AS verified_systems,
        coalesce(f.requested, 0) AS staffing_requested,
        coalesce(f.granted, 0) AS staffing_granted,
        coalesce(f.undecided, 0) AS staffing_undecided,
        coalesce(r.pending, 0) AS records_pending,
        coalesce(r.entered, 0) AS records_entered,
        coalesce(r.voided, 0) AS records_voided
    FROM named n
    LEFT JOIN LATERAL (
        SELECT sum((q.value->>'requested')::integer)::integer AS requested,
            coalesce(sum((q.value->>'granted')::integer), 0)::integer AS granted,
            count(*) FILTER (WHERE q.value->'granted' = 'null')::integer AS undecided
        FROM jsonb_each(n.state->'staffing') AS q WHERE q.value->>'unit' = n.unit
    ) f ON true
    LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE b.status = 'pending')::integer AS pending,
            count(*) FILTER (WHERE b.status = 'entered')::integer AS entered,
            count(*) FILTER (WHERE b.status = 'voided')::integer AS voided
        FROM back_entry_items b
        WHERE b.incident_id = n.incident_id AND b.unit = n.unit AND b.occurred_at IS NOT NULL
    ) r ON true;
    COMMENT ON VIEW dashboards.incident_units IS
        'One row per incident and unit it names: affected, notified, verified, staffing, paper records.';

    CREATE VIEW dashboards.readiness AS
    SELECT u.unit,
        u.mode,
        u.list_printed_at,
        (u.state->>'list_as_of')::timestamptz AS list_as_of,
        u.state->>'printed_by' AS printed_by,
        round((extract(epoch FROM now() - (u.state->>'list_as_of')::timestamptz) / 86400)::numeric, 2)
            AS age_days
    FROM unit_readiness u WHERE u.unit <> '';
    COMMENT ON VIEW dashboards.readiness IS
        'One row per unit (and mode), as GET /v1/readiness shows its printed medication list.';

    COMMENT ON VIEW dashboards.incident_systems IS
        'Each incident''s systems still down and those restored (also columns of dashboards.incidents).';

    GRANT USAGE ON SCHEMA dashboards TO nedbrud_reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA dashboards TO nedbrud_reader;
    """)


def downgrade() -> None:
    run_sql("""
    DROP SCHEMA dashboards CASCADE;
    DO $$
    BEGIN
        EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM nedbrud_reader', current_database());
    END
    $$;
    """)
