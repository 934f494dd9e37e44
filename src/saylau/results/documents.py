"""Protocols as documents: the JSON form `protocol show` prints (results/document.py reads it
back), the version history, and the list of flagged protocols."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from saylau.administration.models import Election
from saylau.administration.service import profile_of
from saylau.domain.protocol import RelationCheck, judge
from saylau.results.reads import current_versions_listed, find_current, history, version_values


def flag_documents(
    flags: Sequence[RelationCheck], explanations: Mapping[str, str]
) -> list[dict[str, Any]]:
    return [
        {
            "relation": c.relation.code,
            "title": c.relation.title,
            "left": c.left,
            "right": c.right,
            "explanation": explanations.get(c.relation.code),
        }
        for c in flags
    ]


def protocol_document(session: Session, election: Election, pec: str) -> dict[str, Any]:
    """A PEC's current protocol in the form `submit` and `amend` accept (plus derived flags)."""
    profile = profile_of(election)
    _, _, version = find_current(session, election, pec)
    values = version_values(session, profile, [version.id])[version.id]
    explanations = json.loads(version.explanations)
    verdict = judge(profile, values, explanations)
    return {
        "election": election.code,
        "pec": pec,
        "version": version.number,
        "lines": {code: values[code] for code in profile.line_codes if code in values},
        "explanations": explanations,
        "flags": [
            {
                "relation": c.relation.code,
                "title": c.relation.title,
                "left": c.left,
                "right": c.right,
                "explanation": explanations.get(c.relation.code),
            }
            for c in verdict.flags
        ],
    }


def protocol_history(session: Session, election: Election, pec: str) -> list[dict[str, Any]]:
    """Every version of a PEC's protocol, oldest first, with who, why, by which decision."""
    profile = profile_of(election)
    versions = history(session, election, pec)
    values = version_values(session, profile, [v.id for v in versions])
    return [
        {
            "version": version.number,
            "current": version.in_force,
            "entered_by": version.entered_by,
            "decision": version.decision.reference() if version.decision else None,
            "reason": version.reason,
            "time": version.created_at,
            "audit_seq": version.audit_seq,
            "audit_hash": version.audit_hash,
            "lines": values[version.id],
            "explanations": json.loads(version.explanations),
        }
        for version in versions
    ]


def flagged_protocols(
    session: Session, election: Election, unit_id: int | None = None
) -> list[dict[str, Any]]:
    """Every current protocol (below `unit_id`, if given) that breaks an explain-relation.

    These were accepted only with an explanation; listing them together is how observers and
    journalists find, say, every PEC where more ballots were in the boxes than were issued.
    """
    profile = profile_of(election)
    rows = current_versions_listed(session, election, unit_id)
    values = version_values(session, profile, [version.id for _, _, version in rows])
    flagged = []
    for code, name, version in rows:
        explanations = json.loads(version.explanations)
        verdict = judge(profile, values[version.id], explanations)
        if verdict.flags:
            flagged.append(
                {
                    "pec": code,
                    "name": name,
                    "version": version.number,
                    "flags": flag_documents(verdict.flags, explanations),
                }
            )
    return flagged
