"""`uv run python -m bench <scenario> [--quick] [--long]`: each scenario runs ours beside its
peers on one database in one run and prints medians, p50/p99 and ratios; `all` runs them all and
ends with one line of ratios. The scenarios are described in their modules: append (the store
alone), ingest (http, batch), load (read, live, growth), rounds, paper (the paper kit) and
projections (lag, rebuild). `--long`
grows the log to 10,000,000 events in `growth`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

from bench import append, ingest, load, projections
from bench import paper as paper_bench
from bench import rounds as rounds_bench
from service.embedded import start_embedded
from service.migrate import migrate


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "scenario",
        choices=[
            "append",
            "http",
            "batch",
            "read",
            "rounds",
            "paper",
            "live",
            "lag",
            "rebuild",
            "growth",
            "all",
        ],
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--long", action="store_true", help="growth: measure at 10,000,000 events as well"
    )
    parser.add_argument(
        "--clients", type=int, help="concurrent clients (append: 64; lag: 1, one append at a time)"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if url is None:  # a fresh clone: an embedded PostgreSQL in a temporary directory, deleted after
        url, _ = start_embedded(
            Path(tempfile.mkdtemp(prefix="nedbrud-bench-")), delete_on_exit=True
        )
        print(f"bench: embedded PostgreSQL at {url} (set DATABASE_URL to use another)")
    migrate(url)
    quick = args.quick
    ratios: dict[str, float] = {}
    if args.scenario in ("http", "all"):
        rounds, seconds = (2, 5) if quick else (5, 15)
        ratios |= asyncio.run(ingest.http(url, rounds, seconds, args.clients or 64))
        print(ingest.ratio_line(ratios))
    if args.scenario in ("batch", "all"):
        rounds, seconds = (2, 4) if quick else (5, 15)
        ratios |= asyncio.run(ingest.batch(url, rounds, seconds))
        print(ingest.ratio_line(ratios))
    # After the HTTP scenarios: its events would be a backlog for their server's projectors.
    if args.scenario in ("append", "all"):
        rounds, seconds = (2, 4) if quick else (5, 15)
        ratios |= asyncio.run(append.run(url, rounds, seconds, args.clients or 64))
    if args.scenario in ("read", "all"):
        ratios |= asyncio.run(load.read(url, 4 if quick else 15))
    if args.scenario in ("rounds", "all"):
        ratios |= asyncio.run(rounds_bench.run(url, 4 if quick else 15))
    if args.scenario in ("paper", "all"):
        ratios |= asyncio.run(paper_bench.run(url, 4 if quick else 15))
    if args.scenario in ("live", "all"):
        ratios |= asyncio.run(load.live(url, 4 if quick else 15))
    if args.scenario in ("lag", "all"):
        ratios |= asyncio.run(projections.lag(url, 300 if quick else 5000, args.clients or 1, 100))
    if args.scenario in ("rebuild", "all"):
        ratios |= projections.rebuild(url, 50_000 if quick else 1_000_000)
    if args.scenario in ("growth", "all"):
        sizes = (100_000,) if quick else (1_000_000, 10_000_000) if args.long else (1_000_000,)
        ratios |= asyncio.run(load.growth(url, 4 if quick else 10, sizes))
    ratios.pop("store_rate", None)
    if args.scenario == "all":
        print(ingest.ratio_line(ratios))


if __name__ == "__main__":
    cli()
