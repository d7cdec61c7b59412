"""The settings every in-process test app runs with: a test database, synthetic keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from service.settings import Settings


def settings_for(database_url: str, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=Path(),
        bootstrap_key=None,
        pseudonym_key=b"synthetic-test-pseudonym-key-01",
        **overrides,
    )
