"""Benchmark: importing 100,000 polling stations' results from a CSV file (`saylau import`).

Run from the repository root:

    .venv/bin/python bench/import_stations.py                     # 100,000 stations, both backends
    .venv/bin/python bench/import_stations.py --backend sqlite --stations 1000000 --repeat 1

Target: 100,000 stations (8 contestants: 900,000 stored rows) imported in under 5 s on each
backend: read, every rule checked, written in one transaction.

Steps, in one run on this machine:

1. A synthetic file of N stations (NumPy, fixed seed, not timed): 20 regions, districts of 250
   stations, registered voters, voters, invalid, valid, eight contestants drawn multinomially
   from valid, a text attribute; voters written as "1184.0" at every tenth station (a float
   column, as in scraped files); and its mapping.
2. Timed, best of --repeat, each run into a fresh database (a SQLite file, or a new PostgreSQL
   schema; made and migrated before timing): `import_stations` in a write unit of work as the
   CLI runs it (read, check, write, commit), with its stages taken from the progress callback;
   then `load_station_table` of the imported election. Once, informative: the whole command
   `saylau import stations` in a subprocess (interpreter start-up included).
3. Baselines measured in the same run on the same file:
   * DuckDB (in memory): `CREATE TABLE AS SELECT * FROM read_csv(file)`: types sniffed, no rule
     checked, nothing written to disk;
   * PostgreSQL: plain `COPY ... FROM STDIN (FORMAT csv, HEADER)` of the same file into a table of
     its columns without keys or constraints, one transaction;
   * SQLite: Python's csv module and one `executemany` into a table of the file's columns
     without keys, one transaction (the least a Python loader does);
   * the storage floor: the very rows saylau stores (100,000 stations and 800,000 votes, made
     by DuckDB from the file before timing) written into tables with saylau's keys and no
     checks: one `executemany` per table on SQLite, COPY of their CSV on PostgreSQL.
4. A rich table of every figure beside its baseline and the ratio; the figures, every run and the
   machine written to bench/out/import_stations.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import make_url

from benchkit import ROOT, fresh_database, load_average, machine, ratio, secs, verdict
from saylau.analytics.stations import import_stations, load_station_table
from saylau.store.db import session_scope

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
OUT = ROOT / "bench/out/import_stations.json"
TARGET_SECONDS = 5.0
CONTESTANTS = 8
SEED = 20241026

console = Console(width=None if sys.stdout.isatty() else 200)


# --- the file ---------------------------------------------------------------------------------


def write_file(path: Path, stations: int, seed: int) -> list[str]:
    """N synthetic stations as CSV; returns the header."""
    rng = np.random.default_rng(seed)
    registered = rng.integers(200, 3000, stations)
    voters = (registered * rng.beta(6, 4, stations)).astype(np.int64)
    invalid = rng.binomial(voters, 0.015)
    valid = voters - invalid
    shares = rng.dirichlet(np.arange(CONTESTANTS, 0, -1) * 2.0, stations)
    votes = rng.multinomial(valid, shares)
    index = np.arange(stations)
    header = [
        "station",
        "region",
        "district",
        "registered",
        "voters",
        "valid",
        "invalid",
        *(f"c{j}" for j in range(CONTESTANTS)),
        "kind",
    ]
    voters_text = voters.astype(str).astype(object)
    voters_text[::10] = [f"{v}.0" for v in voters[::10]]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(
            zip(
                (f"{i // 5000:02d}-{i // 250:05d}-{i:07d}" for i in index),
                (f"Region {i // 5000 + 1}" for i in index),
                (f"D{i // 250:05d}" for i in index),
                registered.tolist(),
                voters_text.tolist(),
                valid.tolist(),
                invalid.tolist(),
                *(votes[:, j].tolist() for j in range(CONTESTANTS)),
                ("urban" if i % 3 else "rural" for i in index),
                strict=True,
            )
        )
    return header


MAPPING = """name: bench
title: Synthetic election for the import benchmark
source: bench/import_stations.py
station: station
region: region
district: district
registered: registered
voters: voters
valid: valid
invalid: invalid
contestants:
{contestants}
attributes: {{kind: kind}}
"""


def mapping_text() -> str:
    lines = "\n".join(f"  - {{column: c{j}, name: Party {j + 1}}}" for j in range(CONTESTANTS))
    return MAPPING.format(contestants=lines)


# --- saylau -----------------------------------------------------------------------------------


def saylau_run(backend: str, pg_url: str, workdir: Path, path: Path, label: str) -> dict[str, Any]:
    """One import into a fresh database: total, stages, and the table read back."""
    with fresh_database(backend, label, pg_url, workdir) as engine:
        marks: dict[str, float] = {}
        start = time.perf_counter()

        def progress(stage: str, done: int, total: int) -> None:
            marks[stage] = time.perf_counter() - start

        with session_scope(engine, write=True) as session:
            outcome = import_stations(session, path, mapping_text(), progress=progress)
        total = time.perf_counter() - start
        start = time.perf_counter()
        with session_scope(engine) as session:
            table = load_station_table(session, "bench")
        load = time.perf_counter() - start
    assert outcome.status == "imported" and outcome.problem_count == 0
    return {
        "total": total,
        "read": marks["read"],
        "check": marks["check"] - marks["read"],
        "write_and_commit": total - marks["check"],
        "load_station_table": load,
        "stations": len(table),
        "votes": int(table.votes.sum()),
    }


def cli_run(backend: str, pg_url: str, workdir: Path, path: Path) -> float:
    """The whole command in a subprocess, once (informative: Python start-up included)."""
    with fresh_database(backend, "cli", pg_url, workdir) as engine:
        mapping = workdir / "bench.yaml"
        mapping.write_text(mapping_text(), encoding="utf-8")
        url = engine.url.render_as_string(hide_password=False)
        start = time.perf_counter()
        done = subprocess.run(
            [
                *(sys.executable, "-m", "saylau.cli.main", "import", "stations", str(path)),
                *("--mapping", str(mapping), "--db", url, "--json"),
            ],
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"saylau import failed: {done.stderr}")
    return seconds


# --- baselines --------------------------------------------------------------------------------


def duckdb_baseline(path: Path) -> float:
    connection = duckdb.connect()
    start = time.perf_counter()
    connection.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
    seconds = time.perf_counter() - start
    connection.close()
    return seconds


# The rows saylau stores for the file (stations, then votes), made by DuckDB before timing, and
# tables with saylau's keys (no foreign keys): the least any loader keeping this layout pays.
STORED_STATIONS = """
SELECT 1 AS election_id, row_number() OVER () - 1 AS station_index, row_number() OVER () AS
  row_number, station AS code, region, district, NULL AS district_name, registered,
  CAST(split_part(voters, '.', 1) AS BIGINT) AS voters, invalid, NULL AS found, valid,
  json_object('kind', kind) AS attributes
