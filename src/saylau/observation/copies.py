"""Observers' copies of protocols against the official ones.

At counting, observers copy the figures of the protocol they saw signed and posted. The report
found protocols changed at TECs without a decision (section XIII); here every copy is compared
with the official protocol of that PEC, line by line, and every difference is listed with
what the official record says about it: the version in force, and whether any version came by
a recorded decision. A difference to a protocol that was never amended is the case to look at:
the figures were changed before or at entry, not by a decision anyone can read.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.domain.errors import NotFound
from saylau.observation.models import ChecklistForm, Mission, Submission
from saylau.results.documents import protocol_history

COPY_PREFIX = "copy_"


def copy_differences(session: Session, mission: Mission) -> dict[str, Any]:
    """Every line where an observer's copy differs from the official protocol in force."""
    election = session.get(Election, mission.election_id)
    assert election is not None
    rows = session.execute(
        select(Submission, Unit.code)
        .join(ChecklistForm, ChecklistForm.id == Submission.form_id)
        .join(Unit, Unit.id == Submission.unit_id)
        .where(Submission.mission_id == mission.id, ChecklistForm.code == "counting")
        .order_by(Unit.code, Submission.id)
    ).all()
    compared = 0
    missing: list[str] = []
    differences: list[dict[str, Any]] = []
    for submission, pec in rows:
        answers = json.loads(submission.answers)
        copy = {
            name[len(COPY_PREFIX) :]: value
            for name, value in answers.items()
            if name.startswith(COPY_PREFIX) and value not in (None, "")
        }
        if not copy:
            continue
        try:
            history = protocol_history(session, election, pec)
        except NotFound:
            missing.append(pec)
            continue
        compared += 1
        current = history[-1]
        amended_by = [v["decision"] for v in history if v["decision"] is not None]
        for line, seen in sorted(copy.items()):
            official = current["lines"].get(line)
            if official is not None and int(seen) != int(official):
                differences.append(
                    {
                        "pec": pec,
                        "submission": submission.id,
                        "team": submission.team,
                        "line": line,
                        "copy": int(seen),
                        "official": int(official),
                        "difference": int(official) - int(seen),
                        "official_version": current["version"],
                        "decisions": amended_by,
                        "explained_by_decision": bool(amended_by),
                    }
                )
    return {
        "mission": mission.code,
        "copies_compared": compared,
        "pecs_with_differences": sorted({d["pec"] for d in differences}),
        "unexplained": sorted({d["pec"] for d in differences if not d["explained_by_decision"]}),
        "no_official_protocol_yet": missing,
        "differences": differences,
    }
