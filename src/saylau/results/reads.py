"""Reading protocols: the one place that knows which version of a protocol is in force.

A protocol keeps every version it ever had (the accepted original and each amendment with its
decision) and `protocol.current_number` names the one in force. Tabulation, documents,
verification, publication, the quick count's frame, turnout reconciliation and analytics all
need some cut of that: the values in force, one PEC's history, every history with its
decisions, the first version's totals. Each used to write its own join, so a change to how "in
force" is chosen (a version awaiting confirmation, say) would have had to be made, and missed,
in seven places. Here it is written once, as composable selects and small reading functions,
and the other contexts read protocols only through this module, never the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased

from saylau.administration.models import Election, Unit, UnitAncestor
from saylau.domain.errors import NotFound
from saylau.domain.profile import Profile
from saylau.results.models import Decision, Protocol, ProtocolValue, ProtocolVersion

# IN-lists are sent in chunks: SQLite caps the number of bound parameters per statement.
CHUNK = 5000


def in_force() -> ColumnElement[bool]:
    """The join condition of a protocol with its version in force: the one definition."""
    return (ProtocolVersion.protocol_id == Protocol.id) & (
        ProtocolVersion.number == Protocol.current_number
    )


def current_values_select(election_id: int) -> Select[int, int, int]:
    """(unit_id, line_no, value) of every PEC's version in force: the rows tabulation sums.

    Returned as a select, not rows, so tabulation can wrap it in its GROUP BY over the
    ancestry closure and the database does the summing.
    """
    return (
        select(
            Protocol.pec_id.label("unit_id"),
            ProtocolValue.line_no.label("line_no"),
            ProtocolValue.value.label("value"),
        )
        .select_from(Protocol)
        .join(ProtocolVersion, in_force())
        .join(ProtocolValue, ProtocolValue.version_id == ProtocolVersion.id)
        .where(Protocol.election_id == election_id)
    )


def reported_pecs_select(election_id: int) -> Select[int]:
    """The PEC id of every protocol of an election: a PEC has reported once it has one."""
    return select(Protocol.pec_id.label("pec_id")).where(Protocol.election_id == election_id)


def current_pec_lines(session: Session, election: Election) -> dict[int, dict[int, int]]:
    """{PEC id: {line number: value}} of every PEC's protocol version in force.

    The per-station view of the numbers the totals are summed from: what integrity analytics,
    turnout reconciliation and the synthetic register's sizes read.
    """
    lines: dict[int, dict[int, int]] = {}
    for unit_id, line_no, value in session.execute(current_values_select(election.id)):
        lines.setdefault(unit_id, {})[line_no] = int(value)
    return lines


def current_versions(
    session: Session, election: Election, pec_ids: Sequence[int]
) -> dict[int, tuple[Protocol, ProtocolVersion]]:
    """{PEC id: (protocol, its version in force)} for the PECs that have a protocol.

    The ORM rows, because the results services that call it go on to write a new version.
    """
    existing: dict[int, tuple[Protocol, ProtocolVersion]] = {}
    for start in range(0, len(pec_ids), CHUNK):
        chunk = list(pec_ids[start : start + CHUNK])
        rows = session.execute(
            select(Protocol, ProtocolVersion)
            .join(ProtocolVersion, in_force())
            .where(Protocol.election_id == election.id, Protocol.pec_id.in_(chunk))
        ).all()
        for protocol, version in rows:
            existing[protocol.pec_id] = (protocol, version)
    return existing


def find_current(
    session: Session, election: Election, pec: str
) -> tuple[Unit, Protocol, ProtocolVersion]:
    """A PEC with its protocol and the version in force; NotFound names what is missing."""
    unit = session.scalar(
        select(Unit).where(Unit.election_id == election.id, Unit.code == pec, Unit.kind == "pec")
    )
    if unit is None:
        raise NotFound(f"no PEC {pec} in election {election.code}")
    found = current_versions(session, election, [unit.id]).get(unit.id)
    if found is None:
        raise NotFound(f"PEC {pec} has no accepted protocol yet")
    return unit, *found


def version_values(
    session: Session, profile: Profile, version_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    """{version id: {line code: value}}; a stored line the profile lacks shows as `#number`."""
    codes = {line.no: line.code for line in profile.lines}
    values: dict[int, dict[str, int]] = {vid: {} for vid in version_ids}
    for start in range(0, len(version_ids), CHUNK):
        chunk = list(version_ids[start : start + CHUNK])
        for version_id, line_no, value in session.execute(
            select(ProtocolValue.version_id, ProtocolValue.line_no, ProtocolValue.value).where(
                ProtocolValue.version_id.in_(chunk)
            )
        ):
            values[version_id][codes.get(line_no, f"#{line_no}")] = value
    return values


def election_values(session: Session, election: Election) -> dict[int, dict[int, int]]:
    """{version id: {line number: value}} of every version of every protocol of an election,
    in one join rather than IN-lists: publication and verification read them all."""
    values: dict[int, dict[int, int]] = {}
    for version_id, line_no, value in session.execute(
        select(ProtocolValue.version_id, ProtocolValue.line_no, ProtocolValue.value)
        .join(ProtocolVersion, ProtocolVersion.id == ProtocolValue.version_id)
        .join(Protocol, Protocol.id == ProtocolVersion.protocol_id)
        .where(Protocol.election_id == election.id)
    ):
        values.setdefault(version_id, {})[line_no] = int(value)
    return values


@dataclass(frozen=True)
class DecisionRecord:
    """A commission's decision as readers see it: `body` is the deciding commission's code."""

    id: int
    body: str | None
    text: str
    recorded_by: str
    created_at: str

    def reference(self) -> dict[str, object]:
        """The decision as an amendment names it (in its audit event and its history)."""
        return {"id": self.id, "body": self.body, "text": self.text}


@dataclass(frozen=True)
class VersionRecord:
    """One version of a PEC's protocol with the decision that made it (None for the original).

    `current_number` is the protocol's version in force, so a reader can tell this version's
    standing without a second query; `explanations` is the stored JSON text.
    """

    id: int
    pec_id: int
    pec: str
    number: int
    current_number: int
    entered_by: str
    reason: str | None
    explanations: str
    created_at: str
    audit_seq: int
    audit_hash: str
    decision: DecisionRecord | None

    @property
    def in_force(self) -> bool:
        return self.number == self.current_number


def histories(
    session: Session, election: Election, pec_id: int | None = None
) -> dict[int, list[VersionRecord]]:
    """{PEC id: every version of its protocol, oldest first, with decisions}, for the whole
    election or one PEC: what publication, verification and `results history` show.

    Plain columns rather than ORM rows: the whole election's history is read at every chain
    head, and the records are handed to other contexts, which must not hold results' rows.
    """
    pec = aliased(Unit)
    body = aliased(Unit)
    stmt = (
        select(
            ProtocolVersion.id,
            Protocol.pec_id,
            pec.code,
            ProtocolVersion.number,
            Protocol.current_number,
            ProtocolVersion.entered_by,
            ProtocolVersion.reason,
            ProtocolVersion.explanations,
            ProtocolVersion.created_at,
            ProtocolVersion.audit_seq,
            ProtocolVersion.audit_hash,
            Decision.id,
            body.code,
            Decision.text,
            Decision.recorded_by,
            Decision.created_at,
        )
        .select_from(Protocol)
        .join(pec, pec.id == Protocol.pec_id)
        .join(ProtocolVersion, ProtocolVersion.protocol_id == Protocol.id)
        .outerjoin(Decision, Decision.id == ProtocolVersion.decision_id)
        .outerjoin(body, body.id == Decision.body_unit_id)
        .where(Protocol.election_id == election.id)
        .order_by(Protocol.pec_id, ProtocolVersion.number)
    )
    if pec_id is not None:
        stmt = stmt.where(Protocol.pec_id == pec_id)
    found: dict[int, list[VersionRecord]] = {}
    for (
        version_id,
        pec_id,
        pec_code,
        number,
        current_number,
        entered_by,
        reason,
        explanations,
        created_at,
        audit_seq,
        audit_hash,
        decision_id,
        body_code,
        text,
        recorded_by,
        decided_at,
    ) in session.execute(stmt):
        decision = (
            None
            if decision_id is None
            else DecisionRecord(decision_id, body_code, text, recorded_by, decided_at)
        )
        found.setdefault(pec_id, []).append(
            VersionRecord(
                version_id,
                pec_id,
                pec_code,
                number,
                current_number,
                entered_by,
                reason,
                explanations,
                created_at,
                audit_seq,
                audit_hash,
                decision,
            )
        )
    return found


def history(session: Session, election: Election, pec: str) -> list[VersionRecord]:
    """Every version of one PEC's protocol, oldest first; NotFound when it has none."""
    unit, _, _ = find_current(session, election, pec)
    return histories(session, election, unit.id).get(unit.id, [])


