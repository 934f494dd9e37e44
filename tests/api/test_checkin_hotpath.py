"""What the check-in hot path remembers per worker must never change an answer."""

from __future__ import annotations

import time
from typing import Any

from saylau.api.deps import TokenCache
from saylau.store.db import session_scope
from saylau.users.service import revoke_user
from tests.night import Night
from tests.register.voters import pec_codes, person, register

URL = "/api/v1/elections/kz-2022/checkins"


def post(night: Night, token: str, **body: Any) -> Any:
    return night.client.post(URL, json=body, headers={"Authorization": f"Bearer {token}"})


def test_a_refused_request_first_spoils_nothing_remembered(night: Night) -> None:
    """The first request loads the election and then fails (a rollback expires what its
    session loaded): the election it remembered must still serve the next one."""
    home = pec_codes(night.engine)[0]
    voter = person(80, home)
    register(night.engine, [voter])
    token = night.token("cec", "cec-admin", "KZ")
    assert post(night, token, pec="00-0000", iin=voter.iin, client_id="a").status_code == 404
    first = post(night, token, pec=home, iin=voter.iin, client_id="b")
    assert first.status_code == 201, first.text
    again = post(night, token, pec=home, iin=voter.iin, client_id="c")
    assert again.status_code == 409 and again.json()["reason"] == "already_voted"


def test_a_revoked_token_stops_within_the_ttl(night: Night) -> None:
    home = pec_codes(night.engine)[1]
    voters = [person(90 + i, home) for i in range(3)]
    register(night.engine, voters)
    night.client.app.state.token_cache = TokenCache(ttl=0.3)  # type: ignore[attr-defined]
    token = night.token("pec", "pec-operator", home)
    assert post(night, token, pec=home, iin=voters[0].iin, client_id="k0").status_code == 201
    with session_scope(night.engine, write=True) as session:
        revoke_user(session, "pec")
    time.sleep(0.4)
    answer = post(night, token, pec=home, iin=voters[1].iin, client_id="k1")
    assert answer.status_code == 401 and "revoked" in answer.json()["detail"]
