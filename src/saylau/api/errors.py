"""saylau's typed errors as HTTP answers: the same messages the CLI prints, with a status."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from saylau.domain.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ProfileError,
    ProtocolRejected,
    SaylauError,
)
from saylau.observation.missions import ImportRejected

STATUS: tuple[tuple[type[SaylauError], int], ...] = (
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (ProtocolRejected, 422),
    (ProfileError, 422),
    (SaylauError, 422),
)


def _status(exc: SaylauError) -> int:
    return next(code for kind, code in STATUS if isinstance(exc, kind))


async def saylau_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SaylauError)
    status = _status(exc)
    body: dict[str, object] = {"detail": str(exc), "error": type(exc).__name__}
    if isinstance(exc, ProtocolRejected):
        body["record"] = exc.pec
        body["problems"] = exc.problems
    elif isinstance(exc, ImportRejected):
        body["record"] = exc.what
        body["problems"] = exc.problems
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


async def refused_value(_request: Request, exc: Exception) -> JSONResponse:
    """A value the database cannot store or compare (a NUL character in text, a number out of
    range): the request's fault, so 422 with the database's reason, not a 500."""
    assert isinstance(exc, DataError)
    reason = str(exc.orig).splitlines()[0] if exc.orig is not None else "invalid value"
    body = {"detail": f"a value in this request was refused: {reason}", "error": "DataError"}
    return JSONResponse(body, status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(SaylauError, saylau_error)
    app.add_exception_handler(DataError, refused_value)
