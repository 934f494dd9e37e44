"""Benchmark: the integrity tests on 100,000 polling stations.

Run from the repository root:

    .venv/bin/python bench/analyze.py                      # 100,000 stations, 1,000 redraws
    .venv/bin/python bench/analyze.py --stations 20000 --repetitions 200

Target (issue 5): 100,000 stations with 1,000 Monte Carlo repetitions in under 60 s on 2
cores, vectorised NumPy with no per-station Python loop.

What is timed, on one simulated clean election (`simulate_clean`, 100 regions x 8 districts):

1. `integer_percent_test` with --repetitions redraws (the Monte Carlo the target names).
2. Every test as `saylau analyze` runs it (`analyze`: distributions, integer percent,
   fingerprint with its bootstrap and null fits, digits, turnout-share, flags, subgroups),
   each step timed.
3. Baselines in the same run:
   * the floor of the Monte Carlo: NumPy drawing the same binomials (2 x repetitions x
     stations) and nothing else: the integer test's cost over it is its counting;
   * DuckDB computing the observed integer-percent counts (turnout, share, either, both) over
     the same stations in SQL, once: what one pass over the data costs in a columnar engine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
from rich.console import Console
from rich.table import Table

from benchkit import ROOT, machine, ratio, secs, verdict
from saylau.domain.integrity.analysis import STEPS, Options, analyze
from saylau.domain.integrity.integer_percent import integer_percent_test
from saylau.domain.integrity.simulate import CleanModel, simulate_clean

console = Console(width=None if sys.stdout.isatty() else 200)
TARGET_SECONDS = 60.0


def timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def duckdb_counts(table) -> tuple[tuple[int, ...], float]:  # type: ignore[no-untyped-def]
    leader = table.leader_index()
    usable = table.turnout_known & (table.voters >= 100) & (table.voters <= table.registered)
    con = duckdb.connect()
    data = {
        "registered": table.registered[usable],
        "voters": table.voters[usable],
        "valid": table.valid[usable],
        "leader": table.votes[usable, leader],
    }
    con.register("s", data)
    con.execute("create table stations as select * from s")
    sql = """
        with d as (
          select least((100 * voters) % registered, registered - (100 * voters) % registered)
                   * 2 <= 100 as on_turnout,
                 least((100 * leader) % valid, valid - (100 * leader) % valid) * 2 <= 100
                   as on_share
          from stations)
        select count(*) filter (where on_turnout), count(*) filter (where on_share),
               count(*) filter (where on_turnout or on_share),
               count(*) filter (where on_turnout and on_share)
        from d
    """
    started = time.perf_counter()
    row = con.execute(sql).fetchone()
    return tuple(int(x) for x in row), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    model = CleanModel(stations=args.stations, regions=max(10, args.stations // 1000))
    table, simulated = timed(lambda: simulate_clean(model, seed=args.seed))
    console.log(f"simulated {len(table):,} stations in {secs(simulated)}")

    integer, integer_time = timed(
        lambda: integer_percent_test(table, repetitions=args.repetitions, seed=args.seed)
    )
    steps: dict[str, float] = {}
    clock = {"name": None, "at": time.perf_counter()}

    def on_step(name: str) -> None:
        now = time.perf_counter()
        if clock["name"] is not None:
            steps[clock["name"]] = now - clock["at"]
        clock.update(name=name, at=now)

    options = Options(repetitions=args.repetitions, seed=args.seed)
    _, total_time = timed(lambda: analyze(table, name="bench", options=options, on_step=on_step))
    steps[clock["name"]] = time.perf_counter() - clock["at"]

    rng = np.random.default_rng(args.seed)
    usable = table.turnout_known & (table.voters >= 100) & (table.voters <= table.registered)
    reg, rate = table.registered[usable], table.voters[usable] / table.registered[usable]

    def draws_only() -> None:
        chunk = max(1, 4_000_000 // len(reg))
        done = 0
        while done < args.repetitions:
            k = min(chunk, args.repetitions - done)
            rng.binomial(reg, rate, size=(k, len(reg)))
            rng.binomial(reg, rate, size=(k, len(reg)))
            done += k

    _, floor_time = timed(draws_only)
    counts, duck_time = duckdb_counts(table)
    mine = (
        integer.turnout.observed,
        integer.leader_share.observed,
        integer.either.observed,
        integer.both.observed,
    )
    if tuple(int(x) for x in mine) != counts:
        console.print(f"[bold red]observed counts differ: saylau {mine}, DuckDB {counts}[/]")
        raise SystemExit(1)

    figures = Table(title=f"integrity tests, {len(table):,} stations, {args.repetitions:,} redraws")
    for column in ("figure", "time", "baseline", "baseline time", "ratio"):
        figures.add_column(column)
    figures.add_row(
        "integer percent test (Monte Carlo)",
        secs(integer_time),
        "NumPy binomial draws alone",
        secs(floor_time),
        ratio(integer_time, floor_time),
    )
    figures.add_row(
        "observed integer counts (inside the test)",
        "-",
        "DuckDB SQL, one pass",
        secs(duck_time),
        "-",
    )
    for name in STEPS:
        figures.add_row(f"  analyze: {name}", secs(steps.get(name)), "", "", "")
    figures.add_row("every test (`analyze`)", secs(total_time), "", "", "")
    console.print(figures)
    console.print(
        f"target: every test on {len(table):,} stations with {args.repetitions:,} redraws "
        f"in under {TARGET_SECONDS:.0f} s: {verdict(total_time < TARGET_SECONDS)}"
    )
    out = ROOT / "bench" / "out" / "analyze.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "machine": machine(None),
                "stations": len(table),
                "repetitions": args.repetitions,
                "integer_percent_seconds": integer_time,
                "binomial_draws_seconds": floor_time,
                "duckdb_counts_seconds": duck_time,
                "analyze_seconds": total_time,
                "steps": steps,
            },
            indent=2,
        )
    )
    console.print(f"written: {Path(out).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
