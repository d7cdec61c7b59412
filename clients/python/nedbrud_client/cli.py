"""`nedbrud-client`: the outage from a terminal, for carers, IT supporters and auditors.

Writes are saved in the local outbox first ("Gemt"), then sent at once if the server answers;
with no network they wait and go with the next command or `outbox sync`. Reads need the server.
Tables for people by default; `--json` prints one JSON document for scripts.

Exit codes: 0 done (sent, or saved to be sent later); 2 the input is invalid (nothing saved);
3 the server refused it (see `outbox dead-letters`); 4 the server cannot be reached (reads);
5 the key is missing, unknown or not allowed to do this; 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from nedbrud_client import calls
from nedbrud_client import types as t
from nedbrud_client.calls import Call
from nedbrud_client.client import Client
from nedbrud_client.outbox import Outbox, SyncReport
from nedbrud_client.problems import (
    ClientError,
    Forbidden,
    Refused,
    Unauthorized,
    Unreachable,
)

OK, FAILED, INVALID, REFUSED, UNREACHABLE, KEY_REFUSED = 0, 1, 2, 3, 4, 5


class Invalid(Exception):
    """The input cannot make a valid request; nothing was saved."""


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "nedbrud"


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "nedbrud-client"


def settings(args: argparse.Namespace) -> dict[str, str]:
    """url, key and outbox: the flag, else the environment, else the config file."""
    path = Path(args.config) if args.config else config_dir() / "client.toml"
    file: dict[str, Any] = tomllib.loads(path.read_text()) if path.exists() else {}
    url = args.url or os.environ.get("NEDBRUD_URL") or file.get("url") or "http://127.0.0.1:8000"
    key = args.key or os.environ.get("NEDBRUD_KEY") or file.get("key") or ""
    outbox = (
        args.outbox
        or os.environ.get("NEDBRUD_OUTBOX")
        or file.get("outbox")
        or str(data_dir() / "outbox.sqlite3")
    )
    return {"url": url, "key": key, "outbox": outbox}


def now() -> datetime:
    return datetime.now().astimezone()


def when(text: str | None) -> datetime:
    """A time given on the command line, local if no offset: RFC 3339, or HH:MM, the last time
    the clock showed it (today, or yesterday when that is later than now: "17:00" typed at
    01:00 means the evening before)."""
    if text is None:
        return now()
    try:
        if len(text) == 5 and text[2] == ":":
            clock, current = clock_time(int(text[:2]), int(text[3:])), now()
            moment = datetime.combine(current.date(), clock).astimezone()
            if moment > current:
                moment = datetime.combine(current.date() - timedelta(days=1), clock).astimezone()
            return moment
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{text!r} is not a time: give 2026-03-05T14:30 or 14:30") from None
    return moment if moment.tzinfo else moment.astimezone()


def person(person_id: str, name: str | None) -> t.PersonIn:
    return t.PersonIn(id=person_id, name=name)


def citizen(args: argparse.Namespace) -> t.CitizenIn:
    if bool(args.cpr) == bool(args.ref):
        raise Invalid("give the citizen as --cpr (with --name) or as --ref, one of them")
    return t.CitizenIn(cpr=args.cpr, name=args.name) if args.cpr else t.CitizenIn(ref=args.ref)


def build(make: Callable[[], Call[Any]]) -> Call[Any]:
    """The call, or Invalid naming the field the wire types refuse."""
    try:
        return make()
    except msgspec.ValidationError as exc:
        raise Invalid(f"invalid input: {exc}") from None


# What each command does: (call or read) -> output


def write(args: argparse.Namespace, call: Call[Any], label: str) -> int:
    """Save the write in the outbox, then try to send everything due."""
    conf = settings(args)
    outbox = Outbox(Path(conf["outbox"]))
    item_id = outbox.save(call, label)
    report = SyncReport()
    if not args.offline:
        with Client(conf["url"], conf["key"]) as client:
            report = outbox.sync(client.send)
    item = next(i for i in outbox.items() if i.id == item_id)
    outbox.close()
    shown = {"state": item.state, "idempotency_key": item.idempotency_key, "answer": item.answer}
    if item.state == "pending":
        shown["waiting"] = report.waiting
        shown["reason"] = report.stopped_by or item.last_error
    if args.json:
        print(json.dumps(shown, default=str))
    elif item.state == "delivered" and "results" in item.answer:
        print(f"Sendt: {label} ({answered(item.answer['results'])})")
    elif item.state == "delivered":
        print(f"Sendt: {label} (position {item.answer.get('position')})")
    elif item.state == "dead":
        print(f"Afvist af serveren: {label}\n  {item.last_error}", file=sys.stderr)
    else:
        print(
            f"Gemt lokalt: {label}. Sendes, når der er forbindelse "
            f"({report.waiting} venter; {shown['reason'] or 'ikke sendt endnu'})."
        )
    if item.state == "dead":
        return REFUSED
    if item.state == "pending" and report.stopped_by and "key was refused" in report.stopped_by:
        return KEY_REFUSED
    return OK


def answered(results: list[dict[str, Any]]) -> str:
    """A bulk answer in a line: how many were taken, and each refused record with its reason."""
    taken = sum(r["status"] != "refused" for r in results)
    refused = [f"{r['record_id']}: {(r.get('problem') or {}).get('title')}" for r in results
               if r["status"] == "refused"]  # fmt: skip
    return f"{taken} taget imod, {len(refused)} afvist" + "".join(f"\n  {r}" for r in refused)


def read(args: argparse.Namespace, call: Call[Any]) -> Any:
    conf = settings(args)
    with Client(conf["url"], conf["key"]) as client:
        return client.send(call)


def cell(value: Any) -> str:
    """A table cell: a time as the clock on the wall shows it (the machine's own zone)."""
    if value is None or value is msgspec.UNSET:  # UNSET: a field the answer left out
        return ""
    if isinstance(value, datetime):
        return value.astimezone().strftime("%d.%m.%Y %H:%M")
    return str(value)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    cells = [[cell(v) for v in row] for row in [headers, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def builtins(value: Any) -> Any:
    """The answer as JSON values, each field the answer left out (UNSET) shown as null, as the
    command line has always printed it."""
    if isinstance(value, msgspec.Struct):
        config = value.__struct_config__
        fields = {} if config.tag_field is None else {config.tag_field: config.tag}
        return fields | {
            wire: None if (v := getattr(value, name)) is msgspec.UNSET else builtins(v)
            for name, wire in zip(
                value.__struct_fields__, value.__struct_encode_fields__, strict=True
            )
        }
    if isinstance(value, list | tuple):
        return [builtins(v) for v in value]
    if isinstance(value, dict):
        return {k: builtins(v) for k, v in value.items()}
    return msgspec.to_builtins(value)


def show(args: argparse.Namespace, value: Any, human: Callable[[Any], str]) -> int:
    print(json.dumps(builtins(value)) if args.json else human(value))
    return OK


# Commands


def cmd_declare(args: argparse.Namespace) -> int:
    body = build(
        lambda: calls.declare_incident(
            t.DeclareIncident(
                title=args.title,
                detected_via=args.via,
                reported_by=person(args.by, args.by_name),
                affected_systems=args.system,
                affected_units=args.unit or [],
                occurred_at=when(args.at),
                description=args.description,
                mode=args.mode,
            )
        )
    )
    return write(args, body, f"nedbrud '{args.title}'")


def cmd_step(args: argparse.Namespace) -> int:
    fields: dict[str, Any] = {}
    for pair in args.field:
        name, sep, value = pair.partition("=")
        if not sep:
            raise Invalid(f"{pair!r}: give fields as name=value")
        try:
            fields[name] = json.loads(value)
        except json.JSONDecodeError:
            fields[name] = value
    body = {
        "type": args.type,
        "occurred_at": when(args.at).isoformat(),
        "by": {"id": args.by, **({"name": args.by_name} if args.by_name else {})},
        **fields,
    }
    kind = t.STEPS.get(args.type)
    if kind is None:
        raise Invalid(f"{args.type!r} is not a step; the steps are: {', '.join(t.STEPS)}")
    step = build(
        lambda: calls.record_incident_step(
            args.incident,
            msgspec.convert(body, kind, strict=False),  # type: ignore[arg-type]
        )
    )
    return write(args, step, f"{args.type} på {args.incident}")


def cmd_dispense(args: argparse.Namespace) -> int:
    medication = t.MedicationIn(
        name=args.medication, dose=args.dose, strength=args.strength, route=args.route
    )
    call = build(
        lambda: calls.record_medication_dispensing(
            args.incident,
            t.RecordMedicationDispensing(
                medication=medication,
                dispensed_at=when(args.at),
                source_list_printed_at=when(args.list_printed_at) if args.list_printed_at else None,
                citizen=citizen(args),
                unit=args.unit,
                by=person(args.by, args.by_name),
                note=args.note,
                occurrence_id=args.occurrence,
                outcome=args.outcome,
                reason=args.reason,
                confirm_repeat=args.confirm_repeat,
            ),
        )
    )
    return write(args, call, f"medicinudlevering {args.unit} {when(args.at):%H:%M}")


def cmd_care(args: argparse.Namespace) -> int:
    call = build(
        lambda: calls.record_care_delivery(
            args.incident,
            t.RecordCareDelivery(
                service=args.service,
                status=args.status,
                occurred_at=when(args.at),
                citizen=citizen(args),
                unit=args.unit,
                by=person(args.by, args.by_name),
                note=args.note,
            ),
        )
    )
    return write(args, call, f"visiteret hjælp {args.unit} {when(args.at):%H:%M}")


def cmd_enter(args: argparse.Namespace) -> int:
    """One record: its own journal-entry; several: one request for them all."""
    by, at, reference = person(args.by, args.by_name), when(args.at), args.reference
    if len(args.record) > 1:
        many = build(
            lambda: calls.mark_many_entered_in_journal(
                t.JournalEntriesIn(
                    record_ids=args.record, by=by, entered_at=at, journal_reference=reference
                )
            )
        )
        return write(args, many, f"indtastet i journal: {len(args.record)} registreringer")
    record = args.record[0]
    one = build(
        lambda: calls.mark_entered_in_journal(
            record, t.JournalEntryIn(by=by, entered_at=at, journal_reference=reference)
        )
    )
    return write(args, one, f"indtastet i journal: {record}")


def cmd_situation(args: argparse.Namespace) -> int:
    picture: t.SituationPicture = read(args, calls.get_situation(mode=args.mode))

    def human(p: t.SituationPicture) -> str:
        call = p.contact_now
        head = f"Ring nu til: {call.label} {call.phone} (til {call.valid_until or '-'})"
        rows = [
            (
                str(i.incident_id)[:8],
                i.title,
                i.status,
                ",".join(i.systems_down) or "-",
                ",".join(i.affected_units) or "-",
                len(i.steps_outstanding),
                i.manual_records.pending,
            )
            for i in p.incidents
        ]
        columns = ("id", "nedbrud", "status", "nede", "enheder", "mangler", "papir")
        return f"{head}\n\n{table(rows, columns)}" if rows else f"{head}\n\nIngen åbne nedbrud."

    return show(args, picture, human)


def cmd_call_now(args: argparse.Namespace) -> int:
    contact: t.ContactNow = read(args, calls.get_contact_now(at=when(args.at) if args.at else None))
    return show(
        args,
        contact,
        lambda c: f"Ring nu til {c.label}: {c.phone}\n{c.rule}\nGælder til {c.valid_until or '-'}",
    )


def cmd_timeline(args: argparse.Namespace) -> int:
    known = when(args.known_at) if args.known_at else None
    if args.csv:
        text: str = read(args, calls.get_incident_timeline_csv(args.incident, known_at=known))
        if args.csv == "-":
            sys.stdout.write(text)
        else:
            Path(args.csv).write_text(text, encoding="utf-8")
            print(f"Tidslinjen er gemt i {args.csv}", file=sys.stderr)
        return OK
    entries: list[t.TimelineEntry] = read(
        args, calls.get_incident_timeline(args.incident, known_at=known)
    )
    rows = [(e.occurred_at, e.recorded_at, e.type, e.by.id if e.by else None) for e in entries]
    return show(args, entries, lambda _: table(rows, ("skete", "registreret", "hændelse", "af")))


def cmd_worklist(args: argparse.Namespace) -> int:
    items: list[t.BackEntryItemView] = read(
        args,
        calls.list_back_entry(
            unit=args.unit, status=args.status, incident=args.incident, limit=args.limit
        ),
    )
    rows = [(str(i.record_id), i.occurred_at, i.summary, i.citizen_ref, i.status) for i in items]
    columns = ("papirregistrering", "tidspunkt", "hvad", "borger", "status")
    return show(args, items, lambda _: table(rows, columns))


STATUS_DA = {
    "overdue": "overskredet",
    "due": "nu",
    "upcoming": "kommende",
    "given": "givet",
    "missed": "ikke givet",
}
LOCAL = ZoneInfo("Europe/Copenhagen")


def cmd_list_import(args: argparse.Namespace) -> int:
    data = Path(args.file).read_bytes()
    as_of = when(args.as_of) if args.as_of else None
    kept: t.EmergencyListKept = read(
        args, calls.put_emergency_list_csv(args.unit, data, by=args.by, list_as_of=as_of)
    )
    return show(
        args, kept, lambda k: f"Nødlisten for {args.unit} er gemt: version {k.list_version}"
    )


def cmd_rounds(args: argparse.Namespace) -> int:
    at = when(args.at) if args.at else None
    shown: t.RoundsView = read(
        args, calls.get_rounds(args.incident, unit=args.unit, at=at, purpose=args.purpose)
    )

    def human(r: t.RoundsView) -> str:
        c = r.counts
        head = (
            f"Runden på {r.unit} (nødliste version {r.list_version}): "
            f"overskredet {c.overdue} (livsvigtige {c.overdue_vital}), nu {c.due}, "
            f"kommende {c.upcoming}, givet {c.given}, ikke givet {c.missed}"
        )
        rows = [
            (
                o.due_at.astimezone(LOCAL).strftime("%d/%m %H:%M"),
                STATUS_DA[o.status],
                "LIVSVIGTIG" if o.vital else "",
                o.citizen_name or o.citizen_ref,
                o.summary,
                str(o.occurrence_id),
            )
            for o in r.occurrences
        ]
        columns = ("tid", "status", "", "borger", "hvad", "forekomst")
        return f"{head}\n\n{table(rows, columns)}" if rows else f"{head}\n\nIntet på listen."

    return show(args, shown, human)


def cmd_outbox(args: argparse.Namespace) -> int:
    outbox = Outbox(Path(settings(args)["outbox"]))
    try:
        if args.action == "status":
            status = outbox.status()
            return show(
                args,
                status.__dict__,
                lambda s: (
                    f"Venter: {s['pending']}  Sendt: {s['delivered']}  Afvist: {s['dead']}"
                    + (f"\nSidste fejl: {s['last_error']}" if s["last_error"] else "")
                ),
            )
        if args.action == "dead-letters":
            dead = [
                {"id": i.id, "what": i.label, "saved": i.created_at, "reason": i.last_error}
                for i in outbox.items("dead")
                if i.dismissed_at is None
            ]
            rows = [(d["id"], d["saved"], d["what"], d["reason"]) for d in dead]
            return show(args, dead, lambda _: table(rows, ("nr", "gemt", "hvad", "afvist fordi")))
        if args.action == "dismiss":
            unknown = [n for n in args.ids if not outbox.dismiss(n)]
            for n in unknown:
                print(f"ingen afvist registrering nr. {n}", file=sys.stderr)
            return INVALID if unknown or not args.ids else OK
        if args.action == "receipts":
            for receipt in outbox.receipts():
                print(json.dumps(receipt))
            return OK
        return sync(args, outbox)
    finally:
        outbox.close()


def sync(args: argparse.Namespace, outbox: Outbox) -> int:
    """Send what waits; with --wait, keep at it until nothing waits or the time is up."""
    conf = settings(args)
    deadline = time.monotonic() + args.wait
    total = SyncReport()

    def progress(report: SyncReport) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\rSendt {report.delivered}, venter {report.waiting}", end="", file=sys.stderr)

    with Client(conf["url"], conf["key"]) as client:
        while True:
            report = outbox.sync(client.send, progress=progress)
            total.delivered += report.delivered
            total.dead += report.dead
            total.waiting, total.stopped_by = report.waiting, report.stopped_by
            wait = outbox.status().next_attempt_in_s
            if not total.waiting or wait is None or time.monotonic() + wait > deadline:
                break
            time.sleep(wait)
    shown = total.__dict__
    show(
        args,
        shown,
        lambda s: (
            f"Sendt: {s['delivered']}  Afvist: {s['dead']}  Venter: "
            f"{s['waiting']}" + (f"\n{s['stopped_by']}" if s["stopped_by"] else "")
        ),
    )
    if total.stopped_by and "key was refused" in total.stopped_by:
        return KEY_REFUSED
    if total.dead:
        return REFUSED
    return OK if not total.waiting else UNREACHABLE


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="nedbrud-client", description=__doc__.split("\n\n")[0])
    top.add_argument("--url", help="the server (NEDBRUD_URL; default http://127.0.0.1:8000)")
    top.add_argument("--key", help="your API key (NEDBRUD_KEY)")
    top.add_argument("--config", help="a TOML file with url, key, outbox")
    top.add_argument("--outbox", help="the outbox file (NEDBRUD_OUTBOX)")
    top.add_argument("--json", action="store_true", help="print JSON for scripts")
    commands = top.add_subparsers(dest="command", required=True)

    def add(name: str, run: Callable[[argparse.Namespace], int], text: str) -> Any:
        command = commands.add_parser(name, help=text, description=text)
        command.set_defaults(run=run)
        return command

    def who(command: Any) -> None:
        command.add_argument("--by", required=True, help="your employee id")
        command.add_argument("--by-name", help="your name (sealed on the server)")
        command.add_argument(
            "--at", help="when (RFC 3339, or HH:MM: the last time the clock showed it; default now)"
        )
        command.add_argument("--offline", action="store_true", help="save only; send later")

    declare = add("declare", cmd_declare, "declare an outage (IT-nedbrud)")
    declare.add_argument("--title", required=True)
    declare.add_argument("--system", action="append", required=True, help="a system down")
    declare.add_argument("--unit", action="append", help="an affected unit")
    declare.add_argument(
        "--via", default="employee", choices=["employee", "vendor", "monitoring", "external-system"]
    )
    declare.add_argument("--description")
    declare.add_argument("--mode", default="actual", choices=["actual", "exercise"])
    who(declare)

    step = add("step", cmd_step, "record a step of the plan, e.g. it-contacted or system-restored")
    step.add_argument("incident", type=UUID)
    step.add_argument("type", help="the step, as the API names it (it-contacted, ...)")
    step.add_argument("field", nargs="*", help="name=value (JSON values allowed)")
    who(step)

    for name, run, text in (
        ("dispense", cmd_dispense, "record a manual medication dispensing"),
        ("care", cmd_care, "record assessed help delivered, partly or missed"),
    ):
        record = add(name, run, text)
        record.add_argument("incident", type=UUID)
        record.add_argument("--unit", required=True)
        record.add_argument("--cpr", help="the citizen's CPR number")
        record.add_argument("--name", help="the citizen's name")
        record.add_argument("--ref", help="or the citizen_ref given earlier")
        record.add_argument("--note")
        who(record)
        if name == "dispense":
            record.add_argument("--medication", required=True)
            record.add_argument("--dose", required=True)
            record.add_argument("--strength")
            record.add_argument("--route")
            record.add_argument("--list-printed-at", help="when the printed list was printed")
            record.add_argument("--occurrence", type=UUID, help="the round's occurrence it is for")
            record.add_argument(
                "--outcome", default="given", choices=["given", "refused", "not-given"]
            )
            record.add_argument("--reason", help="why refused, not given, or given again")
            record.add_argument(
                "--confirm-repeat", action="store_true", help="give a dose already given"
            )
        else:
            record.add_argument("--service", required=True, help="the assessed help")
            record.add_argument(
                "--status", required=True, choices=["delivered", "partly", "missed"]
            )

    emergency = add("list", cmd_list_import, "the unit's emergency list (nødliste): import CSV")
    emergency.add_argument("action", choices=["import"])
    emergency.add_argument("file", help="the list as CSV (columns in the README)")
    emergency.add_argument("--unit", required=True)
    emergency.add_argument("--by", required=True, help="your employee id")
    emergency.add_argument("--as-of", help="the list's date (RFC 3339; default now)")
    rounds = add("rounds", cmd_rounds, "the round: what is due, overdue and given, vital first")
    rounds.add_argument("incident", type=UUID)
    rounds.add_argument("--unit", required=True)
    rounds.add_argument("--at", help="at another time (RFC 3339)")
    rounds.add_argument(
        "--purpose", choices=["treatment", "back-entry", "audit"], help="show names and medicine"
    )

    enter = add("enter", cmd_enter, "mark paper records as entered in the journal")
    enter.add_argument("record", type=UUID, nargs="+", help="one or more (up to 500) records")
    enter.add_argument("--reference", help="the journal's reference")
    who(enter)

    situation = add("situation", cmd_situation, "the situation picture: every open outage")
    situation.add_argument("--mode", choices=["actual", "exercise"])
    call_now = add("call-now", cmd_call_now, "whom to call right now, and until when")
    call_now.add_argument("--at", help="at another time (RFC 3339)")
    timeline = add("timeline", cmd_timeline, "an outage's timeline; --csv FILE exports it")
    timeline.add_argument("incident", type=UUID)
    timeline.add_argument("--known-at", help="as the log stood at this time")
    timeline.add_argument("--csv", help="write CSV to this file ('-': standard output)")
    worklist = add("worklist", cmd_worklist, "the back-entry worklist (efterregistrering)")
    worklist.add_argument("--unit")
    worklist.add_argument("--incident", type=UUID)
    worklist.add_argument("--status", default="pending", choices=["pending", "entered", "voided"])
    worklist.add_argument("--limit", type=int, default=100)
    outbox = add(
        "outbox", cmd_outbox, "what waits to be sent: status, sync, dead-letters, receipts"
    )
    outbox.add_argument("action", choices=["status", "sync", "dead-letters", "dismiss", "receipts"])
    outbox.add_argument(
        "ids",
        nargs="*",
        type=int,
        help="dismiss: the dead letters' numbers (their data is dropped)",
    )
    outbox.add_argument("--wait", type=float, default=0, help="sync: keep trying this many seconds")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except Invalid as exc:
        print(f"Ugyldigt input, intet er gemt: {exc}", file=sys.stderr)
        return INVALID
    except (Unauthorized, Forbidden) as exc:
        print(f"Nøglen blev afvist: {exc}", file=sys.stderr)
        return KEY_REFUSED
    except Refused as exc:
        print(f"Afvist af serveren: {exc}", file=sys.stderr)
        return REFUSED
    except Unreachable as exc:
        print(f"Serveren kan ikke nås: {exc}", file=sys.stderr)
        return UNREACHABLE
    except ClientError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        return FAILED
    return code


if __name__ == "__main__":
    sys.exit(main())
