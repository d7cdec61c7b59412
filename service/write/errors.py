"""What the use cases refuse, in their own words: the edge says each as problem+json.

None of these knows HTTP. Each names the rule (`slug`) and, where a field is at fault, the field
(never its value: it may be a CPR number); `service/api/problems.py` gives each its status.
"""

from __future__ import annotations


class Refused(Exception):
    """A command the application layer will not carry out."""

    slug = "invalid-request"

    def __init__(self, detail: str, errors: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors  # (field, message) pairs


class FieldRefused(Refused):
    """A field of the command breaks a rule (422 at the edge)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", ((field, message),))
        self.field, self.message = field, message


class ListCitizenRefused(FieldRefused):
    """A citizen of an emergency list is named wrongly (a CSV list names its row at the edge)."""


class UnitNotAllowed(Refused):
    """The key acts for other units than this one (403)."""

    slug = "unit-not-allowed"

    def __init__(self, unit: str) -> None:
        super().__init__(f"this key may not act for unit {unit!r}")
        self.unit = unit


class IdempotencyKeyReused(Refused):
    """The Idempotency-Key was used before with another request (409)."""

    slug = "idempotency-key-reused"

    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was already used with a different request body")


class IdempotencyKeyInvalid(Refused):
    """The Idempotency-Key is not 1-200 printable ASCII characters (400)."""

    slug = "invalid-idempotency-key"

    def __init__(self) -> None:
        super().__init__("Idempotency-Key must be 1-200 printable ASCII characters")
