"""One protocol document for the CLI and the API (results/document.py): a file one accepts is a
body the other takes as the very same protocol, and a refusal names the same record, fields and
rules in both."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.cli import saylau
from tests.integration.helpers import snapshot
from tests.night import Night


def _db(night: Night) -> str:
    return night.engine.url.render_as_string(hide_password=False)


def _headers(night: Night) -> dict[str, str]:
    token = night.token("clerk", "cec-admin", "KZ")
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _document(night: Night, pec: str) -> dict[str, Any]:
    item = night.waiting[pec]
    return {
        "election": "kz-2022",
        "pec": pec,
        "lines": dict(item.lines),
        "explanations": dict(item.explanations),
    }


def test_a_file_accepted_by_one_edge_is_the_same_protocol_to_the_other(
    night: Night, tmp_path: Path
) -> None:
    db, headers = _db(night), _headers(night)
    url = "/api/v1/elections/kz-2022/protocols"
    by_cli, by_api = sorted(night.waiting)[:2]
    first = tmp_path / "first.json"
    first.write_text(json.dumps(_document(night, by_cli)))
    ran = saylau("results", "submit", "--file", str(first), "--json", db=db)
    assert ran.code == 0, ran.stderr
    assert ran.json()[0]["status"] == "accepted"
    again = night.client.post(url, content=first.read_bytes(), headers=headers)
    assert again.status_code == 200 and again.json()["status"] == "unchanged", again.text

    second = tmp_path / "second.json"
    second.write_text(json.dumps(_document(night, by_api)))
    posted = night.client.post(url, content=second.read_bytes(), headers=headers)
    assert posted.status_code == 201, posted.text
    resent = saylau("results", "submit", "--file", str(second), "--json", db=db)
    assert resent.code == 0 and resent.json()[0]["status"] == "unchanged", resent.stderr

    for pec in (by_cli, by_api):
        shown = saylau("results", "protocol", "show", pec, "--json", db=db).json()
        served = night.client.get(f"/api/v1/elections/kz-2022/protocols/{pec}").json()
        assert {k: served[k] for k in shown} == shown
        assert shown["lines"] == _document(night, pec)["lines"]


def test_a_refusal_names_the_same_problems_in_both(night: Night, tmp_path: Path) -> None:
    db, headers = _db(night), _headers(night)
    pec = sorted(night.waiting)[0]
    document = _document(night, pec)
    document["lines"]["valid"] = "12"  # a count as a string: never coerced
    document["lines"]["invalid"] = 1.5
    document["extra"] = True
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    before = snapshot(night.engine)
    ran = saylau("results", "submit", "--file", str(path), db=db)
    answer = night.client.post(
        "/api/v1/elections/kz-2022/protocols", content=path.read_bytes(), headers=headers
    )
    assert ran.code == 2 and answer.status_code == 422, (ran.stderr, answer.text)
    body = answer.json()
    assert body["record"] == f"protocol PEC {pec}" and body["error"] == "ProtocolRejected"
    cli = " ".join(ran.stderr.split())
    assert f"record: {body['record']}" in cli
    fields = {p["field"] for p in body["problems"]}
    assert {"lines.valid", "lines.invalid", "extra"} <= fields, body
    for problem in body["problems"]:
        assert f"{problem['field']}: {problem['rule']}" in cli, (problem, cli)
    assert snapshot(night.engine) == before


def test_a_document_for_another_election_is_refused_alike(night: Night, tmp_path: Path) -> None:
    db, headers = _db(night), _headers(night)
    pec = sorted(night.waiting)[0]
    path = tmp_path / "elsewhere.json"
    path.write_text(json.dumps(_document(night, pec) | {"election": "kz-2019"}))
    ran = saylau("results", "submit", "--file", str(path), db=db)
    answer = night.client.post(
        "/api/v1/elections/kz-2022/protocols", content=path.read_bytes(), headers=headers
    )
    assert ran.code == 2 and answer.status_code == 422
    [problem] = answer.json()["problems"]
    assert problem["field"] == "election"
    assert f"election: {problem['rule']}" in " ".join(ran.stderr.split())
