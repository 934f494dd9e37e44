"""A PEC's voter list as the commission reads it: every voter on it, and every ballot issued.

The list is personal data (names, IINs, birth dates, addresses), so it is read only by the
commissions that keep it (`voter.list` in `domain.access`); this module only gathers it, and
every path that hands it out records who read it (`register/list_reads.py`). A voter belongs
on a PEC's list when the register puts them there (`voter.pec_id`) or when the PEC added them
on election day (a supplementary ballot issued there); each row says which, and whether a
ballot was issued, of what kind, where and when, so a list printed during the day shows who
has already voted.

Rows are sorted by family name in the Kazakh Cyrillic alphabet, each Kazakh letter in its place
rather than after the Russian alphabet as code points would put it, in Python, not by the
database's collation: the order is the same on SQLite and PostgreSQL, and the one a commission
expects on paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from saylau.administration.models import Election, Unit
from saylau.administration.service import timezone_of
from saylau.domain.errors import NotFound
from saylau.register.models import BallotIssue, Voter
from saylau.register.voter_list_pdf import PrintedList, PrintedRow, render_voter_list

# The Kazakh Cyrillic alphabet, which contains the Russian one; Latin letters sort after it.
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RANK = {letter: index for index, letter in enumerate(KAZAKH_ALPHABET)}
_AFTER_CYRILLIC = len(KAZAKH_ALPHABET)

ON_LIST = "register"
ADDED_ON_DAY = "added"
# Ballot kinds that put the voter on the issuing PEC's list on election day: supplementary
# registration, an absentee certificate retained there, a person registered on the day.
ADDING = frozenset({"supplementary", "avc", "new"})


def collation_key(text: str) -> tuple[tuple[int, int], ...]:
    """A sort key for a name in Kazakh alphabetical order, case-insensitive.

    Code point order would put the nine Kazakh letters after the last Russian one; here each
    letter takes its place in the alphabet, and anything else (Latin, digits, hyphens) sorts
    after the Cyrillic letters by code point.
    """
    return tuple(
        (_RANK[c], 0) if c in _RANK else (_AFTER_CYRILLIC, ord(c)) for c in text.casefold()
    )


@dataclass(frozen=True)
class Ballot:
    """A ballot issued to a voter: its kind (station, mobile, supplementary, ...), where, when."""

    kind: str
    pec: str
    issued_at: str


@dataclass(frozen=True)
class ListEntry:
    """One voter on a PEC's list. on_list: `register` (on it before election day) or `added`
    (added at this PEC on election day: supplementary registration, an absentee certificate, a
    person registered on the day)."""

    iin: str
    family_name: str
    given_names: str
    birth_date: date
    address: str
    status: str
    exclusion: str | None
    on_list: str
    ballot: Ballot | None

    def sort_key(self) -> tuple[object, ...]:
        return (
            collation_key(self.family_name),
            collation_key(self.given_names),
            self.birth_date,
            self.iin,
        )


@dataclass(frozen=True)
class PecHeading:
    """What identifies the list on paper: the election and the PEC, with its TEC."""

    election_code: str
    election_name: str
    election_date: date
    pec_code: str
    pec_names: dict[str, str]
    settlement: str | None
    address: str | None
    tec_code: str | None
    tec_names: dict[str, str] | None


@dataclass(frozen=True)
class VoterList:
    heading: PecHeading
    entries: list[ListEntry]

    @property
    def active(self) -> list[ListEntry]:
        """The voters who may sign for a ballot (excluded persons are not on the paper list)."""
        return [e for e in self.entries if e.status == "active"]


def _names(unit: Unit) -> dict[str, str]:
    return {"kk": unit.name_kk, "ru": unit.name_ru, "en": unit.name_en}


def find_pec(session: Session, election: Election, code: str) -> Unit:
    """The PEC `code` of `election` (NotFound naming both otherwise)."""
    pec = session.scalar(
        select(Unit).where(Unit.election_id == election.id, Unit.code == code, Unit.kind == "pec")
    )
    if pec is None:
        raise NotFound(f"no PEC {code!r} in election {election.code}")
    return pec


def pec_heading(session: Session, election: Election, pec: Unit) -> PecHeading:
    tec = session.get(Unit, pec.parent_id) if pec.parent_id is not None else None
    return PecHeading(
        election_code=election.code,
        election_name=election.name,
        election_date=election.election_date,
        pec_code=pec.code,
        pec_names=_names(pec),
        settlement=pec.settlement,
        address=pec.address,
        tec_code=tec.code if tec is not None else None,
        tec_names=_names(tec) if tec is not None else None,
    )


def voter_list(session: Session, election: Election, pec_code: str) -> VoterList:
    """Every voter on PEC `pec_code`'s list, with their ballot if one was issued, in order.

    Two indexed queries rather than one with an OR across the join: the voters the register
    puts here (by `voter.pec_id`, which election-day registration moves to the PEC that adds
    the voter), and any voter given a ballot here whose record names another list (by
    `ballot_issue.pec_id`); an OR over both tables would scan the whole register.
    """
    pec = find_pec(session, election, pec_code)
    issued_at = aliased(Unit)
    columns = (Voter, BallotIssue.kind, BallotIssue.issued_at, issued_at.code)
    home = session.execute(
        select(*columns)
        .outerjoin(
            BallotIssue,
            (BallotIssue.election_id == Voter.election_id) & (BallotIssue.voter_id == Voter.id),
        )
        .outerjoin(issued_at, issued_at.id == BallotIssue.pec_id)
        .where(Voter.election_id == election.id, Voter.pec_id == pec.id)
    ).all()
    added = session.execute(
        select(*columns)
        .join(BallotIssue, BallotIssue.voter_id == Voter.id)
        .join(issued_at, issued_at.id == BallotIssue.pec_id)
        .where(
            BallotIssue.election_id == election.id,
            BallotIssue.pec_id == pec.id,
            Voter.pec_id != pec.id,
        )
    ).all()
    entries = [
        ListEntry(
            iin=voter.iin,
            family_name=voter.family_name,
            given_names=voter.given_names,
            birth_date=voter.birth_date,
            address=voter.address,
            status=voter.status,
            exclusion=voter.exclusion,
            on_list=ADDED_ON_DAY if elsewhere or (code == pec.code and kind in ADDING) else ON_LIST,
            ballot=Ballot(kind, code, at) if kind is not None else None,
        )
        for rows, elsewhere in ((home, False), (added, True))
        for voter, kind, at, code in rows
    ]
    entries.sort(key=ListEntry.sort_key)
    return VoterList(pec_heading(session, election, pec), entries)


def printed_list(found: VoterList, lang: str, timezone: str) -> PrintedList:
    """The list as the paper shows it: names in `lang`, the voters who may sign (excluded
    persons are counted, not listed)."""
    heading = found.heading
    tec = ""
    if heading.tec_code is not None and heading.tec_names is not None:
        tec = f"{heading.tec_code} · {heading.tec_names.get(lang) or heading.tec_names['en']}"
    place = ", ".join(p for p in (heading.settlement, heading.address) if p)
    return PrintedList(
        election=heading.election_name,
        election_date=heading.election_date.isoformat(),
        pec_code=heading.pec_code,
        pec_name=heading.pec_names.get(lang) or heading.pec_names["en"],
        pec_address=place,
        tec=tec,
        rows=[
            PrintedRow(
                family_name=e.family_name,
                given_names=e.given_names,
                birth_date=e.birth_date.strftime("%d.%m.%Y"),
                iin=e.iin,
                address=e.address,
                added=e.on_list == ADDED_ON_DAY,
                ballot_kind=e.ballot.kind if e.ballot else None,
                ballot_pec=e.ballot.pec if e.ballot else None,
                ballot_at=e.ballot.issued_at if e.ballot else None,
            )
            for e in found.active
        ],
        excluded=len(found.entries) - len(found.active),
        timezone=timezone,
    )


@dataclass(frozen=True)
class PrintableList:
    """A PEC's list rendered for printing: the PDF, and how many voters it lists (the count a
    read of it is recorded with, `register/list_reads.py`)."""

    pdf: bytes
    rows: int


def printable_list(
    session: Session, election: Election, pec_code: str, lang: str = "kk"
) -> PrintableList:
    """PEC `pec_code`'s printable list for signing on election day, with its row count.

    The one rendering the API's `voters.pdf` and `saylau register list-pdf` both hand out."""
    printed = printed_list(voter_list(session, election, pec_code), lang, timezone_of(election))
    return PrintableList(render_voter_list(printed, lang), len(printed.rows))
