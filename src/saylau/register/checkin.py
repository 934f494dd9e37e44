"""Election-day check-in: issue a ballot or refuse, with the reason, and never twice.

The operator enters the voter's IIN (and the number of an absentee voting certificate where one
is shown); saylau answers "issue" or "refuse" with why: already voted (where and when), not on
this PEC's list (and whose list it is), holding an AVC, AVC unknown, not theirs or already used
(where and when), excluded (the reason), no mobile-voting application, unknown to the register,
or a malformed IIN. Election-day registration, only at PECs the CEC designated, adds to this
PEC's list a voter on another list (`supplementary`) or a person on no list at all (`person`),
after the same central check: the report found it checked against multiple voting in only
some 40% of stations. An AVC is retained by the check-in itself (marked used here, now) and its
holder put on this PEC's list: observers saw neither done in 9% and 8% of stations.

One ballot per voter is not checked and then written (two PECs could both read "not voted" and
both write): the write itself is the check. `ballot_issue` is unique on (election, voter), the
insert runs in a savepoint with every change that goes with it (list moves, the AVC marked used,
a new voter), and a unique violation becomes "already voted at PEC X at T", read back from the
row that won; the savepoint's rollback undoes the rest. That holds across PECs, API workers and
processes, on SQLite (writers serialise) and on PostgreSQL (the second insert waits for the
first and then fails). A ballot with nothing going with it (at the voter's own PEC, mobile) is
the same insert as `INSERT ... ON CONFLICT DO NOTHING`, which waits for the first in just the
same way and then inserts nothing: no row back means the same "already voted", read back from
the row that won, without the two round trips of a savepoint (issue 6: check-in throughput).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saylau.administration.models import Election
from saylau.administration.service import profile_of
from saylau.audit.service import now_iso
from saylau.domain.errors import Conflict
from saylau.domain.iin import IinError, parse_iin
from saylau.register.changes import (
    find_pec,
    has_mobile_request,
    log_change,
    rules_of,
    site_scope,
    unit_code,
)
from saylau.register.models import AbsenteeCertificate, BallotIssue, Voter
from saylau.register.voters import VoterRecord, record_problems

ISSUE = "issue"
REFUSE = "refuse"
# The insert that cannot violate a unique key, per database: the row back, or nothing.
INSERT_ONCE = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class PecLike(Protocol):
    """What a check-in needs of the PEC: a `Unit`, or the API's remembered `Target`."""

    @property
    def id(self) -> int: ...

    @property
    def code(self) -> str: ...


KINDS = ("station", "mobile", "supplementary", "avc", "new")


@dataclass(frozen=True)
class CheckIn:
    """The answer to one check-in. reason: issued | already_voted | not_on_list | holds_avc |
    avc_unknown | avc_not_theirs | avc_used | excluded | superseded | no_mobile_request |
    not_designated | invalid_person | unknown_voter | bad_iin. For already_voted and avc_used,
    `earlier_pec` and `earlier_at` say where and when; for not_on_list, `earlier_pec` is the
    PEC whose list the voter is on."""

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


@dataclass(frozen=True)
class NewPerson:
    """What the operator takes from the identity document of a person on no list at all."""

    family_name: str
    given_names: str
    birth_date: date
    sex: str
    address: str


@dataclass(frozen=True)
class Offline:
    """Where an uploaded offline check-in came from: the device and its clock at the time."""

    device_id: int
    at: str

    def utc(self) -> str:
        """The device's time in the form every ballot's time is stored in (UTC ISO)."""
        return datetime.fromisoformat(self.at).astimezone(UTC).isoformat(timespec="microseconds")


