"""The access rules on plain values: role x action x scope."""

from __future__ import annotations

import pytest

from saylau.domain.access import ACTIONS, ROLES, decide, scope_problem

ANCESTORS = ["75-1101", "KZ-75", "KZ"]  # a PEC's district TEC, city TEC and the CEC


@pytest.mark.parametrize(
    ("role", "scope", "action", "allowed"),
    [
        ("cec-admin", "KZ", "protocol.submit", True),
        ("cec-admin", "KZ", "protocol.amend", True),
        ("tec-operator", "KZ-75", "protocol.amend", True),
        ("tec-operator", "75-1101", "protocol.submit", True),
        ("tec-operator", "KZ-71", "protocol.amend", False),
        ("pec-operator", "75-0001", "protocol.submit", True),
        ("pec-operator", "75-0002", "protocol.submit", False),
        ("pec-operator", "75-0001", "protocol.amend", False),
        ("observer", "KZ", "protocol.submit", False),
        ("observer", "75-0001", "protocol.amend", False),
        ("cec-admin", "KZ", "voter.list_reads", True),
        ("tec-operator", "75-1101", "voter.list_reads", True),
        ("tec-operator", "KZ-71", "voter.list_reads", False),
        ("pec-operator", "75-0001", "voter.list_reads", False),
        ("observer", "KZ", "voter.list_reads", False),
    ],
)
def test_decide(role: str, scope: str, action: str, allowed: bool) -> None:
    verdict = decide(role, scope, action, "75-0001", ANCESTORS)  # type: ignore[arg-type]
    assert verdict.allowed is allowed, verdict.reason
    assert verdict.reason


def test_every_role_and_action_is_decided() -> None:
    for role in ROLES:
        for action in ACTIONS:
            assert decide(role, "KZ", action, "75-0001", ANCESTORS).reason


def test_a_refusal_reads_as_a_sentence() -> None:
    refused = decide("pec-operator", "75-0001", "voter.list_reads", "75-0001", ANCESTORS)
    assert refused.reason == (
        "role pec-operator may not read the records of who read the voter lists"
    )
    assert decide("observer", "KZ", "voter.list", "75-0001", ANCESTORS).reason == (
        "role observer may not list voters"
    )


def test_scope_kinds() -> None:
    assert scope_problem("pec-operator", "pec") is None
    assert scope_problem("tec-operator", "tec") is None
    assert "must be scoped to a TEC" in (scope_problem("tec-operator", "pec") or "")
    assert "unknown role" in (scope_problem("root", "cec") or "")