def decisions(session: Session, election: Election) -> list[DecisionRecord]:
    """Every decision recorded in an election, amendment or not, in the order recorded."""
    body = aliased(Unit)
    rows = session.execute(
        select(Decision.id, body.code, Decision.text, Decision.recorded_by, Decision.created_at)
        .outerjoin(body, body.id == Decision.body_unit_id)
        .where(Decision.election_id == election.id)
        .order_by(Decision.id)
    )
    return [DecisionRecord(*row) for row in rows]


def current_versions_listed(
    session: Session, election: Election, below: int | None = None
) -> list[tuple[str, str, ProtocolVersion]]:
    """(PEC code, PEC name, version in force) of every protocol (below unit `below`, if
    given), in PEC code order: the list flagged protocols are picked from."""
    stmt = (
        select(Unit.code, Unit.name_en, ProtocolVersion)
        .select_from(Protocol)
        .join(Unit, Unit.id == Protocol.pec_id)
        .join(ProtocolVersion, in_force())
        .where(Protocol.election_id == election.id)
        .order_by(Unit.code)
    )
    if below is not None:
        stmt = stmt.join(UnitAncestor, UnitAncestor.unit_id == Protocol.pec_id).where(
            UnitAncestor.ancestor_id == below
        )
    return [(code, name, version) for code, name, version in session.execute(stmt)]


