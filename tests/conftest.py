"""Test databases: every database test runs on SQLite and on PostgreSQL.

PostgreSQL tests use the server named by SAYLAU_TEST_PG (a SQLAlchemy URL). Without it they are
skipped with that reason; with SAYLAU_REQUIRE_PG=1 (as .ci/run sets) an unreachable server is a
failure, not a skip. Each test gets a clean schema (PostgreSQL) or file (SQLite) of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from saylau.scenarios.build import build_kz2022
from saylau.store.db import make_engine
from saylau.store.migrate import upgrade

PG_ENV = "SAYLAU_TEST_PG"
REQUIRE_PG_ENV = "SAYLAU_REQUIRE_PG"
BACKENDS = ("sqlite", "postgresql")


def _pg_server() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            pytest.fail(f"{REQUIRE_PG_ENV}=1 but {PG_ENV} is not set")
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests skipped (.ci/run sets it)")
    try:
        probe = create_engine(url)
        with probe.connect() as connection:
            connection.execute(text("select 1"))
        probe.dispose()
    except Exception as exc:  # any connection failure means: no server here
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            pytest.fail(f"PostgreSQL at {url} is required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {url} unreachable: {exc}")
    return url


class PgSchema:
    """A throw-away schema on the test server, addressed through search_path in the URL."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.name = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.name}"'))
        admin.dispose()
        sep = "&" if "?" in server else "?"
        self.url = f"{server}{sep}options=-csearch_path%3D{self.name}"

    def drop(self) -> None:
        admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        admin.dispose()


def _fresh_url(backend: str, directory: Path) -> tuple[str, PgSchema | None]:
    if backend == "sqlite":
        return f"sqlite:///{directory / f'{uuid.uuid4().hex[:8]}.db'}", None
    schema = PgSchema(_pg_server())
    return schema.url, schema


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of its own (no schema yet)."""
    url, schema = _fresh_url(backend, tmp_path)
    yield url
    if schema is not None:
        schema.drop()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a fresh database at the newest schema."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def small_election(engine: Engine) -> Engine:
    """A scaled kz-2022 election of 40 PECs, for tests that write."""
    build_kz2022(engine, stations=40, code="kz-2022")
    return engine


@pytest.fixture(scope="session", params=BACKENDS)
def kz2022_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The full reference election, built once per backend per session; read-only tests only."""
    url, schema = _fresh_url(request.param, tmp_path_factory.mktemp("kz2022"))
    eng = make_engine(url)
    upgrade(eng)
    build_kz2022(eng)
    eng.dispose()
    yield url
    if schema is not None:
        schema.drop()


@pytest.fixture(scope="session")
def kz2022_engine(kz2022_url: str) -> Iterator[Engine]:
    eng = make_engine(kz2022_url)
    yield eng
    eng.dispose()
