"""The check-in group commit: one statement for many check-ins, and still one ballot per voter.

PostgreSQL only, like the fast lane that uses it (on SQLite every check-in takes the app's
path), so these tests ask for the PostgreSQL server alone instead of skipping half their runs.
"""

from __future__ import annotations

import asyncio

from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine, func, select

from saylau.administration.models import Unit
from saylau.administration.service import get_election
from saylau.api.checkin_batch import BallotBatcher, PlainCheckIn
from saylau.audit.service import now_iso
from saylau.register.models import BallotIssue
from saylau.store.db import session_scope
from tests.register.voters import pec_codes, person, register


def ids(engine: Engine) -> tuple[int, dict[str, int]]:
    with session_scope(engine) as session:
        election = get_election(session, "kz-2022").id
        pecs = dict(session.execute(select(Unit.code, Unit.id).where(Unit.kind == "pec")).all())
    return election, {str(code): int(unit) for code, unit in pecs.items()}


def ballots(engine: Engine) -> list[tuple[int, str]]:
    with session_scope(engine) as session:
        return [
            (int(voter), str(client))
            for voter, client in session.execute(
                select(BallotIssue.voter_id, BallotIssue.client_id).order_by(BallotIssue.id)
            )
        ]


async def issue_all(
    engine: Engine, askings: list[PlainCheckIn], in_flight: int = 1, batchers: int = 1
) -> list[bool | None]:
    """Every asking at once, spread over `batchers` workers (each with its own pool)."""
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    options = {"min_size": 1, "max_size": 4, "kwargs": {"autocommit": True}, "open": False}
    pools = [AsyncConnectionPool(conninfo, **options) for _ in range(batchers)]
    for pool in pools:
        await pool.open()
    try:
        workers = [BallotBatcher(pool, in_flight) for pool in pools]
        return list(
            await asyncio.gather(
                *(workers[i % batchers].issue(asking) for i, asking in enumerate(askings))
            )
        )
    finally:
        for pool in pools:
            await pool.close()


def test_one_batch_writes_each_voter_once_and_answers_each_asking(pg_election: Engine) -> None:
    election, pec_ids = ids(pg_election)
    home, other = pec_codes(pg_election)[:2]
    voters = [person(400 + i, home) for i in range(4)]
    excluded = person(410, home, exclusion="serving_prison_sentence")
    register(pg_election, [*voters, excluded])
    at = now_iso()

    def asking(voter: int, pec: str, client: str) -> PlainCheckIn:
        record = excluded if voter < 0 else voters[voter]
        return PlainCheckIn(election, record.iin, pec_ids[pec], at, "op", client)

    askings = [
        asking(0, home, "a"),
        asking(0, home, "b"),  # the same voter again in the same batch
        asking(1, other, "c"),  # not on that PEC's list
        asking(-1, home, "d"),  # excluded
        asking(2, home, "e"),
        asking(3, home, "e"),  # another voter under a client key already used
    ]
    answers = asyncio.run(issue_all(pg_election, askings))
    assert answers == [True, False, False, False, True, False]
    written = ballots(pg_election)
    assert sorted(client for _, client in written) == ["a", "e"]
    assert len({voter for voter, _ in written}) == 2


def test_batches_racing_on_one_voter_give_one_ballot(pg_election: Engine) -> None:
    election, pec_ids = ids(pg_election)
    home = pec_codes(pg_election)[0]
    voter = person(420, home)
    register(pg_election, [voter])
    askings = [
        PlainCheckIn(election, voter.iin, pec_ids[home], now_iso(), "op", f"r{i}")
        for i in range(60)
    ]
    answers = asyncio.run(issue_all(pg_election, askings, in_flight=3, batchers=3))
    assert answers.count(True) == 1 and answers.count(None) == 0
    assert len(ballots(pg_election)) == 1


def test_a_batch_that_fails_writes_nothing_and_hands_every_asking_on(pg_election: Engine) -> None:
    election, pec_ids = ids(pg_election)
    home = pec_codes(pg_election)[0]
    good, bad = person(430, home), person(431, home)
    register(pg_election, [good, bad])
    askings = [
        PlainCheckIn(election, good.iin, pec_ids[home], now_iso(), "op", "g"),
        PlainCheckIn(election, bad.iin, pec_ids[home], now_iso(), "op", "x" * 65),  # too long
    ]
    assert asyncio.run(issue_all(pg_election, askings)) == [None, None]
    assert ballots(pg_election) == []
    with session_scope(pg_election) as session:
        assert session.scalar(select(func.count()).select_from(BallotIssue)) == 0
