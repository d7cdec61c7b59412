"""Refusals in Danish, for the carer in front of the screen (`Accept-Language: da`).

One table of the fields in the plan's words and one of the messages: a problem's `title`,
`detail` and each `errors[].message` are said in Danish, naming the field as the dashboard's
form does (`citizen.cpr` is "Borgerens CPR-nummer"). No regular expression, enum value or
internal code reaches the screen: a message this table does not know becomes a plain sentence.
"""

from __future__ import annotations

import re
from contextvars import ContextVar

# Set per request by the edge from Accept-Language; English unless Danish is asked for first.
DANISH: ContextVar[bool] = ContextVar("danish", default=False)


def wants_danish(accept_language: str) -> bool:
    """Whether Danish comes before English in `Accept-Language` (quality ignored: order)."""
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("da"):
            return True
        if tag.startswith("en") or tag == "*":
            return False
    return False


# The fields of the bodies, in the words of the plan and of the dashboard's forms.
FIELDS = {
    "body": "Registreringen",
    "citizen": "Borgeren",
    "citizen.cpr": "Borgerens CPR-nummer",
    "citizen.name": "Borgerens navn",
    "citizen.ref": "Borgeren",
    "unit": "Enhed",
    "units": "Enheder",
    "by": "Registreret af",
    "by.id": "Dit medarbejdernummer",
    "by.name": "Dit navn",
    "by.role": "Din rolle",
    "note": "Note",
    "mode": "Øvelse eller virkelighed",
    "medication": "Præparat og dosis",
    "medication.name": "Præparat",
    "medication.dose": "Dosis",
    "medication.strength": "Styrke",
    "medication.route": "Indgivelsesmåde",
    "dispensed_at": "Tidspunkt",
    "occurred_at": "Tidspunkt",
    "entered_at": "Indtastet",
    "source_list_printed_at": "Den printede medicinliste er fra",
    "doctor_consulted": "Læge kontaktet",
    "doctor_consulted.doctor": "Lægens navn",
    "doctor_consulted.outcome": "Lægens svar",
    "service": "Ydelse",
    "status": "Leveret",
    "reason": "Begrundelse",
    "title": "Hvad er nede?",
    "description": "Beskrivelse",
    "detected_via": "Opdaget af",
    "reported_by": "Meldt af",
    "reported_by.id": "Dit medarbejdernummer",
    "affected_systems": "Systemer",
    "affected_units": "Berørte enheder",
    "type": "Trin",
    "leader": "Nærmeste leder",
    "leader.id": "Nærmeste leders medarbejdernummer",
    "channel": "Hvordan",
    "method": "Hvordan",
    "reference": "Sagsnummer",
    "vendor": "Leverandør",
    "source": "Alarmen kom fra",
    "summary": "Hvad der blev meldt ud",
    "isolated_to_single_unit": "Kun én enhed er ramt",
    "severity": "Alvor",
    "expected_restoration_at": "Forventet genetableret",
    "inform_nearest_leader": "Nærmeste leder skal informeres",
    "inform_socialchef": "Socialchefen skal informeres",
    "to_role": "Eskaleret til",
    "involve_communications": "Kommunikationsafdelingen inddrages",
    "department_leader": "Afdelingsleder",
    "department_leader.id": "Afdelingslederens medarbejdernummer",
    "nearest_leader": "Nærmeste leder",
    "nearest_leader.id": "Nærmeste leders medarbejdernummer",
    "arrangement": "Hvordan der arbejdes uden IT",
    "extra_staff": "Antal ekstra medarbejdere",
    "request_event_id": "Anmodningen om ekstra bemanding",
    "granted_staff": "Antal bevilgede medarbejdere",
    "audience": "Til",
    "text": "Noten",
    "system": "System",
    "waiver_reason": "Lederens begrundelse",
    "printed_at": "Printet",
    "list_as_of": "Listens indhold fra",
    "journal_reference": "Journalens reference",
    "record_ids": "De valgte registreringer",
    "at": "Tidspunkt",
    "from": "Fra",
    "to": "Til",
    # The last part of a path, when the validator names only that.
    "cpr": "Borgerens CPR-nummer",
    "name": "Navn",
    "dose": "Dosis",
    "strength": "Styrke",
    "route": "Indgivelsesmåde",
    "doctor": "Lægens navn",
    "outcome": "Lægens svar",
    "id": "Medarbejdernummer",
    "after_position": "Position",
}