def _earlier(session: Session, election: Election, voter_id: int) -> BallotIssue | None:
    return session.scalar(
        select(BallotIssue).where(
            BallotIssue.election_id == election.id, BallotIssue.voter_id == voter_id
        )
    )


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
    avc: str | None = None,
    person: NewPerson | None = None,
    offline: Offline | None = None,
    pec: PecLike | None = None,
) -> CheckIn:
    """Check one voter in at one PEC (in the caller's write session, which commits). `pec`,
    when the caller has already found PEC `pec_code` (the API remembers them), saves a read."""
    if pec is None or pec.code != pec_code:
        pec = find_pec(session, election, pec_code)

    def refuse(reason: str, message: str, **more: str | None) -> CheckIn:
        return CheckIn(REFUSE, reason, message, iin, pec.code, **more)

    try:
        parse_iin(iin)
    except IinError as exc:
        return refuse("bad_iin", str(exc))
    # FOR KEY SHARE on PostgreSQL (SQLite's writers serialise): a duplicate review superseding
    # this record holds it FOR UPDATE, so the status read here is the one that review leaves.
    voter = session.scalar(
        select(Voter)
        .where(Voter.election_id == election.id, Voter.iin == iin)
        .with_for_update(read=True, key_share=True)
    )
    if voter is None:
        if person is None:
            return refuse(
                "unknown_voter",
                f"IIN {iin} is not on the register of {election.code}; a person registered "
                "nowhere may be added at a PEC designated for it",
            )
        return _register_on_day(session, election, pec, iin, person, operator, client_id,
                                offline, refuse)  # fmt: skip
    if voter.status in ("excluded", "superseded"):
        return refuse(
            voter.status, f"IIN {iin} is {voter.status} on the register: {voter.exclusion}"
        )

    def issue(kind: str, also: Callable[[str], None] | None = None) -> CheckIn:
        return _issue(session, election, voter, pec, iin, kind, operator, client_id, offline, also)

    def voted_or(answer: CheckIn) -> CheckIn:
        """An earlier ballot explains a refusal better than anything else."""
        earlier = _earlier(session, election, voter.id)
        return answer if earlier is None else _already_voted(session, iin, pec, earlier)

    if avc is not None:
        return _with_certificate(
            session, election, voter, pec, iin, avc, issue, refuse, voted_or, operator
        )
    if voter.status == "absentee":
        held = session.scalar(
            select(AbsenteeCertificate).where(
                AbsenteeCertificate.election_id == election.id,
                AbsenteeCertificate.voter_id == voter.id,
            )
        )
        number = held.number if held else "?"
        return voted_or(refuse(
            "holds_avc",
            f"IIN {iin} holds absentee voting certificate {number} and is on no list: "
            "the voter votes with the certificate, which the PEC retains",
        ))  # fmt: skip
    if voter.pec_id != pec.id:
        home = str(unit_code(session, voter.pec_id))
        if not supplementary or mobile:
            return voted_or(refuse(
                "not_on_list",
                f"IIN {iin} is on the list of PEC {home}, not {pec.code}; "
                "add the voter here as a supplementary registration if this PEC is designated",
                earlier_pec=home,
            ))  # fmt: skip
        designated = site_scope(session, election, pec.id) is not None
        if rules_of(election).designated_sites_only and not designated:
            return voted_or(refuse(
                "not_designated",
                f"PEC {pec.code} is not designated for election-day registration; "
                f"IIN {iin} votes at PEC {home}",
                earlier_pec=home,
            ))  # fmt: skip
        home_id = voter.pec_id

        def move(_at: str) -> None:
            voter.pec_id = pec.id
            log_change(session, election, voter, "supplementary", election.election_date,
                       operator, from_pec=home_id, to_pec=pec.id)  # fmt: skip

        return issue("supplementary", move)
    if mobile:
        if rules_of(election).mobile_requires_request and not has_mobile_request(
            session, election, voter.id, pec.id
        ):
            return voted_or(refuse(
                "no_mobile_request",
                f"IIN {iin} has no written application for mobile voting at PEC {pec.code}",
            ))  # fmt: skip
        return issue("mobile")
    return issue("station")


def _issue(
    session: Session,
    election: Election,
    voter: Voter,
    pec: PecLike,
    iin: str,
    kind: str,
    operator: str,
    client_id: str,
    offline: Offline | None,
    also: Callable[[str], None] | None = None,
) -> CheckIn:
    """Insert the ballot, and whatever goes with it, in one savepoint: all or nothing. An
    offline check-in keeps the time the device signed (in UTC, like every other): that is when
    the ballot was given."""
    at = offline.utc() if offline else now_iso()
    row = {
        "election_id": election.id,
        "voter_id": voter.id,
        "pec_id": pec.id,
        "kind": kind,
        "issued_at": at,
        "operator": operator,
        "client_id": client_id,
        "device_id": offline.device_id if offline else None,
        "offline_at": offline.at if offline else None,
    }
    insert_once = INSERT_ONCE.get(session.get_bind().dialect.name)
    if also is None and insert_once is not None:
        stmt = insert_once(BallotIssue).values(row).on_conflict_do_nothing()
        if session.execute(stmt.returning(BallotIssue.id)).first() is None:
            return _after_conflict(session, election, voter, pec, iin, client_id)
        return CheckIn(ISSUE, "issued", f"issue a ballot to IIN {iin}", iin, pec.code, kind, at)
    try:
        with session.begin_nested():
            session.add(BallotIssue(**row))
            session.flush()
            if also is not None:
                also(at)
                session.flush()
    except IntegrityError:
        session.expire(voter)
        return _after_conflict(session, election, voter, pec, iin, client_id)
    return CheckIn(ISSUE, "issued", f"issue a ballot to IIN {iin}", iin, pec.code, kind, at)


