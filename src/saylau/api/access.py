"""The one place a write's target is found and the caller's role and scope are checked."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import ancestor_codes
from saylau.domain.access import Action, decide
from saylau.domain.errors import Forbidden, NotFound
from saylau.users.service import Principal


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
    stmt = select(Unit).where(Unit.election_id == election_id, Unit.code == code)
    if kind is not None:
        stmt = stmt.where(Unit.kind == kind)
    unit = session.scalar(stmt)
    if unit is None:
        what = kind.upper() if kind else "commission"
        election = session.get(Election, election_id)
        raise NotFound(f"no {what} {code} in election {election.code if election else '?'}")
    verdict = decide(caller.role, caller.scope, action, code, ancestor_codes(session, unit))
    if not verdict.allowed:
        raise Forbidden(f"user {caller.name}: {verdict.reason}")
    return unit
