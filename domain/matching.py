"""Records account for occurrences: which paper record says a dose was given or a visit made.

A record that names its `occurrence_id` accounts for that occurrence. One that does not accounts
for the earliest open occurrence of the same citizen and item (the same medication name, or the
same help, compared case-insensitively) whose window holds the record's time; otherwise it stands
alone and is shown as such, never lost. Paper records are entered hours late and in any order,
so records are taken in a fixed order (by when they happened, then by id), and those naming an
occurrence before those that do not: the same records give the same rounds however they arrive.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from domain.list_items import ItemKind
from domain.manual_record import CareStatus, Outcome
from domain.occurrences import Occurrence, Status, match_name

__all__ = ["Outcome", "RoundRecord", "account", "candidates"]


@dataclass(frozen=True)
class RoundRecord:
    """A paper record as the rounds see it: whose, what, when, and whether it was given.

    `given` is False for a medication refused or not given and for a visit missed: the record
    accounts for its occurrence as missed. A visit partly delivered was given: the citizen had
    help, and what was left undone is in the record's note."""

    record_id: UUID
    citizen_ref: str
    kind: ItemKind
    what: str
    occurred_at: datetime
    given: bool = True
    occurrence_id: UUID | None = None
    voided: bool = False

    @classmethod
    def dispensing(
        cls,
        record_id: UUID,
        citizen_ref: str,
        medication_name: str,
        occurred_at: datetime,
        outcome: Outcome = Outcome.GIVEN,
        occurrence_id: UUID | None = None,
        voided: bool = False,
    ) -> RoundRecord:
        """A medication dispensing: given, or refused or not given (then it accounts as missed)."""
        return cls(
            record_id=record_id,
            citizen_ref=citizen_ref,
            kind=ItemKind.MEDICATION,
            what=medication_name,
            occurred_at=occurred_at,
            given=outcome == Outcome.GIVEN,
            occurrence_id=occurrence_id,
            voided=voided,
        )

    @classmethod
    def care(
        cls,
        record_id: UUID,
        citizen_ref: str,
        service: str,
        status: CareStatus,
        occurred_at: datetime,
        occurrence_id: UUID | None = None,
        voided: bool = False,
    ) -> RoundRecord:
        """A visit: delivered or partly delivered (given), or missed."""
        return cls(
            record_id=record_id,
            citizen_ref=citizen_ref,
            kind=ItemKind.CARE,
            what=service,
            occurred_at=occurred_at,
            given=status != CareStatus.MISSED,
            occurrence_id=occurrence_id,
            voided=voided,
        )


def _order(record: RoundRecord) -> tuple[datetime, str]:
    return (record.occurred_at, str(record.record_id))


def _named(record: RoundRecord, by_id: dict[UUID, Occurrence]) -> Occurrence | None:
    named = by_id.get(record.occurrence_id) if record.occurrence_id is not None else None
    if named is None or (named.citizen_ref, named.kind) != (record.citizen_ref, record.kind):
        return None
    return named


def _is_open_for(record: RoundRecord, claims: list[RoundRecord]) -> bool:
    # A dose refused at 08:05 and taken at 08:25 was given: a given record may still land on an
    # occurrence a missed one accounted for, but nothing lands on one already given.
    if record.given:
        return not any(c.given for c in claims)
    return not claims


def candidates(occurrences: Iterable[Occurrence], record: RoundRecord) -> list[Occurrence]:
    """The occurrences of the record's citizen and item whose window holds its time, earliest
    first."""
    name = match_name(record.what)
    return sorted(
        (
            o
            for o in occurrences
            if (o.citizen_ref, o.kind) == (record.citizen_ref, record.kind)
            and match_name(o.what) == name
            and o.due_from <= record.occurred_at <= o.due_until
        ),
        key=lambda o: (o.due_at, o.item_id, str(o.occurrence_id)),
    )


class Accounting(NamedTuple):
    """The occurrences, each with the records that account for it; the records left alone."""

    occurrences: list[Occurrence]
    alone: list[RoundRecord]


def account(occurrences: list[Occurrence], records: Iterable[RoundRecord]) -> Accounting:
    """Each occurrence with the records that account for it, and the records that stand alone.

    Voided records were made in error and account for nothing; a record id seen twice counts
    once (its earliest)."""
    by_id = {o.occurrence_id: o for o in occurrences}
    by_key: dict[tuple[str, ItemKind, str], list[Occurrence]] = {}
    for o in occurrences:
        by_key.setdefault((o.citizen_ref, o.kind, match_name(o.what)), []).append(o)
    # A record read twice (a retried delivery) is one record.
    ordered = list({r.record_id: r for r in sorted(records, key=_order, reverse=True)}.values())
    ordered = sorted((r for r in ordered if not r.voided), key=_order)
    claims: dict[UUID, list[RoundRecord]] = {}
    rest: list[RoundRecord] = []
    for record in ordered:
        named = _named(record, by_id)
        if named is None:
            rest.append(record)
        else:
            claims.setdefault(named.occurrence_id, []).append(record)
    alone: list[RoundRecord] = []
    for record in rest:
        key = (record.citizen_ref, record.kind, match_name(record.what))
        target = next(
            (
                o
                for o in candidates(by_key.get(key, []), record)
                if _is_open_for(record, claims.get(o.occurrence_id, []))
            ),
            None,
        )
        if target is None:
            alone.append(record)
        else:
            claims.setdefault(target.occurrence_id, []).append(record)
    return Accounting([_accounted(o, claims.get(o.occurrence_id, [])) for o in occurrences], alone)


def _accounted(occurrence: Occurrence, claims: list[RoundRecord]) -> Occurrence:
    if not claims:
        return occurrence
    claims = sorted(claims, key=_order)
    given = [c for c in claims if c.given]
    first = given[0] if given else claims[0]
    return dataclasses.replace(
        occurrence,
        status=Status.GIVEN if given else Status.MISSED,
        record_id=first.record_id,
        accounted_at=first.occurred_at,
        record_ids=tuple(c.record_id for c in claims),
    )
