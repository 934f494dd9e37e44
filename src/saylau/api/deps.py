"""What every endpoint shares: a database session per request and the caller's identity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from saylau.store.db import session_scope
from saylau.users.service import Principal, authenticate

bearer = HTTPBearer(auto_error=False, description="A token from `saylau users add`.")


def engine_of(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


def read_session(request: Request) -> Iterator[Session]:
    """A read-only unit of work for one request."""
    with session_scope(engine_of(request)) as session:
        yield session


def write_session(request: Request) -> Iterator[Session]:
    """A write unit of work: everything the request writes commits together or not at all."""
    with session_scope(engine_of(request), write=True) as session:
        yield session


ReadSession = Annotated[Session, Depends(read_session)]
WriteSession = Annotated[Session, Depends(write_session)]


def principal(
    session: ReadSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The user behind the bearer token (401 without a valid one)."""
    return authenticate(session, credentials.credentials if credentials else None)


Caller = Annotated[Principal, Depends(principal)]
