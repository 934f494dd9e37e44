"""Submissions: filled checklists from observers' phones, the API or a file, all or none.

Each submission names its form, the PEC (or TEC, for tabulation) where it was filled, the team,
and the arrival and departure times; its answers are checked against the form (skip logic,
required questions, choices, constraints) and refused with the question named. The device
makes a `client_id`: the same submission sent twice is stored once (a retry on a bad network
must not count an observation twice), and a different submission under a used id is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Unit
from saylau.audit.chain import canonical_json
from saylau.audit.service import NewEvent, append_many, now_iso
from saylau.domain.errors import NotFound
from saylau.domain.forms import Form, answer_problems
from saylau.observation.checklists import form_of, latest_form
from saylau.observation.missions import ImportConflict, ImportRejected
from saylau.observation.models import ChecklistForm, Mission, Submission

MAX_CLIENT_ID = 64


@dataclass(frozen=True)
class SubmissionInput:
    client_id: str
    form: str
    unit: str
    arrived_at: str
    answers: Mapping[str, object]
    departed_at: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class Stored:
    client_id: str
    id: int
    status: str  # stored | unchanged
    audit_hash: str


def time_problem(name: str, value: str | None, required: bool) -> str | None:
    if value in (None, ""):
        return f"field {name} is missing" if required else None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return f"field {name} {value!r} is not an ISO date and time"
    if moment.tzinfo is None:
        return f"field {name} {value!r} needs a time zone (e.g. +06:00)"
    return None


def _content(item: SubmissionInput) -> dict[str, object]:
    return {
        "form": item.form,
        "unit": item.unit,
        "team": item.team,
        "arrived_at": item.arrived_at,
        "departed_at": item.departed_at,
        "answers": dict(item.answers),
    }


def submit_observations(
    session: Session, mission: Mission, inputs: Sequence[SubmissionInput], by: str
) -> list[Stored]:
    """Store new submissions, all or none; identical resubmissions return the stored ones."""
    forms: dict[str, tuple[ChecklistForm, Form]] = {}
    problems: list[str] = []
    units = _units(session, mission, {item.unit for item in inputs})
    existing = {
        s.client_id: s
        for s in session.scalars(
            select(Submission).where(
                Submission.mission_id == mission.id,
                Submission.client_id.in_([item.client_id for item in inputs]),
            )
        )
    }
    fresh: list[tuple[SubmissionInput, ChecklistForm, int]] = []
    results: dict[str, Stored] = {}
    seen: set[str] = set()
    conflicts = 0
    for item in inputs:
        label = f"submission {item.client_id or '?'}"
        mine: list[str] = []
        if not item.client_id or len(item.client_id) > MAX_CLIENT_ID:
            mine.append(f"field client_id must be 1 to {MAX_CLIENT_ID} characters")
        if item.client_id in seen:
            mine.append("the batch holds this client_id twice")
        seen.add(item.client_id)
        if item.form not in forms:
            try:
                record = latest_form(session, item.form)
                forms[item.form] = (record, form_of(record))
            except NotFound as exc:  # names the forms there are
                problems.append(f"{label}: field form: {exc}")
                continue
        record, form = forms[item.form]
        unit = units.get(item.unit)
        if unit is None:
            mine.append(f"field unit: no PEC or TEC {item.unit!r} in this mission's election")
        elif unit.kind != form.level:
            mine.append(
                f"field unit: form {form.code} is filled at a {form.level.upper()}, "
                f"and {item.unit} is a {unit.kind.upper()}"
            )
        for name, value, required in (
            ("arrived_at", item.arrived_at, True),
            ("departed_at", item.departed_at, False),
        ):
            problem = time_problem(name, value, required)
            if problem:
                mine.append(problem)
        mine.extend(f"answers: {p}" for p in answer_problems(form, item.answers))
        stored = existing.get(item.client_id)
        if stored is not None and not mine:
            if (
                json.loads(stored.answers) == dict(item.answers)
                and stored.arrived_at == item.arrived_at
            ):
                results[item.client_id] = Stored(
                    item.client_id, stored.id, "unchanged", stored.audit_hash
                )
            else:
                conflicts += 1
                mine.append("client_id is already used by a different submission")
            if not mine:
                continue
        problems.extend(f"{label}: {p}" for p in mine)
        if not mine and unit is not None:
            fresh.append((item, record, unit.id))
    if problems:
        kind = ImportConflict if conflicts == len(problems) else ImportRejected
        raise kind(f"batch of {len(inputs)} submission(s)", problems)
    placed = append_many(
        session,
        [
            NewEvent(
                "observation.submitted",
                f"submission:{mission.code}:{item.client_id}",
                {"mission": mission.code, "client_id": item.client_id, "by": by, **_content(item)},
            )
            for item, _, _ in fresh
        ],
    )
    received = now_iso()
    for (item, record, unit_id), where in zip(fresh, placed, strict=True):
        row = Submission(
            mission_id=mission.id,
            form_id=record.id,
            client_id=item.client_id,
            unit_id=unit_id,
            team=item.team,
            arrived_at=item.arrived_at,
            departed_at=item.departed_at,
            answers=canonical_json(dict(item.answers)),
            submitted_by=by,
            received_at=received,
            audit_seq=where.seq,
            audit_hash=where.hash,
        )
        session.add(row)
        session.flush()
        results[item.client_id] = Stored(item.client_id, row.id, "stored", where.hash)
    return [results[item.client_id] for item in inputs]


def _units(session: Session, mission: Mission, codes: set[str]) -> dict[str, Unit]:
    return {
        u.code: u
        for u in session.scalars(
            select(Unit).where(Unit.election_id == mission.election_id, Unit.code.in_(codes))
        )
    }


def parse_submission(document: object, number: int) -> SubmissionInput:
    """A submission from its JSON form (one object of a file or a request)."""
    if not isinstance(document, Mapping):
        raise ImportRejected("submissions file", [f"item {number}: must be a JSON object"])
    answers = document.get("answers")
    if not isinstance(answers, Mapping):
        raise ImportRejected(
            "submissions file", [f"item {number}: field answers must be an object"]
        )
    return SubmissionInput(
        client_id=str(document.get("client_id") or ""),
        form=str(document.get("form") or ""),
        unit=str(document.get("unit") or ""),
        arrived_at=str(document.get("arrived_at") or ""),
        departed_at=(str(document["departed_at"]) if document.get("departed_at") else None),
        team=(str(document["team"]) if document.get("team") else None),
        answers=dict(answers),
    )


def list_submissions(
    session: Session,
    mission: Mission,
    form: str,
    question: str | None = None,
    answer: str | None = None,
    limit: int = 2000,
) -> list[dict[str, object]]:
    """Submissions of a form (those answering `question` with `answer`, when given; `answer`
    may list several, comma-separated): the observations behind a published figure, so a
    reader can check it."""
    wanted = set(answer.split(",")) if answer else None
    rows = session.execute(
        select(Submission, Unit.code)
        .join(ChecklistForm, ChecklistForm.id == Submission.form_id)
        .join(Unit, Unit.id == Submission.unit_id)
        .where(Submission.mission_id == mission.id, ChecklistForm.code == form)
        .order_by(Submission.id)
    ).all()
    listed = []
    for submission, unit in rows:
        answers = json.loads(submission.answers)
        if question is not None and (
            question not in answers or (wanted is not None and str(answers[question]) not in wanted)
        ):
            continue
        listed.append(
            {
                "id": submission.id,
                "client_id": submission.client_id,
                "unit": unit,
                "team": submission.team,
                "arrived_at": submission.arrived_at,
                "answer": answers.get(question) if question else None,
                "audit_hash": submission.audit_hash,
            }
        )
        if len(listed) >= limit:
            break
    return listed


def observed_unit_ids(session: Session, election_id: int) -> set[int]:
    """Units (polling stations) that any mission of the election visited with a checklist.

    Comparing observed with unobserved stations is the classic measure of what observers'
    presence changes (Hyde 2007; Enikolopov et al. 2013).
    """
    return set(
        session.scalars(
            select(Submission.unit_id)
            .join(Mission, Mission.id == Submission.mission_id)
            .where(Mission.election_id == election_id)
            .distinct()
        )
    )
