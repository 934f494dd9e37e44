"""The election-day check-in's fast lane: the plain case answered before the app's stack.

Profiled under 100 clients, a check-in through the full app cost about 5 ms of worker CPU,
spread over middleware, routing, validation, the ORM and SQLAlchemy's statement building,
while PostgreSQL needed under 0.1 ms. Nearly every check-in on the day is the plain case: a
voter on this PEC's list, given a ballot at the station. This ASGI layer answers that case
itself, and does no more than an edge does: it parses the request, authenticates the token
(`users.service.principal_by_digest`), and hands the check-in to the register's group commit
(`register.checkin_batch`), which decides it with the rule every check-in is decided by
(`domain.checkin.decide`) and writes it under the same UNIQUE constraints, so the one-ballot
guarantee is the database's exactly as on the app's path. The lane answers "issue" only;
everything else goes to the app untouched: any other kind of check-in, a body that does not
validate, a token, PEC or scope the lane cannot confirm, and every refusal (already voted, not
on this list, excluded, a retried client key...), so the app's 409 path, with every detail
its messages name, stays the one way a refusal is answered. The batches run on the event loop
(psycopg's asynchronous connections, prepared once per connection), with no thread hand-off.
The token and the PEC come from what the worker remembers (`deps.TokenCache`,
`access.Targets`): a token is read again every `deps.TOKEN_TTL` seconds, on the event loop too
(an unknown or revoked one goes to the app, which says which); a PEC is read once, in a thread,
as the app would. PostgreSQL only: on SQLite, where writers serialise anyway, every request
takes the app's path.

The asynchronous pool is set up here, at the edge, and not in `register` or `users`, which take
it (or a connection of it) as an argument: it belongs to the worker's event loop, which only the
ASGI layer sees start (first request) and end (the app's shutdown, `close_lane`), and it is
sized by the app's own pool, which the server configures.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from saylau.api.access import Target
from saylau.api.deps import token_cache_of
from saylau.api.routers.register import CheckinState, checkin_state_of
from saylau.api.schemas import CheckInBody
from saylau.audit.service import now_iso
from saylau.domain.errors import SaylauError
from saylau.register.changes import rules_of
from saylau.register.checkin import ISSUE, CheckIn
from saylau.register.checkin_batch import BallotBatcher, PlainCheckIn
from saylau.store.db import session_scope
from saylau.users.service import Principal, principal_by_digest, token_digest

HANDED_ON = "saylau.checkin_lane.handed_on"  # scope key: the app answers this one
PATH = re.compile(r"^/api/v1/elections/([^/]+)/checkins$")
LANE_IN_FLIGHT = 4  # batches at once per worker (register.checkin_batch)
MAX_BODY = 16_384  # a plain check-in is ~150 bytes; anything bigger goes the long way


class CheckinLane:
    """ASGI middleware: plain station check-ins on PostgreSQL, before the rest of the app.

    Inside the app (`create_app` adds it) it finds the app's state in the scope. The server
    (`server.serve`) also wraps the whole app in one, given the state, so that the plain case
    skips the framework's own layers too; a request it hands on is marked, and the inner one
    lets it through untouched.
    """

    def __init__(self, app: ASGIApp, state: Any = None) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or HANDED_ON in scope:
            await self.app(scope, receive, send)
            return
        matched = PATH.match(scope["path"])
        state = self.state if self.state is not None else scope["app"].state
        engine: Engine = state.engine
        if matched is None or engine.dialect.name != "postgresql":
            await self.app(scope, receive, send)
            return
        body, complete = await _read(receive)
        replay = _replaying(body, complete, receive)
        answer = None
        if complete:
            answer = await self._try(scope, state, engine, matched.group(1), body)
        if answer is None:
            scope[HANDED_ON] = True
            await self.app(scope, replay, send)
            return
        payload = json.dumps(
            answer.as_dict(), ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode()  # as the app's JSONResponse
        headers = [(b"content-length", str(len(payload)).encode()),
                   (b"content-type", b"application/json")]  # fmt: skip
        await send({"type": "http.response.start", "status": 201, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def _try(
        self, scope: Scope, state: Any, engine: Engine, election: str, body: bytes
    ) -> CheckIn | None:
        """The ballot issued, or None: then the app answers (and re-checks everything)."""
        request = _plain_body(body)
        if request is None:
            return None
        if request.mobile or request.supplementary or request.avc or request.person:
            return None
        token = _bearer(scope)
        if token is None:
            return None
        hot = checkin_state_of(state, engine)
        cache = token_cache_of(state)
        chosen = hot.elections.get(election)
        if chosen is None:
            return None  # the app's path loads and remembers it on its first check-in
        pool = await self._pool(engine, hot)
        digest = token_digest(token)
        caller = cache.get(digest)
        if caller is None:  # every TOKEN_TTL seconds per token: read on the event loop
            caller = await _principal(pool, hot, digest)
            if caller is None:
                return None  # unknown or revoked: the app answers 401 and says which
            cache.put(digest, caller)
        try:
            pec = hot.targets.remembered(chosen.id, caller, "voter.checkin", request.pec, "pec")
            if pec is None:  # first sight of this PEC in this worker: read it once
                pec = await run_in_threadpool(_target, engine, hot, caller, chosen.id, request.pec)
        except SaylauError:
            return None
        batcher: BallotBatcher = hot.batcher
        said = await batcher.issue(
            PlainCheckIn(chosen.id, chosen.code, rules_of(chosen), request.iin, pec.id, pec.code,
                         now_iso(), caller.name, request.client_id)
        )  # fmt: skip
        return said if said is not None and said.outcome == ISSUE else None

    async def _pool(self, engine: Engine, hot: CheckinState) -> AsyncConnectionPool:
        """This worker's asynchronous connections, opened on first use in its event loop.

        Autocommit: a batch's one statement is its own transaction, with no BEGIN and COMMIT
        round trips; psycopg prepares it once per connection. As many as the app's own
        pool, of which the batches use at most LANE_IN_FLIGHT at once."""
        loop = asyncio.get_running_loop()
        pool: AsyncConnectionPool | None = hot.pool
        if pool is None or hot.loop is not loop:
            conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            size = hot.size
            pool = AsyncConnectionPool(
                conninfo, min_size=1, max_size=size, kwargs={"autocommit": True}, open=False
            )
            await pool.open()
            hot.pool = pool
            hot.batcher = BallotBatcher(pool, min(size, LANE_IN_FLIGHT))
            hot.loop = loop
        return pool


async def close_lane(state: Any) -> None:
    """Close the worker's asynchronous connections (at the app's shutdown)."""
    hot: CheckinState | None = getattr(state, "checkin_hot", None)
    if hot is not None and hot.pool is not None:
        await hot.pool.close()
        hot.pool = None


async def _principal(pool: AsyncConnectionPool, hot: CheckinState, digest: str) -> Principal | None:
    """The active user whose token has this digest, or None (the app then says why)."""
    async with hot.limit, pool.connection() as connection:
        return await principal_by_digest(connection, digest)


def _target(engine: Engine, hot: CheckinState, caller: Principal, election_id: int,
            code: str) -> Target:  # fmt: skip
    """The PEC, read once and then remembered (NotFound or Forbidden: the app says which)."""
    with session_scope(engine) as session:
        return hot.targets.authorize(session, election_id, caller, "voter.checkin", code, "pec")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("a key twice in one object")
    return found


def _plain_body(body: bytes) -> CheckInBody | None:
    """The body as a check-in, or None: the app's path refuses it and says why.

    Read as strictly as the app reads every body (`domain.json_input`): Python's `json` and
    pydantic's parser both keep the last of duplicate keys, so a body naming two IINs would
    be issued here for one while the app refuses it; NaN and Infinity fail validation (no
    field is a number); a nesting too deep for the parser is the app's. A malformed IIN is the
    rule's: the batch refuses it (`decide`)."""
    try:
        return CheckInBody.model_validate(json.loads(body, object_pairs_hook=_unique_keys))
    except (ValueError, RecursionError):  # ValidationError and JSONDecodeError among them
        return None


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() or None if scheme.lower() == "bearer" else None
    return None


async def _read(receive: Receive) -> tuple[bytes, bool]:
    """The request body, and whether it was read whole (False: too big, or the client left)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > MAX_BODY:
            return b"".join(chunks), False


def _replaying(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A receive that gives the app the body already read, then the client's own messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay
