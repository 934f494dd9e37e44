"""Turnout from check-ins on the static site: the live API's documents, at the API's paths.

Every unit page has a turnout table that reads `/api/v1/elections/{e}/units/{u}/turnout`. On
the served site the API answers it live; a static host has no API, so `publish site` writes
each unit's document at that very path, and the same page shows the same table. A static site
cannot refresh, so what it holds is a snapshot "as of" the latest check-in in the database when
it was published: taken from the data, not the clock, so the same data gives the same bytes.
Counts only, as the API gives them. An election without check-ins publishes none, and its pages
keep the table hidden.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.orm import Session

from saylau.administration.models import Election
from saylau.register.turnout import (
    HourlyTurnout,
    hourly_turnout_by_unit,
    last_check_in,
    turnout_document,
)


def turnout_path(election: str, unit_code: str) -> str:
    """Where a unit's turnout from check-ins is read: the live API, or the static site's copy
    of it at the same path (the pages fetch it from here, either way)."""
    return f"/api/v1/elections/{quote(election)}/units/{quote(unit_code)}/turnout"


@dataclass(frozen=True)
class PublishedTurnout:
    """Every unit's turnout, as of the latest check-in."""

    as_of: str
    units: list[HourlyTurnout]


def load_turnout(session: Session, election: Election) -> PublishedTurnout | None:
    """The election's turnout for publication, or None when nobody has checked in yet."""
    as_of = last_check_in(session, election)
    if as_of is None:
        return None
    return PublishedTurnout(as_of, hourly_turnout_by_unit(session, election))


def turnout_files(election_code: str, turnout: PublishedTurnout) -> list[tuple[str, bytes]]:
    """(URL path, JSON bytes) of every unit's turnout document."""
    return [
        (
            turnout_path(election_code, unit.unit),
            json.dumps(
                turnout_document(unit, turnout.as_of), ensure_ascii=False, separators=(",", ":")
            ).encode(),
        )
        for unit in turnout.units
    ]
