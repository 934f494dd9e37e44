"""Reading and writing the results tables: the shared plumbing of the results services.

Kept apart from the service functions so that entering, amending and verifying protocols each sit
in a module of their own while agreeing on the audit payload of a protocol version. Which
version is in force is `results.reads`' business.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.domain.profile import Profile
from saylau.results.models import ProtocolValue

# IN-lists are sent in chunks: SQLite caps the number of bound parameters per statement.
CHUNK = 5000


def protocol_entity(election: Election, pec: str) -> str:
    """The audit-log entity of a PEC's protocol (all its versions share it)."""
    return f"{election.code}/protocol/{pec}"


def decision_entity(election: Election, decision_id: int) -> str:
    """The audit-log entity of a commission's decision."""
    return f"{election.code}/decision/{decision_id}"


def pec_ids_by_code(session: Session, election: Election, codes: Sequence[str]) -> dict[str, int]:
    """Ids of the named PECs of `election`; codes that are not PECs there are left out."""
    found: dict[str, int] = {}
    wanted = list(dict.fromkeys(codes))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found.update(
            session.execute(
                select(Unit.code, Unit.id).where(
                    Unit.election_id == election.id, Unit.kind == "pec", Unit.code.in_(chunk)
                )
            ).all()
        )
    return found


def event_payload(
    election: Election,
    pec: str,
    version: int,
    lines: Mapping[str, int],
    explanations: Mapping[str, str],
    entered_by: str,
    decision: Mapping[str, Any] | None,
    reason: str | None,
) -> dict[str, Any]:
    """The audit payload of a protocol version: everything a reader needs to check it."""
    return {
        "election": election.code,
        "pec": pec,
        "version": version,
        "lines": dict(lines),
        "explanations": dict(explanations),
        "entered_by": entered_by,
        "decision": dict(decision) if decision else None,
        "reason": reason,
    }


def insert_values(
    session: Session, profile: Profile, versions: Iterable[tuple[int, Mapping[str, object]]]
) -> None:
    """Store each version's line values, one row per line, keyed by the line's number."""
    rows = [
        {"version_id": version_id, "line_no": line.no, "value": _whole(lines[line.code])}
        for version_id, lines in versions
        for line in profile.lines
    ]
    for start in range(0, len(rows), 50_000):
        session.execute(insert(ProtocolValue), rows[start : start + 50_000])


def _whole(value: object) -> int:
    """A line value as stored: `judge` has already refused anything but a whole number, so a
    value that is not one here is a bug upstream and must not be coerced into the record."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"protocol line value {value!r} reached storage unchecked")
