"""Checking the results tables against the audit chain (the second half of `audit verify`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election
from saylau.administration.service import profile_of
from saylau.domain.errors import ProfileError
from saylau.results.reads import decisions, election_values, histories
from saylau.results.records import decision_entity, event_payload, protocol_entity


def audit_mismatches(
    session: Session, latest: Mapping[str, tuple[int, str, Mapping[str, Any]]]
) -> list[str]:
    """Compare every current protocol and decision with its last event in the audit chain.

    A row changed with plain SQL behind the application's back no longer matches the event
    that recorded it; a row with no event, or an event whose row is gone, is reported too.
    """
    problems: list[str] = []
    checked: set[str] = set()
    for election in session.scalars(select(Election)):
        try:
            profile = profile_of(election)
        except ProfileError as exc:
            problems.append(f"election {election.code}: its stored profile is unreadable: {exc}")
            continue
        codes = {line.no: line.code for line in profile.lines}
        values = election_values(session, election)
        in_force = [
            version
            for versions in histories(session, election).values()
            for version in versions
            if version.in_force
        ]
        for version in sorted(in_force, key=lambda v: v.pec):
            pec = version.pec
            entity = protocol_entity(election, pec)
            checked.add(entity)
            recorded = latest.get(entity)
            if recorded is None:
                problems.append(f"PEC {pec} protocol has no event in the audit log")
                continue
            seq, _, payload = recorded
            lines = {
                codes.get(no, f"#{no}"): value for no, value in values.get(version.id, {}).items()
            }
            actual = event_payload(
                election,
                pec,
                version.number,
                lines,
                json.loads(version.explanations),
                version.entered_by,
                version.decision.reference() if version.decision else None,
                version.reason,
            )
            if version.audit_seq != seq:
                problems.append(
                    f"PEC {pec} protocol version {version.number} claims audit event "
                    f"{version.audit_seq} but its last event is {seq}"
                )
            for key in sorted(set(actual) | set(payload)):
                if actual.get(key) != payload.get(key):
                    problems.append(_difference(pec, key, actual.get(key), payload.get(key), seq))
        for decision in decisions(session, election):
            entity = decision_entity(election, decision.id)
            checked.add(entity)
            recorded = latest.get(entity)
            expected = {
                "election": election.code,
                **decision.reference(),
                "recorded_by": decision.recorded_by,
            }
            if recorded is None:
                problems.append(f"decision {decision.id} has no event in the audit log")
            elif recorded[2] != expected:
                problems.append(f"decision {decision.id} differs from audit event {recorded[0]}")
        for entity, (seq, kind, _) in latest.items():
            if entity.startswith(f"{election.code}/protocol/") and entity not in checked:
                problems.append(f"audit event {seq} ({kind}) records {entity}, which is missing")
            if entity.startswith(f"{election.code}/decision/") and entity not in checked:
                problems.append(f"audit event {seq} ({kind}) records {entity}, which is missing")
    return problems


def _difference(pec: str, key: str, actual: Any, recorded: Any, seq: int) -> str:
    if key == "lines" and isinstance(actual, dict) and isinstance(recorded, dict):
        changed = [
            f"{code} is {actual.get(code)} but was recorded as {recorded.get(code)}"
            for code in sorted(set(actual) | set(recorded))
            if actual.get(code) != recorded.get(code)
        ]
        return f"PEC {pec} protocol differs from audit event {seq}: " + "; ".join(changed)
    return (
        f"PEC {pec} protocol field {key} is {actual!r} but audit event {seq} recorded {recorded!r}"
    )
