"""Writes go through the same services and refusals as the CLI: 422 names the relation and
the lines, and nothing is written; retries are harmless; amendments need a decision; what
contradicts the stored protocol (a second one, a stale amendment) is a 409."""

from __future__ import annotations

from tests.integration.helpers import snapshot
from tests.night import Night


def test_a_broken_relation_is_refused_by_name_and_nothing_is_written(night: Night) -> None:
    pec, item = sorted(night.waiting.items())[0]
    token = night.token("op", "pec-operator", pec)
    lines = dict(item.lines)
    lines["valid"] = int(lines["valid"]) + 5  # boxes no longer balance
    before = snapshot(night.engine)
    answer = night.client.post(
        "/api/v1/elections/kz-2022/protocols",
        json={"pec": pec, "lines": lines},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["record"] == f"protocol PEC {pec}" and body["error"] == "ProtocolRejected"
    assert any(
        p["field"] == "lines" and "relation boxes_balance broken" in p["rule"]
        for p in body["problems"]
    )
    assert "ballots_found" in body["detail"] and "valid" in body["detail"]
    assert snapshot(night.engine) == before


def test_malformed_bodies_name_the_field(night: Night) -> None:
    pec = sorted(night.waiting)[0]
    headers = {"Authorization": f"Bearer {night.token('op', 'pec-operator', pec)}"}
    before = snapshot(night.engine)
    wrong_type = night.client.post(
        "/api/v1/elections/kz-2022/protocols",
        json={"pec": pec, "lines": {"valid": "many"}},
        headers=headers,
    )
    assert wrong_type.status_code == 422
    assert wrong_type.json()["record"] == f"protocol PEC {pec}"
    assert {"field": "lines.valid", "rule": "Input should be a valid integer"} in (
        wrong_type.json()["problems"]
    )
    missing_line = night.client.post(
        "/api/v1/elections/kz-2022/protocols",
        json={"pec": pec, "lines": {"valid": 3}},
        headers=headers,
    )
    assert missing_line.status_code == 422
    assert "line 'invalid' is missing" in missing_line.json()["detail"]
    assert {"field": "lines.invalid", "rule": "line 'invalid' is missing"} in (
        missing_line.json()["problems"]
    )
    assert snapshot(night.engine) == before


def test_a_retry_is_harmless_and_a_second_protocol_is_refused(night: Night) -> None:
    pec, item = sorted(night.waiting.items())[0]
    headers = {"Authorization": f"Bearer {night.token('tec', 'cec-admin', 'KZ')}"}
    body = {"pec": pec, "lines": dict(item.lines)}
    first = night.client.post("/api/v1/elections/kz-2022/protocols", json=body, headers=headers)
    assert first.status_code == 201 and first.json()["status"] == "accepted"
    retry = night.client.post("/api/v1/elections/kz-2022/protocols", json=body, headers=headers)
    assert retry.status_code == 200 and retry.json() == first.json() | {"status": "unchanged"}
    changed = dict(item.lines)
    changed["ballots_cancelled"] = int(changed["ballots_cancelled"]) + 1
    changed["ballots_received"] = int(changed["ballots_received"]) + 1
    other = night.client.post(
        "/api/v1/elections/kz-2022/protocols", json={"pec": pec, "lines": changed}, headers=headers
    )
    assert other.status_code == 409 and "needs an amendment" in other.json()["detail"]
    assert other.json()["error"] == "ProtocolConflict"


def test_an_amendment_is_recorded_with_decision_person_and_reason(night: Night) -> None:
    pec = night.reported[0]
    tec = night.client.get(f"/api/v1/elections/kz-2022/units/{pec}").json()["parent"]
    headers = {"Authorization": f"Bearer {night.token('Aigerim TEC', 'tec-operator', tec)}"}
    current = night.client.get(f"/api/v1/elections/kz-2022/protocols/{pec}").json()
    lines = dict(current["lines"])
    lines["ballots_spoiled"] += 1
    lines["ballots_cancelled"] -= 1
    body = {
        "version": current["version"],
        "lines": lines,
        "explanations": current["explanations"],
        "decision": "Decision 12 of 21 November",
        "reason": "a spoiled ballot was counted as cancelled",
    }
    url = f"/api/v1/elections/kz-2022/protocols/{pec}/amendments"
    done = night.client.post(url, json=body, headers=headers)
    assert done.status_code == 201 and done.json()["version"] == 2
    stale = night.client.post(url, json=body, headers=headers)
    assert stale.status_code == 409 and "version 2 is current" in stale.json()["detail"]
    assert stale.json()["problems"][0]["field"] == "version"
    history = night.client.get(f"/api/v1/elections/kz-2022/protocols/{pec}/history").json()
    assert [v["version"] for v in history] == [1, 2]
    assert history[1]["entered_by"] == "Aigerim TEC"
    assert history[1]["decision"]["text"] == "Decision 12 of 21 November"
    assert history[1]["decision"]["body"] == tec
    assert history[1]["reason"] == "a spoiled ballot was counted as cancelled"
    assert history[1]["audit_hash"] == done.json()["audit_hash"]


def test_a_nul_character_in_a_body_is_refused_with_the_field(night: Night) -> None:
    pec, item = sorted(night.waiting.items())[0]
    headers = {"Authorization": f"Bearer {night.token('op', 'pec-operator', pec)}"}
    before = snapshot(night.engine)
    answer = night.client.post(
        "/api/v1/elections/kz-2022/protocols",
        json={"pec": pec, "lines": dict(item.lines), "explanations": {"x": "a\u0000b"}},
        headers=headers,
    )
    assert answer.status_code == 422 and "explanations" in answer.text
    assert snapshot(night.engine) == before
