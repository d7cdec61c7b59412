"""The default plan, read once for the domain tests."""

from __future__ import annotations

import pytest

from domain.plan import Plan
from service.runtime.plan_file import read_plan


@pytest.fixture(scope="session")
def plan() -> Plan:
    return read_plan()
