"""The emergency list as CSV: what a care system's export or a spreadsheet gives.

UTF-8 with or without a byte-order mark, `;` or `,` separated (the header row says which), one
row per item, columns named in the header (any order; see the README):
`cpr;name;vital_needs;item_id;kind;medication;strength;dose;route;service;times;days;
window_minutes;vital`, or `citizen_ref` instead of `cpr`. `times` and `days` are `|`-separated
(`08:00|20:00`, `mon|wed|fri`); `vital` is `true`/`ja`/`1` or empty. A citizen's rows belong
together by CPR number (or ref); name and vital needs are taken from the first row that has them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from service.api.problems import InvalidField

REQUIRED = ("item_id", "kind", "times")
KNOWN = {
    "cpr", "citizen_ref", "name", "vital_needs", "item_id", "kind", "medication", "strength",
    "dose", "route", "service", "times", "days", "window_minutes", "vital",
}  # fmt: skip
TRUE = {"true", "ja", "yes", "1", "x"}


def _bool(text: str) -> bool:
    return text.strip().casefold() in TRUE


def parse_list_csv(body: bytes) -> tuple[list[dict[str, Any]], dict[tuple[int, int], int]]:
    """The citizens as the JSON body would give them, and each item's CSV row number (for
    refusals that name a field: `citizens[i].items[j]` is row `rows[i, j]`)."""
    text = body.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().casefold() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing or ("cpr" not in header and "citizen_ref" not in header):
        need = ", ".join(missing or ["cpr or citizen_ref"])
        raise InvalidField("csv", f"the header row lacks {need}")
    # Named by position: a list exported without its header row has CPR numbers and names here.
    unknown = [str(n) for n, h in enumerate(header, start=1) if h not in KNOWN]
    if unknown:
        raise InvalidField("csv", f"unknown columns (by position): {', '.join(unknown)}")
    reader.fieldnames = header
    citizens: dict[str, dict[str, Any]] = {}
    rows: dict[tuple[int, int], int] = {}
    order: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(cells.values()):
            continue
        who = cells.get("cpr") or cells.get("citizen_ref") or ""
        if not who:
            raise InvalidField(f"csv row {number}", "names no cpr or citizen_ref")
        entry = citizens.get(who)
        if entry is None:
            given = {"cpr": who} if cells.get("cpr") else {"ref": who}
            entry = citizens[who] = {"citizen": given, "items": []}
            order[who] = len(order)
        if cells.get("name") and "name" not in entry["citizen"]:
            entry["citizen"]["name"] = cells["name"]
        if cells.get("vital_needs") and "vital_needs" not in entry:
            entry["vital_needs"] = cells["vital_needs"]
        rows[order[who], len(entry["items"])] = number  # not list(citizens).index: quadratic
        entry["items"].append(_item(cells, number))
    return list(citizens.values()), rows


def _item(cells: dict[str, str], number: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "item_id": cells["item_id"],
        "kind": cells["kind"],
        "times": [t.strip() for t in cells["times"].split("|") if t.strip()],
        "vital": _bool(cells.get("vital", "")),
    }
    if cells.get("medication"):
        medication = {"name": cells["medication"], "dose": cells.get("dose", "")}
        medication |= {k: cells[k] for k in ("strength", "route") if cells.get(k)}
        item["medication"] = medication
    if cells.get("service"):
        item["service"] = cells["service"]
    if cells.get("days"):
        item["days"] = [d.strip().casefold() for d in cells["days"].split("|") if d.strip()]
    if cells.get("window_minutes"):
        try:
            item["window_minutes"] = int(cells["window_minutes"])
        except ValueError:
            field = f"csv row {number}: window_minutes"
            raise InvalidField(field, "is not a whole number") from None
    return item
