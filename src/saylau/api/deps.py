"""What every endpoint shares: a database session per request and the caller's identity.

The caller's token is looked up in a session of its own, closed before the endpoint's session
opens: a request never holds two pooled connections at once (with 100 clients, requests each
holding a read connection while waiting for a write one exhausted the pool and stalled for its
30-second timeout). A token that authenticated is then trusted for `TOKEN_TTL` seconds by the
worker that checked it, so a PEC device's stream of check-ins costs one lookup per interval,
not one per request: revoking a user takes effect on every worker within `TOKEN_TTL` seconds.
Unknown and revoked tokens are never remembered; they are looked up every time.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator
from typing import Annotated, Any, Generic, TypeVar

from cachetools import TTLCache
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from saylau.store.db import session_scope
from saylau.users.service import Principal, authenticate, token_digest

bearer = HTTPBearer(auto_error=False, description="A token from `saylau users add`.")

TOKEN_TTL = 5.0  # seconds a worker trusts a token it has checked (revocation delay)
TOKEN_CACHE_MAX = 50_000  # tokens remembered per worker: one per PEC device, and then some


def engine_of(request: Request) -> Engine:
    """The application's engine (Starlette's `state` is untyped: checked, not assumed)."""
    engine = request.app.state.engine
    assert isinstance(engine, Engine), "create_app puts the engine on the app's state"
    return engine


def read_session(request: Request) -> Iterator[Session]:
    """A read-only unit of work for one request."""
    with session_scope(engine_of(request)) as session:
        yield session


def write_session(request: Request) -> Iterator[Session]:
    """A write unit of work: everything the request writes commits together or not at all."""
    with session_scope(engine_of(request), write=True) as session:
        yield session


ReadSession = Annotated[Session, Depends(read_session)]
# scope="function": the commit runs when the endpoint returns, before the answer is sent. With
# the default ("request"), FastAPI sends the answer first and commits after it, so a commit that
# failed would follow a 201 already given: something the caller was told is stored would not be.
WriteSession = Annotated[Session, Depends(write_session, scope="function")]


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    """Values kept for `ttl` seconds, shared by a worker's threads (so behind a lock)."""

    def __init__(self, ttl: float, limit: int) -> None:
        self.known: TTLCache[K, V] = TTLCache(limit, ttl)
        self.lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self.lock:
            return self.known.get(key)

    def put(self, key: K, value: V) -> None:
        with self.lock:
            self.known[key] = value

    def clear(self) -> None:
        with self.lock:
            self.known.clear()


class TokenCache(Kept[str, Principal]):
    """Principals by token digest, each trusted for `ttl` seconds (per app, so per database)."""

    def __init__(self, ttl: float = TOKEN_TTL, limit: int = TOKEN_CACHE_MAX) -> None:
        super().__init__(ttl, limit)


def token_cache(request: Request) -> TokenCache:
    return token_cache_of(request.app.state)


def token_cache_of(state: Any) -> TokenCache:
    """The app's remembered tokens, made on first use."""
    cache: TokenCache | None = getattr(state, "token_cache", None)
    if cache is None:
        cache = state.token_cache = TokenCache()
    return cache


def look_up_principal(engine: Engine, token: str | None) -> Principal:
    with session_scope(engine) as session:
        return authenticate(session, token)


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The user behind the bearer token (401 without a valid one)."""
    token = credentials.credentials if credentials else None
    if not token:
        return look_up_principal(
            engine_of(request), token
        )  # raises NotAuthenticated, touching nothing
    cache = token_cache(request)
    digest = token_digest(token)
    who = cache.get(digest)
    if who is None:
        who = await run_in_threadpool(look_up_principal, engine_of(request), token)
        cache.put(digest, who)
    return who


Caller = Annotated[Principal, Depends(principal)]
