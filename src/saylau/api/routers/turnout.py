"""Live turnout from check-ins: any unit, hour by hour, as election day goes.

Check-ins do not move the audit chain (they are not published results), so the head-keyed
cache of public reads would never refresh this; it is answered here instead, from a small
in-process cache that keeps each unit's figures for `FRESH_SECONDS`. Counts only: no check-in,
voter or time of a single ballot is ever shown.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from saylau.administration.service import get_election
from saylau.api.deps import Kept, ReadSession
from saylau.api.schemas import HourlyTurnoutOut
from saylau.audit.service import now_iso
from saylau.register.turnout import hourly_turnout, turnout_document

router = APIRouter(tags=["public"])

FRESH_SECONDS = 30


class LiveCache(Kept[tuple[str, str], dict[str, Any]]):
    """One app's kept figures (each app serves one database), for `FRESH_SECONDS`."""

    def __init__(self, seconds: float = FRESH_SECONDS) -> None:
        super().__init__(seconds, 20_000)


@router.get(
    "/elections/{election}/units/{unit}/turnout",
    response_model=HourlyTurnoutOut,
    summary="Turnout from check-ins by local hour (refreshed every 30 seconds)",
)
def unit_turnout(
    election: str, unit: str, session: ReadSession, request: Request
) -> dict[str, Any]:
    cache: LiveCache = request.app.state.live_turnout
    key = (election, unit)
    found = cache.get(key)
    if found is not None:
        return found
    result = hourly_turnout(session, get_election(session, election), unit)
    document = turnout_document(result, now_iso())
    cache.put(key, document)
    return document
