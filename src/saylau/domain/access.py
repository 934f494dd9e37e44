"""Who may write what: roles, commission scopes and the actions they allow.

Pure rules on plain values, so the whole matrix is testable without a database or a server.
A scope is a commission's code; a user acts on a target inside the scope's territory, that is,
when the scope is the target itself or one of its ancestors. The report found protocols changed
at TECs without a decision (section XIII): an amendment is therefore only ever the TEC's (or the
CEC's), and a PEC's operator enters its own protocol and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Role = Literal["cec-admin", "tec-operator", "pec-operator", "observer"]
Action = Literal[
    "protocol.submit",
    "protocol.amend",
    "observation.submit",
    "voter.checkin",
    "voter.list",
    "voter.list_reads",
    "register.change",
    "register.review",
]

ROLES: tuple[Role, ...] = ("cec-admin", "tec-operator", "pec-operator", "observer")
ACTIONS: tuple[Action, ...] = (
    "protocol.submit",
    "protocol.amend",
    "observation.submit",
    "voter.checkin",
    "voter.list",
    "voter.list_reads",
    "register.change",
    "register.review",
)

# The kind of commission each role's scope must be.
SCOPE_KIND: dict[Role, tuple[str, ...]] = {
    "cec-admin": ("cec",),
    "tec-operator": ("tec",),
    "pec-operator": ("pec",),
    "observer": ("cec", "tec", "pec"),
}

# Which roles may take each action at all (scope is checked separately).
ALLOWED: dict[Action, frozenset[Role]] = {
    # PEC protocols are entered by the PEC itself, or at its TEC where the paper copy is brought.
    "protocol.submit": frozenset({"cec-admin", "tec-operator", "pec-operator"}),
    # A change to an accepted protocol is a commission decision above the PEC.
    "protocol.amend": frozenset({"cec-admin", "tec-operator"}),
    # What observers saw is theirs to report: no commission may write it for them.
    "observation.submit": frozenset({"observer"}),
    # Ballots are issued by the commission at the polling station (or a TEC or the CEC acting
    # for it); never by an observer.
    "voter.checkin": frozenset({"cec-admin", "tec-operator", "pec-operator"}),
    # A voter list holds personal data: only the commissions that keep it read it, each within
    # its own territory (a PEC operator reads its own list and no other).
    "voter.list": frozenset({"cec-admin", "tec-operator", "pec-operator"}),
    # Who read which list is oversight of the commissions that read them: the CEC and each TEC
    # over the PECs of its territory, never a PEC over itself (nor an observer: the records
    # name officials and what they read).
    "voter.list_reads": frozenset({"cec-admin", "tec-operator"}),
    # Transfers, absentee certificates and mobile-voting requests are recorded by the commission
    # that receives the application.
    "register.change": frozenset({"cec-admin", "tec-operator", "pec-operator"}),
    # Deciding whether two records are one person changes the register: above the PEC only.
    "register.review": frozenset({"cec-admin", "tec-operator"}),
}


# How a refusal names an action whose code does not read as "may not <verb> <noun>s".
REFUSED: dict[Action, str] = {
    "voter.list_reads": "read the records of who read the voter lists",
}


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    reason: str


def scope_problem(role: str, scope_kind: str) -> str | None:
    """Why a role cannot be scoped to a commission of this kind (None when it can)."""
    if role not in SCOPE_KIND:
        return f"unknown role {role!r}; roles: {', '.join(ROLES)}"
    kinds = SCOPE_KIND[role]
    if scope_kind not in kinds:
        wanted = " or ".join(k.upper() for k in kinds)
        return f"role {role} must be scoped to a {wanted}, not a {scope_kind.upper()}"
    return None


def decide(
    role: str, scope: str, action: Action, target: str, target_ancestors: Sequence[str]
) -> AccessDecision:
    """May a user with `role` scoped to commission `scope` take `action` on unit `target`?

    `target_ancestors` are the codes of the target's ancestors (any order).
    """
    if action not in ALLOWED:
        return AccessDecision(False, f"unknown action {action}")
    if role not in ALLOWED[action]:
        what, verb = action.split(".")
        doing = REFUSED.get(action, f"{verb} {what}s")
        return AccessDecision(False, f"role {role} may not {doing}")
    inside = scope == target or scope in target_ancestors
    if not inside:
        return AccessDecision(False, f"{target} is outside the scope of {role} {scope}")
    return AccessDecision(True, f"{role} {scope} covers {target}")
