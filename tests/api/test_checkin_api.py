"""Check-in through the API: roles and scopes, the answers, and no second ballot."""

from __future__ import annotations

from typing import Any

from tests.night import Night
from tests.register.voters import pec_codes, person, register

URL = "/api/v1/elections/kz-2022/checkins"


def post(night: Night, token: str | None, **body: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return night.client.post(URL, json=body, headers=headers)


def test_operators_check_in_at_their_own_pec_only(night: Night) -> None:
    pecs = pec_codes(night.engine)
    home, other = pecs[0], pecs[1]
    voters = [person(60 + i, home) for i in range(6)]
    register(night.engine, voters)
    tec = night.client.get(f"/api/v1/elections/kz-2022/units/{home}").json()["parent"]
    cases = [
        ("pec-operator", home, 201),
        ("pec-operator", other, 403),
        ("tec-operator", tec, 201),
        ("cec-admin", "KZ", 201),
        ("observer", home, 403),
    ]
    for i, (role, scope, status) in enumerate(cases):
        token = night.token(f"op-{i}", role, scope)
        answer = post(night, token, pec=home, iin=voters[i].iin, client_id=f"k{i}")
        assert answer.status_code == status, (role, scope, answer.text)
        if status == 403:
            assert "outside the scope" in answer.text or "may not" in answer.text
    assert post(night, None, pec=home, iin=voters[5].iin, client_id="x").status_code == 401


def test_answers_and_the_one_ballot(night: Night) -> None:
    home = pec_codes(night.engine)[2]
    voter = person(70, home)
    register(night.engine, [voter])
    token = night.token("pec", "pec-operator", home)
    first = post(night, token, pec=home, iin=voter.iin, client_id="d1")
    assert first.status_code == 201 and first.json()["kind"] == "station"
    retry = post(night, token, pec=home, iin=voter.iin, client_id="d1")
    assert retry.status_code == 201 and retry.json()["issued_at"] == first.json()["issued_at"]
    twice = post(night, token, pec=home, iin=voter.iin, client_id="d2")
    assert twice.status_code == 409
    assert twice.json()["reason"] == "already_voted"
    assert twice.json()["earlier_at"] == first.json()["issued_at"]
    bad = post(night, token, pec=home, iin="123", client_id="d3")
    assert bad.status_code == 409 and bad.json()["reason"] == "bad_iin"
    unknown_pec = post(night, night.token("cec", "cec-admin", "KZ"), pec="00-0000", iin=voter.iin,
                       client_id="d4")  # fmt: skip
    assert unknown_pec.status_code == 404
