"""Writes of the results context: entering and amending PEC protocols, with a token.

Each write is checked in this order: a valid token (401), the PEC exists (404), the role and
scope allow it (403), then the same service function the CLI calls (422 naming the relation,
409 for a second different protocol or an amendment of a version that is no longer current).
The body is the protocol document the CLI reads (results/document.py). The request is one
transaction: a refusal writes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from saylau.administration.service import get_election
from saylau.api.access import authorize
from saylau.api.deps import Caller, WriteSession
from saylau.api.errors import WRITE_ERRORS
from saylau.api.schemas import AcceptedOut
from saylau.results.document import AmendmentDocument, ProtocolDocument
from saylau.results.service import Accepted, amend_protocol, submit_protocols

router = APIRouter(tags=["protocols"])

SUBMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Identical to the stored protocol: nothing new written."},
    **WRITE_ERRORS,
}


def accepted_out(accepted: Accepted) -> dict[str, object]:
    return {
        "pec": accepted.pec,
        "version": accepted.version,
        "audit_hash": accepted.audit_hash,
        "status": accepted.status,
        "flags": list(accepted.flags),
    }


@router.post(
    "/elections/{election}/protocols",
    response_model=AcceptedOut,
    status_code=201,
    responses=SUBMIT_RESPONSES,
    summary="Enter a PEC protocol (pec-operator: own PEC; tec-operator, cec-admin: in scope)",
)
def submit(
    election: str,
    body: ProtocolDocument,
    session: WriteSession,
    caller: Caller,
    response: Response,
) -> dict[str, object]:
    chosen = get_election(session, election)
    authorize(session, chosen.id, caller, "protocol.submit", body.pec, kind="pec")
    item = body.to_input(chosen.code)
    [accepted] = submit_protocols(session, chosen, [item], entered_by=caller.name)
    if accepted.status == "unchanged":
        response.status_code = 200
    return accepted_out(accepted)


@router.post(
    "/elections/{election}/protocols/{pec}/amendments",
    response_model=AcceptedOut,
    status_code=201,
    responses=WRITE_ERRORS,
    summary="Amend an accepted protocol by a recorded decision (tec-operator, cec-admin)",
)
def amend(
    election: str, pec: str, body: AmendmentDocument, session: WriteSession, caller: Caller
) -> dict[str, object]:
    chosen = get_election(session, election)
    authorize(session, chosen.id, caller, "protocol.amend", pec, kind="pec")
    item = body.to_input(chosen.code, pec)
    accepted = amend_protocol(
        session, chosen, pec, item, body.decision or "", by=caller.name, reason=body.reason or ""
    )
    return accepted_out(accepted)
