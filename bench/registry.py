"""The scenarios `python -m bench` knows: each module of bench/ registers its own with
`@scenario(name, order)`, and `discover()` imports every module, so a new scenario is a new module
(or a function in one) and nothing else. `bench all` runs them by `order` (lower first).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

Ratios = dict[str, float]


@dataclass(frozen=True)
class Options:
    quick: bool
    long: bool  # growth: measure at 10,000,000 events as well
    clients: int | None  # concurrent clients, when the scenario takes them


@dataclass(frozen=True)
class Scenario:
    name: str
    order: int
    run: Callable[[str, Options], Ratios]  # database URL -> ratios for the last line


SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, order: int) -> Callable[[Callable[[str, Options], Ratios]], Scenario]:
    """Register `run(url, options) -> ratios` as `python -m bench <name>`. The order sets where
    it runs in `all`: the HTTP scenarios first (their events would be a backlog for the next
    server's projectors), the ones that grow the log last."""

    def register(run: Callable[[str, Options], Ratios]) -> Scenario:
        if name in SCENARIOS:
            raise ValueError(f"two scenarios are called {name!r}")
        SCENARIOS[name] = Scenario(name, order, run)
        return SCENARIOS[name]

    return register


def discover() -> list[Scenario]:
    """Every module of bench/ imported (so each registers its scenarios), in `all`'s order."""
    import bench

    for module in pkgutil.iter_modules(bench.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"bench.{module.name}")
    return sorted(SCENARIOS.values(), key=lambda s: (s.order, s.name))
