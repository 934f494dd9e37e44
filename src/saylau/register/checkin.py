"""Election-day check-in: issue a ballot or refuse, with the reason, and never twice.

The operator enters the voter's IIN; saylau answers "issue" or "refuse" with why: already voted
(where and when), not on this PEC's list (and whose list it is), excluded (the reason), unknown
to the register, or a malformed IIN. A voter on another PEC's list may be added to this one on
the day (`supplementary`), after the same central check: the report found election-day
registration checked against multiple voting in only some 40% of stations.

One ballot per voter is not checked and then written (two PECs could both read "not voted" and
both write): the write itself is the check. `ballot_issue` is unique on (election, voter), the
insert runs in a savepoint, and a unique violation becomes "already voted at PEC X at T", read
back from the row that won. That holds across PECs, API workers and processes, on SQLite
(writers serialise) and on PostgreSQL (the second insert waits for the first and then fails).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.audit.service import now_iso
from saylau.domain.errors import Conflict, NotFound
from saylau.domain.iin import IinError, parse_iin
from saylau.register.models import BallotIssue, Voter

ISSUE = "issue"
REFUSE = "refuse"
KINDS = ("station", "mobile", "supplementary")


@dataclass(frozen=True)
class CheckIn:
    """The answer to one check-in. reason: issued | already_voted | not_on_list | excluded |
    unknown_voter | bad_iin. For already_voted, `earlier_pec` and `earlier_at` say where and
    when; for not_on_list, `earlier_pec` is the PEC whose list the voter is on."""

    outcome: str
    reason: str
    message: str
    iin: str
    pec: str
    kind: str | None = None
    issued_at: str | None = None
    earlier_pec: str | None = None
    earlier_at: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def _pec(session: Session, election: Election, code: str) -> Unit:
    pec = session.scalar(
        select(Unit).where(Unit.election_id == election.id, Unit.code == code, Unit.kind == "pec")
    )
    if pec is None:
        raise NotFound(f"no PEC {code!r} in election {election.code}")
    return pec


def _unit_code(session: Session, unit_id: int) -> str:
    return str(session.scalar(select(Unit.code).where(Unit.id == unit_id)))


def check_in(
    session: Session,
    election: Election,
    pec_code: str,
    iin: str,
    *,
    operator: str,
    client_id: str,
    mobile: bool = False,
    supplementary: bool = False,
) -> CheckIn:
    """Check one voter in at one PEC (in the caller's write session, which commits)."""
    pec = _pec(session, election, pec_code)

    def refuse(reason: str, message: str, **more: str | None) -> CheckIn:
        return CheckIn(REFUSE, reason, message, iin, pec.code, **more)

    try:
        parse_iin(iin)
    except IinError as exc:
        return refuse("bad_iin", str(exc))
    voter = session.scalar(select(Voter).where(Voter.election_id == election.id, Voter.iin == iin))
    if voter is None:
        return refuse("unknown_voter", f"IIN {iin} is not on the register of {election.code}")
    if voter.status == "excluded":
        return refuse("excluded", f"IIN {iin} is excluded from the register: {voter.exclusion}")
    if voter.pec_id != pec.id and not supplementary:
        home = _unit_code(session, voter.pec_id)
        return refuse(
            "not_on_list",
            f"IIN {iin} is on the list of PEC {home}, not {pec.code}; "
            "add the voter here as a supplementary registration if the law allows",
            earlier_pec=home,
        )
    kind = "mobile" if mobile else ("supplementary" if voter.pec_id != pec.id else "station")
    at = now_iso()
    try:
        with session.begin_nested():
            session.add(
                BallotIssue(
                    election_id=election.id,
                    voter_id=voter.id,
                    pec_id=pec.id,
                    kind=kind,
                    issued_at=at,
                    operator=operator,
                    client_id=client_id,
                )
            )
    except IntegrityError:
        return _after_conflict(session, election, voter, pec, iin, client_id)
    return CheckIn(ISSUE, "issued", f"issue a ballot to IIN {iin}", iin, pec.code, kind, at)


def _after_conflict(
    session: Session, election: Election, voter: Voter, pec: Unit, iin: str, client_id: str
) -> CheckIn:
    """The insert lost to a row already there: the voter's ballot, or this client key's."""
    earlier = session.scalar(
        select(BallotIssue).where(
            BallotIssue.election_id == election.id, BallotIssue.voter_id == voter.id
        )
    )
    if earlier is None:
        raise Conflict(
            f"client id {client_id!r} was already used for another voter's check-in; "
            "each check-in needs its own"
        )
    where = _unit_code(session, earlier.pec_id)
    if earlier.client_id == client_id:  # a retry of the check-in that won: the same answer
        return CheckIn(
            ISSUE, "issued", f"issue a ballot to IIN {iin}", iin, where, earlier.kind,
            earlier.issued_at,
        )  # fmt: skip
    return CheckIn(
        REFUSE,
        "already_voted",
        f"IIN {iin} has already been given a ballot at PEC {where} at {earlier.issued_at}",
        iin,
        pec.code,
        earlier_pec=where,
        earlier_at=earlier.issued_at,
    )