FROM read_csv('{path}', types={{'voters': 'VARCHAR'}})
"""
STORED_VOTES = f"""
SELECT 1, row_number() OVER () - 1 AS station_index, unnest(range({CONTESTANTS})) AS c,
  unnest([{", ".join(f"c{j}" for j in range(CONTESTANTS))}])
FROM read_csv('{{path}}')
"""
KEYED_TABLES = (
    "CREATE TABLE s (election_id int, station_index int, row_number int, code varchar(100),"
    " region varchar(200), district varchar(200), district_name varchar(200), registered bigint,"
    " voters bigint, invalid bigint, found bigint, valid bigint, attributes text,"
    " PRIMARY KEY (election_id, station_index), UNIQUE (election_id, code)){suffix}",
    "CREATE TABLE v (election_id int, station_index int, contestant_index smallint,"
    " votes bigint, PRIMARY KEY (election_id, station_index, contestant_index)){suffix}",
)


def stored_rows(path: Path, workdir: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The stored rows as tuples (for SQLite) and as CSV files in `workdir` (for COPY)."""
    connection = duckdb.connect()
    stations_sql = STORED_STATIONS.format(path=path) + " ORDER BY station_index"
    votes_sql = STORED_VOTES.format(path=path) + " ORDER BY station_index, c"
    for name, sql in (("stored_stations", stations_sql), ("stored_votes", votes_sql)):
        connection.execute(f"COPY ({sql}) TO '{workdir / name}.csv' (HEADER false, NULLSTR '\\N')")
    rows = connection.execute(stations_sql).fetchall(), connection.execute(votes_sql).fetchall()
    connection.close()
    return rows


