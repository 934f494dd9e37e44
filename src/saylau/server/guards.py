"""Refusing, before any handler runs, what no saylau record can contain.

NUL characters: PostgreSQL refuses NUL in text outright, while SQLite cuts a LIKE pattern short
at it and would answer a different question than the one asked. Refusing it at the door gives
one answer on every backend: 400, naming where the character was.

Bodies that are not strict JSON: `NaN`, `Infinity`, nesting a thousand deep, bytes that are not
UTF-8, a key twice in one object. FastAPI's own parse accepts the first (and then fails to
answer, a 500) and recurses on the second; every write body is read once here with the strict
reader (domain/json_input.py) and refused with 400 and the standard error body.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from saylau.domain.errors import BadInput, Problem
from saylau.domain.json_input import loads_strict

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RefuseNul:
    """ASGI middleware: a NUL in the path or query string is a 400 Bad Request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            where = None
            if "\x00" in scope["path"]:
                where = "path"
            elif scope["query_string"] and b"\x00" in unquote_to_bytes(scope["query_string"]):
                where = "query string"
            if where is not None:
                refused = BadInput(
                    f"request {scope['method']} {scope['path'].replace(chr(0), '?')}",
                    [Problem(where, "contains a NUL character")],
                    detail=f"the request's {where} contains a NUL character",
                )
                await _refuse(send, 400, refused.as_dict())
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, body: dict[str, object]) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def _json_body(scope: Scope) -> bool:
    """A write whose body FastAPI would parse as JSON: no content type, or a JSON one."""
    if scope["method"] not in WRITE_METHODS:
        return False
    for name, value in scope["headers"]:
        if name == b"content-type":
            kind = bytes(value).split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return True


class RefuseBadJson:
    """ASGI middleware: a write body that is not strict JSON is a 400 Bad Request with the
    standard error body; any other request passes untouched, its body replayed as read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _json_body(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body.strip():
            try:
                loads_strict(body, f"request body of {scope['method']} {scope['path']}")
            except BadInput as exc:
                await _refuse(send, 400, exc.as_dict())
                return
        whole: Message = {"type": "http.request", "body": body, "more_body": False}
        await self.app(scope, _replay([whole], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that first gives back what was read, then defers to the real one."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
