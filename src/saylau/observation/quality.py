"""Data quality: every submission run through its form's checks, and stations two teams saw
differently, for the data team to follow up (call the team, compare with the other).

Checks are formulas in the form's `saylau_checks` sheet. They flag, never refuse: a protocol
copy with more ballots in the boxes than were issued may be a copying slip or exactly what
happened at that station, and only the team can say which.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Unit
from saylau.domain.errors import NotFound
from saylau.domain.forms import Form, failed_checks
from saylau.observation.checklists import form_of
from saylau.observation.models import ChecklistForm, Mission, Submission

QUALITY_COLUMNS = ("kind", "form", "unit", "submission", "team", "rule", "detail")


def quality_report(session: Session, mission: Mission, form: str | None = None) -> dict[str, Any]:
    """Failed checks per submission, and disagreements between teams at one station."""
    stmt = (
        select(Submission, ChecklistForm, Unit.code)
        .join(ChecklistForm, ChecklistForm.id == Submission.form_id)
        .join(Unit, Unit.id == Submission.unit_id)
        .where(Submission.mission_id == mission.id)
        .order_by(Unit.code, Submission.id)
    )
    if form is not None:
        stmt = stmt.where(ChecklistForm.code == form)
    parsed: dict[int, Form] = {}
    failures: list[dict[str, Any]] = []
    by_station: dict[tuple[str, str], list[tuple[Submission, dict[str, Any]]]] = {}
    checked = 0
    for submission, record, unit in session.execute(stmt):
        if record.id not in parsed:
            parsed[record.id] = form_of(record)
        answers = json.loads(submission.answers)
        checked += 1
        for check in failed_checks(parsed[record.id], answers):
            failures.append(
                {
                    "form": record.code,
                    "unit": unit,
                    "submission": submission.id,
                    "team": submission.team,
                    "check": check.name,
                    "labels": dict(check.labels),
                    "formula": check.formula,
                }
            )
        by_station.setdefault((record.code, unit), []).append((submission, answers))
    return {
        "mission": mission.code,
        "submissions_checked": checked,
        "failed_checks": failures,
        "disagreements": _disagreements(by_station),
    }


def _disagreements(
    by_station: dict[tuple[str, str], list[tuple[Submission, dict[str, Any]]]],
) -> list[dict[str, Any]]:
    """Questions answered differently by different teams at the same station (each team's
    latest submission); the submissions stay separate, this only shows where they differ."""
    found = []
    for (form, unit), seen in sorted(by_station.items()):
        latest: dict[str, tuple[Submission, dict[str, Any]]] = {}
        for submission, answers in seen:
            latest[submission.team or f"#{submission.id}"] = (submission, answers)
        if len(latest) < 2:
            continue
        questions = sorted({q for _, answers in latest.values() for q in answers})
        for question in questions:
            answers_by_team = {team: a.get(question) for team, (_, a) in sorted(latest.items())}
            if len({json.dumps(v) for v in answers_by_team.values()}) > 1:
                found.append(
                    {
                        "form": form,
                        "unit": unit,
                        "question": question,
                        "answers": answers_by_team,
                        "submissions": sorted(s.id for s, _ in latest.values()),
                    }
                )
    return found


def quality_csv(report: dict[str, Any]) -> str:
    """The report as one CSV (a row per failed check and per disagreement) for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(QUALITY_COLUMNS)
    for f in report["failed_checks"]:
        writer.writerow(
            ("check", f["form"], f["unit"], f["submission"], f["team"] or "", f["check"],
             f["labels"].get("en", f["formula"]))
        )  # fmt: skip
    for d in report["disagreements"]:
        detail = "; ".join(f"{team}: {value}" for team, value in d["answers"].items())
        ids = " ".join(str(i) for i in d["submissions"])
        writer.writerow(("disagreement", d["form"], d["unit"], ids, "", d["question"], detail))
    return buffer.getvalue()


def station_view(session: Session, mission: Mission, unit: str) -> dict[str, Any]:
    """Every submission at one station, grouped by form, each team's answers in a column, and
    the questions where the teams' answers differ."""
    rows = session.execute(
        select(Submission, ChecklistForm)
        .join(ChecklistForm, ChecklistForm.id == Submission.form_id)
        .join(Unit, Unit.id == Submission.unit_id)
        .where(
            Submission.mission_id == mission.id,
            Unit.code == unit,
            Unit.election_id == mission.election_id,
        )
        .order_by(ChecklistForm.code, Submission.id)
    ).all()
    if not rows:
        raise NotFound(f"mission {mission.code} has no submission at {unit}")
    forms: dict[str, dict[str, Any]] = {}
    for submission, record in rows:
        entry = forms.setdefault(
            record.code, {"form": form_of(record), "submissions": [], "questions": []}
        )
        entry["submissions"].append(
            {
                "id": submission.id,
                "team": submission.team or f"#{submission.id}",
                "arrived_at": submission.arrived_at,
                "answers": json.loads(submission.answers),
            }
        )
    for entry in forms.values():
        for question in entry["form"].questions:
            values = [s["answers"].get(question.name) for s in entry["submissions"]]
            if any(v is not None for v in values):
                differ = len({json.dumps(v) for v in values}) > 1
                entry["questions"].append({"question": question, "cells": values, "differ": differ})
    return {"unit": unit, "forms": forms}
