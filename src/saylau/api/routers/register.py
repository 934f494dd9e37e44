"""Election-day check-in for PEC operators: one ballot per voter, enforced by the database.

Checked in this order: a valid token (401), the PEC exists (404), the role and scope allow it
(403: a PEC operator checks voters in at its own PEC only), then the same service the CLI
calls. An issued ballot answers 201; a refusal answers 409 with the reason, and writes nothing.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from saylau.administration.service import get_election
from saylau.api.access import authorize
from saylau.api.deps import Caller, WriteSession
from saylau.api.schemas import CheckInBody, CheckInOut
from saylau.register.checkin import ISSUE, check_in

router = APIRouter(tags=["register"])


@router.post(
    "/elections/{election}/checkins",
    response_model=CheckInOut,
    status_code=201,
    responses={
        401: {"description": "No token, or an unknown or revoked one."},
        403: {"description": "The token's role or commission scope does not cover this PEC."},
        404: {"description": "No such election or PEC."},
        409: {"model": CheckInOut, "description": "Refused, with the reason; nothing written."},
    },
    summary="Check a voter in: issue a ballot or refuse (pec-operator: own PEC)",
)
def checkin(election: str, body: CheckInBody, session: WriteSession, caller: Caller) -> object:
    chosen = get_election(session, election)
    authorize(session, chosen.id, caller, "voter.checkin", body.pec, kind="pec")
    answer = check_in(
        session,
        chosen,
        body.pec,
        body.iin,
        operator=caller.name,
        client_id=body.client_id,
        mobile=body.mobile,
        supplementary=body.supplementary,
    )
    if answer.outcome == ISSUE:
        return answer.as_dict()
    return JSONResponse(answer.as_dict(), status_code=409)
