"""Test databases: every database test runs on SQLite and on PostgreSQL.

PostgreSQL tests use the server named by SAYLAU_TEST_PG (a SQLAlchemy URL; by default the local
server at 127.0.0.1:5432, database `test`; `off` disables them). Where no server answers they
are skipped with the reason; with SAYLAU_REQUIRE_PG=1 (as .ci/run sets) an unreachable server
is a failure, not a skip. Each test gets a clean schema (PostgreSQL) or file (SQLite) of its
own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from saylau.scenarios.build import build_kz2022
from saylau.store.db import make_engine
from saylau.store.migrate import upgrade

pytest_plugins = ["tests.night"]

PG_ENV = "SAYLAU_TEST_PG"
REQUIRE_PG_ENV = "SAYLAU_REQUIRE_PG"
BACKENDS = ("sqlite", "postgresql")


DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@cache
def _probe(url: str) -> str | None:
    """None when the server answers, else why not (asked once per session)."""
    try:
        probe = create_engine(url, connect_args={"connect_timeout": 5})
        with probe.connect() as connection:
            connection.execute(text("select 1"))
        probe.dispose()
    except Exception as exc:  # any connection failure means: no server here
        return str(exc).splitlines()[0]
    return None


def _pg_server() -> str:
    url = os.environ.get(PG_ENV) or DEFAULT_PG
    required = os.environ.get(REQUIRE_PG_ENV) == "1"
    if url == "off":
        if required:
            pytest.fail(f"{REQUIRE_PG_ENV}=1 but {PG_ENV}=off")
        pytest.skip(f"{PG_ENV}=off: PostgreSQL tests skipped")
    problem = _probe(url)
    if problem is not None:
        if required:
            pytest.fail(f"PostgreSQL at {url} is required but unreachable: {problem}")
        pytest.skip(f"no PostgreSQL server at {url} ({problem}); set {PG_ENV} to test on one")
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


@pytest.fixture
def pg_election(tmp_path: Path) -> Iterator[Engine]:
    """A scaled kz-2022 (40 PECs, no members) on PostgreSQL alone: for what only PostgreSQL
    does (row locks, the check-in fast lane), tested without a skipped SQLite twin."""
    url, schema = _fresh_url("postgresql", tmp_path)
    eng = make_engine(url)
    upgrade(eng)
    build_kz2022(eng, stations=40, code="kz-2022", with_members=False)
    yield eng
    eng.dispose()
    if schema is not None:
        schema.drop()
