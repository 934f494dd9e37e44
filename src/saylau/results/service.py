"""Service functions of the results context: entering and amending PEC protocols.

Every write goes through here (CLI, API and scenario builder alike), inside the caller's unit of
work: a batch with one bad protocol raises before anything is written, and the audit event of an
accepted protocol is committed in the same transaction as the protocol itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NoReturn

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import profile_of
from saylau.audit.chain import canonical_json
from saylau.audit.service import NewEvent, append, append_many, now_iso
from saylau.domain.errors import Problem, ProtocolConflict, ProtocolRejected
from saylau.domain.profile import Profile
from saylau.domain.protocol import Verdict, judge
from saylau.results.models import Decision, Protocol, ProtocolVersion
from saylau.results.reads import current_versions, find_current, version_values
from saylau.results.records import (
    decision_entity,
    event_payload,
    insert_values,
    pec_ids_by_code,
    protocol_entity,
)


@dataclass(frozen=True)
class ProtocolInput:
    """A protocol as an operator enters it: line values by code, explanations by relation."""

    pec: str
    lines: Mapping[str, object]
    explanations: Mapping[str, str] = field(default_factory=dict)
    version: int | None = None


@dataclass(frozen=True)
class Accepted:
    """What happened to one submitted protocol."""

    pec: str
    version: int
    audit_hash: str
    status: str  # accepted | unchanged
    flags: tuple[str, ...] = ()


def submit_protocols(
    session: Session,
    election: Election,
    inputs: Sequence[ProtocolInput],
    entered_by: str,
) -> list[Accepted]:
    """Accept new protocols, all or none.

    Resending a protocol identical to the stored one returns the stored one (a retry on a bad
    line must not fail); a different protocol for a PEC that already has one is refused: an
    accepted protocol changes only by amendment with a decision.
    """
    profile = profile_of(election)
    entered_by = entered_by.strip()
    problems: dict[str, list[str]] = {}
    if not entered_by:
        problems.setdefault("(batch)", []).append("the person entering protocols must be named")
    pec_ids = pec_ids_by_code(session, election, [i.pec for i in inputs])
    existing = current_versions(session, election, list(pec_ids.values()))
    stored_values = version_values(session, profile, [v.id for _, v in existing.values()])
    seen: set[str] = set()
    conflicting: set[str] = set()
    results: dict[str, Accepted] = {}
    fresh: list[tuple[ProtocolInput, Verdict]] = []
    for item in inputs:
        mine = problems.setdefault(item.pec, [])
        if item.pec in seen:
            mine.append("the batch holds this PEC twice")
            continue
        seen.add(item.pec)
        if item.pec not in pec_ids:
            mine.append(f"no PEC {item.pec} in election {election.code}")
            continue
        verdict = judge(profile, item.lines, item.explanations)
        mine.extend(verdict.problems)
        if verdict.problems:
            continue
        flags = _flag_codes(verdict)
        current = existing.get(pec_ids[item.pec])
        if current is not None:
            _, version = current
            same = stored_values[version.id] == dict(item.lines) and json.loads(
                version.explanations
            ) == dict(item.explanations)
            if same:
                results[item.pec] = Accepted(
                    item.pec, version.number, version.audit_hash, "unchanged", flags
                )
            else:
                conflicting.add(item.pec)
                mine.append(
                    f"already has an accepted protocol (version {version.number}); a change "
                    "needs an amendment with a decision (saylau results amend)"
                )
            continue
        if item.version not in (None, 1):
            mine.append(f"field version: a new protocol is version 1, not {item.version}")
            continue
        fresh.append((item, verdict))
    bad = {pec: p for pec, p in problems.items() if p}
    if bad:
        _refuse(bad, conflicting, len(inputs))
    if fresh:
        for accepted in _write_first_versions(session, election, profile, fresh, entered_by):
            results[accepted.pec] = accepted
    return [results[i.pec] for i in inputs]


def _refuse(bad: Mapping[str, list[str]], conflicting: set[str], count: int) -> NoReturn:
    """Refuse a batch: a conflict (409) when every refused PEC conflicts with what is stored,
    a rule broken (422) otherwise."""
    kind = ProtocolConflict if set(bad) <= conflicting else ProtocolRejected
    if len(bad) == 1:
        pec, listed = next(iter(bad.items()))
        raise kind(pec, listed)
    summary = [
        Problem(f"PEC {pec}", "; ".join(str(p) for p in listed)) for pec, listed in bad.items()
    ]
    raise kind(f"batch of {count} ({len(bad)} refused)", summary)


def _write_first_versions(
    session: Session,
    election: Election,
    profile: Profile,
    fresh: Sequence[tuple[ProtocolInput, Verdict]],
    entered_by: str,
) -> list[Accepted]:
    pec_ids = pec_ids_by_code(session, election, [item.pec for item, _ in fresh])
    events = [
        NewEvent(
            "protocol.accepted",
            protocol_entity(election, item.pec),
            event_payload(
                election,
                item.pec,
                1,
                dict(verdict.counts),
                item.explanations,
                entered_by,
                None,
                None,
            ),
        )
        for item, verdict in fresh
    ]
    placed = append_many(session, events)
    created_at = now_iso()
    protocol_ids = (
        session.execute(
            insert(Protocol).returning(Protocol.id, sort_by_parameter_order=True),
            [
                {"election_id": election.id, "pec_id": pec_ids[item.pec], "current_number": 1}
                for item, _ in fresh
            ],
        )
        .scalars()
        .all()
    )
    version_ids = (
        session.execute(
            insert(ProtocolVersion).returning(ProtocolVersion.id, sort_by_parameter_order=True),
            [
                {
                    "protocol_id": protocol_id,
                    "number": 1,
                    "entered_by": entered_by,
                    "decision_id": None,
                    "reason": None,
                    "explanations": canonical_json(dict(item.explanations)),
                    "created_at": created_at,
                    "audit_seq": where.seq,
                    "audit_hash": where.hash,
                }
                for (item, _), protocol_id, where in zip(fresh, protocol_ids, placed, strict=True)
            ],
        )
        .scalars()
        .all()
    )
    insert_values(
        session, profile, zip(version_ids, (verdict.counts for _, verdict in fresh), strict=True)
    )
    return [
        Accepted(item.pec, 1, where.hash, "accepted", _flag_codes(verdict))
        for (item, verdict), where in zip(fresh, placed, strict=True)
    ]


def _flag_codes(verdict: Verdict) -> tuple[str, ...]:
    return tuple(check.relation.code for check in verdict.flags)


def amend_protocol(
    session: Session,
    election: Election,
    pec: str,
    item: ProtocolInput,
    decision: str,
    by: str,
    reason: str,
) -> Accepted:
    """Change an accepted protocol by a recorded decision of the PEC's territorial commission.

    The report found protocols modified at TECs without a formal decision (section XIII); here
    there is no other way to change one. The decision is recorded and chained first, then the new
    version, which names it. An amendment that keeps every figure (a recount that confirms the
    count) is accepted and recorded too. A `version` in the document must be the current one, so
    two operators amending at once cannot overwrite each other unseen.
    """
    profile = profile_of(election)
    missing = [
        name
        for name, value in (("decision", decision), ("by", by), ("reason", reason))
        if not (value or "").strip()
    ]
    if missing:
        raise ProtocolRejected(
            pec, [f"an amendment needs a recorded {', '.join(missing)} (none given)"]
        )
    unit, protocol, current = find_current(session, election, pec)
    problems: list[Problem | str] = []
    if item.pec != pec:
        problems.append(Problem("pec", f"the document is for PEC {item.pec}, not {pec}"))
    if item.version is not None and item.version != current.number:
        stale = Problem(
            "version",
            f"the document amends version {item.version} but version {current.number} is "
            "current: re-read the protocol and amend that",
        )
        raise ProtocolConflict(pec, [stale])
    verdict = judge(profile, item.lines, item.explanations)
    problems.extend(verdict.problems)
    if problems:
        raise ProtocolRejected(pec, problems)
    body = session.get(Unit, unit.parent_id) if unit.parent_id else unit
    assert body is not None
    created_at = now_iso()
    record = Decision(
        election_id=election.id,
        body_unit_id=body.id,
        text=decision.strip(),
        recorded_by=by.strip(),
        created_at=created_at,
        audit_seq=0,
    )
    session.add(record)
    session.flush()
    decision_doc = {"id": record.id, "body": body.code, "text": record.text}
    decided = append(
        session,
        NewEvent(
            "decision.recorded",
            decision_entity(election, record.id),
            {"election": election.code, **decision_doc, "recorded_by": record.recorded_by},
        ),
    )
    record.audit_seq = decided.seq
    number = current.number + 1
    lines = dict(verdict.counts)
    placed = append(
        session,
        NewEvent(
            "protocol.amended",
            protocol_entity(election, pec),
            event_payload(
                election,
                pec,
                number,
                lines,
                item.explanations,
                by.strip(),
                decision_doc,
                reason.strip(),
            ),
        ),
    )
    version = ProtocolVersion(
        protocol_id=protocol.id,
        number=number,
        entered_by=by.strip(),
        decision_id=record.id,
        reason=reason.strip(),
        explanations=canonical_json(dict(item.explanations)),
        created_at=created_at,
        audit_seq=placed.seq,
        audit_hash=placed.hash,
    )
    session.add(version)
    session.flush()
    insert_values(session, profile, [(version.id, lines)])
    session.execute(
        update(Protocol).where(Protocol.id == protocol.id).values(current_number=number)
    )
    return Accepted(pec, number, placed.hash, "amended", _flag_codes(verdict))