TITLES = {
    "invalid-request": "Registreringen er ikke udfyldt rigtigt",
    "malformed-json": "Registreringen kunne ikke læses",
    "invalid-position": "Ugyldig position",
    "unauthorized": "Nøglen kendes ikke",
    "forbidden": "Ikke tilladt med din nøgle",
    "role-not-allowed": "Din rolle giver ikke adgang",
    "unit-not-allowed": "Din nøgle gælder ikke for den enhed",
    "purpose-not-allowed": "Formålet er ikke tilladt for din rolle",
    "not-found": "Findes ikke",
    "method-not-allowed": "Ikke muligt her",
    "request-too-large": "Registreringen er for stor",
    "unsupported-media-type": "Forkert format",
    "too-many-requests": "For mange forespørgsler lige nu",
    "idempotency-key-reused": "Registreringen er allerede sendt med andet indhold",
    "wrong-expected-version": "Nedbruddet er ændret imens",
    "precondition-failed": "Nedbruddet er ændret imens",
    "database-unavailable": "Serveren kan ikke gemme lige nu",
    "projection-behind": "Serveren er ikke helt opdateret endnu",
    "internal-error": "Fejl hos os",
    "incident-closed": "Nedbruddet er afsluttet",
    "system-not-affected": "Systemet er ikke meldt nede i dette nedbrud",
    "already-restored": "Systemet er allerede genetableret",
    "systems-still-down": "Der er stadig systemer, der er nede",
    "system-not-restored": "Systemet er ikke genetableret endnu",
    "unit-not-affected": "Enheden er ikke berørt af dette nedbrud",
    "paper-kit-too-large": "Nødpakken har flere linjer, end der kan udskrives",
    "out-of-range": "Værdien ligger uden for det, der kan gælde",
    "isolated-needs-one-unit": "Kun én enhed kan være ramt, når nedbruddet er isoleret",
    "workaround-needs-isolated-outage": "Arbejde uden IT aftales kun, når én enhed er ramt",
    "unknown-staffing-request": "Anmodningen om ekstra bemanding findes ikke",
    "staffing-already-decided": "Bemandingen er allerede besluttet",
    "unknown-event": "Registreringen findes ikke",
    "manual-records-pending": "Der er papirregistreringer, der ikke er indtastet i journalen",
    "waiver-needs-leader": "Kun en leder kan afslutte med papir, der mangler i journalen",
    "already-entered-in-journal": "Allerede indtastet i journal",
    "record-voided": "Registreringen er annulleret",
    "before-it-happened": "Tidspunktet ligger før nedbruddet",
    "mode-mismatch": "Øvelse og virkelighed kan ikke blandes",
    "already-given": "Allerede givet",
    "repeat-needs-reason": "En gentagelse kræver en begrundelse",
    "rule-broken": "Planen tillader ikke dette",
    "emergency-list-invalid": "Nødlisten er ikke udfyldt rigtigt",
    "too-many-citizens": "Nødlisten har for mange borgere",
    "too-many-items": "Nødlisten har for mange punkter",
    "duplicate-citizen": "En borger står to gange på nødlisten",
    "bad-item-id": "Et punkt på nødlisten har en ugyldig nøgle",
    "duplicate-item-id": "To punkter hos samme borger har samme nøgle",
    "bad-time": "Et klokkeslæt på nødlisten er ugyldigt",
    "empty-times": "Et punkt på nødlisten mangler klokkeslæt",
    "bad-days": "Et punkt på nødlisten har ugyldige ugedage",
    "medication-missing": "Et medicinpunkt mangler præparat og dosis",
    "service-missing": "Et hjælpepunkt mangler ydelsen",
    "item-kind-mismatch": "Punktets art passer ikke til indholdet",
    "window-out-of-range": "Tidsvinduet er for kort eller for langt",
    "vital-needs-unaccounted": "Livsvigtig medicin eller hjælp er hverken givet eller registreret",
    "unknown-event-type": "Hændelsestypen kendes ikke",
    "webhook-destination-refused": "Adressen kan ikke bruges til webhooks",
    "every-unit-key-needed": "Kræver en nøgle for alle enheder",
    "outcome-needs-reason": "Skriv hvorfor medicinen ikke blev givet",
    "period-reversed": "Perioden slutter, før den begynder",
    "access-log-unavailable": "Opslaget kan ikke logges, så intet vises",
}

