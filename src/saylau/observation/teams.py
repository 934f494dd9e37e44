"""Teams and their deployments: which observers travel together, and where each team is sent
in each election-day time slot; and, against the submissions, which planned visits happened.

STOs work in pairs, each pair given a route of stations for the opening, the voting day, the
count and the tabulation. The plan is data so the data team can see, while the day goes on,
which planned stations have no checklist yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import timezone_of
from saylau.audit.service import NewEvent, append
from saylau.observation.missions import ImportRejected
from saylau.observation.models import (
    ChecklistForm,
    Deployment,
    Mission,
    Observer,
    Submission,
    Team,
    TeamMember,
)
from saylau.observation.reporting import local_hour

SLOTS = ("opening", "voting_morning", "voting_afternoon", "counting", "tabulation")
SLOT_FORM = {
    "opening": "opening",
    "voting_morning": "voting",
    "voting_afternoon": "voting",
    "counting": "counting",
    "tabulation": "tabulation",
}
AFTERNOON_FROM = 13  # local hour at which the voting day's second slot begins


def voting_slot(arrived_at: str, zone: str) -> str:
    """Which half of the voting day a visit falls in, by the election's local time."""
    morning = local_hour(arrived_at, zone) < AFTERNOON_FROM
    return "voting_morning" if morning else "voting_afternoon"


def add_teams(session: Session, mission: Mission, rows: Sequence[Mapping[str, Any]]) -> int:
    """Teams from rows (code, area, members as names separated by ';'), all or none."""
    observers = dict(
        session.execute(
            select(Observer.name, Observer.id).where(Observer.mission_id == mission.id)
        ).all()
    )
    known = set(session.scalars(select(Team.code).where(Team.mission_id == mission.id)))
    problems: list[str] = []
    fresh: list[tuple[str, str | None, list[int]]] = []
    for number, row in enumerate(rows, start=2):
        code = str(row.get("code") or "").strip()
        if not code:
            problems.append(f"row {number}: field code is empty")
            continue
        if code in known:
            problems.append(f"row {number}: field code {code!r}: the team exists")
            continue
        known.add(code)
        names = [n.strip() for n in str(row.get("members") or "").split(";") if n.strip()]
        missing = [n for n in names if n not in observers]
        if missing:
            problems.append(f"row {number}: field members: not observers of the mission: {missing}")
            continue
        fresh.append(
            (code, (str(row.get("area") or "").strip() or None), [observers[n] for n in names])
        )
    if problems:
        raise ImportRejected(f"teams for mission {mission.code}", problems)
    for code, area, members in fresh:
        team = Team(mission_id=mission.id, code=code, area=area)
        session.add(team)
        session.flush()
        session.add_all(TeamMember(team_id=team.id, observer_id=o) for o in members)
    if fresh:
        append(
            session,
            NewEvent(
                "teams.added",
                f"mission:{mission.code}",
                {"mission": mission.code, "teams": [code for code, _, _ in fresh]},
            ),
        )
    return len(fresh)


def add_deployments(session: Session, mission: Mission, rows: Sequence[Mapping[str, Any]]) -> int:
    """Deployments from rows (team, slot, unit), all or none; a repeated row is kept once."""
    teams = dict(
        session.execute(select(Team.code, Team.id).where(Team.mission_id == mission.id)).all()
    )
    codes = {str(row.get("unit") or "").strip() for row in rows}
    units = dict(
        session.execute(
            select(Unit.code, Unit.id).where(
                Unit.election_id == mission.election_id, Unit.code.in_(codes)
            )
        ).all()
    )
    existing = set(
        session.execute(
            select(Deployment.team_id, Deployment.slot, Deployment.unit_id)
            .join(Team, Team.id == Deployment.team_id)
            .where(Team.mission_id == mission.id)
        ).all()
    )
    problems: list[str] = []
    fresh: set[tuple[int, str, int]] = set()
    for number, row in enumerate(rows, start=2):
        team, slot, unit = (str(row.get(k) or "").strip() for k in ("team", "slot", "unit"))
        mine = []
        if team not in teams:
            mine.append(f"row {number}: field team {team!r} is not a team of the mission")
        if slot not in SLOTS:
            mine.append(f"row {number}: field slot {slot!r} is not one of {', '.join(SLOTS)}")
        if unit not in units:
            mine.append(f"row {number}: field unit {unit!r} is not a commission of the election")
        problems.extend(mine)
        if not mine:
            key = (teams[team], slot, units[unit])
            if key not in existing:
                fresh.add(key)
    if problems:
        raise ImportRejected(f"deployments for mission {mission.code}", problems)
    session.add_all(Deployment(team_id=t, slot=s, unit_id=u) for t, s, u in sorted(fresh))
    if fresh:
        append(
            session,
            NewEvent(
                "deployments.added",
                f"mission:{mission.code}",
                {"mission": mission.code, "count": len(fresh)},
            ),
        )
    return len(fresh)


def deployment_status(session: Session, mission: Mission) -> dict[str, Any]:
    """Per slot: deployments planned, and how many have the matching team's checklist yet."""
    planned = session.execute(
        select(Team.code, Deployment.slot, Unit.code)
        .join(Team, Team.id == Deployment.team_id)
        .join(Unit, Unit.id == Deployment.unit_id)
        .where(Team.mission_id == mission.id)
        .order_by(Deployment.slot, Team.code, Unit.code)
    ).all()
    election = session.get(Election, mission.election_id)
    zone = timezone_of(election) if election is not None else "UTC"
    done = set()
    for team, form, unit, arrived in session.execute(
        select(Submission.team, ChecklistForm.code, Unit.code, Submission.arrived_at)
        .join(ChecklistForm, ChecklistForm.id == Submission.form_id)
        .join(Unit, Unit.id == Submission.unit_id)
        .where(Submission.mission_id == mission.id)
    ):
        slot = voting_slot(arrived, zone) if form == "voting" else form
        done.add((team, slot, unit))
    slots: dict[str, dict[str, Any]] = {}
    for team, slot, unit in planned:
        entry = slots.setdefault(slot, {"planned": 0, "visited": 0, "missing": []})
        entry["planned"] += 1
        if (team, slot, unit) in done:
            entry["visited"] += 1
        else:
            entry["missing"].append({"team": team, "unit": unit})
    return {
        "mission": mission.code,
        "slots": {slot: slots[slot] for slot in SLOTS if slot in slots},
    }
