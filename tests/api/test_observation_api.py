"""Observation over HTTP: only observers submit, inside their scope; a retry stores nothing
new; refusals name the question; findings and forms are public."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from saylau.administration.service import get_election
from saylau.observation.checklists import import_shipped_forms
from saylau.observation.missions import create_mission
from saylau.scenarios.build import build_kz2022
from saylau.server.app import create_app
from saylau.store.db import session_scope
from saylau.users.service import add_user

URL = "/api/v1/observation/missions/citizens/submissions"
TABULATION = {
    "pecs_completing_at_tec": "no", "modified_without_decision": "yes",
    "inadequate_conditions": "no", "overcrowding": "no", "observers_denied_access": "no",
    "told_elsewhere": "no", "restricted": "no", "overall": "bad",
}  # fmt: skip


@pytest.fixture
def api(engine: Engine) -> Iterator[tuple[TestClient, dict[str, str], Engine]]:
    build_kz2022(engine, stations=40, code="kz-2022", with_members=False)
    with session_scope(engine, write=True) as session:
        create_mission(session, get_election(session, "kz-2022"), "citizens", "Citizens", "citizen")
        import_shipped_forms(session)
        tokens = {
            "observer-kz": add_user(session, "obs-kz", "observer", "KZ"),
            "observer-75": add_user(session, "obs-75", "observer", "KZ-75"),
            "observer-71": add_user(session, "obs-71", "observer", "KZ-71"),
            "cec-admin": add_user(session, "admin", "cec-admin", "KZ"),
            "tec-operator": add_user(session, "tec", "tec-operator", "KZ-75"),
        }
    with TestClient(create_app(engine, check_every=0)) as client:
        yield client, tokens, engine


def body(client_id: str, unit: str = "751110000", **answers: str) -> dict[str, object]:
    return {
        "client_id": client_id,
        "form": "tabulation",
        "unit": unit,
        "team": "LTO-3",
        "arrived_at": "2022-11-20T22:15:00+06:00",
        "answers": TABULATION | answers,
    }


def post(client: TestClient, token: str | None, payload: dict[str, object]):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(URL, json=payload, headers=headers)


def test_who_may_submit(api: tuple[TestClient, dict[str, str], Engine]) -> None:
    client, tokens, _ = api
    expected = {
        None: 401,
        "cec-admin": 403,  # a commission never writes what observers saw
        "tec-operator": 403,
        "observer-71": 403,  # Astana's observers, at an Almaty TEC
        "observer-75": 201,
        "observer-kz": 201,
    }
    for n, (who, status) in enumerate(expected.items()):
        answer = post(client, tokens.get(who or ""), body(f"c-{n}"))
        assert answer.status_code == status, (who, answer.text)


def test_retry_refusal_and_public_findings(api: tuple[TestClient, dict[str, str], Engine]) -> None:
    client, tokens, _ = api
    first = post(client, tokens["observer-kz"], body("phone-1"))
    again = post(client, tokens["observer-kz"], body("phone-1"))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json() | {"status": "unchanged"}
    other = post(client, tokens["observer-kz"], body("phone-1", overall="good"))
    assert other.status_code == 409 and "client_id is already used" in other.text
    bad = post(client, tokens["observer-kz"], body("phone-2", overcrowding="perhaps"))
    assert bad.status_code == 422
    assert any("overcrowding" in p["rule"] for p in bad.json()["problems"])
    pec = post(client, tokens["observer-kz"], body("phone-3", unit="75-0001"))
    assert pec.status_code == 422 and "filled at a TEC" in pec.text
    findings = client.get("/api/v1/observation/missions/citizens/findings/tabulation").json()
    assert findings["observations"] == 1
    row = next(f for f in findings["findings"] if f["question"] == "modified_without_decision")
    assert row["problem"]["count"] == 1 and row["problem"]["submissions"] == [first.json()["id"]]
    form = client.get("/api/v1/observation/forms/counting").json()
    copies = [q for q in form["questions"] if q["name"].startswith("copy_")]
    assert len(copies) == 18 and all(q["relevant"] for q in copies)


def test_incidents_reach_the_core_team_only(api: tuple[TestClient, dict[str, str], Engine]) -> None:
    client, tokens, _ = api
    url = "/api/v1/observation/missions/citizens/incidents"
    report = {
        "client_id": "inc-1",
        "category": "observers_obstructed",
        "description": "Our team was asked to leave before the count began.",
        "occurred_at": "2022-11-20T20:02:00+06:00",
        "unit": "75-0001",
    }
    sent = client.post(
        url, json=report, headers={"Authorization": f"Bearer {tokens['observer-75']}"}
    )
    assert sent.status_code == 201, sent.text
    retry = client.post(
        url, json=report, headers={"Authorization": f"Bearer {tokens['observer-75']}"}
    )
    assert retry.status_code == 200 and retry.json()["id"] == sent.json()["id"]
    bad = client.post(
        url,
        json=report | {"client_id": "inc-2", "category": "rumour", "unit": None},
        headers={"Authorization": f"Bearer {tokens['observer-kz']}"},
    )
    assert bad.status_code == 422
    assert "category 'rumour'" in bad.text and "unit and location" in bad.text
    admin = client.post(
        url,
        json=report | {"client_id": "inc-3"},
        headers={"Authorization": f"Bearer {tokens['cec-admin']}"},
    )
    assert admin.status_code == 403
    assert client.get(url).status_code == 401
    regional = client.get(url, headers={"Authorization": f"Bearer {tokens['observer-75']}"})
    assert regional.status_code == 403
    listed = client.get(url, headers={"Authorization": f"Bearer {tokens['observer-kz']}"}).json()
    assert [i["client_id"] for i in listed] == ["inc-1"] and listed[0]["unit"] == "75-0001"