def postgresql_keyed_baseline(pg_url: str, workdir: Path) -> float:
    """COPY of the stored rows' CSV into tables with saylau's keys, one transaction."""
    dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        schema = f"bench_keyed_{os.getpid()}"
        connection.execute(f'CREATE SCHEMA "{schema}"')
        try:
            connection.execute(f'SET search_path = "{schema}"')
            for ddl in KEYED_TABLES:
                connection.execute(ddl.format(suffix=""))
            start = time.perf_counter()
            with connection.transaction(), connection.cursor() as cursor:
                for table, name in (("s", "stored_stations"), ("v", "stored_votes")):
                    sql = f"COPY {table} FROM STDIN (FORMAT csv, NULL '\\N')"
                    with cursor.copy(sql) as copy, (workdir / f"{name}.csv").open("rb") as handle:
                        while block := handle.read(1 << 20):
                            copy.write(block)
            return time.perf_counter() - start
        finally:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def sqlite_keyed_baseline(workdir: Path, stored: tuple[list[Any], list[Any]]) -> float:
    """executemany of the stored rows (already tuples) into tables with saylau's keys."""
    target = workdir / "keyed.db"
    connection = sqlite3.connect(target)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    for ddl in KEYED_TABLES:
        connection.execute(ddl.format(suffix=" WITHOUT ROWID"))
    start = time.perf_counter()
    connection.executemany(f"INSERT INTO s VALUES ({', '.join('?' * 13)})", stored[0])
    connection.executemany("INSERT INTO v VALUES (?, ?, ?, ?)", stored[1])
    connection.commit()
    seconds = time.perf_counter() - start
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return seconds


def postgresql_baseline(pg_url: str, path: Path, header: list[str]) -> float:
    """COPY of the file into a bare table of its columns, in a scratch schema."""
    dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    numeric = set(header[3:-1]) - {"voters"}
    columns = ", ".join(f"{c} {'bigint' if c in numeric else 'text'}" for c in header)
    with psycopg.connect(dsn, autocommit=True) as connection:
        schema = f"bench_copy_{os.getpid()}"
        connection.execute(f'CREATE SCHEMA "{schema}"')
        try:
            connection.execute(f'CREATE TABLE "{schema}".t ({columns})')
            start = time.perf_counter()
            with connection.transaction(), connection.cursor() as cursor:
                sql = f'COPY "{schema}".t FROM STDIN (FORMAT csv, HEADER)'
                with cursor.copy(sql) as copy, path.open("rb") as handle:
                    while block := handle.read(1 << 20):
                        copy.write(block)
            return time.perf_counter() - start
        finally:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def sqlite_baseline(workdir: Path, path: Path, header: list[str]) -> float:
    """csv.reader and one executemany into a bare table, one transaction, saylau's pragmas."""
    target = workdir / "baseline.db"
    connection = sqlite3.connect(target)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(f"CREATE TABLE t ({', '.join(header)})")
    start = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        connection.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(header))})", reader)
    connection.commit()
    seconds = time.perf_counter() - start
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return seconds


def best(repeat: int, fn: Callable[[], Any]) -> tuple[float, list[float]]:
    times = [fn() for _ in range(repeat)]
    return min(times), times


# --- report -----------------------------------------------------------------------------------


