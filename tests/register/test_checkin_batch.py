"""The check-in group commit: the same verdicts as a single check-in, many written by one
transaction, and still one ballot per voter.

PostgreSQL only, like the fast lane that uses it (on SQLite every check-in takes the app's
path), so these tests ask for the PostgreSQL server alone instead of skipping half their runs.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date

import pytest
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine, func, insert, select, update

from saylau.administration.models import Unit
from saylau.administration.service import get_election
from saylau.audit.service import now_iso
from saylau.domain.checkin import Asking, Facts, Verdict, refused
from saylau.domain.register_changes import ChangeRules
from saylau.register import checkin_batch
from saylau.register.changes import issue_certificate, rules_of
from saylau.register.checkin import CheckIn, check_in
from saylau.register.checkin_batch import BallotBatcher, PlainCheckIn
from saylau.register.models import BallotIssue, Voter
from saylau.store.db import session_scope
from tests import aio
from tests.register.voters import pec_codes, person, register


def ids(engine: Engine) -> tuple[int, dict[str, int]]:
    with session_scope(engine) as session:
        election = get_election(session, "kz-2022").id
        pecs = dict(session.execute(select(Unit.code, Unit.id).where(Unit.kind == "pec")).all())
    return election, {str(code): int(unit) for code, unit in pecs.items()}


def plain(engine: Engine, iin: str, pec: str, client: str) -> PlainCheckIn:
    """A plain check-in of `iin` at `pec`, as the fast lane would hand it on."""
    with session_scope(engine) as session:
        election = get_election(session, "kz-2022")
        pec_id = session.scalar(select(Unit.id).where(Unit.code == pec, Unit.kind == "pec"))
        assert pec_id is not None
        return PlainCheckIn(election.id, election.code, rules_of(election), iin, pec_id, pec,
                            now_iso(), "op", client)  # fmt: skip


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
) -> list[CheckIn | None]:
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


def outcomes(answers: list[CheckIn | None]) -> list[str | None]:
    return [None if a is None else a.reason for a in answers]


def test_one_batch_writes_each_voter_once_and_answers_each_asking(pg_election: Engine) -> None:
    home, other = pec_codes(pg_election)[:2]
    voters = [person(400 + i, home) for i in range(4)]
    excluded = person(410, home, exclusion="serving_prison_sentence")
    register(pg_election, [*voters, excluded])

    def asking(voter: int, pec: str, client: str) -> PlainCheckIn:
        record = excluded if voter < 0 else voters[voter]
        return plain(pg_election, record.iin, pec, client)

    askings = [
        asking(0, home, "a"),
        asking(0, home, "b"),  # the same voter again in the same batch: given one just now
        asking(1, other, "c"),  # not on that PEC's list
        asking(-1, home, "d"),  # excluded
        asking(2, home, "e"),
        asking(3, home, "e"),  # another voter under a client key already used: for the app
    ]
    answers = aio.run(issue_all(pg_election, askings))
    assert outcomes(answers) == [
        "issued", "already_voted", "not_on_list", "excluded", "issued", None
    ]  # fmt: skip
    first = answers[0]
    assert first is not None and (first.kind, first.pec, first.iin) == (
        "station",
        home,
        voters[0].iin,
    )
    written = ballots(pg_election)
    assert sorted(client for _, client in written) == ["a", "e"]
    assert len({voter for voter, _ in written}) == 2


def test_batches_racing_on_one_voter_give_one_ballot(pg_election: Engine) -> None:
    home = pec_codes(pg_election)[0]
    voter = person(420, home)
    register(pg_election, [voter])
    template = plain(pg_election, voter.iin, home, "r")
    askings = [replace(template, client_id=f"r{i}") for i in range(60)]
    answers = aio.run(issue_all(pg_election, askings, in_flight=3, batchers=3))
    said = outcomes(answers)
    assert said.count("issued") == 1
    assert set(said) <= {"issued", "already_voted", None}  # lost in a race: for the app
    assert len(ballots(pg_election)) == 1


def test_a_batch_that_fails_writes_nothing_and_hands_every_asking_on(pg_election: Engine) -> None:
    home = pec_codes(pg_election)[0]
    good, bad = person(430, home), person(431, home)
    register(pg_election, [good, bad])
    askings = [
        plain(pg_election, good.iin, home, "g"),
        plain(pg_election, bad.iin, home, "x" * 65),  # too long for the column
    ]
    assert aio.run(issue_all(pg_election, askings)) == [None, None]
    assert ballots(pg_election) == []
    with session_scope(pg_election) as session:
        assert session.scalar(select(func.count()).select_from(BallotIssue)) == 0


# Every combination of the facts a plain check-in can meet: where the voter stands on the
# register, and whether a ballot was given before (for this very check-in, or another).
STANDINGS = ("unknown", "here", "elsewhere", "absentee", "excluded", "superseded")
EARLIER = ("none", "this_check_in", "another")
COMBINATIONS = [
    (standing, earlier)
    for standing in STANDINGS
    for earlier in EARLIER
    if standing != "unknown" or earlier == "none"  # a ballot needs a voter
] + [("bad_iin", "none")]
AT = "2022-11-20T03:04:05.000006+00:00"  # the earlier ballot's time


def stand(engine: Engine, serial: int, standing: str, earlier: str) -> str:
    """A voter (by serial) in this standing, with this earlier ballot; the IIN to ask for."""
    here, elsewhere = pec_codes(engine)[:2]
    record = person(serial, elsewhere if standing == "elsewhere" else here)
    if standing == "bad_iin":
        return record.iin[:11] + str((int(record.iin[11]) + 1) % 10)
    if standing == "unknown":
        return record.iin
    if standing == "excluded":
        record = replace(record, exclusion="serving_prison_sentence")
    register(engine, [record])
    with session_scope(engine, write=True) as session:
        election = get_election(session, "kz-2022")
        if standing == "absentee":
            day = date(2022, 11, 5)
            issue_certificate(session, election, record.iin, applied_on=day, by="tec", today=day)
        if standing == "superseded":
            session.execute(
                update(Voter)
                .where(Voter.iin == record.iin)
                .values(status="superseded", exclusion="the same person as another record")
            )
        if earlier != "none":
            voter = session.scalar(select(Voter.id).where(Voter.iin == record.iin))
            pec = session.scalar(select(Unit.id).where(Unit.code == elsewhere))
            client = "asked" if earlier == "this_check_in" else "before"
            session.execute(
                insert(BallotIssue).values(election_id=election.id, voter_id=voter, pec_id=pec,
                                           kind="station", issued_at=AT, operator="op",
                                           client_id=f"{client}-{serial}")
            )  # fmt: skip
    return record.iin


def comparable(answer: CheckIn, iin: str) -> dict[str, str | None]:
    """The answer without what differs by voter: the IIN, its certificate's number, a new
    ballot's time."""
    seen = answer.as_dict()
    seen["message"] = re.sub(r"certificate \d+", "certificate N", str(seen["message"]))
    seen["message"] = seen["message"].replace(iin, "IIN")
    seen["iin"] = "IIN"
    if answer.outcome == "issue" and answer.issued_at != AT:
        seen["issued_at"] = "now"
    return seen