def first_version_totals(
    session: Session, election: Election, line_numbers: Sequence[int]
) -> dict[int, int]:
    """{PEC id: sum of the named lines in the first, accepted version of its protocol}.

    The first version, deliberately not the one in force: the quick count's sampling frame is
    published with its hash, and an amendment after the draw must not change it.
    """
    rows = session.execute(
        select(Protocol.pec_id, func.sum(ProtocolValue.value))
        .join(ProtocolVersion, ProtocolVersion.protocol_id == Protocol.id)
        .join(ProtocolValue, ProtocolValue.version_id == ProtocolVersion.id)
        .where(
            Protocol.election_id == election.id,
            ProtocolVersion.number == 1,
            ProtocolValue.line_no.in_(line_numbers),
        )
        .group_by(Protocol.pec_id)
    ).all()
    return {pec_id: int(total) for pec_id, total in rows}


def latest_version_times(
    session: Session, election: Election, unit_ids: Sequence[int]
) -> dict[int, str]:
    """{unit id: time of the newest protocol version (entry or amendment) below it}."""
    rows = session.execute(
        select(UnitAncestor.ancestor_id, func.max(ProtocolVersion.created_at))
        .select_from(Protocol)
        .join(ProtocolVersion, ProtocolVersion.protocol_id == Protocol.id)
        .join(UnitAncestor, UnitAncestor.unit_id == Protocol.pec_id)
        .where(Protocol.election_id == election.id, UnitAncestor.ancestor_id.in_(unit_ids))
        .group_by(UnitAncestor.ancestor_id)
    )
    return {unit_id: stamp for unit_id, stamp in rows}
