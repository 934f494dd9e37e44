"""The public "where do I vote" lookup: a voter's polling station from their IIN and birth date.

It answers with the polling station and nothing else: no name, no status, no reason. A voter
who is excluded, an IIN not on the register and a birth date that does not go with the IIN all
get the same `None`, which the API and the page turn into the same neutral sentence, so the
lookup cannot be used to learn who is on the register or who is excluded from it. (The birth
date is also written in the IIN's first six digits; asking for it anyway catches a mistyped
IIN that happens to be someone else's, instead of sending that person's neighbour to the wrong
station.) Both answers come from one indexed query, so they take the same time.

The lookup is rate-limited per client (`server.ratelimit`) and never cached or published as a
static file: it reads the register, which is personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.domain.iin import parse_iin
from saylau.register.models import Voter

NOT_FOUND = (
    "No polling station was found for these details. Check the IIN and the date of birth; if "
    "they are right, contact your territorial election commission or the CEC call centre."
)


@dataclass(frozen=True)
class PollingStation:
    """What the public may learn: the PEC's code, names, settlement and address."""

    code: str
    names: dict[str, str]
    settlement: str | None
    address: str | None


def polling_station_for(
    session: Session, election: Election, iin: str, birth_date: date
) -> PollingStation | None:
    """The polling station of the active voter with this IIN and birth date, else None.

    A malformed IIN (form or check digit) raises `IinError`: that says nothing about the
    register, only that the number was mistyped, and the voter is better told so.
    """
    number = parse_iin(iin).number
    pec = session.scalar(
        select(Unit)
        .join(Voter, Voter.pec_id == Unit.id)
        .where(
            Voter.election_id == election.id,
            Voter.iin == number,
            Voter.birth_date == birth_date,
            Voter.status == "active",
        )
    )
    if pec is None:
        return None
    return PollingStation(
        code=pec.code,
        names={"kk": pec.name_kk, "ru": pec.name_ru, "en": pec.name_en},
        settlement=pec.settlement,
        address=pec.address,
    )
