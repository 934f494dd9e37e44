"""Made-up voters for the register tests, with valid IINs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select

from saylau.administration.models import Unit
from saylau.administration.service import get_election
from saylau.domain.iin import make_iin
from saylau.register.changes import designate_sites
from saylau.register.models import Voter
from saylau.register.voters import VoterRecord, add_voters
from saylau.store.db import session_scope


def pec_codes(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return list(
            session.scalars(select(Unit.code).where(Unit.kind == "pec").order_by(Unit.code))
        )


def person(serial: int, pec: str, *, born: date = date(1980, 6, 15), sex: str = "female",
           exclusion: str | None = None) -> VoterRecord:  # fmt: skip
    number = make_iin(born, sex, serial)
    assert number is not None
    return VoterRecord(
        iin=number,
        family_name=f"Family{serial}",
        given_names=f"Given {serial}",
        birth_date=born,
        sex=sex,
        address=f"Street {serial}",
        pec=pec,
        exclusion=exclusion,
    )


def register(engine: Engine, records: list[VoterRecord]) -> None:
    with session_scope(engine, write=True) as session:
        add_voters(session, get_election(session, "kz-2022"), records)


def designate(engine: Engine, pecs: list[str], scope: str) -> None:
    """Make `pecs` election-day registration sites of `scope`."""
    with session_scope(engine, write=True) as session:
        designate_sites(session, get_election(session, "kz-2022"), pecs, scope)


def home_of(engine: Engine, iin: str) -> str:
    """The code of the PEC whose list the voter is on now."""
    with session_scope(engine) as session:
        return str(
            session.scalar(
                select(Unit.code).join(Voter, Voter.pec_id == Unit.id).where(Voter.iin == iin)
            )
        )
