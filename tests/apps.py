"""The settings every in-process test app runs with: a test database, synthetic keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from service.runtime.settings import Settings

SEALING_KEY = b"synthetic-test-sealing-key-0001"


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """Checkpoints only when a test asks: by default a test app writes no files."""
    defaults: dict[str, Any] = {
        "data_dir": Path(),
        "bootstrap_key": None,
        "pseudonym_key": b"synthetic-test-pseudonym-key-01",
        "sealing_key": SEALING_KEY,
        "checkpoint_interval_s": 0,
    }
    return Settings(database_url=database_url, **(defaults | overrides))
