"""Changes before election day keep their deadlines; AVCs are used once and retained; people on
no list are registered on the day only where designated, and still vote once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import Engine, select

from saylau.administration.service import get_election
from saylau.domain.iin import make_iin
from saylau.register.changes import (
    ChangeRefused,
    changes_by_kind,
    issue_certificate,
    request_mobile,
    transfer,
)
from saylau.register.checkin import CheckIn, NewPerson, check_in
from saylau.register.models import AbsenteeCertificate, Voter
from saylau.store.db import session_scope
from tests.register.voters import designate, home_of, pec_codes, person, register

ELECTION_DAY = date(2022, 11, 20)


def change(engine: Engine, act, **kwargs):  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        return act(session, get_election(session, "kz-2022"), **kwargs)


def checkin(engine: Engine, pec: str, iin: str, client: str, **more: object) -> CheckIn:
    with session_scope(engine, write=True) as session:
        election = get_election(session, "kz-2022")
        return check_in(session, election, pec, iin, operator="op", client_id=client, **more)  # type: ignore[arg-type]


def test_a_transfer_moves_the_voter_until_thirty_days_before(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    voter = person(41, pecs[0])
    register(small_election, [voter])
    late = date(2022, 10, 22)  # 29 days before
    with pytest.raises(ChangeRefused, match=r"must be applied for by 2022-10-21 \(30 days"):
        change(small_election, transfer, iin=voter.iin, to_pec=pecs[3], applied_on=late,
               by="tec", today=late)  # fmt: skip
    assert home_of(small_election, voter.iin) == pecs[0]
    done = change(small_election, transfer, iin=voter.iin, to_pec=pecs[3],
                  applied_on=date(2022, 10, 21), by="tec", today=date(2022, 10, 21))  # fmt: skip
    assert (done.from_pec, done.to_pec) == (pecs[0], pecs[3])
    assert home_of(small_election, voter.iin) == pecs[3]
    assert checkin(small_election, pecs[0], voter.iin, "t1").reason == "not_on_list"
    assert checkin(small_election, pecs[3], voter.iin, "t2").outcome == "issue"
    with pytest.raises(ChangeRefused, match="already been given a ballot"):
        change(small_election, transfer, iin=voter.iin, to_pec=pecs[0],
               applied_on=date(2022, 10, 1), by="tec", today=date(2022, 10, 1))  # fmt: skip
    with pytest.raises(ChangeRefused, match="after today"):
        change(small_election, transfer, iin=voter.iin, to_pec=pecs[0],
               applied_on=date(2022, 10, 2), by="tec", today=date(2022, 10, 1))  # fmt: skip


def test_an_avc_is_used_once_at_any_pec_and_retained(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    holder, other = person(51, pecs[0]), person(52, pecs[1])
    register(small_election, [holder, other])
    with pytest.raises(ChangeRefused, match="by 2022-11-05"):
        change(small_election, issue_certificate, iin=holder.iin, applied_on=date(2022, 11, 6),
               by="tec", today=date(2022, 11, 6))  # fmt: skip
    issued = change(small_election, issue_certificate, iin=holder.iin,
                    applied_on=date(2022, 11, 5), by="tec", today=date(2022, 11, 5))  # fmt: skip
    number = issued.reference
    assert number == "0000001" and issued.from_pec == pecs[0]

    at_home = checkin(small_election, pecs[0], holder.iin, "a1")
    assert at_home.reason == "holds_avc" and number in at_home.message
    assert checkin(small_election, pecs[7], holder.iin, "a2", avc="9999999").reason == "avc_unknown"
    assert checkin(small_election, pecs[7], other.iin, "a3", avc=number).reason == "avc_not_theirs"
    used = checkin(small_election, pecs[7], holder.iin, "a4", avc=number)
    assert (used.outcome, used.kind, used.pec) == ("issue", "avc", pecs[7])
    assert home_of(small_election, holder.iin) == pecs[7]  # added to the list where they voted
    with session_scope(small_election) as session:
        certificate = session.scalar(select(AbsenteeCertificate))
        assert certificate is not None and certificate.used_at == used.issued_at
    again = checkin(small_election, pecs[8], holder.iin, "a5", avc=number)
    assert (again.reason, again.earlier_pec) == ("avc_used", pecs[7])
    with session_scope(small_election) as session:
        counts = changes_by_kind(session, get_election(session, "kz-2022"))
    assert counts == {"avc_issued": 1, "avc_used": 1}


def test_mobile_requests_keep_their_window_and_reasons(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    voter = person(61, pecs[2])
    register(small_election, [voter])
    early = date(2022, 11, 4)  # 16 days before
    with pytest.raises(ChangeRefused, match="from 2022-11-05"):
        change(small_election, request_mobile, iin=voter.iin, reason="health",
               applied_on=early, by="pec", today=early)  # fmt: skip
    with pytest.raises(ChangeRefused, match="field reason: 'bored'"):
        change(small_election, request_mobile, iin=voter.iin, reason="bored",
               applied_on=ELECTION_DAY, by="pec", today=ELECTION_DAY)  # fmt: skip
    change(small_election, request_mobile, iin=voter.iin, reason="remote_location",
           applied_on=ELECTION_DAY, by="pec", today=ELECTION_DAY)  # fmt: skip
    assert checkin(small_election, pecs[3], voter.iin, "m1", mobile=True).reason == "not_on_list"
    assert checkin(small_election, pecs[2], voter.iin, "m2", mobile=True).kind == "mobile"


def newcomer(serial: int, born: date = date(1990, 3, 4)) -> tuple[str, NewPerson]:
    number = make_iin(born, "male", serial)
    assert number is not None
    return number, NewPerson("Жаңабаев", "Нұрлан", born, "male", "Абай даңғылы 10")


def test_people_on_no_list_are_registered_only_where_designated(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    designate(small_election, [pecs[1]], "residents")
    designate(small_election, [pecs[2]], "unregistered")
    iin, details = newcomer(71)
    assert checkin(small_election, pecs[0], iin, "n1").reason == "unknown_voter"
    assert checkin(small_election, pecs[1], iin, "n2", person=details).reason == "not_designated"
    wrong = NewPerson(details.family_name, details.given_names, date(1990, 3, 5), "male", "x")
    refused = checkin(small_election, pecs[2], iin, "n3", person=wrong)
    assert refused.reason == "invalid_person" and "field birth_date: 1990-03-05 disagrees" in (
        refused.message
    )
    added = checkin(small_election, pecs[2], iin, "n4", person=details)
    assert (added.outcome, added.kind) == ("issue", "new")
    assert home_of(small_election, iin) == pecs[2]
    assert checkin(small_election, pecs[2], iin, "n5", person=details).reason == "already_voted"
    with session_scope(small_election) as session:
        kept = session.scalar(select(Voter).where(Voter.iin == iin))
        assert kept is not None and kept.family_name == "Жаңабаев"


def test_two_pecs_registering_one_newcomer_at_once_issue_one_ballot(
    small_election: Engine,
) -> None:
    pecs = pec_codes(small_election)[:10]
    designate(small_election, pecs, "unregistered")
    iin, details = newcomer(81)
    start = threading.Barrier(len(pecs))
    answers: list[CheckIn] = []
    errors: list[BaseException] = []

    def client(pec: str) -> None:
        try:
            start.wait()
            answers.append(checkin(small_election, pec, iin, f"dev-{pec}", person=details))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(pec,)) for pec in pecs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Counter(a.outcome for a in answers) == {"issue": 1, "refuse": len(pecs) - 1}
    assert {a.reason for a in answers if a.outcome == "refuse"} == {"already_voted"}
