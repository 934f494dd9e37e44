"""A token is looked up by one query, through a session (the app) or on an asynchronous
connection (the check-in fast lane), and both find the same user or refuse the same tokens."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import Engine

from saylau.domain.errors import NotAuthenticated
from saylau.store.db import session_scope
from saylau.users.service import (
    Principal,
    add_user,
    authenticate,
    principal_by_digest,
    revoke_user,
    token_digest,
)
from tests import aio
from tests.register.voters import pec_codes


def users(engine: Engine) -> tuple[str, str]:
    """Two users of one PEC: (a token in force, a revoked token)."""
    pec = pec_codes(engine)[0]
    with session_scope(engine, write=True) as session:
        good = add_user(session, "op-good", "pec-operator", pec)
        gone = add_user(session, "op-gone", "pec-operator", pec)
        revoke_user(session, "op-gone")
    return good, gone


def authenticated(engine: Engine, token: str | None) -> Principal:
    with session_scope(engine) as session:
        return authenticate(session, token)


def test_a_session_finds_the_user_and_says_why_not(small_election: Engine) -> None:
    good, gone = users(small_election)
    pec = pec_codes(small_election)[0]
    assert authenticated(small_election, good) == Principal("op-good", "pec-operator", pec)
    with pytest.raises(NotAuthenticated, match="needs a token"):
        authenticated(small_election, None)
    with pytest.raises(NotAuthenticated, match="not known"):
        authenticated(small_election, good + "x")
    with pytest.raises(NotAuthenticated, match="of user op-gone was revoked at"):
        authenticated(small_election, gone)


async def by_digest(engine: Engine, token: str) -> Principal | None:
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as connection:
        return await principal_by_digest(connection, token_digest(token))


def test_the_lane_finds_the_same_user_and_no_other(pg_election: Engine) -> None:
    good, gone = users(pg_election)
    assert aio.run(by_digest(pg_election, good)) == authenticated(pg_election, good)
    assert aio.run(by_digest(pg_election, good + "x")) is None  # unknown
    assert aio.run(by_digest(pg_election, gone)) is None  # revoked: the app says when
