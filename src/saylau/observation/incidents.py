"""Critical incidents: what an observer reports at once, outside any checklist (violence,
ballot stuffing seen, observers expelled), listed for the core team newest first.

Like submissions, an incident carries a device-made id, so a retry stores it once, and is an
audit event. It is an allegation for the core team to verify, so it is not published with the
findings: reading the list needs an observer token whose scope is the whole country.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Unit
from saylau.audit.service import NewEvent, append, now_iso
from saylau.domain.errors import Conflict, Rejected
from saylau.observation.models import Incident, Mission
from saylau.observation.submissions import MAX_CLIENT_ID, time_problem

CATEGORIES = (
    "violence_or_intimidation",
    "ballot_stuffing",
    "multiple_or_proxy_voting",
    "observers_obstructed",
    "campaigning_or_pressure",
    "materials_or_procedures",
    "other",
)


@dataclass(frozen=True)
class IncidentInput:
    client_id: str
    category: str
    description: str
    occurred_at: str
    unit: str | None = None
    location: str | None = None


def report_incident(
    session: Session, mission: Mission, item: IncidentInput, by: str
) -> tuple[Incident, str]:
    """Store an incident; returns it and "stored" or "unchanged" (a retry)."""
    problems = []
    if not item.client_id or len(item.client_id) > MAX_CLIENT_ID:
        problems.append(f"field client_id must be 1 to {MAX_CLIENT_ID} characters")
    if item.category not in CATEGORIES:
        problems.append(f"field category {item.category!r} is not one of {', '.join(CATEGORIES)}")
    if not item.description.strip():
        problems.append("field description is empty")
    when = time_problem("occurred_at", item.occurred_at, True)
    if when:
        problems.append(when)
    unit_id = None
    if item.unit:
        unit_id = session.scalar(
            select(Unit.id).where(Unit.election_id == mission.election_id, Unit.code == item.unit)
        )
        if unit_id is None:
            problems.append(f"field unit: no commission {item.unit!r} in the observed election")
    if not item.unit and not (item.location or "").strip():
        problems.append("fields unit and location: give the station or describe where")
    if problems:
        raise Rejected(f"incident {item.client_id or '?'} refused: " + "; ".join(problems))
    existing = session.scalar(
        select(Incident).where(
            Incident.mission_id == mission.id, Incident.client_id == item.client_id
        )
    )
    if existing is not None:
        same = (existing.category, existing.description, existing.occurred_at) == (
            item.category, item.description, item.occurred_at,
        )  # fmt: skip
        if same:
            return existing, "unchanged"
        raise Conflict(f"incident {item.client_id}: client_id is already used by another report")
    placed = append(
        session,
        NewEvent(
            "incident.reported",
            f"incident:{mission.code}:{item.client_id}",
            {"mission": mission.code, "by": by, **item.__dict__},
        ),
    )
    incident = Incident(
        mission_id=mission.id,
        client_id=item.client_id,
        unit_id=unit_id,
        location=item.location,
        category=item.category,
        description=item.description.strip(),
        occurred_at=item.occurred_at,
        reported_by=by,
        received_at=now_iso(),
        audit_seq=placed.seq,
        audit_hash=placed.hash,
    )
    session.add(incident)
    session.flush()
    return incident, "stored"


def list_incidents(session: Session, mission: Mission) -> list[dict[str, Any]]:
    """Every incident of the mission, newest report first."""
    rows = session.execute(
        select(Incident, Unit.code)
        .outerjoin(Unit, Unit.id == Incident.unit_id)
        .where(Incident.mission_id == mission.id)
        .order_by(Incident.received_at.desc(), Incident.id.desc())
    )
    return [
        {
            "id": incident.id,
            "client_id": incident.client_id,
            "category": incident.category,
            "unit": unit,
            "location": incident.location,
            "description": incident.description,
            "occurred_at": incident.occurred_at,
            "reported_by": incident.reported_by,
            "received_at": incident.received_at,
            "audit_hash": incident.audit_hash,
        }
        for incident, unit in rows
    ]
