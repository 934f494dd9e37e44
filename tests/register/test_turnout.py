"""Turnout from check-ins by hour, and check-ins reconciled with the protocols."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from typer.testing import CliRunner

from saylau.administration.service import get_election
from saylau.cli.main import app
from saylau.register.turnout import hourly_turnout, reconcile
from saylau.store.db import session_scope
from tests.register.test_checkin import checkin
from tests.register.voters import pec_codes, person, register


def test_turnout_by_hour_and_reconciliation(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    home = pecs[3]
    people = [person(90 + i, home) for i in range(5)]
    register(small_election, people)
    for i, voter in enumerate(people[:3]):
        assert checkin(small_election, home, voter.iin, f"t{i}").outcome == "issue"
    with session_scope(small_election) as session:
        election = get_election(session, "kz-2022")
        at_pec = hourly_turnout(session, election, home)
        nation = hourly_turnout(session, election)
        found = {r.pec: r for r in reconcile(session, election)}
    hour = datetime.now(ZoneInfo("Asia/Almaty")).hour
    assert at_pec.registered == 5 and sum(at_pec.by_hour.values()) == 3
    assert set(at_pec.by_hour) <= {hour, (hour - 1) % 24}  # the check-ins just made
    assert at_pec.cumulative()[-1][1:] == (3, 0.6)
    assert nation.registered == 5 and sum(nation.by_hour.values()) == 3
    # The protocols were entered with no check-ins behind them: every PEC differs, and home's
    # difference is its protocol's ballots issued less the 3 check-ins.
    assert len(found) == len(pecs)
    assert found[home].checked_in == 3
    assert found[home].difference == found[home].protocol_issued - 3
    url = small_election.url.render_as_string(hide_password=False)
    shown = CliRunner().invoke(app, ["register", "turnout", "--unit", home, "--json", "--db", url])
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["registered"] == 5
    listed = CliRunner().invoke(app, ["register", "reconcile", "--json", "--db", url])
    assert {r["pec"] for r in json.loads(listed.stdout)} == set(pecs)
