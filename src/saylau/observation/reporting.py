"""Findings of a mission from the database: submissions joined to where they were made.

Each submission is split by its station's region, urban or rural setting, PEC type and the
hour the team arrived (local time of the election), the breakdowns a mission's analysts ask
for; the arithmetic itself is `domain.findings`.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from saylau.administration.models import Election, Unit, UnitAncestor
from saylau.administration.service import timezone_of
from saylau.domain.errors import Rejected
from saylau.domain.findings import Observation, findings, findings_by
from saylau.observation.checklists import form_of, latest_form
from saylau.observation.models import ChecklistForm, Mission, Submission

BREAKDOWNS = ("region", "setting", "pec_type", "time_of_day")
TIME_SLOTS = ((0, 7, "before 07:00"), (7, 10, "07-10"), (10, 13, "10-13"), (13, 16, "13-16"),
              (16, 20, "16-20"), (20, 24, "after 20:00"))  # fmt: skip


def local_hour(stamp: str, zone: str) -> int:
    """The hour of an ISO time in the election's time zone (whatever offset it was sent in)."""
    return datetime.fromisoformat(stamp).astimezone(ZoneInfo(zone)).hour


def time_slot(stamp: str, zone: str) -> str:
    hour = local_hour(stamp, zone)
    return next(label for start, end, label in TIME_SLOTS if start <= hour < end)


def _interned(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers with their names and text values interned: tens of thousands of submissions
    repeat the same few strings, and findings compare them millions of times."""
    return {
        sys.intern(name): sys.intern(value) if isinstance(value, str) else value
        for name, value in answers.items()
    }


def observations(session: Session, mission: Mission, form_code: str) -> list[Observation]:
    """Every submission of the form (any version), with the attributes findings split by."""
    election = session.get(Election, mission.election_id)
    assert election is not None
    zone = timezone_of(election)
    region = aliased(Unit)
    rows = session.execute(
        select(
            Submission.id,
            Submission.answers,
            Submission.arrived_at,
            Unit.code,
            Unit.urban,
            Unit.subtype,
            region.code,
        )
        .join(ChecklistForm, ChecklistForm.id == Submission.form_id)
        .join(Unit, Unit.id == Submission.unit_id)
        # only the station's region (its level-1 ancestor), one row per submission
        .outerjoin(
            UnitAncestor,
            (UnitAncestor.unit_id == Unit.id) & (UnitAncestor.depth == Unit.level - 1),
        )
        .outerjoin(region, region.id == UnitAncestor.ancestor_id)
        .where(Submission.mission_id == mission.id, ChecklistForm.code == form_code)
        .order_by(Submission.id)
    )
    return [
        Observation(
            sid,
            _interned(json.loads(answers)),
            {
                "region": region_code or code,
                "setting": "urban" if urban else "rural" if urban is False else "n/a",
                "pec_type": subtype,
                "time_of_day": time_slot(arrived, zone),
            },
        )
        for sid, answers, arrived, code, urban, subtype, region_code in rows
    ]


def mission_findings(
    session: Session, mission: Mission, form_code: str, by: str | None = None
) -> dict[str, Any]:
    """The findings document of one form (`saylau observe findings --json`, the API, pages)."""
    record = latest_form(session, form_code)
    form = form_of(record)
    observed = observations(session, mission, form_code)
    document: dict[str, Any] = {
        "mission": mission.code,
        "form": form.code,
        "version": form.version,
        "observations": len(observed),
        "findings": [f.as_dict() for f in findings(form, observed)],
    }
    if by is not None:
        if by not in BREAKDOWNS:
            raise Rejected(f"--by {by!r}: breakdowns are {', '.join(BREAKDOWNS)}")
        document["by"] = by
        document["groups"] = {
            value: [f.as_dict() for f in group]
            for value, group in findings_by(form, observed, by).items()
        }
    return document
