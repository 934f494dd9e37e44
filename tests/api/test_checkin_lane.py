"""The check-in fast lane issues exactly what the app would, and leaves every other answer to
the app. PostgreSQL only, as the lane is: on SQLite every check-in takes the app's path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from saylau.api.routers import register as register_router
from saylau.register.models import BallotIssue
from saylau.server.app import create_app
from saylau.store.db import session_scope
from saylau.users.service import add_user
from tests.register.voters import pec_codes, person, register

URL = "/api/v1/elections/kz-2022/checkins"


def post(client: TestClient, token: str, **body: Any) -> Any:
    return client.post(URL, json=body, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def client(pg_election: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(pg_election, check_every=0)) as served:
        yield served


def test_the_lane_issues_plain_check_ins_and_hands_on_the_rest(
    pg_election: Engine, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    pecs = pec_codes(pg_election)
    home, other = pecs[0], pecs[1]
    voters = [person(300 + i, home) for i in range(4)]
    register(pg_election, voters)
    with session_scope(pg_election, write=True) as session:
        token = add_user(session, "pec-lane", "pec-operator", home)
    through_app = post(client, token, pec=home, iin=voters[0].iin, client_id="w0")  # warms up
    assert through_app.status_code == 201

    def app_path_off(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the app's check-in path was taken")

    with monkeypatch.context() as patched:
        patched.setattr(register_router, "check_in", app_path_off)
        lane = post(client, token, pec=home, iin=voters[1].iin, client_id="w1")
    assert lane.status_code == 201
    assert lane.json().keys() == through_app.json().keys()
    assert {k: v for k, v in lane.json().items() if k not in ("iin", "issued_at", "message")} == {
        k: v for k, v in through_app.json().items() if k not in ("iin", "issued_at", "message")
    }
    # Everything but a plain issue is the app's: the same refusals as ever.
    again = post(client, token, pec=home, iin=voters[1].iin, client_id="w2")
    assert again.status_code == 409 and again.json()["reason"] == "already_voted"
    retry = post(client, token, pec=home, iin=voters[1].iin, client_id="w1")  # a lost answer
    assert retry.status_code == 201 and retry.json()["issued_at"] == lane.json()["issued_at"]
    elsewhere = post(client, token, pec=other, iin=voters[2].iin, client_id="w3")
    assert elsewhere.status_code == 403  # another PEC's operator: the app says why
    assert post(client, "wrong", pec=home, iin=voters[2].iin, client_id="w4").status_code == 401
    with session_scope(pg_election) as session:
        assert session.scalar(select(func.count()).select_from(BallotIssue)) == 2


def test_a_body_the_app_refuses_is_not_issued_by_the_lane(
    pg_election: Engine, client: TestClient
) -> None:
    """A key twice in one body (two IINs, say) is refused by the app's strict reader; the
    lane, which parses its own bodies, must not issue a ballot for either."""
    home = pec_codes(pg_election)[0]
    warm, first, second = person(319, home), person(320, home), person(321, home)
    register(pg_election, [warm, first, second])
    with session_scope(pg_election, write=True) as session:
        token = add_user(session, "pec-dup", "pec-operator", home)
    for client_id in ("w", "w"):  # the app remembers the election, then the lane answers
        assert post(client, token, pec=home, iin=warm.iin, client_id=client_id).status_code == 201
    body = f'{{"pec": "{home}", "iin": "{first.iin}", "iin": "{second.iin}", "client_id": "d"}}'
    answer = client.post(
        URL, content=body, headers={"Authorization": f"Bearer {token}",
                                    "Content-Type": "application/json"},
    )  # fmt: skip
    assert answer.status_code == 400, answer.text
    assert "twice" in answer.json()["detail"]
    with session_scope(pg_election) as session:
        assert session.scalar(select(func.count()).select_from(BallotIssue)) == 1  # warm's
