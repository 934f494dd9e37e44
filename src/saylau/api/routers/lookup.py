"""The public "where do I vote" lookup over the API.

It is a POST with the IIN and date of birth in the body, not a GET with them in the query:
URLs are written to access logs, proxy logs and browser histories, and an IIN is a national
identity number. The answer is the polling station or, for an IIN not on the register, an
excluded voter or a birth date that does not match, one and the same neutral message (see
`register.lookup`), never a name. Each client address may look up `SAYLAU_LOOKUP_RATE` times
(default 10 a minute; 429 with Retry-After over it: the server that assembles the API counts
every lookup before it reaches this router, `server.ratelimit`), and answers are marked `no-store`.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from saylau.administration.service import get_election
from saylau.api.deps import ReadSession
from saylau.api.schemas import WhereToVoteBody, WhereToVoteOut
from saylau.register.lookup import NOT_FOUND, PollingStation, polling_station_for

router = APIRouter(tags=["public"])

PRIVATE = {"Cache-Control": "no-store"}


def station_document(station: PollingStation) -> dict[str, str | None]:
    return {
        "code": station.code,
        "name_kk": station.names["kk"],
        "name_ru": station.names["ru"],
        "name_en": station.names["en"],
        "settlement": station.settlement,
        "address": station.address,
    }


@router.post(
    "/elections/{election}/where-to-vote",
    response_model=WhereToVoteOut,
    responses={
        404: {"description": "No such election."},
        422: {"description": "The IIN is malformed (form or check digit) or the date is not one."},
        429: {"description": "Too many lookups from this address; see Retry-After."},
    },
    summary="Where do I vote: the polling station for an IIN and date of birth",
)
def where_to_vote(election: str, body: WhereToVoteBody, session: ReadSession) -> JSONResponse:
    chosen = get_election(session, election)
    station = polling_station_for(session, chosen, body.iin, body.birth_date)
    if station is None:
        answer = {"found": False, "message": NOT_FOUND, "station": None}
    else:
        message = f"Your polling station is {station.code}."
        answer = {"found": True, "message": message, "station": station_document(station)}
    return JSONResponse(answer, headers=PRIVATE)
