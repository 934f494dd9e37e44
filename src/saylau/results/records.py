"""Reading and writing the results tables: the shared plumbing of the results services.

Kept apart from the service functions so that entering, reading and verifying protocols each sit
in a module of their own while agreeing on one definition of "the current version" and of the
audit payload of a protocol version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.domain.errors import NotFound
from saylau.domain.profile import Profile
from saylau.results.models import Protocol, ProtocolValue, ProtocolVersion

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


def current_values(
    session: Session, profile: Profile, version_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    """{version id: {line code: value}}; a stored line the profile lacks shows as `#number`."""
    codes = {line.no: line.code for line in profile.lines}
    values: dict[int, dict[str, int]] = {vid: {} for vid in version_ids}
    for start in range(0, len(version_ids), CHUNK):
        chunk = list(version_ids[start : start + CHUNK])
        for version_id, line_no, value in session.execute(
            select(ProtocolValue.version_id, ProtocolValue.line_no, ProtocolValue.value).where(
                ProtocolValue.version_id.in_(chunk)
            )
        ):
            values[version_id][codes.get(line_no, f"#{line_no}")] = value
    return values


def current_versions(
    session: Session, election: Election, pec_ids: Sequence[int]
) -> dict[int, tuple[Protocol, ProtocolVersion]]:
    """{PEC id: (protocol, its version in force)} for the PECs that have a protocol."""
    existing: dict[int, tuple[Protocol, ProtocolVersion]] = {}
    for start in range(0, len(pec_ids), CHUNK):
        chunk = list(pec_ids[start : start + CHUNK])
        rows = session.execute(
            select(Protocol, ProtocolVersion)
            .join(
                ProtocolVersion,
                (ProtocolVersion.protocol_id == Protocol.id)
                & (ProtocolVersion.number == Protocol.current_number),
            )
            .where(Protocol.election_id == election.id, Protocol.pec_id.in_(chunk))
        ).all()
        for protocol, version in rows:
            existing[protocol.pec_id] = (protocol, version)
    return existing


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
        {"version_id": version_id, "line_no": line.no, "value": int(lines[line.code])}  # type: ignore[call-overload]
        for version_id, lines in versions
        for line in profile.lines
    ]
    for start in range(0, len(rows), 50_000):
        session.execute(insert(ProtocolValue), rows[start : start + 50_000])


def find_protocol(
    session: Session, election: Election, pec: str
) -> tuple[Unit, Protocol, ProtocolVersion]:
    """A PEC with its protocol and current version; NotFound names what is missing."""
    unit = session.scalar(
        select(Unit).where(Unit.election_id == election.id, Unit.code == pec, Unit.kind == "pec")
    )
    if unit is None:
        raise NotFound(f"no PEC {pec} in election {election.code}")
    found = current_versions(session, election, [unit.id]).get(unit.id)
    if found is None:
        raise NotFound(f"PEC {pec} has no accepted protocol yet")
    return unit, *found
