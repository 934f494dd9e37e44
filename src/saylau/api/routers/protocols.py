"""Writes of the results context: entering and amending PEC protocols, with a token.

Each write is checked in this order: a valid token (401), the PEC exists (404), the role and
scope allow it (403), then the same service function the CLI calls (422 naming the relation,
409 for a second different protocol). The request is one transaction: a refusal writes nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from saylau.administration.service import get_election
from saylau.api.access import authorize
from saylau.api.deps import Caller, WriteSession
from saylau.api.schemas import AcceptedOut, AmendmentBody, ProtocolBody
from saylau.domain.errors import ProtocolRejected
from saylau.results.service import Accepted, ProtocolInput, amend_protocol, submit_protocols

router = APIRouter(tags=["protocols"])

ERRORS = {
    401: {"description": "No token, or an unknown or revoked one."},
    403: {"description": "The token's role or commission scope does not cover this PEC."},
    404: {"description": "No such election or PEC."},
    409: {"description": "Conflicts with what is stored."},
    422: {"description": "The protocol breaks a rule; the relation and lines are named."},
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
    responses={200: {"description": "Identical to the stored protocol: nothing new written."}}
    | ERRORS,
    summary="Enter a PEC protocol (pec-operator: own PEC; tec-operator, cec-admin: in scope)",
)
def submit(
    election: str, body: ProtocolBody, session: WriteSession, caller: Caller, response: Response
) -> dict[str, object]:
    chosen = get_election(session, election)
    authorize(session, chosen.id, caller, "protocol.submit", body.pec, kind="pec")
    if body.election not in (None, chosen.code):
        raise ProtocolRejected(
            body.pec, [f"field election is {body.election!r} but the URL names {chosen.code!r}"]
        )
    item = ProtocolInput(body.pec, body.lines, body.explanations, body.version)
    [accepted] = submit_protocols(session, chosen, [item], entered_by=caller.name)
    if accepted.status == "unchanged":
        response.status_code = 200
    return accepted_out(accepted)


@router.post(
    "/elections/{election}/protocols/{pec}/amendments",
    response_model=AcceptedOut,
    status_code=201,
    responses=ERRORS,
    summary="Amend an accepted protocol by a recorded decision (tec-operator, cec-admin)",
)
def amend(
    election: str, pec: str, body: AmendmentBody, session: WriteSession, caller: Caller
) -> dict[str, object]:
    chosen = get_election(session, election)
    authorize(session, chosen.id, caller, "protocol.amend", pec, kind="pec")
    item = ProtocolInput(pec, body.lines, body.explanations, body.version)
    accepted = amend_protocol(
        session, chosen, pec, item, body.decision, by=caller.name, reason=body.reason
    )
    return accepted_out(accepted)
