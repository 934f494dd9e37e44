"""Who is where on the register: the reads other parts of saylau need without its tables.

The API finds the PEC whose commission may record a change for a voter, and the reference
scenario finds the voters its election day goes through (mobile requests, certificates,
voters still without a ballot). They ask here rather than join `voter`, `register_change` or
`absentee_certificate` themselves, so the register's tables stay the register's to change.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.domain.errors import NotFound
from saylau.register.models import AbsenteeCertificate, BallotIssue, RegisterChange, Voter


def home_pec(session: Session, election: Election, iin: str) -> str:
    """The code of the PEC whose list the voter is on; NotFound when not on the register."""
    code = session.scalar(
        select(Unit.code)
        .join(Voter, Voter.pec_id == Unit.id)
        .where(Voter.election_id == election.id, Voter.iin == iin)
    )
    if code is None:
        raise NotFound(f"IIN {iin} is not on the register of {election.code}")
    return str(code)


def mobile_requests(session: Session, election: Election) -> list[tuple[str, str]]:
    """(IIN, PEC code) of every written request to vote at home, in the order recorded."""
    rows = session.execute(
        select(Voter.iin, Unit.code)
        .join(RegisterChange, RegisterChange.voter_id == Voter.id)
        .join(Unit, Unit.id == RegisterChange.to_pec_id)
        .where(RegisterChange.election_id == election.id, RegisterChange.kind == "mobile_request")
        .order_by(RegisterChange.id)
    )
    return [(iin, code) for iin, code in rows]


def certificates_issued(session: Session, election: Election) -> list[tuple[str, str]]:
    """(IIN, certificate number) of every absentee voting certificate, by number."""
    rows = session.execute(
        select(Voter.iin, AbsenteeCertificate.number)
        .join(Voter, Voter.id == AbsenteeCertificate.voter_id)
        .where(AbsenteeCertificate.election_id == election.id)
        .order_by(AbsenteeCertificate.number)
    )
    return [(iin, number) for iin, number in rows]


def latest_without_ballot(
    session: Session, election: Election, limit: int
) -> list[tuple[str, str]]:
    """(IIN, home PEC code) of up to `limit` active voters who have no ballot yet, the most
    recently registered first: the people a scenario sends to vote somewhere else."""
    voted = select(BallotIssue.voter_id).where(BallotIssue.election_id == election.id)
    rows = session.execute(
        select(Voter.iin, Unit.code)
        .join(Unit, Unit.id == Voter.pec_id)
        .where(Voter.election_id == election.id, Voter.status == "active", Voter.id.not_in(voted))
        .order_by(Voter.id.desc())
        .limit(limit)
    )
    return [(iin, code) for iin, code in rows]
