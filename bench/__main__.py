"""`uv run python -m bench <scenario> [--quick] [--long]`: each scenario runs ours beside its
peers on one database in one run and prints medians, p50/p99 and ratios; `all` runs them all and
ends with one line of ratios. The scenarios are described in their modules, which register them
(bench/registry.py): append (the store alone), ingest (http, batch), load (read, live, growth),
rounds, paper (the paper kit), report (the evaluation report) and projections (lag,
rebuild). `--long` grows the log to 10,000,000 events in `growth`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.ingest import ratio_line
from bench.registry import Options, discover
from service.log.migrate import migrate
from service.runtime.embedded import start_embedded


def cli() -> None:
    scenarios = discover()
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("scenario", choices=[s.name for s in scenarios] + ["all"])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--long", action="store_true", help="growth: measure at 10,000,000 events as well"
    )
    parser.add_argument(
        "--clients", type=int, help="concurrent clients (append: 64; lag: 1, one append at a time)"
    )
    parser.add_argument(
        "--profile", metavar="DIR", help="record each server with py-spy into DIR (speedscope)"
    )
    args = parser.parse_args()
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
        os.environ["NEDBRUD_BENCH_PROFILE"] = str(Path(args.profile).resolve())
    url = os.environ.get("DATABASE_URL")
    if url is None:  # a fresh clone: an embedded PostgreSQL in a temporary directory, deleted after
        url, _ = start_embedded(
            Path(tempfile.mkdtemp(prefix="nedbrud-bench-")), delete_on_exit=True
        )
        print(f"bench: embedded PostgreSQL at {url} (set DATABASE_URL to use another)")
    migrate(url)
    options = Options(quick=args.quick, long=args.long, clients=args.clients)
    ratios: dict[str, float] = {}
    took: dict[str, float] = {}
    began = time.monotonic()
    for scenario in scenarios:
        if args.scenario in (scenario.name, "all"):
            started = time.monotonic()
            ratios |= scenario.run(url, options)
            took[scenario.name] = time.monotonic() - started
            print(f"bench {scenario.name}: {took[scenario.name]:.0f} s")
    ratios.pop("store_rate", None)
    if args.scenario == "all":
        each = " ".join(f"{name}={seconds:.0f}" for name, seconds in took.items())
        print(f"bench all: {time.monotonic() - began:.0f} s ({each})")
        print(ratio_line(ratios))


if __name__ == "__main__":
    cli()
