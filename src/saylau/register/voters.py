"""Putting people on the register: every record checked, the whole batch or nothing.

Each record's IIN must be well-formed and agree with the birth date and sex stated beside it
(a mismatch is a typo in one or the other, and the register must not guess which); the person
must be of voting age on election day; an exclusion must be one the profile allows; the PEC
must exist; and nobody may appear twice. A refused batch names every broken rule by row and
field and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import profile_of
from saylau.domain.eligibility import VoterRules, registration_problems
from saylau.domain.errors import Rejected
from saylau.domain.iin import IinError, parse_iin
from saylau.register.models import Voter
from saylau.results.reads import current_pec_lines

SHOWN = 20


@dataclass(frozen=True)
class VoterRecord:
    """One person as a civil-registry extract gives them, with the PEC their address falls in."""

    iin: str
    family_name: str
    given_names: str
    birth_date: date
    sex: str
    address: str
    pec: str
    exclusion: str | None = None


class RegisterRejected(Rejected):
    """Records broke the register's rules; nothing was written."""

    def __init__(self, problems: list[str], count: int, rows: int) -> None:
        shown = "\n".join(f"  {p}" for p in problems[:SHOWN])
        more = f"\n  ... and {len(problems) - SHOWN:,} more" if len(problems) > SHOWN else ""
        super().__init__(
            f"voter records ({count:,} of {rows:,})",
            problems,
            detail=f"{len(problems):,} problem(s) in {count:,} of {rows:,} records; "
            f"nothing written\n{shown}{more}",
        )


def record_problems(
    record: VoterRecord, row: int, election: Election, rules: VoterRules, pecs: dict[str, int]
) -> list[str]:
    """Every rule `record` (numbered `row`) breaks, each naming the row and field."""
    problems = []
    try:
        holder = parse_iin(record.iin)
    except IinError as exc:
        problems.append(f"row {row}, field iin: {exc.rule}")
    else:
        if holder.birth_date != record.birth_date:
            problems.append(
                f"row {row}, field birth_date: {record.birth_date.isoformat()} disagrees with "
                f"IIN {record.iin} ({holder.birth_date.isoformat()})"
            )
        if holder.sex != record.sex:
            problems.append(
                f"row {row}, field sex: {record.sex!r} disagrees with IIN {record.iin} "
                f"({holder.sex})"
            )
    for problem in registration_problems(
        rules, record.birth_date, election.election_date, record.exclusion
    ):
        field = "exclusion" if problem.startswith("exclusion") else "birth_date"
        problems.append(f"row {row}, field {field}: {problem}")
    if record.pec not in pecs:
        problems.append(f"row {row}, field pec: no PEC {record.pec!r} in {election.code}")
    for name in ("family_name", "given_names", "address"):
        if not getattr(record, name).strip():
            problems.append(f"row {row}, field {name}: must not be empty")
    return problems


def add_voters(session: Session, election: Election, records: Sequence[VoterRecord]) -> int:
    """Add `records` to the register, all or none; returns how many were added."""
    pecs = dict(
        session.execute(
            select(Unit.code, Unit.id).where(Unit.election_id == election.id, Unit.kind == "pec")
        ).all()
    )
    rules = profile_of(election).require_voters()
    problems: list[str] = []
    bad_rows = set()
    seen: dict[str, int] = {}
    known = set(
        session.scalars(
            select(Voter.iin).where(
                Voter.election_id == election.id, Voter.iin.in_([r.iin for r in records])
            )
        )
    )
    for row, record in enumerate(records, start=1):
        found = record_problems(record, row, election, rules, pecs)
        if record.iin in seen:
            found.append(f"row {row}, field iin: {record.iin} is already on row {seen[record.iin]}")
        elif record.iin in known:
            found.append(f"row {row}, field iin: {record.iin} is already on the register")
        seen.setdefault(record.iin, row)
        if found:
            bad_rows.add(row)
            problems.extend(found)
    if problems:
        raise RegisterRejected(problems, len(bad_rows), len(records))
    if records:
        session.execute(
            insert(Voter),
            [
                {
                    "election_id": election.id,
                    "iin": r.iin,
                    "family_name": r.family_name,
                    "given_names": r.given_names,
                    "birth_date": r.birth_date,
                    "sex": r.sex,
                    "address": r.address,
                    "pec_id": pecs[r.pec],
                    "status": "excluded" if r.exclusion else "active",
                    "exclusion": r.exclusion,
                }
                for r in records
            ],
        )
    return len(records)


def register_size(session: Session, election: Election) -> int:
    """How many records the election's register holds (any status)."""
    return int(
        session.scalar(
            select(func.count()).select_from(Voter).where(Voter.election_id == election.id)
        )
        or 0
    )


def exclusions_by_reason(session: Session, election: Election) -> dict[str, int]:
    """How many people are excluded from the register for each reason: for publication."""
    rows = session.execute(
        select(Voter.exclusion, func.count())
        .where(Voter.election_id == election.id, Voter.exclusion.is_not(None))
        .group_by(Voter.exclusion)
    )
    counts = {str(reason): int(n) for reason, n in rows}
    rules = profile_of(election).require_voters()
    return {reason: counts.get(reason, 0) for reason in rules.exclusions}


def registered_by_pec(session: Session, election: Election) -> tuple[list[str], np.ndarray]:
    """(PEC codes, registered voters in each PEC's protocol): the sizes a synthetic register
    matches, so the reference register adds up to the published 11,953,465."""
    lines = current_pec_lines(session, election)
    profile = profile_of(election)
    numbers = [line.no for line in profile.lines if line.code in profile.totals["registered"]]
    pecs = session.execute(
        select(Unit.id, Unit.code)
        .where(Unit.election_id == election.id, Unit.kind == "pec")
        .order_by(Unit.code)
    ).all()
    codes = [code for unit_id, code in pecs if unit_id in lines]
    sizes = np.array(
        [
            sum(lines[unit_id].get(no, 0) for no in numbers)
            for unit_id, _ in pecs
            if unit_id in lines
        ],
        dtype=np.int64,
    )
    return codes, sizes