def report(result: dict[str, Any]) -> None:
    n = result["stations"]
    table = Table(
        title=f"saylau import stations: {n:,} stations, {CONTESTANTS} contestants "
        f"(best of {result['repeat']})"
    )
    for name in ("figure", "saylau", "baseline", "baseline time", "saylau / baseline", "target"):
        table.add_column(name, justify="left" if name in ("figure", "baseline") else "right")
    duck = result["duckdb"]
    for backend, row in result["backends"].items():
        baseline_name, baseline = row["baseline_name"], row["baseline"]
        table.add_row(
            f"import into {backend} (read, check, write, commit)",
            secs(row["total"]),
            "DuckDB read_csv into a table",
            secs(duck),
            ratio(row["total"], duck),
            f"< {TARGET_SECONDS:g} s: {verdict(row['total'] < TARGET_SECONDS)}",
        )
        table.add_row(
            f"import into {backend}",
            secs(row["total"]),
            baseline_name,
            secs(baseline),
            ratio(row["total"], baseline),
            "-",
        )
        table.add_row(
            f"import into {backend}",
            secs(row["total"]),
            row["keyed_name"],
            secs(row["keyed"]),
            ratio(row["total"], row["keyed"]),
            "-",
        )
        for stage in ("read", "check", "write_and_commit"):
            table.add_row(f"  of which {stage.replace('_', ' ')}", secs(row[stage]), "", "", "", "")
        table.add_row(
            f"load_station_table from {backend}",
            secs(row["load_station_table"]),
            "",
            "",
            "",
            "",
        )
        if row.get("cli") is not None:
            table.add_row(
                f"`saylau import stations` into {backend}, whole command",
                secs(row["cli"]),
                "",
                "",
                "",
                "(informative: Python start-up included)",
            )
    console.print(table)
    console.print(
        f"Load average (1, 5, 15 min): {result['machine']['load average at start (1, 5, 15 min)']}"
        f" at start, {result['load_average_end']} at the end.",
        highlight=False,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported")
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql", "both"), default="both", help="databases"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("SAYLAU_BENCH_PG", DEFAULT_PG),
        help="PostgreSQL database for the fresh schemas "
        f"(default: $SAYLAU_BENCH_PG or {DEFAULT_PG})",
    )
    parser.add_argument("--no-cli", action="store_true", help="skip the whole-command run")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", type=Path, default=OUT, help=f"output file (default: {OUT})")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]

    info = machine(args.pg_url if "postgresql" in backends else None)
    header_table = Table(title="saylau import benchmark", show_header=False)
    for key, value in info.items():
        header_table.add_row(key, value)
    console.print(header_table)

    result: dict[str, Any] = {
        "machine": info,
        "stations": args.stations,
        "contestants": CONTESTANTS,
        "repeat": args.repeat,
        "target_seconds": TARGET_SECONDS,
        "backends": {},
    }
    with tempfile.TemporaryDirectory(prefix="saylau-bench-import-") as tmp:
        workdir = Path(tmp)
        path = workdir / "stations.csv"
        with console.status(f"writing {args.stations:,} stations"):
            header = write_file(path, args.stations, args.seed)
        result["file_bytes"] = path.stat().st_size
        with console.status("the stored rows, for the keyed baselines (not timed)"):
            stored = stored_rows(path, workdir)
        with console.status("DuckDB baseline"):
            result["duckdb"], result["duckdb_runs"] = best(
                args.repeat, lambda: duckdb_baseline(path)
            )
        for backend in backends:
            runs: list[dict[str, Any]] = []
            for index in range(args.repeat):
                with console.status(f"{backend}: import {index + 1}/{args.repeat}"):
                    runs.append(saylau_run(backend, args.pg_url, workdir, path, f"run{index}"))
                console.log(f"{backend} run {index + 1}: {secs(runs[-1]['total'])}")
            row = dict(min(runs, key=lambda r: r["total"]))
            row["runs"] = runs
            with console.status(f"{backend}: baselines"):
                if backend == "sqlite":
                    row["baseline_name"] = "csv module + executemany, bare table"
                    row["baseline"], row["baseline_runs"] = best(
                        args.repeat, lambda: sqlite_baseline(workdir, path, header)
                    )
                    row["keyed_name"] = "executemany of the stored rows, same keys"
                    row["keyed"], row["keyed_runs"] = best(
                        args.repeat, lambda: sqlite_keyed_baseline(workdir, stored)
                    )
                else:
                    row["baseline_name"] = "plain COPY of the file, bare table"
                    row["baseline"], row["baseline_runs"] = best(
                        args.repeat, lambda: postgresql_baseline(args.pg_url, path, header)
                    )
                    row["keyed_name"] = "COPY of the stored rows, same keys"
                    row["keyed"], row["keyed_runs"] = best(
                        args.repeat, lambda: postgresql_keyed_baseline(args.pg_url, workdir)
                    )
            if not args.no_cli:
                with console.status(f"{backend}: whole command"):
                    row["cli"] = cli_run(backend, args.pg_url, workdir, path)
            result["backends"][backend] = row
    result["load_average_end"] = load_average()
    report(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    console.print(f"written to {args.json}", highlight=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
