"""saylau's refusals as HTTP answers: one status per kind, one body shape for all.

Every refusal, whether a service's `Rejected`, a body FastAPI could not validate, or a value the
database would not store, answers `{detail, error, record, problems}` (`ErrorOut`): the record
refused and each broken rule with its field, as the CLI prints them. The statuses are the
ones docs/publication.md promises: 400 for a body that is not well-formed JSON, 401, 403, 404,
409 when the write contradicts what is stored, 422 when it breaks a rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from saylau.api.schemas import ErrorOut
from saylau.domain.errors import (
    BadInput,
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    Problem,
    Rejected,
    SaylauError,
    error_body,
    problems_from_validation,
)

STATUS: tuple[tuple[type[SaylauError], int], ...] = (
    (BadInput, 400),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (SaylauError, 422),
)

WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body is not well-formed JSON (NaN, too deep)."},
    401: {"model": ErrorOut, "description": "No token, or an unknown or revoked one."},
    403: {"model": ErrorOut, "description": "The token's role or scope does not cover this."},
    404: {"model": ErrorOut, "description": "No such election, unit or record."},
    409: {"model": ErrorOut, "description": "Conflicts with what is stored; nothing written."},
    422: {"model": ErrorOut, "description": "Breaks a rule; the record, field and rule named."},
}
"""The refusals every write route declares in the OpenAPI document, each with `ErrorOut`."""

READ_ERRORS = (400, 404, 422)
"""What every read may answer besides its result: a NUL in the path or query (400), an
unknown election or unit (404), a parameter out of range (422)."""
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def status_of(exc: SaylauError) -> int:
    return next(code for kind, code in STATUS if isinstance(exc, kind))


def answer(exc: SaylauError) -> JSONResponse:
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(exc), status_code=status, headers=headers)


async def saylau_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SaylauError)
    return answer(exc)


def _refusal(request: Request, body: object, problems: list[Problem]) -> Rejected:
    """The refusal of a body that did not validate: the body model's own (`refusal`, e.g.
    the protocol document's, which names the PEC as the CLI does), else one naming the
    request."""
    route = request.scope.get("route")
    field = getattr(route, "body_field", None)
    model = getattr(getattr(field, "field_info", None), "annotation", None)
    refusal = getattr(model, "refusal", None)
    if callable(refusal):
        made = refusal(body, problems)
        if isinstance(made, Rejected):
            return made
    return Rejected(f"request {request.method} {request.url.path}", problems)


async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's validation errors in the standard shape: 400 when the body is not JSON at all,
    422 naming each field and rule otherwise."""
    assert isinstance(exc, RequestValidationError)
    errors: Sequence[Mapping[str, Any]] = exc.errors()
    bad_json = any(e.get("type") == "json_invalid" for e in errors)
    problems = problems_from_validation(errors)
    if bad_json:
        record = f"request body of {request.method} {request.url.path}"
        return JSONResponse(BadInput(record, problems).as_dict(), status_code=400)
    return JSONResponse(error_body(_refusal(request, exc.body, problems)), status_code=422)


async def refused_value(request: Request, exc: Exception) -> JSONResponse:
    """A value the database cannot store or compare (a NUL character in text, a number out of
    range): the request's fault, so 422 with the database's reason, not a 500."""
    assert isinstance(exc, DataError)
    reason = str(exc.orig).splitlines()[0] if exc.orig is not None else "invalid value"
    refused = Rejected(
        f"request {request.method} {request.url.path}",
        [Problem("", f"a value was refused by the database: {reason}")],
        detail=f"a value in this request was refused: {reason}",
    )
    body = error_body(refused) | {"error": "DataError"}
    return JSONResponse(body, status_code=422)


def declare(app: FastAPI) -> None:
    """Declare `WRITE_ERRORS` on every write operation of the OpenAPI document (an operation's
    own entries win), and `READ_ERRORS` on every read, all with `ErrorOut`, so a new endpoint
    documents the standard refusals without anyone remembering to. Done on the finished
    document: the routers are included lazily, so their routes cannot be walked beforehand."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        if schema.get("x-saylau-errors"):
            return schema
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        model = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(model.pop("$defs", {}))
        components["ErrorOut"] = model
        for item in schema.get("paths", {}).values():
            for method, operation in item.items():
                declared = operation.setdefault("responses", {})
                wanted = WRITE_ERRORS if method.upper() in WRITE_METHODS else READ_ERRORS
                for status in wanted:
                    described = WRITE_ERRORS[status]["description"]
                    entry = declared.setdefault(str(status), {"description": described})
                    content = json.dumps(entry.get("content", {}))
                    if not content.strip("{}") or "HTTPValidationError" in content:
                        entry["content"] = {"application/json": {"schema": ERROR_REF}}
        schema["x-saylau-errors"] = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def install(app: FastAPI) -> None:
    app.add_exception_handler(SaylauError, saylau_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(DataError, refused_value)
