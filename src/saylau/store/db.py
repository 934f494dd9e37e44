"""Engines and sessions for any SQLAlchemy URL: SQLite embedded, PostgreSQL in production."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

DEFAULT_URL = "sqlite:///saylau.db"
DB_ENV = "SAYLAU_DB"


def default_url() -> str:
    """`SAYLAU_DB` if set, else a SQLite file `saylau.db` in the working directory."""
    return os.environ.get(DB_ENV, DEFAULT_URL)


def driver_connection(session: Session) -> Any:
    """The driver's own connection under the session's (psycopg's or sqlite3's), in the
    session's transaction: for COPY and bulk statements that SQLAlchemy does not express."""
    raw = session.connection().connection.driver_connection
    assert raw is not None, "a connection checked out of the pool has its driver's connection"
    return raw


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """Foreign keys on (SQLite leaves them off); WAL so readers never block the writer."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(
    url: str | None = None, *, pool_size: int | None = None, pre_ping: bool = True
) -> Engine:
    """An engine for `url` (default: `default_url()`), with SQLite set up for safe use.

    `pool_size` (PostgreSQL): connections kept per process, with none beyond (the served app
    sizes it so that its workers together stay under the server's max_connections).
    `pre_ping` tests each connection as it leaves the pool: one round trip, worth it for the
    command line, not for a server answering thousands of check-ins a second, where a
    connection broken by a database restart fails one request (which its client retries with
    the same key, safely) and the pool is then renewed."""
    url = url or default_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg":
        # psycopg prepares a statement on the server after five runs, and PostgreSQL may then
        # switch it to a generic plan; planned on statistics from before a bulk load (a scenario
        # build is one transaction), that plan scans whole tables per batch and a build of
        # 100,000 PECs took 6 minutes instead of 1.5. Planning each execution is cheap here.
        return create_engine(
            url,
            pool_pre_ping=pre_ping,
            connect_args={"prepare_threshold": None},
            **_pool(pool_size),
        )
    return create_engine(url, pool_pre_ping=pre_ping, **_pool(pool_size))


def _pool(size: int | None) -> dict[str, int]:
    return {} if size is None else {"pool_size": size, "max_overflow": 0}


def describe_url(url: str) -> str:
    """The URL without its password, and a SQLite file as an absolute path, for messages."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, ":memory:"):
        return f"sqlite:///{Path(parsed.database).resolve()}"
    return parsed.render_as_string(hide_password=True)


@contextmanager
def session_scope(engine: Engine, write: bool = False) -> Iterator[Session]:
    """A unit of work: commits only if the block completes, rolls everything back otherwise.

    This is what makes a rejected batch write nothing. `write=True` on SQLite begins the
    transaction IMMEDIATE: it waits for the single write lock before reading anything, so a
    read-then-write (the audit chain's head, a protocol's current version) cannot be overtaken
    by another writer between the read and the write.
    """
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    if write and engine.dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
