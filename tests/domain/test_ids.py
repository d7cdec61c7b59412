"""Name-based ids are the standard library's, bit for bit: they are stored and printed."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from domain.ids import uuid5


@given(st.uuids(), st.text())
def test_a_name_based_id_is_exactly_the_standard_librarys(namespace: uuid.UUID, name: str) -> None:
    made = uuid5(namespace, name)
    assert made == uuid.uuid5(namespace, name)
    assert (str(made), made.version, made.variant, hash(made)) == (
        str(uuid.uuid5(namespace, name)),
        5,
        uuid.RFC_4122,
        hash(uuid.uuid5(namespace, name)),
    )
