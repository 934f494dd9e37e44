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
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from saylau.administration.models import Election, Unit
from saylau.administration.service import profile_of
from saylau.audit.service import now_iso
from saylau.domain.checkin import (
    ISSUE,
    KINDS,
    REFUSE,
    Asking,
    Certificate,
    Earlier,
    Facts,
    Verdict,
    VoterFacts,
    after_earlier,
    decide,
)
from saylau.domain.errors import Conflict
from saylau.register.changes import (
    find_pec,
    has_mobile_request,
    log_change,
    rules_of,
    site_scope,
)
from saylau.register.models import AbsenteeCertificate, BallotIssue, Voter
from saylau.register.voters import VoterRecord, record_problems

__all__ = ["ISSUE", "KINDS", "REFUSE", "CheckIn", "NewPerson", "Offline", "check_in"]


class PecLike(Protocol):
    """What a check-in needs of the PEC: a `Unit`, or the API's remembered `Target`."""

    @property
    def id(self) -> int: ...

    @property
    def code(self) -> str: ...


@dataclass(frozen=True)
class CheckIn:
    """The answer to one check-in: a `Verdict` of `domain.checkin` (whose REASONS lists every
    reason) for one IIN at one PEC. For already_voted and avc_used, `earlier_pec` and
    `earlier_at` say where and when; for not_on_list, `earlier_pec` is the PEC whose list the
    voter is on."""

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


def answer(asking: Asking, verdict: Verdict, at: str | None = None) -> CheckIn:
    """The verdict as the check-in's answer; `at`: when the ballot it issues was written. A
    replay answers with the ballot given the first time: its PEC, kind and time."""
    if verdict.replay:
        return CheckIn(
            ISSUE,
            verdict.reason,
            verdict.message,
            asking.iin,
            verdict.earlier_pec or asking.pec,
            verdict.kind,
            verdict.earlier_at,
        )
    if verdict.outcome == ISSUE:
        return CheckIn(
            ISSUE, verdict.reason, verdict.message, asking.iin, asking.pec, verdict.kind, at
        )
    return CheckIn(
        REFUSE,
        verdict.reason,
        verdict.message,
        asking.iin,
        asking.pec,
        earlier_pec=verdict.earlier_pec,
        earlier_at=verdict.earlier_at,
    )


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


# The statements that gather the facts, built once (SQLAlchemy caches their compiled form).
# The voter, the code of the PEC whose list it is, and any earlier ballot with its PEC's code,
# in one round trip. FOR KEY SHARE OF the voter on PostgreSQL (SQLite's writers serialise): a
# duplicate review superseding this record holds it FOR UPDATE, so the status read here is the
# one that review leaves.
_HOME = aliased(Unit)
_THERE = aliased(Unit)
_VOTER = (
    select(
        Voter,
        _HOME.code,
        BallotIssue.issued_at,
        BallotIssue.kind,
        BallotIssue.client_id,
        _THERE.code,
    )
    .outerjoin(_HOME, _HOME.id == Voter.pec_id)
    .outerjoin(
        BallotIssue,
        and_(BallotIssue.election_id == Voter.election_id, BallotIssue.voter_id == Voter.id),
    )
    .outerjoin(_THERE, _THERE.id == BallotIssue.pec_id)
    .where(Voter.election_id == bindparam("election"), Voter.iin == bindparam("iin"))
    .with_for_update(read=True, key_share=True, of=Voter)
)
_EARLIER = (
    select(BallotIssue.issued_at, BallotIssue.kind, BallotIssue.client_id, Unit.code)
    .join(Unit, Unit.id == BallotIssue.pec_id)
    .where(
        BallotIssue.election_id == bindparam("election"), BallotIssue.voter_id == bindparam("voter")
    )
)


# A certificate, with the code of the PEC that retained it: the one shown, or the one held.
_CERTIFICATES = select(AbsenteeCertificate, Unit.code).outerjoin(
    Unit, Unit.id == AbsenteeCertificate.used_pec_id
)
_CERTIFICATE = _CERTIFICATES.where(
    AbsenteeCertificate.election_id == bindparam("election"),
    AbsenteeCertificate.number == bindparam("number"),
)
_HELD = _CERTIFICATES.where(
    AbsenteeCertificate.election_id == bindparam("election"),
    AbsenteeCertificate.voter_id == bindparam("voter"),
)


@dataclass(frozen=True)
class Gathered:
    """The facts, and the rows a write changes (the voter's list, the certificate retained)."""

    facts: Facts
    voter: Voter | None
    certificate: AbsenteeCertificate | None


