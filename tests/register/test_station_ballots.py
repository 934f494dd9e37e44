"""Bulk station ballots (the reference scenario's election day): written as ordinary station
check-ins, counted per PEC, never twice to one voter."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from saylau.administration.models import Unit
from saylau.administration.service import get_election
from saylau.register.checkin import check_in
from saylau.register.models import BallotIssue
from saylau.register.station_ballots import (
    ballots_by_pec,
    issue_station_ballots,
    voters_without_ballot,
)
from saylau.store.db import session_scope
from tests.register.voters import pec_codes, person, register

NOON = "2022-11-20T06:00:00.000000+00:00"


def test_station_ballots_go_to_voters_without_one(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    voters = [person(90 + n, pecs[n % 2]) for n in range(5)]
    register(small_election, voters)
    with session_scope(small_election, write=True) as session:
        election = get_election(session, "kz-2022")
        ids = dict(session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(pecs[:2]))).all())
        check_in(session, election, pecs[0], voters[0].iin, operator="op", client_id="c1")
        assert ballots_by_pec(session, election) == {ids[pecs[0]]: 1}
        waiting = voters_without_ballot(session, election)
        assert [pec for pec, _ in waiting] == sorted(pec for pec, _ in waiting)
        assert len(waiting) == 4
        seen: list[tuple[int, int]] = []
        issued = issue_station_ballots(
            session,
            election,
            np.array([voter for _, voter in waiting], dtype=np.int64),
            np.array([pec for pec, _ in waiting], dtype=np.int64),
            [NOON] * len(waiting),
            "scenario",
            lambda done, total: seen.append((done, total)),
        )
        assert issued == 4 and seen == [(4, 4)]
        assert voters_without_ballot(session, election) == []
        assert ballots_by_pec(session, election) == {ids[pecs[0]]: 3, ids[pecs[1]]: 2}
        rows = session.execute(
            select(
                BallotIssue.kind, BallotIssue.operator, BallotIssue.issued_at, BallotIssue.client_id
            )
            .where(BallotIssue.client_id != "c1")
            .order_by(BallotIssue.voter_id)
        ).all()
    assert [(kind, operator, at) for kind, operator, at, _ in rows] == [
        ("station", "scenario", NOON)
    ] * 4
    assert [client for *_, client in rows] == [f"st-{voter}" for _, voter in sorted(
        waiting, key=lambda row: row[1])]  # fmt: skip


def test_a_second_ballot_to_one_voter_is_refused(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    register(small_election, [person(99, pecs[0])])
    with pytest.raises(IntegrityError), session_scope(small_election, write=True) as session:
        election = get_election(session, "kz-2022")
        ((pec_id, voter_id),) = voters_without_ballot(session, election)
        issue_station_ballots(session, election, [voter_id], [pec_id], [NOON], "scenario")
        issue_station_ballots(session, election, [voter_id], [pec_id], [NOON], "again")
    with session_scope(small_election) as session:
        assert ballots_by_pec(session, get_election(session, "kz-2022")) == {}


def test_the_parallel_arrays_must_match(small_election: Engine) -> None:
    with session_scope(small_election, write=True) as session:
        election = get_election(session, "kz-2022")
        with pytest.raises(ValueError, match="one length"):
            issue_station_ballots(session, election, [1, 2], [1], [NOON, NOON], "scenario")
