"""The observation context over HTTP: public findings and forms, submissions with a token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from saylau.administration.models import Election
from saylau.administration.service import national_unit
from saylau.api.access import authorize
from saylau.api.deps import Caller, ReadSession, WriteSession
from saylau.api.schemas import Text
from saylau.domain.errors import Forbidden
from saylau.observation.checklists import form_of, latest_form, list_forms
from saylau.observation.copies import copy_differences
from saylau.observation.incidents import (
    CATEGORIES,
    IncidentInput,
    list_incidents,
    report_incident,
)
from saylau.observation.missions import all_missions, get_mission, mission_summary
from saylau.observation.quality import quality_report
from saylau.observation.reporting import BREAKDOWNS, mission_findings
from saylau.observation.submissions import SubmissionInput, submit_observations
from saylau.observation.teams import deployment_status

router = APIRouter(prefix="/observation", tags=["observation"])


class SubmissionBody(BaseModel):
    """A filled checklist, as an observer's phone sends it."""

    model_config = ConfigDict(extra="forbid")

    client_id: Text = Field(max_length=64, description="Made by the device; resending is safe.")
    form: Text = Field(max_length=32, description="opening, voting, counting, tabulation, ...")
    unit: Text = Field(max_length=32, description="The PEC (or TEC, for tabulation) code.")
    team: Text | None = Field(default=None, max_length=32)
    arrived_at: Text = Field(description="ISO date and time with its zone.")
    departed_at: Text | None = None
    answers: dict[Text, Any]


class IncidentBody(BaseModel):
    """A critical incident, reported at once from a phone."""

    model_config = ConfigDict(extra="forbid")

    client_id: Text = Field(max_length=64)
    category: Text = Field(max_length=32, description=", ".join(CATEGORIES))
    description: Text = Field(max_length=5000)
    occurred_at: Text
    unit: Text | None = Field(default=None, max_length=32)
    location: Text | None = Field(default=None, max_length=300)


@router.get("/missions", summary="Observation missions")
def missions(session: ReadSession) -> list[dict[str, Any]]:
    return [mission_summary(session, m) for m in all_missions(session)]


@router.get("/missions/{mission}", summary="A mission's observers beside what it declared")
def mission(mission: str, session: ReadSession) -> dict[str, Any]:
    return mission_summary(session, get_mission(session, mission))


@router.get("/forms", summary="Checklist forms and versions")
def forms(session: ReadSession) -> list[dict[str, Any]]:
    return list_forms(session)


@router.get("/forms/{code}", summary="The newest version of a checklist, question by question")
def form(code: str, session: ReadSession) -> dict[str, Any]:
    record = latest_form(session, code)
    parsed = form_of(record)
    return {
        "code": parsed.code,
        "version": parsed.version,
        "sha256": record.sha256,
        "level": parsed.level,
        "title": dict(parsed.title),
        "questions": [
            {
                "name": q.name,
                "kind": q.kind,
                "labels": dict(q.labels),
                "required": q.required,
                "relevant": q.relevant,
                "constraint": q.constraint,
                "choices": [{"name": c.name, "labels": dict(c.labels)} for c in q.choices],
                "problem": sorted(q.problem),
            }
            for q in parsed.questions
        ],
    }


@router.get("/missions/{mission}/findings/{form}", summary="Findings with 95% Wilson intervals")
def findings(
    mission: str,
    form: str,
    session: ReadSession,
    by: Annotated[str | None, Query(description=f"One of: {', '.join(BREAKDOWNS)}.")] = None,
) -> dict[str, Any]:
    return mission_findings(session, get_mission(session, mission), form, by)


@router.get(
    "/missions/{mission}/copies",
    summary="Lines where observers' protocol copies differ from the official protocols",
)
def copies(mission: str, session: ReadSession) -> dict[str, Any]:
    return copy_differences(session, get_mission(session, mission))


@router.get(
    "/missions/{mission}/deployments", summary="Planned visits per time slot, and which happened"
)
def deployments(mission: str, session: ReadSession) -> dict[str, Any]:
    return deployment_status(session, get_mission(session, mission))


@router.get(
    "/missions/{mission}/quality",
    summary="Submissions failing their form's checks, and teams disagreeing at a station",
)
def quality(
    mission: str,
    session: ReadSession,
    form: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    return quality_report(session, get_mission(session, mission), form)


@router.post(
    "/missions/{mission}/incidents",
    status_code=201,
    responses={200: {"description": "Already stored (a retry)."}},
    summary="Report a critical incident (observer token)",
)
def incident(
    mission: str, body: IncidentBody, session: WriteSession, caller: Caller, response: Response
) -> dict[str, Any]:
    found = get_mission(session, mission)
    if caller.role != "observer":
        raise Forbidden(f"user {caller.name}: role {caller.role} may not report incidents")
    stored, status = report_incident(
        session, found, IncidentInput(**body.model_dump()), caller.name
    )
    if status == "unchanged":
        response.status_code = 200
    return {"id": stored.id, "status": status, "audit_hash": stored.audit_hash}


@router.get(
    "/missions/{mission}/incidents",
    summary="Critical incidents, newest first (observer token scoped to the whole country)",
)
def incidents(mission: str, session: ReadSession, caller: Caller) -> list[dict[str, Any]]:
    found = get_mission(session, mission)
    election = session.get(Election, found.election_id)
    national = national_unit(session, election).code if election else "?"
    if caller.role != "observer" or caller.scope != national:
        raise Forbidden(
            f"user {caller.name}: the incident list is for the core team "
            f"(an observer token with scope {national})"
        )
    return list_incidents(session, found)


@router.post(
    "/missions/{mission}/submissions",
    status_code=201,
    responses={
        200: {"description": "Already stored (a retry): nothing new written."},
        401: {"description": "No token, or an unknown or revoked one."},
        403: {"description": "Not an observer, or the station is outside the token's scope."},
        404: {"description": "No such mission or station."},
        422: {"description": "The submission breaks its form; the question is named."},
    },
    summary="Submit a filled checklist (observer token)",
)
def submit(
    mission: str, body: SubmissionBody, session: WriteSession, caller: Caller, response: Response
) -> dict[str, Any]:
    found = get_mission(session, mission)
    authorize(session, found.election_id, caller, "observation.submit", body.unit)
    item = SubmissionInput(
        client_id=body.client_id,
        form=body.form,
        unit=body.unit,
        arrived_at=body.arrived_at,
        departed_at=body.departed_at,
        team=body.team,
        answers=body.answers,
    )
    [stored] = submit_observations(session, found, [item], by=caller.name)
    if stored.status == "unchanged":
        response.status_code = 200
    return stored.__dict__