def gather(
    session: Session, election: Election, asking: Asking, person: NewPerson | None
) -> Gathered:
    """Read what bears on this asking; a fact the asking cannot need is not read."""
    row = session.execute(_VOTER, {"election": election.id, "iin": asking.iin}).first()
    voter = row[0] if row is not None else None
    facts = Facts(None)
    if row is not None and voter is not None:
        home, at, kind, client, there = row[1:]
        earlier = Earlier(there, at, kind, client) if at is not None else None
        facts = Facts(
            VoterFacts(voter.id, voter.status, voter.exclusion, voter.pec_id, home), earlier
        )
    held = None
    if asking.avc is not None:
        held = session.execute(_CERTIFICATE, {"election": election.id, "number": asking.avc})
    elif voter is not None and voter.status == "absentee":
        held = session.execute(_HELD, {"election": election.id, "voter": voter.id})
    shown = held.first() if held is not None else None
    certificate, kept = None, None
    if shown is not None:
        kept, used = shown[0], shown[1]
        certificate = Certificate(kept.number, kept.voter_id, used, kept.used_at if used else None)
    scope = None
    if asking.supplementary or (voter is None and person is not None):
        scope = site_scope(session, election, asking.pec_id)
    mobile = (
        asking.mobile
        and voter is not None
        and has_mobile_request(session, election, voter.id, asking.pec_id)
    )
    problems: tuple[str, ...] = ()
    if voter is None and person is not None:
        problems = _person_problems(election, asking, person)
    facts = Facts(facts.voter, facts.earlier, certificate, scope, mobile, problems)
    return Gathered(facts, voter, kept)


def _person_problems(election: Election, asking: Asking, person: NewPerson) -> tuple[str, ...]:
    """A newcomer's details, checked as the register's import checks a record."""
    record = VoterRecord(
        asking.iin,
        person.family_name,
        person.given_names,
        person.birth_date,
        person.sex,
        person.address,
        asking.pec,
    )
    rules = profile_of(election).require_voters()
    problems = record_problems(record, 1, election, rules, {asking.pec: asking.pec_id})
    return tuple(p.removeprefix("row 1, ") for p in problems)


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
    at: str | None = None,
) -> CheckIn:
    """Check one voter in at one PEC (in the caller's write session, which commits). `pec`,
    when the caller has already found PEC `pec_code` (the API remembers them), saves a read.
    `at`: the UTC time to record for a day being replayed (a scenario builds election day
    after the fact); None, for a live check-in, is now."""
    if pec is None or pec.code != pec_code:
        pec = find_pec(session, election, pec_code)
    asking = Asking(
        election.code,
        iin,
        pec.id,
        pec.code,
        client_id,
        mobile,
        supplementary,
        avc,
        person is not None,
    )
    found = gather(session, election, asking, person)
    verdict = decide(asking, found.facts, rules_of(election))
    if not verdict.issues:
        return answer(asking, verdict)
    write = _Write(session, election, asking, operator, offline, at)
    kind = verdict.kind
    if kind == "new" and person is not None:
        return write.newcomer(verdict, person)
    voter = found.voter
    assert voter is not None  # decide issues to an unknown IIN only as "new"
    if kind == "supplementary":
        return write.ballot(verdict, voter, write.move(voter))
    if kind == "avc":
        assert found.certificate is not None  # decide issues "avc" only on the one shown
        return write.ballot(verdict, voter, write.retain(voter, found.certificate))
    return write.ballot(verdict, voter)  # station, mobile: nothing goes with the ballot


