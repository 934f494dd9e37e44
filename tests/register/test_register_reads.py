"""The register's reads for the API and the scenario: a voter's home PEC, mobile requests,
certificates, voters still without a ballot, and a check-in device's PEC."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from saylau.administration.service import get_election
from saylau.domain.errors import NotFound
from saylau.register.changes import issue_certificate, request_mobile, transfer
from saylau.register.checkin import check_in
from saylau.register.offline import add_device, device_pec
from saylau.register.reads import (
    certificates_issued,
    home_pec,
    latest_without_ballot,
    mobile_requests,
)
from saylau.store.db import session_scope
from tests.register.voters import pec_codes, person, register

ELECTION_DAY = date(2022, 11, 20)
CERTIFICATES_BY = date(2022, 11, 5)


def test_home_pec_follows_a_transfer_and_refuses_a_stranger(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    voter, stranger = person(61, pecs[0]), person(62, pecs[0])
    register(small_election, [voter])
    with session_scope(small_election, write=True) as session:
        election = get_election(session, "kz-2022")
        assert home_pec(session, election, voter.iin) == pecs[0]
        day = date(2022, 10, 1)
        transfer(session, election, voter.iin, pecs[4], applied_on=day, by="tec", today=day)
        assert home_pec(session, election, voter.iin) == pecs[4]
        with pytest.raises(NotFound, match=f"IIN {stranger.iin} is not on the register"):
            home_pec(session, election, stranger.iin)


def test_mobile_requests_and_certificates_are_listed(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    home, holder, first, second = (person(70 + n, pecs[n]) for n in range(4))
    register(small_election, [home, holder, first, second])
    with session_scope(small_election, write=True) as session:
        election = get_election(session, "kz-2022")
        assert mobile_requests(session, election) == []
        assert certificates_issued(session, election) == []
        request_mobile(session, election, home.iin, reason="health",
                       applied_on=ELECTION_DAY, by="pec", today=ELECTION_DAY)  # fmt: skip
        for voter in (second, first):
            issue_certificate(session, election, voter.iin, applied_on=CERTIFICATES_BY,
                              by="tec", today=CERTIFICATES_BY)  # fmt: skip
    with session_scope(small_election) as session:
        election = get_election(session, "kz-2022")
        assert mobile_requests(session, election) == [(home.iin, pecs[0])]
        assert certificates_issued(session, election) == [
            (second.iin, "0000001"),
            (first.iin, "0000002"),
        ]


def test_latest_without_ballot_skips_voters_who_voted(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    voters = [person(82 + n, pecs[n % 2]) for n in range(4)]  # 81 has no valid IIN
    register(small_election, voters)
    with session_scope(small_election, write=True) as session:
        election = get_election(session, "kz-2022")
        newest = latest_without_ballot(session, election, 3)
        check_in(session, election, pecs[1], voters[3].iin, operator="op", client_id="r1")
        after = latest_without_ballot(session, election, 3)
    assert newest == [(v.iin, pecs[n % 2]) for n, v in reversed(list(enumerate(voters)))][:3]
    assert after == [(voters[2].iin, pecs[0]), (voters[1].iin, pecs[1]), (voters[0].iin, pecs[0])]


def test_device_pec_names_the_devices_pec(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    with session_scope(small_election, write=True) as session:
        election = get_election(session, "kz-2022")
        add_device(session, election, pecs[2], "tablet-7")
        assert device_pec(session, election, "tablet-7") == pecs[2]
        with pytest.raises(NotFound, match="no check-in device 'tablet-8'"):
            device_pec(session, election, "tablet-8")
