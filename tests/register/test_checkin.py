"""Check-in issues one ballot per voter, refuses with the reason, and is idempotent."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from saylau.administration.service import get_election
from saylau.register.changes import request_mobile
from saylau.register.checkin import CheckIn, check_in
from saylau.register.models import BallotIssue
from saylau.register.voters import RegisterRejected, VoterRecord, exclusions_by_reason
from saylau.scenarios.build import build_kz2022
from saylau.store.db import session_scope
from tests.register.voters import designate, home_of, pec_codes, person, register


def checkin(engine: Engine, pec: str, iin: str, client: str, **flags: bool) -> CheckIn:
    with session_scope(engine, write=True) as session:
        election = get_election(session, "kz-2022")
        return check_in(session, election, pec, iin, operator="op", client_id=client, **flags)


def ballots(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(BallotIssue)) or 0)


def test_one_ballot_and_every_refusal_with_its_reason(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    home, other = pecs[0], pecs[1]
    voter = person(1, home)
    register(small_election, [voter, person(2, home, exclusion="serving_prison_sentence")])

    away = checkin(small_election, other, voter.iin, "c1")
    assert (away.outcome, away.reason, away.earlier_pec) == ("refuse", "not_on_list", home)
    first = checkin(small_election, home, voter.iin, "c2")
    assert (first.outcome, first.kind) == ("issue", "station")
    retry = checkin(small_election, home, voter.iin, "c2")  # the answer was lost; same key
    assert (retry.outcome, retry.issued_at) == ("issue", first.issued_at)
    again = checkin(small_election, other, voter.iin, "c3", supplementary=True)
    assert (again.outcome, again.reason) == ("refuse", "already_voted")
    assert again.message == (
        f"IIN {voter.iin} has already been given a ballot at PEC {home} at {first.issued_at}"
    )
    excluded = checkin(small_election, home, person(2, home).iin, "c4")
    assert excluded.reason == "excluded" and "serving_prison_sentence" in excluded.message
    unknown = checkin(small_election, home, person(3, home).iin, "c5")
    assert unknown.reason == "unknown_voter"
    bad = checkin(small_election, home, voter.iin[:11] + str((int(voter.iin[11]) + 1) % 10), "c6")
    assert bad.reason == "bad_iin" and "check digit" in bad.message
    assert ballots(small_election) == 1
    with session_scope(small_election) as session:
        counts = exclusions_by_reason(session, get_election(session, "kz-2022"))
    assert counts == {"court_declared_incapacity": 0, "serving_prison_sentence": 1}


def test_supplementary_and_mobile_ballots_are_recorded_as_such(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    a, b = person(11, pecs[0]), person(12, pecs[0])
    register(small_election, [a, b])
    designate(small_election, [pecs[5]], "residents")
    elsewhere = checkin(small_election, pecs[4], a.iin, "s0", supplementary=True)
    assert (elsewhere.reason, elsewhere.earlier_pec) == ("not_designated", pecs[0])
    moved = checkin(small_election, pecs[5], a.iin, "s1", supplementary=True)
    assert (moved.outcome, moved.kind, moved.pec) == ("issue", "supplementary", pecs[5])
    assert home_of(small_election, a.iin) == pecs[5]  # now on the list where the ballot was
    unasked = checkin(small_election, pecs[0], b.iin, "m0", mobile=True)
    assert unasked.reason == "no_mobile_request"
    with session_scope(small_election, write=True) as session:
        day = date(2022, 11, 10)
        election = get_election(session, "kz-2022")
        request_mobile(
            session, election, b.iin, reason="health", applied_on=day, by="pec", today=day
        )
    home = checkin(small_election, pecs[0], b.iin, "m1", mobile=True)
    assert (home.outcome, home.kind) == ("issue", "mobile")


def test_a_bad_batch_is_refused_whole_naming_row_and_field(small_election: Engine) -> None:
    pec = pec_codes(small_election)[0]
    good = person(21, pec)
    wrong_date = VoterRecord(**{**person(22, pec).__dict__, "birth_date": date(1980, 6, 16)})
    child = person(23, pec, born=date(2005, 1, 1))
    odd = person(24, "99-9999", exclusion="bad_mood")
    with pytest.raises(RegisterRejected) as refused:
        register(small_election, [good, wrong_date, child, odd, good])
    text = str(refused.value)
    assert "in 4 of 5 records; nothing written" in text
    assert f"row 2, field birth_date: 1980-06-16 disagrees with IIN {wrong_date.iin}" in text
    assert "row 3, field birth_date: is 17 on election day 2022-11-20; the voting age is 18" in text
    assert "row 4, field pec: no PEC '99-9999' in kz-2022" in text
    assert "row 4, field exclusion: exclusion 'bad_mood' is not one the profile allows" in text
    assert f"row 5, field iin: {good.iin} is already on row 1" in text
    register(small_election, [good])  # nothing of the refused batch was written


@pytest.fixture
def fifty_pecs(engine: Engine) -> Engine:
    build_kz2022(engine, stations=50, code="kz-2022")
    return engine


def test_fifty_pecs_at_once_issue_exactly_one_ballot(fifty_pecs: Engine) -> None:
    pecs = pec_codes(fifty_pecs)
    assert len(pecs) == 50
    voter = person(31, pecs[0])
    register(fifty_pecs, [voter])
    designate(fifty_pecs, pecs, "residents")
    start = threading.Barrier(len(pecs))
    answers: list[CheckIn] = []
    errors: list[BaseException] = []

    def client(pec: str) -> None:
        try:
            start.wait()
            answers.append(checkin(fifty_pecs, pec, voter.iin, f"device-{pec}", supplementary=True))
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(pec,)) for pec in pecs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Counter(a.outcome for a in answers) == {"issue": 1, "refuse": 49}
    assert {a.reason for a in answers if a.outcome == "refuse"} == {"already_voted"}
    winner = next(a for a in answers if a.outcome == "issue")
    assert all(a.earlier_pec == winner.pec for a in answers if a.outcome == "refuse")
    assert ballots(fifty_pecs) == 1