@dataclass(frozen=True)
class _Write:
    """Writing what a verdict issues: the ballot, with whatever goes with it, all or nothing."""

    session: Session
    election: Election
    asking: Asking
    operator: str
    offline: Offline | None
    at: str | None = None  # a replayed day's time; None: now

    def _row(self, voter_id: int, kind: str, at: str) -> dict[str, Any]:
        """An offline check-in keeps the time the device signed (in UTC, like every other):
        that is when the ballot was given."""
        offline = self.offline
        return {
            "election_id": self.election.id,
            "voter_id": voter_id,
            "pec_id": self.asking.pec_id,
            "kind": kind,
            "issued_at": at,
            "operator": self.operator,
            "client_id": self.asking.client_id,
            "device_id": offline.device_id if offline else None,
            "offline_at": offline.at if offline else None,
        }

    def _at(self) -> str:
        if self.offline:
            return self.offline.utc()
        return self.at or now_iso()

    def ballot(
        self, verdict: Verdict, voter: Voter, also: Callable[[str], None] | None = None
    ) -> CheckIn:
        """Insert the ballot, and what goes with it (`also`), in one savepoint. With nothing
        going with it, the insert that cannot violate a key: the row back, or nothing."""
        session, at = self.session, self._at()
        row = self._row(voter.id, str(verdict.kind), at)
        dialect = session.get_bind().dialect.name
        if also is None and dialect in ("postgresql", "sqlite"):
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            stmt = insert(BallotIssue).values(row).on_conflict_do_nothing()
            if session.execute(stmt.returning(BallotIssue.id)).first() is None:
                return self.after_conflict(voter.id)
            return answer(self.asking, verdict, at)
        try:
            with session.begin_nested():
                session.add(BallotIssue(**row))
                session.flush()
                if also is not None:
                    also(at)
                    session.flush()
        except IntegrityError:
            session.expire(voter)
            return self.after_conflict(voter.id)
        return answer(self.asking, verdict, at)

    def move(self, voter: Voter) -> Callable[[str], None]:
        """A supplementary registration: the voter moves to this PEC's list, recorded."""
        home_id, to = voter.pec_id, self.asking.pec_id

        def move(_at: str) -> None:
            voter.pec_id = to
            log_change(
                self.session,
                self.election,
                voter,
                "supplementary",
                self.election.election_date,
                self.operator,
                from_pec=home_id,
                to_pec=to,
            )

        return move

    def retain(self, voter: Voter, held: AbsenteeCertificate) -> Callable[[str], None]:
        """The certificate marked used here and now, its holder put on this PEC's list."""
        home_id, to, number = held.home_pec_id, self.asking.pec_id, held.number

        def retain(at: str) -> None:
            marked = self.session.execute(
                update(AbsenteeCertificate)
                .where(AbsenteeCertificate.id == held.id, AbsenteeCertificate.used_pec_id.is_(None))
                .values(used_pec_id=to, used_at=at)
                .returning(AbsenteeCertificate.id)
            ).first()
            if marked is None:  # used between our read and now: the ballot must not stand
                raise IntegrityError("absentee certificate already used", None, Exception())
            voter.pec_id = to
            voter.status = "active"
            log_change(
                self.session,
                self.election,
                voter,
                "avc_used",
                self.election.election_date,
                self.operator,
                from_pec=home_id,
                to_pec=to,
                reference=number,
            )

        return retain

    def newcomer(self, verdict: Verdict, person: NewPerson) -> CheckIn:
        """A person on no list: added to this PEC's list and given a ballot, together."""
        session, election, asking, at = self.session, self.election, self.asking, self._at()
        voter = Voter(
            election_id=election.id,
            iin=asking.iin,
            family_name=person.family_name.strip(),
            given_names=person.given_names.strip(),
            birth_date=person.birth_date,
            sex=person.sex,
            address=person.address.strip(),
            pec_id=asking.pec_id,
            status="active",
            exclusion=None,
        )
        try:
            with session.begin_nested():
                session.add(voter)
                session.flush()
                session.add(BallotIssue(**self._row(voter.id, "new", at)))
                log_change(
                    session,
                    election,
                    voter,
                    "registered_on_day",
                    election.election_date,
                    self.operator,
                    to_pec=asking.pec_id,
                )
                session.flush()
        except IntegrityError:
            # Another PEC registered the same person first (or this client key was used):
            # answer as for anyone already on the register.
            winner = session.scalar(
                select(Voter.id).where(Voter.election_id == election.id, Voter.iin == asking.iin)
            )
            if winner is None:
                raise
            return self.after_conflict(winner)
        return answer(asking, verdict, at)

    def after_conflict(self, voter_id: int) -> CheckIn:
        """The insert lost to a row already there: the voter's ballot, or this client key's."""
        session, election, asking = self.session, self.election, self.asking
        row = session.execute(_EARLIER, {"election": election.id, "voter": voter_id}).first()
        if row is not None:
            at, kind, client, there = row
            return answer(asking, after_earlier(asking, Earlier(there, at, kind, client)))
        used = session.scalar(
            select(BallotIssue.id).where(
                BallotIssue.election_id == election.id,
                BallotIssue.client_id == asking.client_id,
            )
        )
        if used is None:
            raise Conflict(
                f"the check-in of IIN {asking.iin} conflicted with a concurrent change; retry"
            )
        raise Conflict(
            f"client id {asking.client_id!r} was already used for another voter's check-in; "
            "each check-in needs its own"
        )
