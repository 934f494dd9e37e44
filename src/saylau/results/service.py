"""Service functions of the results context: entering, amending and reading PEC protocols.

Every write goes through here (CLI, API and scenario builder alike), inside the caller's unit of
work: a batch with one bad protocol raises before anything is written, and the audit event of an
accepted protocol is committed in the same transaction as the protocol itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit, UnitAncestor
from saylau.administration.service import profile_of
from saylau.audit.chain import canonical_json
from saylau.audit.service import NewEvent, append, append_many, now_iso
from saylau.domain.errors import NotFound, ProtocolRejected
from saylau.domain.profile import Profile
from saylau.domain.protocol import RelationCheck, judge
from saylau.results.models import Decision, Protocol, ProtocolValue, ProtocolVersion

DOCUMENT_KEYS = {"election", "pec", "version", "lines", "explanations", "flags"}


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


def protocol_entity(election: Election, pec: str) -> str:
    return f"{election.code}/protocol/{pec}"


def decision_entity(election: Election, decision_id: int) -> str:
    return f"{election.code}/decision/{decision_id}"


def parse_document(document: Any, election: Election, pec: str | None = None) -> ProtocolInput:
    """Read the JSON form that `protocol show --json` prints back into a `ProtocolInput`.

    `flags` (which show prints) is accepted and ignored: flags are derived, never entered.
    """
    label = pec or (document.get("pec") if isinstance(document, Mapping) else None) or "?"
    if not isinstance(document, Mapping):
        raise ProtocolRejected(label, ["the file must hold one JSON object"])
    problems: list[str] = []
    unknown = set(document) - DOCUMENT_KEYS
    if unknown:
        problems.append(f"unknown field(s) {sorted(unknown)}; allowed: {sorted(DOCUMENT_KEYS)}")
    if document.get("election", election.code) != election.code:
        problems.append(
            f"field election is {document.get('election')!r} but this is {election.code!r}"
        )
    doc_pec = document.get("pec")
    if pec is None and not isinstance(doc_pec, str):
        problems.append("field pec is missing")
    if pec is not None and doc_pec is not None and doc_pec != pec:
        problems.append(f"field pec is {doc_pec!r} but the command names PEC {pec}")
    lines = document.get("lines")
    if not isinstance(lines, Mapping):
        problems.append("field lines must be an object of line code -> count")
        lines = {}
    explanations = document.get("explanations") or {}
    if not isinstance(explanations, Mapping) or not all(
        isinstance(v, str) for v in explanations.values()
    ):
        problems.append("field explanations must be an object of relation code -> text")
        explanations = {}
    version = document.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        problems.append("field version must be a whole number")
    if problems:
        raise ProtocolRejected(label, problems)
    return ProtocolInput(str(pec or doc_pec), dict(lines), dict(explanations), version)


def _pec_ids(session: Session, election: Election, codes: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    wanted = list(dict.fromkeys(codes))
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        found.update(
            session.execute(
                select(Unit.code, Unit.id).where(
                    Unit.election_id == election.id, Unit.kind == "pec", Unit.code.in_(chunk)
                )
            ).all()
        )
    return found


def _current_values(
    session: Session, profile: Profile, version_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    codes = {line.no: line.code for line in profile.lines}
    values: dict[int, dict[str, int]] = {vid: {} for vid in version_ids}
    for start in range(0, len(version_ids), 5000):
        chunk = list(version_ids[start : start + 5000])
        for version_id, line_no, value in session.execute(
            select(ProtocolValue.version_id, ProtocolValue.line_no, ProtocolValue.value).where(
                ProtocolValue.version_id.in_(chunk)
            )
        ):
            values[version_id][codes.get(line_no, f"#{line_no}")] = value
    return values


def _existing(
    session: Session, election: Election, pec_ids: Sequence[int]
) -> dict[int, tuple[Protocol, ProtocolVersion]]:
    existing: dict[int, tuple[Protocol, ProtocolVersion]] = {}
    for start in range(0, len(pec_ids), 5000):
        chunk = list(pec_ids[start : start + 5000])
        rows = session.execute(
            select(Protocol, ProtocolVersion)
            .join(
                ProtocolVersion,
                (ProtocolVersion.protocol_id == Protocol.id)
                & (ProtocolVersion.number == Protocol.current_number),
            )
            .where(Protocol.election_id == election.id, Protocol.pec_id.in_(chunk))
        ).all()
        for protocol, version in rows:
            existing[protocol.pec_id] = (protocol, version)
    return existing


def _payload(
    election: Election,
    pec: str,
    version: int,
    lines: Mapping[str, int],
    explanations: Mapping[str, str],
    entered_by: str,
    decision: Mapping[str, Any] | None,
    reason: str | None,
) -> dict[str, Any]:
    """The audit payload of a protocol version: everything a reader needs to check it."""
    return {
        "election": election.code,
        "pec": pec,
        "version": version,
        "lines": dict(lines),
        "explanations": dict(explanations),
        "entered_by": entered_by,
        "decision": dict(decision) if decision else None,
        "reason": reason,
    }


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
    pec_ids = _pec_ids(session, election, [i.pec for i in inputs])
    existing = _existing(session, election, list(pec_ids.values()))
    stored_values = _current_values(session, profile, [v.id for _, v in existing.values()])
    seen: set[str] = set()
    results: dict[str, Accepted] = {}
    fresh: list[tuple[ProtocolInput, tuple[str, ...]]] = []
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
        flags = tuple(check.relation.code for check in verdict.flags)
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
                mine.append(
                    f"already has an accepted protocol (version {version.number}); a change "
                    "needs an amendment with a decision (saylau results amend)"
                )
            continue
        if item.version not in (None, 1):
            mine.append(f"a new protocol is version 1, not {item.version}")
            continue
        fresh.append((item, flags))
    bad = {pec: p for pec, p in problems.items() if p}
    if bad:
        if len(bad) == 1:
            pec, listed = next(iter(bad.items()))
            raise ProtocolRejected(pec, listed)
        summary = [f"PEC {pec}: " + "; ".join(listed) for pec, listed in bad.items()]
        raise ProtocolRejected(f"batch of {len(inputs)} ({len(bad)} refused)", summary)
    if fresh:
        for accepted in _write_first_versions(session, election, profile, fresh, entered_by):
            results[accepted.pec] = accepted
    return [results[i.pec] for i in inputs]


def _write_first_versions(
    session: Session,
    election: Election,
    profile: Profile,
    fresh: Sequence[tuple[ProtocolInput, tuple[str, ...]]],
    entered_by: str,
) -> list[Accepted]:
    pec_ids = _pec_ids(session, election, [item.pec for item, _ in fresh])
    events = [
        NewEvent(
            "protocol.accepted",
            protocol_entity(election, item.pec),
            _payload(
                election,
                item.pec,
                1,
                {code: int(item.lines[code]) for code in profile.line_codes},  # type: ignore[call-overload]
                item.explanations,
                entered_by,
                None,
                None,
            ),
        )
        for item, _ in fresh
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
    _insert_values(
        session, profile, zip(version_ids, (item.lines for item, _ in fresh), strict=True)
    )
    return [
        Accepted(item.pec, 1, where.hash, "accepted", flags)
        for (item, flags), where in zip(fresh, placed, strict=True)
    ]


def _insert_values(session: Session, profile: Profile, versions: Any) -> None:
    rows = [
        {"version_id": version_id, "line_no": line.no, "value": int(lines[line.code])}
        for version_id, lines in versions
        for line in profile.lines
    ]
    for start in range(0, len(rows), 50_000):
        session.execute(insert(ProtocolValue), rows[start : start + 50_000])


def _protocol_of(
    session: Session, election: Election, pec: str
) -> tuple[Unit, Protocol, ProtocolVersion]:
    unit = session.scalar(
        select(Unit).where(Unit.election_id == election.id, Unit.code == pec, Unit.kind == "pec")
    )
    if unit is None:
        raise NotFound(f"no PEC {pec} in election {election.code}")
    found = _existing(session, election, [unit.id]).get(unit.id)
    if found is None:
        raise NotFound(f"PEC {pec} has no accepted protocol yet")
    return unit, *found


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
    unit, protocol, current = _protocol_of(session, election, pec)
    problems = []
    if item.pec != pec:
        problems.append(f"the document is for PEC {item.pec}, not {pec}")
    if item.version is not None and item.version != current.number:
        problems.append(
            f"the document amends version {item.version} but version {current.number} is "
            "current: re-read the protocol and amend that"
        )
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
    lines = {code: int(item.lines[code]) for code in profile.line_codes}  # type: ignore[call-overload]
    placed = append(
        session,
        NewEvent(
            "protocol.amended",
            protocol_entity(election, pec),
            _payload(
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
    _insert_values(session, profile, [(version.id, lines)])
    session.execute(
        update(Protocol).where(Protocol.id == protocol.id).values(current_number=number)
    )
    flags = tuple(check.relation.code for check in verdict.flags)
    return Accepted(pec, number, placed.hash, "amended", flags)


def _flag_documents(
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
    _, _, version = _protocol_of(session, election, pec)
    values = _current_values(session, profile, [version.id])[version.id]
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
    _, protocol, _ = _protocol_of(session, election, pec)
    rows = session.execute(
        select(ProtocolVersion, Decision, Unit.code)
        .outerjoin(Decision, Decision.id == ProtocolVersion.decision_id)
        .outerjoin(Unit, Unit.id == Decision.body_unit_id)
        .where(ProtocolVersion.protocol_id == protocol.id)
        .order_by(ProtocolVersion.number)
    ).all()
    values = _current_values(session, profile, [v.id for v, _, _ in rows])
    history = []
    for version, decision, body in rows:
        history.append(
            {
                "version": version.number,
                "current": version.number == protocol.current_number,
                "entered_by": version.entered_by,
                "decision": (
                    {"id": decision.id, "body": body, "text": decision.text}
                    if decision is not None
                    else None
                ),
                "reason": version.reason,
                "time": version.created_at,
                "audit_seq": version.audit_seq,
                "audit_hash": version.audit_hash,
                "lines": values[version.id],
                "explanations": json.loads(version.explanations),
            }
        )
    return history


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
        profile = profile_of(election)
        codes = {line.no: line.code for line in profile.lines}
        rows = session.execute(
            select(Unit.code, Protocol.current_number, ProtocolVersion, Decision, Unit)
            .select_from(Protocol)
            .join(Unit, Unit.id == Protocol.pec_id)
            .join(ProtocolVersion, ProtocolVersion.protocol_id == Protocol.id)
            .outerjoin(Decision, Decision.id == ProtocolVersion.decision_id)
            .where(Protocol.election_id == election.id)
            .order_by(Unit.code, ProtocolVersion.number)
        ).all()
        by_version: dict[int, dict[str, int]] = {}
        for version_id, line_no, value in session.execute(
            select(ProtocolValue.version_id, ProtocolValue.line_no, ProtocolValue.value)
            .join(ProtocolVersion, ProtocolVersion.id == ProtocolValue.version_id)
            .join(Protocol, Protocol.id == ProtocolVersion.protocol_id)
            .where(Protocol.election_id == election.id)
        ):
            by_version.setdefault(version_id, {})[codes.get(line_no, f"#{line_no}")] = value
        bodies = dict(
            session.execute(
                select(Unit.id, Unit.code).where(
                    Unit.election_id == election.id, Unit.kind != "pec"
                )
            ).all()
        )
        for pec, current_number, version, decision, _unit in rows:
            if version.number != current_number:
                continue
            entity = protocol_entity(election, pec)
            checked.add(entity)
            recorded = latest.get(entity)
            if recorded is None:
                problems.append(f"PEC {pec} protocol has no event in the audit log")
                continue
            seq, _, payload = recorded
            decision_doc = (
                {
                    "id": decision.id,
                    "body": bodies.get(decision.body_unit_id),
                    "text": decision.text,
                }
                if decision is not None
                else None
            )
            actual = _payload(
                election,
                pec,
                version.number,
                by_version.get(version.id, {}),
                json.loads(version.explanations),
                version.entered_by,
                decision_doc,
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
        for decision in session.scalars(
            select(Decision).where(Decision.election_id == election.id)
        ):
            entity = decision_entity(election, decision.id)
            checked.add(entity)
            recorded = latest.get(entity)
            expected = {
                "election": election.code,
                "id": decision.id,
                "body": bodies.get(decision.body_unit_id),
                "text": decision.text,
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


def flagged_protocols(
    session: Session, election: Election, unit_id: int | None = None
) -> list[dict[str, Any]]:
    """Every current protocol (below `unit_id`, if given) that breaks an explain-relation.

    These were accepted only with an explanation; listing them together is how observers and
    journalists find, say, every PEC where more ballots were in the boxes than were issued.
    """
    profile = profile_of(election)
    stmt = (
        select(Unit.code, Unit.name_en, ProtocolVersion)
        .select_from(Protocol)
        .join(Unit, Unit.id == Protocol.pec_id)
        .join(
            ProtocolVersion,
            (ProtocolVersion.protocol_id == Protocol.id)
            & (ProtocolVersion.number == Protocol.current_number),
        )
        .where(Protocol.election_id == election.id)
        .order_by(Unit.code)
    )
    if unit_id is not None:
        stmt = stmt.join(UnitAncestor, UnitAncestor.unit_id == Protocol.pec_id).where(
            UnitAncestor.ancestor_id == unit_id
        )
    rows = session.execute(stmt).all()
    values = _current_values(session, profile, [version.id for _, _, version in rows])
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
                    "flags": _flag_documents(verdict.flags, explanations),
                }
            )
    return flagged
