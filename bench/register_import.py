"""Benchmark: loading the full synthetic register (11,953,465 voters) against PostgreSQL COPY.

Run from the repository root:

    .venv/bin/python bench/register_import.py                  # full scale, PostgreSQL
    .venv/bin/python bench/register_import.py --scale 0.1 --backend both

Target (issue 6): `saylau register import` of the full synthetic register within 2x of
PostgreSQL's `COPY` of the same file in the same run.

Steps:
1. A fresh database (a new PostgreSQL schema, or a SQLite file) with the kz-2022 election
   (10,101 PECs) built in it; not timed.
2. The synthetic extract at --scale (`saylau register generate`: each PEC's registered voters,
   IINs agreeing with birth date and sex), written once as CSV; its generation is timed for
   information.
3. Baseline, PostgreSQL: `COPY extract FROM STDIN (FORMAT csv, HEADER)` of the same file into a
   bare table of its seven text columns: no keys, no checks, one transaction.
4. saylau: `import_extract` in one write transaction, as the CLI runs it (DuckDB read, every
   rule checked, COPY into `voter` with its keys and indexes), commit included.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from benchkit import machine, ratio, secs, verdict
from saylau.administration.service import get_election
from saylau.register.bulk import import_extract
from saylau.register.voters import registered_by_pec
from saylau.scenarios.build import build_kz2022
from saylau.scenarios.register import synthetic_register, write_extract
from saylau.store.db import session_scope

console = Console(width=None if sys.stdout.isatty() else 200)
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def copy_file(engine, sql: str, path: Path) -> float:  # type: ignore[no-untyped-def]
    """Seconds to stream `path` into `sql` (a COPY ... FROM STDIN) in one transaction."""
    started = time.perf_counter()
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(sql) as copy, path.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
    return time.perf_counter() - started


def plain_copy(engine, path: Path) -> float:  # type: ignore[no-untyped-def]
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE extract (iin text, family_name text, given_names text, "
                "birth_date text, sex text, address text, pec text)"
            )
        )
    return copy_file(engine, "COPY extract FROM STDIN (FORMAT csv, HEADER)", path)


def keyed_copy(engine) -> float:  # type: ignore[no-untyped-def]
    """COPY of the very rows saylau stored into a table with the same keys, indexes and
    foreign keys as `voter`: what storing them costs, without reading or checking anything."""
    with tempfile.TemporaryDirectory() as folder:
        staged = Path(folder) / "voters.csv"
        with engine.begin() as connection:
            raw = connection.connection.driver_connection
            with (
                raw.cursor() as cursor,
                cursor.copy(
                    "COPY (SELECT * FROM voter ORDER BY iin) TO STDOUT (FORMAT csv)"
                ) as copy,
                staged.open("wb") as handle,
            ):
                for block in copy:
                    handle.write(block)
            connection.execute(text("CREATE TABLE voter_floor (LIKE voter INCLUDING ALL)"))
            connection.execute(
                text(
                    "ALTER TABLE voter_floor ADD FOREIGN KEY (election_id) REFERENCES election(id),"
                    " ADD FOREIGN KEY (pec_id) REFERENCES unit(id)"
                )
            )
        return copy_file(engine, "COPY voter_floor FROM STDIN (FORMAT csv)", staged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="postgresql")
    parser.add_argument("--pg", default=PG_URL)
    args = parser.parse_args()
    from benchkit import fresh_database

    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    figures = Table(title=f"register import, scale {args.scale}")
    for column in ("backend", "voters", "saylau import", "baseline", "baseline time", "ratio"):
        figures.add_column(column)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        extract = work / "register.csv"
        for backend in backends:
            with fresh_database(backend, "register", args.pg, work) as engine:
                with console.status(f"{backend}: building kz-2022"):
                    build_kz2022(engine, with_members=False)
                if not extract.exists():
                    started = time.perf_counter()
                    with session_scope(engine) as session:
                        election = get_election(session, "kz-2022")
                        codes, sizes = registered_by_pec(session, election)
                        day = election.election_date
                    rows = write_extract(
                        synthetic_register(codes, sizes, day, scale=args.scale, seed=2022),
                        extract,
                    )
                    console.log(
                        f"extract: {rows:,} voters, {extract.stat().st_size / 1e6:,.0f} MB, "
                        f"made in {secs(time.perf_counter() - started)}"
                    )
                baseline = plain_copy(engine, extract) if backend == "postgresql" else None
                started = time.perf_counter()
                with session_scope(engine, write=True) as session:
                    added = import_extract(session, get_election(session, "kz-2022"), extract)
                took = time.perf_counter() - started
                figures.add_row(
                    backend,
                    f"{added:,}",
                    secs(took),
                    "COPY of the same file into a bare table" if baseline else "-",
                    secs(baseline),
                    ratio(took, baseline),
                )
                if baseline:
                    floor = keyed_copy(engine)
                    figures.add_row(
                        "", "", "", "COPY of the stored rows into voter's keys and FKs",
                        secs(floor), ratio(took, floor),
                    )  # fmt: skip
                    console.print(
                        "target: within 2x of COPY of the same file: "
                        f"{verdict(took <= 2 * baseline)}; within 2x of the keyed COPY: "
                        f"{verdict(took <= 2 * floor)}"
                    )
    console.print(figures)
    console.print(machine(args.pg if "postgresql" in backends else None))


if __name__ == "__main__":
    main()