def _with_certificate(
    session: Session,
    election: Election,
    voter: Voter,
    pec: PecLike,
    iin: str,
    number: str,
    issue: Callable[[str, Callable[[str], None] | None], CheckIn],
    refuse: Callable[..., CheckIn],
    voted_or: Callable[[CheckIn], CheckIn],
    operator: str,
) -> CheckIn:
    """Vote with an absentee certificate: it must exist, be this voter's and be unused."""
    held = session.scalar(
        select(AbsenteeCertificate).where(
            AbsenteeCertificate.election_id == election.id, AbsenteeCertificate.number == number
        )
    )
    if held is None:
        return voted_or(
            refuse("avc_unknown", f"no absentee voting certificate {number} in {election.code}")
        )
    if held.voter_id != voter.id:
        return voted_or(
            refuse(
                "avc_not_theirs",
                f"absentee voting certificate {number} was not issued to IIN {iin}",
            )
        )
    if held.used_pec_id is not None:
        where = str(unit_code(session, held.used_pec_id))
        return refuse(
            "avc_used",
            f"absentee voting certificate {number} was already used at PEC {where} "
            f"at {held.used_at}",
            earlier_pec=where,
            earlier_at=held.used_at,
        )
    home_id = held.home_pec_id

    def retain(at: str) -> None:
        marked = session.execute(
            update(AbsenteeCertificate)
            .where(AbsenteeCertificate.id == held.id, AbsenteeCertificate.used_pec_id.is_(None))
            .values(used_pec_id=pec.id, used_at=at)
        )
        if marked.rowcount != 1:  # used between our read and now: the ballot must not stand
            raise IntegrityError("absentee certificate already used", None, Exception())
        voter.pec_id = pec.id
        voter.status = "active"
        log_change(session, election, voter, "avc_used", election.election_date, operator,
                   from_pec=home_id, to_pec=pec.id, reference=number)  # fmt: skip

    return issue("avc", retain)


def _register_on_day(
    session: Session,
    election: Election,
    pec: PecLike,
    iin: str,
    person: NewPerson,
    operator: str,
    client_id: str,
    offline: Offline | None,
    refuse: Callable[..., CheckIn],
) -> CheckIn:
    """A person on no list: at a PEC designated for it, checked as the register's import
    checks a record, then added to this PEC's list and given a ballot, together."""
    scope = site_scope(session, election, pec.id)
    if rules_of(election).designated_sites_only and scope != "unregistered":
        return refuse(
            "not_designated",
            f"PEC {pec.code} is not designated for registering people on no list; "
            f"IIN {iin} is not on the register of {election.code}",
        )
    record = VoterRecord(iin, person.family_name, person.given_names, person.birth_date,
                         person.sex, person.address, pec.code)  # fmt: skip
    rules = profile_of(election).require_voters()
    problems = record_problems(record, 1, election, rules, {pec.code: pec.id})
    if problems:
        text = "; ".join(p.removeprefix("row 1, ") for p in problems)
        return refuse("invalid_person", f"IIN {iin} cannot be registered: {text}")
    voter = Voter(
        election_id=election.id, iin=iin, family_name=person.family_name.strip(),
        given_names=person.given_names.strip(), birth_date=person.birth_date, sex=person.sex,
        address=person.address.strip(), pec_id=pec.id, status="active", exclusion=None,
    )  # fmt: skip
    at = offline.utc() if offline else now_iso()
    try:
        with session.begin_nested():
            session.add(voter)
            session.flush()
            session.add(
                BallotIssue(
                    election_id=election.id, voter_id=voter.id, pec_id=pec.id, kind="new",
                    issued_at=at, operator=operator, client_id=client_id,
                    device_id=offline.device_id if offline else None,
                    offline_at=offline.at if offline else None,
                )
            )  # fmt: skip
            log_change(session, election, voter, "registered_on_day", election.election_date,
                       operator, to_pec=pec.id)  # fmt: skip
            session.flush()
    except IntegrityError:
        # Another PEC registered the same person first (or this client key was used): answer
        # as for anyone already on the register.
        winner = session.scalar(
            select(Voter).where(Voter.election_id == election.id, Voter.iin == iin)
        )
        if winner is None:
            raise
        return _after_conflict(session, election, winner, pec, iin, client_id)
    return CheckIn(ISSUE, "issued", f"issue a ballot to IIN {iin}", iin, pec.code, "new", at)


def _already_voted(session: Session, iin: str, pec: PecLike, earlier: BallotIssue) -> CheckIn:
    where = str(unit_code(session, earlier.pec_id))
    return CheckIn(
        REFUSE,
        "already_voted",
        f"IIN {iin} has already been given a ballot at PEC {where} at {earlier.issued_at}",
        iin,
        pec.code,
        earlier_pec=where,
        earlier_at=earlier.issued_at,
    )


def _after_conflict(
    session: Session, election: Election, voter: Voter, pec: PecLike, iin: str, client_id: str
) -> CheckIn:
    """The insert lost to a row already there: the voter's ballot, or this client key's."""
    earlier = _earlier(session, election, voter.id)
    if earlier is None:
        used = session.scalar(
            select(BallotIssue.id).where(
                BallotIssue.election_id == election.id, BallotIssue.client_id == client_id
            )
        )
        if used is None:
            raise Conflict(f"the check-in of IIN {iin} conflicted with a concurrent change; retry")
        raise Conflict(
            f"client id {client_id!r} was already used for another voter's check-in; "
            "each check-in needs its own"
        )
    if earlier.client_id == client_id:  # a retry of the check-in that won: the same answer
        where = str(unit_code(session, earlier.pec_id))
        return CheckIn(
            ISSUE, "issued", f"issue a ballot to IIN {iin}", iin, where, earlier.kind,
            earlier.issued_at,
        )  # fmt: skip
    return _already_voted(session, iin, pec, earlier)