@pytest.mark.parametrize(("standing", "earlier"), COMBINATIONS)
def test_the_batch_and_a_single_check_in_give_the_same_verdict(
    pg_election: Engine, standing: str, earlier: str
) -> None:
    here = pec_codes(pg_election)[0]
    single_iin = stand(pg_election, 500, standing, earlier)
    batch_iin = stand(pg_election, 501, standing, earlier)
    with session_scope(pg_election, write=True) as session:
        single = check_in(session, get_election(session, "kz-2022"), here, single_iin,
                          operator="op", client_id="asked-500")  # fmt: skip
    (batched,) = aio.run(issue_all(pg_election, [plain(pg_election, batch_iin, here,
                                                           "asked-501")]))  # fmt: skip
    assert batched is not None
    assert comparable(batched, batch_iin) == comparable(single, single_iin)
    issued_now = standing == "here" and earlier == "none"
    assert len(ballots(pg_election)) == (2 if issued_now or earlier != "none" else 0)


def test_a_batch_waits_for_a_review_and_judges_what_it_left(pg_election: Engine) -> None:
    """A reviewer holds a voter's record FOR UPDATE and moves it to another list; the batch
    waits for that decision, then reads the voter as it left it: not on this list."""
    home, other = pec_codes(pg_election)[:2]
    stays, moves = person(440, home), person(441, home)
    register(pg_election, [stays, moves])
    askings = [plain(pg_election, stays.iin, home, "s"), plain(pg_election, moves.iin, home, "m")]
    with session_scope(pg_election, write=True) as review:
        review.execute(select(Voter.id).where(Voter.iin == moves.iin).with_for_update())
        pec = review.scalar(select(Unit.id).where(Unit.code == other))
        review.execute(update(Voter).where(Voter.iin == moves.iin).values(pec_id=pec))
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(aio.run, issue_all(pg_election, askings))
            time.sleep(0.5)
            assert not pending.done()  # waiting for the review's lock
            review.commit()
            answers = pending.result(timeout=30)
    assert outcomes(answers) == ["issued", "not_on_list"]
    assert [client for _, client in ballots(pg_election)] == ["s"]


def test_a_written_row_the_rule_would_refuse_fails_the_batch_loudly(
    pg_election: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Were `on_the_list` and `decide` ever to disagree, the batch answers nothing itself (the
    app answers each, the written row being that check-in's replay) and logs an error."""
    home = pec_codes(pg_election)[0]
    voter = person(450, home)
    register(pg_election, [voter])
    decided = checkin_batch.decide

    def drifted(asking: Asking, facts: Facts, rules: ChangeRules) -> Verdict:
        if facts.voter is not None and facts.voter.id != 0:  # the facts read, not on_the_list
            return refused(asking, "excluded", exclusion="a rule changed on one side only")
        return decided(asking, facts, rules)

    monkeypatch.setattr(checkin_batch, "decide", drifted)
    with caplog.at_level(logging.ERROR, logger=checkin_batch.LOG.name):
        answers = aio.run(issue_all(pg_election, [plain(pg_election, voter.iin, home, "d")]))
    assert answers == [None]
    assert [client for _, client in ballots(pg_election)] == ["d"]
    assert "disagrees with the rule" in caplog.text
