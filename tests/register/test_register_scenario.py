"""The register scenario goes through saylau's own rules and adds up; turnout by unit rolls up."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from saylau.administration.service import get_election
from saylau.register.changes import changes_by_kind
from saylau.register.models import BallotIssue
from saylau.register.turnout import hourly_turnout, hourly_turnout_by_unit, reconcile
from saylau.scenarios.register_build import build_register
from saylau.store.db import session_scope
from tests.register.voters import pec_codes


def test_the_scenario_register_and_its_election_day(small_election: Engine) -> None:
    built = build_register(small_election, "kz-2022", 1.0, seed=7)
    share = built.voters / 11_953_465
    assert built.transfers == round(80_000 * share)
    assert built.certificates == round(22_578 * share)
    assert built.certificates_used == round(13_282 * share)  # every one through check-in
    assert built.mobile_requests == round(112_969 * share)
    with session_scope(small_election) as session:
        election = get_election(session, "kz-2022")
        counts = changes_by_kind(session, election)
        ballots = session.scalar(select(func.count()).select_from(BallotIssue))
        voters_with_ballots = session.scalar(
            select(func.count(func.distinct(BallotIssue.voter_id)))
        )
        by_unit = {t.unit: t for t in hourly_turnout_by_unit(session, election)}
        nation = hourly_turnout(session, election)
        pec = pec_codes(small_election)[5]
        one = hourly_turnout(session, election, pec)
        short = reconcile(session, election)
    assert counts["transfer"] == built.transfers and counts["avc_used"] == built.certificates_used
    assert ballots == voters_with_ballots  # one ballot per voter
    assert ballots == built.ballots + built.mobile_requests + built.certificates_used + (
        built.added_on_day
    )
    assert by_unit["KZ"] == nation and by_unit[pec] == one
    assert sum(nation.by_hour.values()) == ballots
    assert set(nation.by_hour) <= set(range(7, 20))  # polling hours, local time
    assert 0.6 < nation.cumulative()[-1][2] < 0.8  # the protocols' 69% turnout
    # At scale 1 each PEC's check-ins make its protocol's ballots issued, save where its list
    # ran short (voters moved away): reconciliation flags only those, and only short.
    assert all(r.checked_in < r.protocol_issued for r in short)
    assert len(short) < len(pec_codes(small_election)) / 4
