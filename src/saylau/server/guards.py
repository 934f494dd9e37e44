"""Refusing, before any handler runs, what no saylau record can contain: NUL characters.

PostgreSQL refuses NUL in text outright, while SQLite cuts a LIKE pattern short at it and would
answer a different question than the one asked. Refusing it at the door gives one answer on
every backend: 400, naming where the character was.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send


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
                body = json.dumps(
                    {
                        "detail": f"the request's {where} contains a NUL character",
                        "error": "BadRequest",
                    }
                ).encode()
                headers = [(b"content-type", b"application/json")]
                await send({"type": "http.response.start", "status": 400, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
