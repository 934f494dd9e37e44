"""Bodies that are not data a write can take: on every write endpoint of the OpenAPI document
(a new one is covered without editing this file), NaN, Infinity, nesting a thousand deep, huge
numbers, bytes that are not UTF-8 and values of the wrong type are refused with a 4xx the
operation declares, in the standard error body, without a traceback, and write nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.helpers import snapshot
from tests.night import Night

DEEP = "[" * 1000 + "]" * 1000
MALFORMED: dict[str, bytes] = {
    "NaN": b'{"pec": "x", "lines": {"valid": NaN}}',
    "Infinity": b'{"pec": "x", "lines": {"valid": Infinity}}',
    "-Infinity": b'{"pec": "x", "lines": {"valid": -Infinity}}',
    "NaN at the top": b"NaN",
    "1,000 levels": DEEP.encode(),
    "1,000 levels in a field": ('{"pec": "x", "lines": ' + DEEP + "}").encode(),
    "a float too large": b'{"pec": "x", "lines": {"valid": 1e400}}',
    "an integer of 5,000 digits": b'{"pec": "x", "lines": {"valid": ' + b"9" * 5000 + b"}}",
    "not UTF-8": b'{"pec": "\xff\xfe"}',
    "a key twice": b'{"pec": "x", "pec": "y"}',
    "not JSON": b"{not json",
}
"""Refused before any handler runs: 400."""

WRONG_TYPES: dict[str, dict[str, Any]] = {
    "a count as a string": {"lines": {"valid": "12"}},
    "a count as a fraction": {"lines": {"valid": 1.5}},
    "a count as a flag": {"lines": {"valid": True}},
    "a huge count": {"lines": {"valid": 10**30}},
    "a flag as a string": {"mobile": "true", "supplementary": 1},
    "a version as a string": {"version": "1"},
    "a list for an object": {"lines": [1, 2, 3], "answers": [1]},
    "a number for a text": {"pec": 12345, "iin": 880101300123, "client_id": 7},
}
"""Well-formed JSON of the wrong shape: refused by validation or the service, 4xx."""

STANDARD = {"detail", "error", "record", "problems"}


def _write_operations(night: Night) -> list[tuple[str, str, dict[str, Any]]]:
    schema = night.client.get("/api/v1/openapi.json").json()
    found = [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("post", "put", "patch")
    ]
    assert len(found) >= 10, found
    return found


def _url(path: str, pec: str) -> str:
    values = {"election": "kz-2022", "pec": pec, "mission": "citizens", "device": "device-1"}
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def _checked(answer: Any, declared: set[int], what: str) -> None:
    assert answer.status_code < 500, f"{what}: {answer.status_code} {answer.text[:300]}"
    assert "Traceback" not in answer.text, what
    if answer.status_code == 429:  # the lookup's rate limit: not a refusal of the body
        return
    assert answer.status_code in declared, f"{what}: {answer.status_code} not in {declared}"
    body = answer.json()
    assert set(body) >= STANDARD, f"{what}: {body}"
    assert all({"field", "rule"} <= set(p) for p in body["problems"]), f"{what}: {body}"


def test_every_write_refuses_malformed_json_with_400(night: Night) -> None:
    pec = sorted(night.waiting)[0]
    headers = {
        "Authorization": f"Bearer {night.token('fuzzer', 'cec-admin', 'KZ')}",
        "Content-Type": "application/json",
    }
    before = snapshot(night.engine)
    for method, path, operation in _write_operations(night):
        declared = {int(code) for code in operation["responses"]}
        for name, body in MALFORMED.items():
            what = f"{method} {path} with {name}"
            answer = night.client.request(method, _url(path, pec), content=body, headers=headers)
            _checked(answer, declared, what)
            assert answer.status_code == 400, what
            assert answer.json()["error"] == "BadInput", what
    assert snapshot(night.engine) == before


@pytest.mark.parametrize("name", sorted(WRONG_TYPES))
def test_every_write_refuses_wrong_types_without_coercing(night: Night, name: str) -> None:
    pec = sorted(night.waiting)[0]
    headers = {"Authorization": f"Bearer {night.token('fuzzer', 'cec-admin', 'KZ')}"}
    before = snapshot(night.engine)
    for method, path, operation in _write_operations(night):
        declared = {int(code) for code in operation["responses"]}
        body = {"pec": pec, "iin": "880101300123", "client_id": "c-1"} | WRONG_TYPES[name]
        answer = night.client.request(
            method, _url(path, pec), content=json.dumps(body), headers=headers
        )
        _checked(answer, declared, f"{method} {path} with {name}")
        assert answer.status_code >= 400, f"{method} {path} accepted {name}"
    assert snapshot(night.engine) == before


def test_the_checkin_lane_refuses_bad_bodies_too(night: Night) -> None:
    """The check-in fast lane parses its own bodies; what it cannot take falls to the app's
    path and is refused there, never a 500."""
    pec = sorted(night.waiting)[0]
    headers = {
        "Authorization": f"Bearer {night.token('op', 'pec-operator', pec)}",
        "Content-Type": "application/json",
    }
    url = "/api/v1/elections/kz-2022/checkins"
    for body in (
        b'{"pec": "%s", "iin": "880101300123", "client_id": NaN}' % pec.encode(),
        b'{"pec": "%s", "iin": "880101300123", "client_id": "c", "mobile": Infinity}'
        % pec.encode(),
        (
            '{"pec": "' + pec + '", "iin": "880101300123", "client_id": "c", "person": ' + DEEP
        ).encode()
        + b"}",
    ):
        answer = night.client.post(url, content=body, headers=headers)
        assert answer.status_code == 400, answer.text
        assert set(answer.json()) >= STANDARD
    flag = {"pec": pec, "iin": "880101300123", "client_id": "c-2", "mobile": "true"}
    answer = night.client.post(url, json=flag, headers=headers)
    assert answer.status_code == 422 and answer.json()["problems"][0]["field"] == "mobile"


def test_a_rejected_protocol_writes_nothing(night: Night) -> None:
    """A good protocol with one NaN in its explanations: the body is refused whole."""
    pec, item = sorted(night.waiting.items())[0]
    headers = {
        "Authorization": f"Bearer {night.token('op', 'cec-admin', 'KZ')}",
        "Content-Type": "application/json",
    }
    before = snapshot(night.engine)
    good = json.dumps({"pec": pec, "lines": dict(item.lines)})
    answer = night.client.post(
        "/api/v1/elections/kz-2022/protocols",
        content=good[:-1] + ', "explanations": {"x": NaN}}',
        headers=headers,
    )
    assert answer.status_code == 400 and "NaN" in answer.json()["detail"]
    assert snapshot(night.engine) == before