# A detail of its own where the title alone would not tell her what to do.
DETAILS = {
    "unauthorized": "Log ind med en gyldig nøgle.",
    "forbidden": "Din rolle eller dine enheder giver ikke adgang til dette.",
    "role-not-allowed": "Din rolle giver ikke adgang til dette. Spørg din leder.",
    "unit-not-allowed": "Du kan kun registrere for de enheder, din nøgle gælder for.",
    "not-found": "Det findes ikke, eller ikke for din enhed.",
    "too-many-requests": "Vent et øjeblik, og prøv igen.",
    "database-unavailable": "Prøv igen om lidt; intet er gemt endnu.",
    "projection-behind": "Prøv igen om et øjeblik.",
    "internal-error": "Intet er gemt, medmindre du fik en kvittering. Prøv igen.",
    "incident-closed": "Vælg et åbent nedbrud.",
    "before-it-happened": "Giv det tidspunkt, det skete.",
    "already-given": "Se rundens liste: dosis er allerede registreret som givet.",
}

# What msgspec, Litestar and our own checks say, read into Danish. The first that matches wins.
_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Object missing required field"), "skal udfyldes"),
    (re.compile(r"^is required$"), "skal udfyldes"),
    (re.compile(r"^Object contains unknown field"), "kendes ikke"),
    (re.compile(r"^Invalid enum value"), "skal vælges på listen"),
    (re.compile(r"not a valid CPR|CPR", re.I), "skal skrives som DDMMÅÅ-XXXX"),
    (re.compile(r"give either cpr"), "skal have enten CPR-nummer eller borger-reference"),
    (re.compile(r"lies in the future"), "ligger i fremtiden; giv det tidspunkt, det skete"),
    (re.compile(r"lies before 2000"), "ligger før år 2000; giv det tidspunkt, det skete"),
    (re.compile(r"lies after 2100"), "ligger efter år 2100; giv et tidspunkt under nedbruddet"),
    (re.compile(r"offset|RFC 3339|datetime", re.I), "skal have dato og klokkeslæt"),
    (re.compile(r"length >= 1|length >= "), "skal udfyldes"),
    (re.compile(r"length <= (\d+)"), "må højst være {0} tegn"),
    (re.compile(r"`int` >= (\d+)"), "skal være mindst {0}"),
    (re.compile(r"`int` <= (\d+)"), "må højst være {0}"),
    (re.compile(r"Expected `int`"), "skal være et helt tal"),
    (re.compile(r"Expected `bool`"), "skal være ja eller nej"),
    (re.compile(r"Expected `array`"), "skal være en liste"),
    (re.compile(r"NUL"), "indeholder et tegn, der ikke må bruges"),
    (re.compile(r"matching regex"), "har ikke den rigtige form"),
    (re.compile(r"non-negative integer"), "skal være et helt tal, 0 eller større"),
    (re.compile(r"malformed|invalid json", re.I), "kunne ikke læses"),
    (re.compile(r"Expected `str`"), "skal være tekst"),
]
_INDEX = re.compile(r"\[\d+\]")
# What a field of a fixed form must look like, said instead of its pattern.
FORMS = {
    "citizen.cpr": "skal skrives som DDMMÅÅ-XXXX",
    "citizen.ref": "er ikke en kendt borger-reference",
    "unit": "skal vælges på listen over enheder",
    "units": "skal vælges på listen over enheder",
    "affected_units": "skal vælges på listen over enheder",
    "affected_systems": "skal vælges på listen over systemer",
    "system": "skal vælges på listen over systemer",
}


def field_name(field: str) -> str:
    """The field as the form names it: `citizen.cpr` is "Borgerens CPR-nummer"."""
    plain = _INDEX.sub("", field)
    if plain in FIELDS:
        return FIELDS[plain]
    last = plain.rsplit(".", 1)[-1]
    return FIELDS.get(last, "Et felt")


def message(text: str, field: str = "") -> str:
    """An English message about one field, in Danish; never the regex or the value."""
    form = FORMS.get(_INDEX.sub("", field))
    if form and ("regex" in text or "CPR" in text):
        return form
    for pattern, danish in _MESSAGES:
        if match := pattern.search(text):
            return danish.format(*match.groups())
    return "er ikke udfyldt rigtigt"


def field_message(field: str, text: str) -> str:
    """One field's refusal as a sentence: "Borgerens CPR-nummer skal skrives som DDMMÅÅ-XXXX"."""
    return f"{field_name(field)} {message(text, field)}"


def title(slug: str) -> str:
    return TITLES.get(slug, "Afvist af serveren")


def detail(slug: str, errors: list[tuple[str, str]]) -> str:
    """The detail: each field and what is wrong with it, or what the refusal means."""
    if errors:
        return "; ".join(field_message(f, m) for f, m in errors) + "."
    return DETAILS.get(slug, f"{title(slug)}.")
