"""A client generated from `openapi/openapi.json` by openapi-python-client, a generator nobody on
this project wrote, drives a real `nedbrud serve`: it declares an incident, records a step and a
dispensing, and reads the picture and the timeline, every time a datetime. The document gives
it one type per thing, named as the API names it: no numbered or duplicated models."""

from __future__ import annotations

import enum
import importlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, running_server

SPEC = ROOT / "openapi" / "openapi.json"
PACKAGE = "nedbrud_generated"
KEY = "nbd_e2e-generated-client-admin-key-of-32-chars"
# What the generator cannot take: a body in CSV (the emergency list, also taken as JSON) and an
# answer that is only a PDF (the paper kit).
EXPECTED_WARNINGS = {
    "parsing PUT /v1/units/{unit}/emergency-list within emergency_list.": "text/csv",
    "parsing GET /v1/units/{unit}/paper-kit within paper.": "application/pdf",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, str]]:
    """The generated package, imported, and what the generator printed."""
    where = tmp_path_factory.mktemp("generated")
    made = subprocess.run(
        [
            str(Path(sys.executable).parent / "openapi-python-client"),
            "generate",
            "--path",
            str(SPEC),
            "--output-path",
            str(where / PACKAGE),
            "--meta",
            "none",
        ],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE), made.stdout + made.stderr
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def models(package: ModuleType) -> dict[str, type]:
    module = importlib.import_module(f"{package.__name__}.models")
    return {name: getattr(module, name) for name in module.__all__}


def test_the_generator_warns_only_of_media_types_it_does_not_take(
    generated: tuple[ModuleType, str],
) -> None:
    _, printed = generated
    warnings = re.findall(r"^WARNING (.*)$", printed, re.M)
    assert sorted(warnings) == sorted(EXPECTED_WARNINGS)
    for media_type in EXPECTED_WARNINGS.values():
        assert f"Unsupported content type {media_type}" in printed or media_type in printed


def test_every_model_has_the_name_of_its_schema_or_field_and_none_is_numbered(
    generated: tuple[ModuleType, str],
) -> None:
    found = models(generated[0])
    spec = json.loads(SPEC.read_text("utf-8"))["components"]["schemas"]
    # Each schema is a model of its own name (a oneOf, CitizenIn, is the union of its models).
    assert {n for n, schema in spec.items() if "oneOf" not in schema} <= set(found)
    numbered = [n for n in found if re.search(r"(Type\d+|Item\d+|Response\d{3}|\d)$", n)]
    assert numbered == []
    # A set of values is one enum, whichever fields take it.
    enums = [frozenset(m.__members__.values()) for m in found.values() if issubclass(m, enum.Enum)]
    assert len(enums) == len(set(enums))


def test_the_schema_names_are_unique_words_with_descriptions() -> None:
    """Read with every key kept, so a schema (or anything) named twice would show."""
    twice: list[str] = []

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        twice.extend(sorted({k for k in keys if keys.count(k) > 1}))
        return dict(pairs)

    schemas = json.loads(SPEC.read_text("utf-8"), object_pairs_hook=unique)["components"]["schemas"]
    assert twice == []
    assert len(schemas) > 80
    assert [n for n in schemas if not re.fullmatch(r"(?:[A-Z][a-z]+)+", n)] == []
    assert [n for n, schema in schemas.items() if not schema.get("description")] == []


def date_time_fields(spec: dict[str, Any]) -> dict[str, list[str]]:
    """The properties of each schema that are times (format date-time, nullable or not)."""

    def is_time(schema: dict[str, Any]) -> bool:
        kinds = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
        return any(k.get("format") == "date-time" for k in kinds)

    return {
        name: [p for p, s in schema.get("properties", {}).items() if is_time(s)]
        for name, schema in spec.items()
    }


def test_every_time_in_every_model_is_a_datetime(generated: tuple[ModuleType, str]) -> None:
    package, _ = generated
    found = models(package)
    spec = json.loads(SPEC.read_text("utf-8"))["components"]["schemas"]
    times = {name: fields for name, fields in date_time_fields(spec).items() if fields}
    assert len(times) > 20
    for name, fields in times.items():
        annotations = {f: str(found[name].__annotations__[f]) for f in fields}
        untyped = {f: a for f, a in annotations.items() if "datetime.datetime" not in a}
        assert untyped == {}, name


def test_the_generated_client_runs_an_outage_against_a_real_server(
    generated: tuple[ModuleType, str], fresh_database_url: str
) -> None:
    package, _ = generated
    m = importlib.import_module(f"{package.__name__}.models")
    api = f"{package.__name__}.api"
    declare = importlib.import_module(f"{api}.incidents.declare_incident")
    record_step = importlib.import_module(f"{api}.incidents.record_incident_step")
    timeline = importlib.import_module(f"{api}.incidents.get_incident_timeline")
    dispense = importlib.import_module(f"{api}.manual_records.record_medication_dispensing")
    situation = importlib.import_module(f"{api}.situation.get_situation")
    at = datetime.fromisoformat("2026-03-05T14:30:00+01:00")
    with running_server({"DATABASE_URL": fresh_database_url, "NEDBRUD_BOOTSTRAP_KEY": KEY}) as (
        base,
        _,
    ):
        client = package.AuthenticatedClient(base_url=base, token=KEY)
        declared = declare.sync(
            client=client,
            body=m.DeclareIncident(
                title="Nexus utilgængelig",
                detected_via=m.DeclareIncidentDetectedVia.EMPLOYEE,
                reported_by=m.PersonIn(id="emp-1042"),
                affected_systems=["nexus"],
                affected_units=["botilbud-solsikken"],
                occurred_at=at,
            ),
        )
        assert isinstance(declared, m.IncidentDeclared), declared
        assert isinstance(declared.recorded_at, datetime)
        incident = declared.incident_id
        stepped = record_step.sync(
            incident,
            client=client,
            body=m.ColleaguesInformedIn(
                type_="colleagues-informed",
                occurred_at=at,
                by=m.PersonIn(id="emp-1042"),
            ),
        )
        assert isinstance(stepped, m.Receipt), stepped
        dispensed = dispense.sync(
            incident,
            client=client,
            body=m.RecordMedicationDispensing(
                citizen=m.CitizenByCpr(cpr="010170-0000"),
                unit="botilbud-solsikken",
                by=m.PersonIn(id="emp-1042"),
                medication=m.MedicationIn(name="Paracetamol", dose="2 tabl."),
                dispensed_at=at,
            ),
        )
        assert isinstance(dispensed, m.RecordCreated), dispensed
        picture = situation.sync(client=client, after_position=dispensed.position)
        assert isinstance(picture, m.SituationPicture), picture
        (shown,) = [i for i in picture.incidents if i.incident_id == incident]
        assert isinstance(shown.detected_at, datetime)
        assert shown.detected_at == at
        assert isinstance(shown.last_change_at, datetime)
        assert shown.manual_records.pending == 1
        assert "colleagues-informed" in shown.steps_done
        entries = timeline.sync(incident, client=client)
        assert isinstance(entries, list), entries
        assert [e.type_ for e in entries][:2] == ["incident-detected", "colleagues-informed"]
        assert all(isinstance(e.occurred_at, datetime) for e in entries)
        assert all(isinstance(e.recorded_at, datetime) for e in entries)
