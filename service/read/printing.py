"""Making paper away from the service's event loop: a kit for a big unit is a second of pure
Python (layout, QR codes), and in a thread it still holds the interpreter's lock, so appends
and reads waited for it (`bench paper`: appends fell from 196/s to 32/s while kits were made).
One process of its own per service process makes the PDFs, one at a time, started when the
first is asked for.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
_printer: ProcessPoolExecutor | None = None


async def printed(make: Callable[..., T], *args: object) -> T:
    """`make(*args)` in the printer process (it and its arguments must pickle)."""
    global _printer
    if _printer is None:
        _printer = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn")
        )
    try:
        return await asyncio.get_running_loop().run_in_executor(_printer, make, *args)
    except BrokenProcessPool:
        _printer = None  # the printer died (killed, out of memory): the next asks a new one
        raise
