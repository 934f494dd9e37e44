"""Check-in through the API: roles and scopes, the answers, and no second ballot."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from saylau.administration.service import get_election
from saylau.register.changes import issue_certificate
from saylau.register.offline import OfflineQueue, add_device
from saylau.store.db import session_scope
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


def test_an_avc_and_an_offline_queue_through_the_api(night: Night, tmp_path: Path) -> None:
    pecs = pec_codes(night.engine)
    home, away = pecs[3], pecs[4]
    holder, queued = person(80, home), person(82, away)
    register(night.engine, [holder, queued])
    with session_scope(night.engine, write=True) as session:
        election = get_election(session, "kz-2022")
        number = issue_certificate(session, election, holder.iin, applied_on=date(2022, 11, 1),
                                   by="tec", today=date(2022, 11, 1)).reference  # fmt: skip
        _, pem = add_device(session, election, away, "tablet-9")
    token = night.token("pec-away", "pec-operator", away)
    used = post(night, token, pec=away, iin=holder.iin, client_id="v1", avc=number)
    assert used.status_code == 201 and used.json()["kind"] == "avc"
    again = post(night, token, pec=away, iin=holder.iin, client_id="v2", avc=number)
    assert again.status_code == 409 and again.json()["reason"] == "avc_used"

    queue = OfflineQueue(tmp_path / "q.jsonl", pem, "tablet-9", away)
    queue.record(queued.iin, "off-1", "2022-11-20T09:00:00+06:00")
    queue.record(holder.iin, "off-2", "2022-11-20T09:05:00+06:00")  # voted here with the AVC
    lines = (tmp_path / "q.jsonl").read_text().splitlines()
    url = "/api/v1/elections/kz-2022/devices/tablet-9/queue"
    stranger = night.token("pec-home", "pec-operator", home)
    refused = night.client.post(url, json={"lines": lines}, headers=bearer(stranger))
    assert refused.status_code == 403
    tampered = [lines[0].replace(queued.iin, holder.iin), lines[1]]
    bad = night.client.post(url, json={"lines": tampered}, headers=bearer(token))
    assert bad.status_code == 422 and "signature" in bad.text
    sent = night.client.post(url, json={"lines": lines}, headers=bearer(token))
    assert sent.status_code == 200, sent.text
    body = sent.json()
    assert (body["entries"], body["issued"]) == (2, 1)
    assert [c["reason"] for c in body["conflicts"]] == ["already_voted"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_live_turnout_counts_check_ins_without_the_chain_moving(night: Night) -> None:
    pec = pec_codes(night.engine)[6]
    voters = [person(100 + i, pec) for i in range(4)]
    register(night.engine, voters)
    url = f"/api/v1/elections/kz-2022/units/{pec}/turnout"
    before = night.client.get(url)
    assert before.status_code == 200 and before.json()["registered"] == 4
    assert before.json()["hours"] == [] and "etag" not in before.headers
    token = night.token("pec-live", "pec-operator", pec)
    assert post(night, token, pec=pec, iin=voters[0].iin, client_id="live-1").status_code == 201
    night.client.app.state.live_turnout.clear()  # type: ignore[attr-defined]
    after = night.client.get(url).json()
    assert after["hours"][-1]["ballots"] == 1 and after["hours"][-1]["share"] == 0.25
    assert night.client.get("/api/v1/elections/kz-2022/units/KZ/turnout").json()["registered"] >= 4


def test_changes_before_election_day_through_the_api(night: Night) -> None:
    pecs = pec_codes(night.engine)
    home, target = pecs[7], pecs[8]
    mover, absentee, housebound = (person(n, home) for n in (110, 111, 112))
    register(night.engine, [mover, absentee, housebound])
    base = "/api/v1/elections/kz-2022/register"
    at_home = bearer(night.token("pec-h", "pec-operator", home))
    at_target = bearer(night.token("pec-t", "pec-operator", target))
    move = {"iin": mover.iin, "to_pec": target, "applied_on": "2022-10-20"}
    assert night.client.post(f"{base}/transfers", json=move, headers=at_home).status_code == 403
    late = night.client.post(f"{base}/transfers", json={**move, "applied_on": "2022-10-22"},
                             headers=at_target)  # fmt: skip
    assert late.status_code == 422 and "must be applied for by 2022-10-21" in late.text
    moved = night.client.post(f"{base}/transfers", json=move, headers=at_target)
    assert moved.status_code == 201 and moved.json()["from_pec"] == home
    avc = {"iin": absentee.iin, "applied_on": "2022-11-01"}
    assert night.client.post(f"{base}/certificates", json=avc, headers=at_target).status_code == 403
    issued = night.client.post(f"{base}/certificates", json=avc, headers=at_home)
    assert issued.status_code == 201 and len(issued.json()["reference"]) == 7
    ask = {"iin": housebound.iin, "reason": "health", "applied_on": "2022-11-19"}
    asked = night.client.post(f"{base}/mobile-requests", json=ask, headers=at_home)
    assert asked.status_code == 201 and asked.json()["to_pec"] == home
    unknown = night.client.post(f"{base}/certificates", json={**avc, "iin": person(113, home).iin},
                                headers=at_home)  # fmt: skip
    assert unknown.status_code == 404
