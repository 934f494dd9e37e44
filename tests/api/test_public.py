"""Public reads: the same figures as the CLI, paging and filters, ETags, clear 404s."""

from __future__ import annotations

from saylau.administration.service import get_election
from saylau.results.tabulation import summary
from saylau.store.db import session_scope
from tests.night import REPORTED, STATIONS, Night


def test_results_are_the_summary_object(night: Night) -> None:
    with session_scope(night.engine) as session:
        election = get_election(session, "kz-2022")
        national = summary(session, election)
        region = summary(session, election, "KZ-75")
    assert night.client.get("/api/v1/elections/kz-2022/results").json() == national
    assert night.client.get("/api/v1/elections/kz-2022/results/KZ-75").json() == region
    assert national["pecs_reported"] == round(STATIONS * REPORTED)
    assert national["outcome"]["kind"] == "pending"


def test_elections_units_paging_and_filters(night: Night) -> None:
    elections = night.client.get("/api/v1/elections").json()
    assert elections["total"] == 1 and elections["items"][0]["code"] == "kz-2022"
    pecs = night.client.get("/api/v1/elections/kz-2022/units", params={"kind": "pec"}).json()
    assert pecs["total"] == STATIONS
    page = night.client.get(
        "/api/v1/elections/kz-2022/units", params={"kind": "pec", "limit": 7, "offset": 35}
    ).json()
    assert [u["code"] for u in page["items"]] == [u["code"] for u in pecs["items"][35:]]
    regions = night.client.get("/api/v1/elections/kz-2022/units", params={"parent": "KZ"}).json()
    assert regions["total"] == 20 and all(u["parent"] == "KZ" for u in regions["items"])
    almaty = night.client.get("/api/v1/elections/kz-2022/units/KZ-75").json()
    assert almaty["parent"] == "KZ" and almaty["children"]
    pec = pecs["items"][0]
    found = night.client.get(
        "/api/v1/elections/kz-2022/units", params={"q": pec["address"].split(",")[0]}
    ).json()
    assert pec["code"] in [u["code"] for u in found["items"]]


def test_protocol_history_progress_and_head(night: Night) -> None:
    pec = night.reported[0]
    document = night.client.get(f"/api/v1/elections/kz-2022/protocols/{pec}").json()
    assert document["pec"] == pec and document["version"] == 1 and len(document["lines"]) == 18
    history = night.client.get(f"/api/v1/elections/kz-2022/protocols/{pec}/history").json()
    assert len(history) == 1 and len(history[0]["audit_hash"]) == 64
    progress = night.client.get("/api/v1/elections/kz-2022/progress").json()
    assert progress["pecs_reported"] == round(STATIONS * REPORTED)
    assert sum(c["pecs_reported"] for c in progress["children"]) == progress["pecs_reported"]
    assert progress["last_update"] is not None
    head = night.client.get("/api/v1/audit/head").json()
    assert head["seq"] > 0 and len(head["hash"]) == 64


def test_etag_revalidation_and_a_write_changes_it(night: Night) -> None:
    first = night.client.get("/api/v1/elections/kz-2022/results")
    tag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = night.client.get("/api/v1/elections/kz-2022/results", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    token = night.token("pec-op", "pec-operator", next(iter(night.waiting)))
    pec, item = next(iter(night.waiting.items()))
    body = {"pec": pec, "lines": dict(item.lines)}
    headers = {"Authorization": f"Bearer {token}"}
    assert night.client.post("/api/v1/elections/kz-2022/protocols", json=body, headers=headers)
    after = night.client.get("/api/v1/elections/kz-2022/results", headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["etag"] != tag


def test_unknown_things_are_404_with_a_reason(night: Night) -> None:
    missing = night.client.get("/api/v1/elections/nope/results")
    assert missing.status_code == 404 and "no election 'nope'" in missing.json()["detail"]
    unit = night.client.get("/api/v1/elections/kz-2022/results/XX-99")
    assert unit.status_code == 404 and "XX-99" in unit.json()["detail"]
    waiting = next(iter(night.waiting))
    none_yet = night.client.get(f"/api/v1/elections/kz-2022/protocols/{waiting}")
    assert none_yet.status_code == 404 and "no accepted protocol yet" in none_yet.json()["detail"]


def test_a_nul_character_is_a_client_error_on_every_backend(night: Night) -> None:
    for url in (
        "/api/v1/elections/kz%00/results",
        "/api/v1/elections/kz-2022/units?q=a%00b",
        "/api/v1/elections/kz-2022/protocols/75%000001",
    ):
        answer = night.client.get(url)
        assert answer.status_code == 400, (url, answer.status_code, answer.text)
        assert "NUL character" in answer.json()["detail"]
