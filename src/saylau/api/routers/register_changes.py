"""Changes before election day, for the commission that receives the application.

A transfer is recorded by the commission of the PEC the voter moves to (where they apply); an
absentee certificate and a mobile-voting request by the commission of the voter's own PEC.
Each is accepted only inside the profile's window and answers what was recorded (201), or 422
naming the rule broken, writing nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from saylau.administration.service import get_election
from saylau.api.access import authorize
from saylau.api.deps import Caller, WriteSession
from saylau.api.schemas import (
    CertificateBody,
    MobileRequestBody,
    RegisterChangeOut,
    TransferBody,
)
from saylau.register.changes import Recorded, issue_certificate, request_mobile, transfer
from saylau.register.reads import home_pec

router = APIRouter(tags=["register"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No token, or an unknown or revoked one."},
    403: {"description": "The token's role or scope does not cover the commission."},
    404: {"description": "No such election, voter or PEC."},
    422: {
        "description": "Outside the profile's window, or the voter cannot change; nothing written."
    },
}


def _answer(recorded: Recorded) -> dict[str, Any]:
    return {**recorded.__dict__, "applied_on": recorded.applied_on.isoformat()}


@router.post(
    "/elections/{election}/register/transfers",
    response_model=RegisterChangeOut,
    status_code=201,
    responses=RESPONSES,
    summary="Move a voter to the list where they will vote (the receiving PEC's commission)",
)
def post_transfer(
    election: str, body: TransferBody, session: WriteSession, caller: Caller
) -> dict[str, Any]:
    chosen = get_election(session, election)
    authorize(session, chosen.id, caller, "register.change", body.to_pec, kind="pec")
    done = transfer(session, chosen, body.iin, body.to_pec, applied_on=body.applied_on,
                    by=caller.name, reference=body.reference)  # fmt: skip
    return _answer(done)


@router.post(
    "/elections/{election}/register/certificates",
    response_model=RegisterChangeOut,
    status_code=201,
    responses=RESPONSES,
    summary="Issue an absentee voting certificate (the voter's own PEC's commission)",
)
def post_certificate(
    election: str, body: CertificateBody, session: WriteSession, caller: Caller
) -> dict[str, Any]:
    chosen = get_election(session, election)
    home = home_pec(session, chosen, body.iin)
    authorize(session, chosen.id, caller, "register.change", home, kind="pec")
    return _answer(issue_certificate(session, chosen, body.iin, applied_on=body.applied_on,
                                     by=caller.name))  # fmt: skip


@router.post(
    "/elections/{election}/register/mobile-requests",
    response_model=RegisterChangeOut,
    status_code=201,
    responses=RESPONSES,
    summary="Record a written application to vote at home (the voter's own PEC's commission)",
)
def post_mobile_request(
    election: str, body: MobileRequestBody, session: WriteSession, caller: Caller
) -> dict[str, Any]:
    chosen = get_election(session, election)
    home = home_pec(session, chosen, body.iin)
    authorize(session, chosen.id, caller, "register.change", home, kind="pec")
    return _answer(request_mobile(session, chosen, body.iin, reason=body.reason,
                                  applied_on=body.applied_on, by=caller.name))  # fmt: skip
