"""Building the reference mission of kz-2022 into a database: the ODIHR EOM, its observers
from Annex II, its STO teams (the legible STOs in pairs) and their deployments, the four shipped
checklists and the section XIII submissions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import timezone_of
from saylau.observation.checklists import form_of, import_shipped_forms, latest_form
from saylau.observation.missions import ODIHR_2022_DECLARED, create_mission, load_annex
from saylau.observation.submissions import submit_observations
from saylau.observation.teams import add_deployments, add_teams, voting_slot
from saylau.results.documents import protocol_document
from saylau.scenarios.observation2022 import (
    REFERENCE,
    SEED,
    reference_places,
    reference_submissions,
)

MISSION_CODE = "odihr-eom-2022"
MISSION_NAME = "OSCE/ODIHR Election Observation Mission, early presidential election 2022"


@dataclass(frozen=True)
class ReferenceMission:
    mission: str
    observers: int
    unread_paragraphs: int
    forms: dict[str, str]
    submissions: int


def build_reference_mission(
    session: Session, election: Election, seed: int = SEED
) -> ReferenceMission:
    """Create the mission with everything it observed, in the caller's transaction."""
    mission = create_mission(
        session, election, MISSION_CODE, MISSION_NAME, "international", ODIHR_2022_DECLARED
    )
    added, reading = load_annex(session, mission)
    forms = import_shipped_forms(session)
    parsed = {c.form: form_of(latest_form(session, c.form)) for c in REFERENCE}
    pecs = list(
        session.scalars(
            select(Unit.code).where(
                Unit.election_id == election.id, Unit.kind == "pec", Unit.subtype != "abroad"
            )
        )
    )
    tecs = list(
        session.scalars(
            select(Unit.code).where(Unit.election_id == election.id, Unit.kind == "tec")
        )
    )
    places = reference_places(pecs, tecs, seed)
    protocols = {
        pec: protocol_document(session, election, pec)["lines"]
        for pec in places.by_form["counting"]
    }
    inputs = reference_submissions(parsed, places, protocols, seed)
    zone = timezone_of(election)
    stos = [o.name for o in reading.observers if o.role == "sto"]
    teams = sorted({item.team for item in inputs if item.team})
    add_teams(
        session,
        mission,
        [
            {"code": team, "members": ";".join(stos[2 * i : 2 * i + 2])}
            for i, team in enumerate(teams)
        ],
    )
    add_deployments(
        session,
        mission,
        [
            {
                "team": item.team,
                "slot": (
                    voting_slot(item.arrived_at, zone) if item.form == "voting" else item.form
                ),
                "unit": item.unit,
            }
            for item in inputs
        ],
    )
    submit_observations(session, mission, inputs, by=f"reference scenario seed {seed}")
    return ReferenceMission(mission.code, added, len(reading.unread), forms, len(inputs))
