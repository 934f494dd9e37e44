"""The check-in fast lane issues exactly what the app would, and leaves every other answer to
the app."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from saylau.api.routers import register as register_router
from saylau.register.models import BallotIssue
from saylau.store.db import session_scope
from tests.night import Night
from tests.register.voters import pec_codes, person, register

URL = "/api/v1/elections/kz-2022/checkins"


def post(night: Night, token: str, **body: Any) -> Any:
    return night.client.post(URL, json=body, headers={"Authorization": f"Bearer {token}"})


def test_the_lane_issues_plain_check_ins_and_hands_on_the_rest(
    night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    if night.engine.dialect.name != "postgresql":
        pytest.skip("the lane serves PostgreSQL only; on SQLite every check-in takes the app")
    pecs = pec_codes(night.engine)
    home, other = pecs[0], pecs[1]
    voters = [person(300 + i, home) for i in range(4)]
    register(night.engine, voters)
    token = night.token("pec-lane", "pec-operator", home)
    through_app = post(night, token, pec=home, iin=voters[0].iin, client_id="w0")  # warms up
    assert through_app.status_code == 201

    def app_path_off(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the app's check-in path was taken")

    with monkeypatch.context() as patched:
        patched.setattr(register_router, "check_in", app_path_off)
        lane = post(night, token, pec=home, iin=voters[1].iin, client_id="w1")
    assert lane.status_code == 201
    assert lane.json().keys() == through_app.json().keys()
    assert {k: v for k, v in lane.json().items() if k not in ("iin", "issued_at", "message")} == {
        k: v for k, v in through_app.json().items() if k not in ("iin", "issued_at", "message")
    }
    # Everything but a plain issue is the app's: the same refusals as ever.
    again = post(night, token, pec=home, iin=voters[1].iin, client_id="w2")
    assert again.status_code == 409 and again.json()["reason"] == "already_voted"
    retry = post(night, token, pec=home, iin=voters[1].iin, client_id="w1")  # a lost answer
    assert retry.status_code == 201 and retry.json()["issued_at"] == lane.json()["issued_at"]
    elsewhere = post(night, token, pec=other, iin=voters[2].iin, client_id="w3")
    assert elsewhere.status_code == 403  # another PEC's operator: the app says why
    assert post(night, "wrong", pec=home, iin=voters[2].iin, client_id="w4").status_code == 401
    with session_scope(night.engine) as session:
        assert session.scalar(select(func.count()).select_from(BallotIssue)) == 2
