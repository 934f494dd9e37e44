"""The review queue of probable duplicates: a person decides, saylau records the decision.

A pair found by `register/duplicates.py` is only a probability. A commission member looks at
both records side by side and decides: `different_people` (nothing else changes) or
`same_person`, naming the record to keep. The other record is then superseded: its status
becomes "superseded", its exclusion says whose record it duplicates, and a permanent
`register_change` row of kind "duplicate_resolved" says who decided, when and on which pair.
Nothing is ever decided automatically, and a decision is final: a decided pair cannot be
decided again (a mistaken decision is corrected by a new, recorded register change, not by
rewriting this one).

A record that already holds a ballot is never the one superseded: that would take a ballot
out of every count of who voted while the ballot stays in the box. If the record to drop holds
a ballot, the decision is refused and the reviewer keeps that record instead; if both records
hold ballots, one person was given two ballots, which is a matter for the commission's
protocol and the complaints procedure, not for a register merge, and the decision is refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.audit.service import now_iso
from saylau.domain.errors import Conflict, NotFound, Rejected
from saylau.register.changes import log_change
from saylau.register.duplicates import PENDING, SUPERSEDED
from saylau.register.models import BallotIssue, DuplicatePair, Voter

SAME_PERSON = "same_person"
DIFFERENT_PEOPLE = "different_people"
STATUSES = (PENDING, SAME_PERSON, DIFFERENT_PEOPLE)
RESOLVED = "duplicate_resolved"


class DecisionRefused(Rejected):
    """A decision on a pair that the rules do not allow; nothing was written."""


@dataclass(frozen=True)
class RecordView:
    """One side of a pair, as the reviewer sees it."""

    voter_id: int
    iin: str
    family_name: str
    given_names: str
    birth_date: str
    sex: str
    address: str
    pec: str
    status: str
    ballot: str | None
    """Where and when a ballot was issued to this record, if one was."""


@dataclass(frozen=True)
class PairView:
    """A queued pair with both records side by side."""

    id: int
    probability: float
    status: str
    run: str
    found_at: str
    a: RecordView
    b: RecordView
    decided_by: str | None
    decided_at: str | None
    note: str | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _records(session: Session, ids: set[int]) -> dict[int, RecordView]:
    if not ids:
        return {}
    ballots = {
        voter_id: f"PEC {code} at {at}"
        for voter_id, code, at in session.execute(
            select(BallotIssue.voter_id, Unit.code, BallotIssue.issued_at)
            .join(Unit, Unit.id == BallotIssue.pec_id)
            .where(BallotIssue.voter_id.in_(ids))
        )
    }
    rows = session.execute(
        select(Voter, Unit.code).join(Unit, Unit.id == Voter.pec_id).where(Voter.id.in_(ids))
    )
    return {
        voter.id: RecordView(
            voter_id=voter.id,
            iin=voter.iin,
            family_name=voter.family_name,
            given_names=voter.given_names,
            birth_date=voter.birth_date.isoformat(),
            sex=voter.sex,
            address=voter.address,
            pec=code,
            status=voter.status,
            ballot=ballots.get(voter.id),
        )
        for voter, code in rows
    }


def _views(session: Session, pairs: list[DuplicatePair]) -> list[PairView]:
    records = _records(session, {p.voter_a_id for p in pairs} | {p.voter_b_id for p in pairs})
    return [
        PairView(
            id=p.id,
            probability=p.probability,
            status=p.status,
            run=p.run,
            found_at=p.found_at,
            a=records[p.voter_a_id],
            b=records[p.voter_b_id],
            decided_by=p.decided_by,
            decided_at=p.decided_at,
            note=p.note,
        )
        for p in pairs
    ]


def list_pairs(
    session: Session, election: Election, status: str | None = PENDING, limit: int | None = None
) -> list[PairView]:
    """Queued pairs (of one status, or all when None), most probable first."""
    if status is not None and status not in STATUSES:
        raise DecisionRefused(f"status {status!r}: must be one of {', '.join(STATUSES)}")
    query = select(DuplicatePair).where(DuplicatePair.election_id == election.id)
    if status is not None:
        query = query.where(DuplicatePair.status == status)
    query = query.order_by(DuplicatePair.probability.desc(), DuplicatePair.id).limit(limit)
    return _views(session, list(session.scalars(query)))


def get_pair(session: Session, election: Election, pair_id: int) -> PairView:
    pair = session.scalar(
        select(DuplicatePair).where(
            DuplicatePair.election_id == election.id, DuplicatePair.id == pair_id
        )
    )
    if pair is None:
        raise NotFound(f"no duplicate pair {pair_id} in election {election.code}")
    return _views(session, [pair])[0]


def decide(
    session: Session,
    election: Election,
    pair_id: int,
    *,
    same_person: bool,
    by: str,
    keep_iin: str | None = None,
    note: str | None = None,
) -> PairView:
    """Record a reviewer's decision on one pending pair (in the caller's write session).

    same_person needs `keep_iin`, the IIN of the record that stays on the lists.
    """
    if not by.strip():
        raise DecisionRefused(f"duplicate pair {pair_id}, field decided_by: must name the reviewer")
    _lock_records(session, election, pair_id)
    pair = get_pair(session, election, pair_id)
    if pair.status != PENDING:
        raise Conflict(
            f"duplicate pair {pair_id} was already decided {pair.status} by {pair.decided_by} "
            f"at {pair.decided_at}; a decision is final"
        )
    status = SAME_PERSON if same_person else DIFFERENT_PEOPLE
    if same_person:
        kept, dropped = _sides(pair, keep_iin)
        _check_supersede(pair, kept, dropped)
    elif keep_iin is not None:
        raise DecisionRefused(
            f"duplicate pair {pair_id}, field keep: only a same-person decision keeps a record"
        )
    at = now_iso()
    claimed = session.execute(
        update(DuplicatePair)
        .where(DuplicatePair.id == pair_id, DuplicatePair.status == PENDING)
        .values(status=status, decided_by=by, decided_at=at, note=note)
        .returning(DuplicatePair.id)
    ).first()
    if claimed is None:  # another reviewer decided it between our read and this write
        raise Conflict(f"duplicate pair {pair_id} was decided meanwhile by someone else")
    if same_person:
        voter = session.get(Voter, dropped.voter_id)
        assert voter is not None
        voter.status = SUPERSEDED
        voter.exclusion = f"same person as voter {kept.iin}"
        log_change(session, election, voter, RESOLVED, date.today(), by,
                   from_pec=voter.pec_id, reference=str(pair_id))  # fmt: skip
    session.flush()
    session.expire_all()
    return get_pair(session, election, pair_id)


def _lock_records(session: Session, election: Election, pair_id: int) -> None:
    """Lock the pair's two voter records FOR UPDATE (PostgreSQL; SQLite's writers serialise)
    before reading whether either holds a ballot. A check-in takes FOR KEY SHARE on the record
    before it reads its status, so the two wait for each other: a check-in that came first has
    its ballot seen here, and one that comes after sees the record superseded. Locked in id
    order, so two reviews of overlapping pairs cannot deadlock."""
    records = session.execute(
        select(DuplicatePair.voter_a_id, DuplicatePair.voter_b_id).where(
            DuplicatePair.election_id == election.id, DuplicatePair.id == pair_id
        )
    ).first()
    if records is not None:
        session.execute(
            select(Voter.id)
            .where(Voter.id.in_(tuple(records)))
            .order_by(Voter.id)
            .with_for_update()
        )


def _sides(pair: PairView, keep_iin: str | None) -> tuple[RecordView, RecordView]:
    """(kept, dropped) for a same-person decision."""
    if keep_iin is None:
        raise DecisionRefused(
            f"duplicate pair {pair.id}, field keep: a same-person decision must name the IIN to "
            f"keep ({pair.a.iin} or {pair.b.iin})"
        )
    if keep_iin == pair.a.iin:
        return pair.a, pair.b
    if keep_iin == pair.b.iin:
        return pair.b, pair.a
    raise DecisionRefused(
        f"duplicate pair {pair.id}, field keep: IIN {keep_iin} is neither record of the pair "
        f"({pair.a.iin}, {pair.b.iin})"
    )


def _check_supersede(pair: PairView, kept: RecordView, dropped: RecordView) -> None:
    """The rules for dropping a record: see the module docstring."""
    if kept.ballot and dropped.ballot:
        raise DecisionRefused(
            f"duplicate pair {pair.id}: both records hold ballots (IIN {kept.iin}: "
            f"{kept.ballot}; IIN {dropped.iin}: {dropped.ballot}); one person given two "
            "ballots is for the commission's protocol and the complaints procedure, not a "
            "register merge"
        )
    if dropped.ballot:
        raise DecisionRefused(
            f"duplicate pair {pair.id}: IIN {dropped.iin} holds a ballot ({dropped.ballot}); "
            f"superseding it would hide a ballot: keep {dropped.iin} instead"
        )
    if kept.status == SUPERSEDED:
        raise DecisionRefused(
            f"duplicate pair {pair.id}: IIN {kept.iin} is itself superseded; keep a record "
            "that is on the lists"
        )
    if dropped.status == SUPERSEDED:
        raise DecisionRefused(
            f"duplicate pair {pair.id}: IIN {dropped.iin} was already superseded by an earlier "
            "decision; there is nothing left to supersede"
        )
