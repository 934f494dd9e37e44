"""The one place a write's target is found and the caller's role and scope are checked.

`authorize` reads the target and its ancestors for each request. `Targets` remembers them per
app (so per database): a commission's code, kind and place in the tree are fixed once it is
created (units are added, never moved, renamed or deleted), so a remembered answer cannot go
stale; only the role and scope check, which depends on the caller, is made every time. The
election-day check-in, thousands a second, uses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import ancestor_codes
from saylau.domain.access import Action, decide
from saylau.domain.errors import Forbidden, NotFound
from saylau.users.service import Principal

TARGETS_MAX = 200_000  # commissions remembered per app: every PEC of a national election


@dataclass(frozen=True)
class Target:
    """A commission as the access check needs it: id, code and its ancestors' codes."""

    id: int
    code: str
    ancestors: tuple[str, ...]


def _find(session: Session, election_id: int, code: str, kind: str | None) -> Unit:
    stmt = select(Unit).where(Unit.election_id == election_id, Unit.code == code)
    if kind is not None:
        stmt = stmt.where(Unit.kind == kind)
    unit = session.scalar(stmt)
    if unit is None:
        what = kind.upper() if kind else "commission"
        election = session.get(Election, election_id)
        raise NotFound(f"no {what} {code} in election {election.code if election else '?'}")
    return unit


def _check(caller: Principal, action: Action, code: str, ancestors: Sequence[str]) -> None:
    verdict = decide(caller.role, caller.scope, action, code, ancestors)
    if not verdict.allowed:
        raise Forbidden(f"user {caller.name}: {verdict.reason}")


def authorize(
    session: Session,
    election_id: int,
    caller: Principal,
    action: Action,
    code: str,
    kind: str | None = None,
) -> Unit:
    """The target commission (404 when the election has none of that code and kind), once
    the caller's role and scope allow `action` on it (403 otherwise)."""
    unit = _find(session, election_id, code, kind)
    _check(caller, action, code, ancestor_codes(session, unit))
    return unit


class Targets:
    """Commissions by (election, code, kind), read once per app; see the module docstring."""

    def __init__(self, limit: int = TARGETS_MAX) -> None:
        self.limit = limit
        self.known: dict[tuple[int, str, str | None], Target] = {}

    def remembered(
        self, election_id: int, caller: Principal, action: Action, code: str, kind: str | None
    ) -> Target | None:
        """As `authorize` when the target is already known (no database at all), else None."""
        target = self.known.get((election_id, code, kind))
        if target is not None:
            _check(caller, action, code, target.ancestors)
        return target

    def authorize(
        self,
        session: Session,
        election_id: int,
        caller: Principal,
        action: Action,
        code: str,
        kind: str | None = None,
    ) -> Target:
        """As `authorize`, with the target (never the verdict) remembered."""
        key = (election_id, code, kind)
        target = self.known.get(key)
        if target is None:
            unit = _find(session, election_id, code, kind)
            target = Target(unit.id, unit.code, tuple(ancestor_codes(session, unit)))
            if len(self.known) >= self.limit:
                self.known.clear()
            self.known[key] = target
        _check(caller, action, code, target.ancestors)
        return target
