"""Changes to where a voter votes before election day: transfers, AVCs, mobile requests.

Each is accepted only inside the profile's window (`domain/register_changes.py`) and leaves a
permanent `register_change` row saying who recorded what, when, and on which application. A
transfer moves the voter to another PEC's list; an absentee voting certificate takes the voter
off the home list (status `absentee`) until a PEC retains it at check-in; a mobile-voting
request lets the home PEC take a ballot to the voter. The election-day sites where
supplementary registration is allowed are designated here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import profile_of
from saylau.audit.service import now_iso
from saylau.domain.errors import NotFound, Rejected
from saylau.domain.iin import IinError, parse_iin
from saylau.domain.register_changes import SITE_SCOPES, ChangeRules, window_problem
from saylau.register.models import (
    AbsenteeCertificate,
    BallotIssue,
    RegisterChange,
    SupplementarySite,
    Voter,
)


class ChangeRefused(Rejected):
    """A change to the register broke a rule; nothing was written."""


@dataclass(frozen=True)
class Recorded:
    """What a change did, for the operator: the voter, the PECs, and any certificate number."""

    kind: str
    iin: str
    from_pec: str | None
    to_pec: str | None
    applied_on: date
    reference: str | None


def rules_of(election: Election) -> ChangeRules:
    """The election's change rules, parsed with its frozen profile (`parse_profile_text`
    caches the parse per text: reading it costs more than a whole check-in, which asks)."""
    return profile_of(election).require_register_changes()


def today_utc() -> date:
    return datetime.now(UTC).date()


def find_pec(session: Session, election: Election, code: str) -> Unit:
    pec = session.scalar(
        select(Unit).where(Unit.election_id == election.id, Unit.code == code, Unit.kind == "pec")
    )
    if pec is None:
        raise NotFound(f"no PEC {code!r} in election {election.code}")
    return pec


def unit_code(session: Session, unit_id: int | None) -> str | None:
    return None if unit_id is None else session.scalar(select(Unit.code).where(Unit.id == unit_id))


def _movable_voter(session: Session, election: Election, iin: str, what: str) -> Voter:
    """The voter `iin`, locked for the change, when their place may still be changed."""
    try:
        parse_iin(iin)
    except IinError as exc:
        raise ChangeRefused(f"{what}: IIN {iin!r}: {exc.rule}") from exc
    voter = session.scalar(
        select(Voter).where(Voter.election_id == election.id, Voter.iin == iin).with_for_update()
    )
    if voter is None:
        raise NotFound(f"{what}: IIN {iin} is not on the register of {election.code}")
    if voter.status != "active":
        reason = f" ({voter.exclusion})" if voter.exclusion else ""
        raise ChangeRefused(f"{what}: IIN {iin} is {voter.status}{reason}; nothing changed")
    voted = session.scalar(
        select(BallotIssue.id).where(
            BallotIssue.election_id == election.id, BallotIssue.voter_id == voter.id
        )
    )
    if voted is not None:
        raise ChangeRefused(f"{what}: IIN {iin} has already been given a ballot")
    return voter


def _check_window(
    election: Election, kind: str, applied_on: date, today: date | None, iin: str
) -> None:
    problem = window_problem(
        rules_of(election), kind, applied_on, election.election_date, today or today_utc()
    )
    if problem is not None:
        raise ChangeRefused(f"{kind.replace('_', ' ')} for IIN {iin}: {problem}")


def log_change(
    session: Session,
    election: Election,
    voter: Voter,
    kind: str,
    applied_on: date,
    by: str,
    *,
    from_pec: int | None = None,
    to_pec: int | None = None,
    reference: str | None = None,
) -> None:
    """Add the permanent `register_change` row of one change (in the caller's transaction)."""
    session.add(
        RegisterChange(
            election_id=election.id,
            voter_id=voter.id,
            kind=kind,
            from_pec_id=from_pec,
            to_pec_id=to_pec,
            applied_on=applied_on,
            recorded_at=now_iso(),
            recorded_by=by,
            reference=reference,
        )
    )


def transfer(
    session: Session,
    election: Election,
    iin: str,
    to_pec: str,
    *,
    applied_on: date,
    by: str,
    reference: str | None = None,
    today: date | None = None,
) -> Recorded:
    """Move a voter to the list of the PEC where they will vote (off the home list)."""
    _check_window(election, "transfer", applied_on, today, iin)
    voter = _movable_voter(session, election, iin, "transfer")
    target = find_pec(session, election, to_pec)
    if target.id == voter.pec_id:
        raise ChangeRefused(f"transfer: IIN {iin} is already on the list of PEC {to_pec}")
    home = voter.pec_id
    voter.pec_id = target.id
    log_change(session, election, voter, "transfer", applied_on, by, from_pec=home,
               to_pec=target.id, reference=reference)  # fmt: skip
    session.flush()
    return Recorded("transfer", iin, unit_code(session, home), to_pec, applied_on, reference)


def _next_certificate_number(session: Session, election: Election) -> str:
    """Serial numbers in issue order. Issues are serialised per election by a lock on the
    election's row (a few thousand a day at most), so two can never draw the same number."""
    session.execute(select(Election.id).where(Election.id == election.id).with_for_update())
    issued = session.scalar(
        select(func.count())
        .select_from(AbsenteeCertificate)
        .where(AbsenteeCertificate.election_id == election.id)
    )
    return f"{int(issued or 0) + 1:07d}"


def issue_certificate(
    session: Session,
    election: Election,
    iin: str,
    *,
    applied_on: date,
    by: str,
    today: date | None = None,
) -> Recorded:
    """Issue an absentee voting certificate: the voter leaves the home list and may vote once,
    at any PEC, by showing it."""
    _check_window(election, "absentee_certificate", applied_on, today, iin)
    voter = _movable_voter(session, election, iin, "absentee certificate")
    number = _next_certificate_number(session, election)
    session.add(
        AbsenteeCertificate(
            election_id=election.id,
            number=number,
            voter_id=voter.id,
            home_pec_id=voter.pec_id,
            issued_on=applied_on,
        )
    )
    voter.status = "absentee"
    log_change(session, election, voter, "avc_issued", applied_on, by, from_pec=voter.pec_id,
               reference=number)  # fmt: skip
    session.flush()
    home = unit_code(session, voter.pec_id)
    return Recorded("avc_issued", iin, home, None, applied_on, number)


def request_mobile(
    session: Session,
    election: Election,
    iin: str,
    *,
    reason: str,
    applied_on: date,
    by: str,
    today: date | None = None,
) -> Recorded:
    """Record a written application to vote at home, with its reason, at the voter's PEC."""
    rules = rules_of(election)
    if reason not in rules.mobile_reasons:
        raise ChangeRefused(
            f"mobile request for IIN {iin}, field reason: {reason!r} is not one of "
            f"{', '.join(rules.mobile_reasons) or '(none in the profile)'}"
        )
    _check_window(election, "mobile_request", applied_on, today, iin)
    voter = _movable_voter(session, election, iin, "mobile request")
    if has_mobile_request(session, election, voter.id, voter.pec_id):
        raise ChangeRefused(f"mobile request: IIN {iin} already has one at this PEC")
    log_change(session, election, voter, "mobile_request", applied_on, by, to_pec=voter.pec_id,
               reference=reason)  # fmt: skip
    session.flush()
    return Recorded("mobile_request", iin, None, unit_code(session, voter.pec_id), applied_on,
                    reason)  # fmt: skip


def has_mobile_request(session: Session, election: Election, voter_id: int, pec_id: int) -> bool:
    return (
        session.scalar(
            select(RegisterChange.id).where(
                RegisterChange.election_id == election.id,
                RegisterChange.voter_id == voter_id,
                RegisterChange.kind == "mobile_request",
                RegisterChange.to_pec_id == pec_id,
            )
        )
        is not None
    )


def designate_sites(
    session: Session, election: Election, pec_codes: Sequence[str], scope: str
) -> int:
    """Designate PECs for election-day registration (all named, or none); returns how many
    are new. `unregistered` sites also admit residents; re-designating changes the scope."""
    if scope not in SITE_SCOPES:
        raise ChangeRefused(f"field scope: {scope!r} is not one of {', '.join(SITE_SCOPES)}")
    units = dict(
        session.execute(
            select(Unit.code, Unit.id).where(
                Unit.election_id == election.id, Unit.kind == "pec", Unit.code.in_(pec_codes)
            )
        ).all()
    )
    missing = [code for code in pec_codes if code not in units]
    if missing:
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise NotFound(f"{len(missing)} PEC code(s) not in {election.code}: {shown}; none set")
    existing = {
        site.pec_id: site
        for site in session.scalars(
            select(SupplementarySite).where(
                SupplementarySite.election_id == election.id,
                SupplementarySite.pec_id.in_(list(units.values())),
            )
        )
    }
    new = 0
    for pec_id in dict.fromkeys(units.values()):
        if pec_id in existing:
            existing[pec_id].scope = scope
        else:
            session.add(SupplementarySite(election_id=election.id, pec_id=pec_id, scope=scope))
            new += 1
    session.flush()
    return new


def site_scope(session: Session, election: Election, pec_id: int) -> str | None:
    """The PEC's election-day registration scope, or None when it is not designated."""
    return session.scalar(
        select(SupplementarySite.scope).where(
            SupplementarySite.election_id == election.id, SupplementarySite.pec_id == pec_id
        )
    )


def changes_by_kind(session: Session, election: Election) -> dict[str, int]:
    """How many changes of each kind were recorded: the figures section IX reports."""
    rows = session.execute(
        select(RegisterChange.kind, func.count())
        .where(RegisterChange.election_id == election.id)
        .group_by(RegisterChange.kind)
    )
    return {str(kind): int(n) for kind, n in rows}


def certificate(session: Session, election: Election, number: str) -> AbsenteeCertificate:
    found = session.scalar(
        select(AbsenteeCertificate).where(
            AbsenteeCertificate.election_id == election.id, AbsenteeCertificate.number == number
        )
    )
    if found is None:
        raise NotFound(f"no absentee certificate {number!r} in {election.code}")
    return found
