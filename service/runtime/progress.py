"""Progress of long commands (`backup`, `restore`, `rebuild`, `verify`) on a terminal.

On a terminal, standard error shows each step as done of total, the rate and the time left
(rich's progress bar). Elsewhere (a pipe, a log, cron) nothing is shown while the work goes on;
the command prints its one JSON summary line on standard output either way, so scripts read the
same output as before.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class Step(Protocol):
    """Told how far a step has come: `done` of `total` (a total of None: unchanged)."""

    def __call__(self, done: int, total: int | None = None) -> None: ...


class _Rate(ProgressColumn):
    """Units per second, from rich's own speed estimate."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} {self.unit}/s", style="cyan")


def on_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def step(
    description: str, total: int | None, unit: str = "rows", *, show: bool | None = None
) -> Iterator[Step]:
    """A progress bar for one step, shown while the block runs (on a terminal only)."""
    if not (on_terminal() if show is None else show):

        def quiet(done: int, total: int | None = None) -> None:
            return None

        yield quiet
        return
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        _Rate(unit),
        TimeElapsedColumn(),
        TextColumn("elapsed,"),
        TimeRemainingColumn(),
        TextColumn("left"),
        console=Console(stderr=True),
        transient=False,
    )
    task = bar.add_task(description, total=total)

    def update(done: int, total: int | None = None) -> None:
        if total is not None:
            bar.update(task, total=total)
        bar.update(task, completed=done)

    with bar:
        yield update
