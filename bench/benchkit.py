"""What the benchmarks share: how figures are printed, what machine they ran on, and fresh
databases to measure in. Imported by the scripts in bench/ (run as `python bench/<name>.py`,
so this directory is on the import path)."""

from __future__ import annotations

import os
import platform
import secrets
import sqlite3
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import duckdb
from sqlalchemy import Engine, create_engine, text

from saylau.store.db import make_engine
from saylau.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]


# --- printing figures ------------------------------------------------------------------------


def secs(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 10:
        return f"{value:.3f} s"
    if value < 100:
        return f"{value:.2f} s"
    return f"{value:.1f} s"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or not b else f"{a / b:.1f}x"


def verdict(ok: bool) -> str:
    return "[green]met[/]" if ok else "[bold red]NOT MET[/]"


# --- the machine -----------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "?"


def source_revision() -> str:
    """The commit of the tree being measured, and whether src/ has uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "?"
    return f"{commit or '?'}" + (" (src/ has uncommitted changes)" if dirty else "")


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "?"


def machine(pg_url: str | None, pg_settings: Iterable[str] = ()) -> dict[str, str]:
    """What the figures were measured on (PostgreSQL only when asked, and never fatal)."""
    info = {
        "saylau commit": source_revision(),
        "CPU": cpu_model(),
        "cores": str(os.cpu_count()),
        "memory": memory_gib(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "DuckDB": duckdb.__version__,
        "load average at start (1, 5, 15 min)": load_average(),
    }
    if pg_url:
        try:
            engine = create_engine(pg_url)
            with engine.connect() as connection:
                info["PostgreSQL"] = str(connection.execute(text("SHOW server_version")).scalar())
                for setting in pg_settings:
                    value = connection.execute(text(f"SHOW {setting}")).scalar()
                    info[f"PostgreSQL {setting}"] = str(value)
            engine.dispose()
        except Exception as exc:  # report, do not crash: the SQLite figures need no server
            info["PostgreSQL"] = f"unreachable ({type(exc).__name__})"
    return info


# --- fresh databases -------------------------------------------------------------------------


@contextmanager
def fresh_database(
    backend: str, label: str, pg_url: str, workdir: Path, pg_options: tuple[str, ...] = ()
) -> Iterator[Engine]:
    """A new, migrated database for one measurement (a SQLite file in `workdir`, or a fresh
    PostgreSQL schema reached through search_path); removed afterwards."""
    if backend == "sqlite":
        path = workdir / f"{label}.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    schema = f"bench_{secrets.token_hex(4)}_{label}".lower()
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    glue = "&" if "?" in pg_url else "?"
    options = " ".join([f"-csearch_path={schema}", *(f"-c{o}" for o in pg_options)])
    engine = make_engine(f"{pg_url}{glue}options={quote(options, safe='')}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def settle(engine: Engine, tables: Iterable[str]) -> None:
    """PostgreSQL: VACUUM ANALYZE the fresh tables (autovacuum would within a minute or so)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.execute(text(f"VACUUM ANALYZE {table}"))
