"""Every write endpoint x every role x in scope and out of scope, plus missing and bad tokens.

A refusal must write nothing: the audit chain's head is compared before and after each one.
"""

from __future__ import annotations

from typing import Any

import pytest

from saylau.domain.access import ROLES
from saylau.store.db import session_scope
from saylau.users.service import revoke_user
from tests.night import Night

SUBMIT, AMEND = "submit", "amend"

# (endpoint, role, in scope?) -> expected status
EXPECTED: dict[tuple[str, str, bool], int] = {
    (SUBMIT, "cec-admin", True): 201,
    (SUBMIT, "tec-operator", True): 201,
    (SUBMIT, "tec-operator", False): 403,
    (SUBMIT, "pec-operator", True): 201,
    (SUBMIT, "pec-operator", False): 403,
    (SUBMIT, "observer", True): 403,
    (SUBMIT, "observer", False): 403,
    (AMEND, "cec-admin", True): 201,
    (AMEND, "tec-operator", True): 201,
    (AMEND, "tec-operator", False): 403,
    (AMEND, "pec-operator", True): 403,
    (AMEND, "pec-operator", False): 403,
    (AMEND, "observer", True): 403,
    (AMEND, "observer", False): 403,
}


def parent_of(night: Night, pec: str) -> str:
    return night.client.get(f"/api/v1/elections/kz-2022/units/{pec}").json()["parent"]


def scope_for(night: Night, role: str, target: str, inside: bool) -> str:
    """A commission code of the role's kind that covers `target` (inside) or does not."""
    tec = parent_of(night, target)
    pecs = [
        u["code"]
        for u in night.client.get(
            "/api/v1/elections/kz-2022/units", params={"kind": "pec", "limit": 1000}
        ).json()["items"]
    ]
    if role == "cec-admin":
        return "KZ"
    if role == "tec-operator":
        if inside:
            return tec
        return next(parent_of(night, p) for p in pecs if parent_of(night, p) != tec)
    if inside:
        return target
    return next(p for p in pecs if p != target)


def request(night: Night, endpoint: str, pec: str, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if endpoint == SUBMIT:
        body = {"pec": pec, "lines": dict(night.waiting[pec].lines)}
        return night.client.post("/api/v1/elections/kz-2022/protocols", json=body, headers=headers)
    current = night.client.get(f"/api/v1/elections/kz-2022/protocols/{pec}").json()
    body = {
        "version": current["version"],
        "lines": current["lines"],
        "explanations": current["explanations"],
        "decision": "TEC decision 7/2022: recount confirms the count",
        "reason": "recount requested by an observer",
    }
    return night.client.post(
        f"/api/v1/elections/kz-2022/protocols/{pec}/amendments", json=body, headers=headers
    )


def head(night: Night) -> int:
    return int(night.client.get("/api/v1/audit/head").json()["seq"])


def test_the_whole_matrix(night: Night) -> None:
    assert {role for _, role, _ in EXPECTED} == set(ROLES)
    unused_waiting = sorted(night.waiting)
    unused_reported = list(night.reported)
    failures = []
    for (endpoint, role, inside), status in EXPECTED.items():
        pool = unused_waiting if endpoint == SUBMIT else unused_reported
        target = pool.pop(0) if status < 400 else pool[0]
        scope = scope_for(night, role, target, inside)
        token = night.token(f"{endpoint}-{role}-{inside}", role, scope)
        before = head(night)
        answer = request(night, endpoint, target, token)
        label = f"{endpoint} by {role} scoped {scope} on PEC {target}"
        if answer.status_code != status:
            failures.append(f"{label}: {answer.status_code} {answer.text}, expected {status}")
        if status >= 400:
            if head(night) != before:
                failures.append(f"{label}: refused but the audit chain moved")
            if "outside the scope" not in answer.text and "may not" not in answer.text:
                failures.append(f"{label}: the refusal gives no reason: {answer.text}")
        elif answer.json()["audit_hash"] == "":
            failures.append(f"{label}: accepted without an audit hash")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("endpoint", [SUBMIT, AMEND])
def test_no_bad_or_revoked_token_writes(night: Night, endpoint: str) -> None:
    target = sorted(night.waiting)[0] if endpoint == SUBMIT else night.reported[0]
    before = head(night)
    for token in (None, "not-a-token"):
        answer = request(night, endpoint, target, token)
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"] == "Bearer"
    token = night.token("revoked", "cec-admin", "KZ")
    with session_scope(night.engine, write=True) as session:
        revoke_user(session, "revoked")
    after_revoke = head(night)
    answer = request(night, endpoint, target, token)
    assert answer.status_code == 401 and "revoked" in answer.json()["detail"]
    assert head(night) == after_revoke == before + 2  # the user's creation and revocation only
