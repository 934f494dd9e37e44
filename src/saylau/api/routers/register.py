"""Election-day check-in for PEC operators: one ballot per voter, enforced by the database.

Checked in this order: a valid token (401), the PEC exists (404), the role and scope allow it
(403: a PEC operator checks voters in at its own PEC only), then the same service the CLI
calls. An issued ballot answers 201; a refusal answers 409 with the reason, and writes nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from saylau.administration.models import Election
from saylau.administration.service import get_election
from saylau.api.access import Targets, authorize
from saylau.api.deps import Caller, WriteSession, engine_of
from saylau.api.schemas import CheckInBody, CheckInOut, QueueUploadBody, QueueUploadOut
from saylau.register.checkin import ISSUE, CheckIn, NewPerson, check_in
from saylau.register.offline import device_pec, upload
from saylau.store.db import session_scope
from saylau.users.service import Principal

router = APIRouter(tags=["register"])
DEFAULT_AT_ONCE = 5  # check-ins at once per worker when the pool does not say its size


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
async def checkin(
    election: str, body: CheckInBody, request: Request, caller: Caller
) -> JSONResponse:
    """The hot path of election day. At most as many check-ins at once per worker as its
    connection pool holds (the rest wait here, in the event loop, not in threads holding
    nothing): more would open and close overflow connections, each a new PostgreSQL backend,
    which cost more than the check-ins themselves. Each runs in one thread with one session."""
    hot = checkin_state(request)
    async with hot.limit:
        answer = await run_in_threadpool(_check_in, request, hot, election, body, caller)
    status = 201 if answer.outcome == ISSUE else 409
    return JSONResponse(answer.as_dict(), status_code=status)


def _check_in(
    request: Request, hot: CheckinState, election: str, body: CheckInBody, caller: Principal
) -> CheckIn:
    """One write session: the election and the PEC's place in the tree as this worker
    remembers them (neither changes once made), then the check-in, whose guarantees rest on
    the database alone."""
    with session_scope(engine_of(request), write=True) as session:
        chosen = hot.elections.get(election)
        if chosen is None:
            chosen = get_election(session, election)
            session.expunge(chosen)  # kept loaded: a rollback would expire it for good
            hot.elections[election] = chosen
        pec = hot.targets.authorize(session, chosen.id, caller, "voter.checkin", body.pec, "pec")
        return check_in(
            session,
            chosen,
            body.pec,
            body.iin,
            operator=caller.name,
            client_id=body.client_id,
            mobile=body.mobile,
            supplementary=body.supplementary,
            avc=body.avc,
            person=NewPerson(**body.person.model_dump()) if body.person else None,
            pec=pec,
        )


class CheckinState:
    """What this app remembers for check-ins: elections by code (an election's row, its
    frozen profile included, never changes), commissions (see `Targets`), and the bound on
    check-ins at once (the connection pool's size)."""

    def __init__(self, pool_size: int) -> None:
        self.elections: dict[str, Election] = {}
        self.targets = Targets()
        self.size = pool_size
        self.limit = asyncio.Semaphore(pool_size)
        self.pool: Any = None  # the fast lane's asynchronous connections (api.checkin_lane)
        self.batcher: Any = None  # its group commit on them (register.checkin_batch)
        self.loop: asyncio.AbstractEventLoop | None = None


def checkin_state(request: Request) -> CheckinState:
    return checkin_state_of(request.app.state, engine_of(request))


def checkin_state_of(state: Any, engine: Engine) -> CheckinState:
    """The app's check-in memory, made on first use (sized by the engine's pool)."""
    hot: CheckinState | None = getattr(state, "checkin_hot", None)
    if hot is None:
        size = getattr(engine.pool, "size", None)
        hot = state.checkin_hot = CheckinState(size() if callable(size) else DEFAULT_AT_ONCE)
    return hot


@router.post(
    "/elections/{election}/devices/{device}/queue",
    response_model=QueueUploadOut,
    responses={
        401: {"description": "No token, or an unknown or revoked one."},
        403: {"description": "The token's role or scope does not cover the device's PEC."},
        404: {"description": "No such election or device."},
        422: {"description": "The queue is not the device's own, intact and unedited."},
    },
    summary="Upload a PEC device's offline queue: ballots recorded, conflicts flagged",
)
def upload_queue(
    election: str, device: str, body: QueueUploadBody, session: WriteSession, caller: Caller
) -> object:
    chosen = get_election(session, election)
    pec = device_pec(session, chosen, device)
    authorize(session, chosen.id, caller, "voter.checkin", pec, kind="pec")
    done = upload(session, chosen, device, body.lines, caller.name)
    return {
        "entries": done.entries,
        "replayed": done.replayed,
        "issued": done.issued,
        "conflicts": [c.as_dict() for c in done.conflicts],
    }
