"""Conditional GETs on public reads: an ETag derived from the audit-chain head.

Every change to published data appends to the audit chain, so (head hash, URL) identifies a
response's content: a client or CDN revalidates with one cheap query, and gets 304 when nothing
was written since. The head is read without taking the writers' lock.
"""

from __future__ import annotations

import hashlib

from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from saylau.audit.service import peek_head
from saylau.store.db import session_scope

API_PREFIX = "/api/v1/"
MAX_AGE = 5  # seconds: election-night figures change; a short freshness keeps them current


def etag_for(head_hash: str, request: Request) -> str:
    key = f"{head_hash}|{request.url.path}|{request.url.query}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def current_head_hash(request: Request) -> str:
    with session_scope(request.app.state.engine) as session:
        return peek_head(session)[1]


class ConditionalGet(BaseHTTPMiddleware):
    """Adds ETag and Cache-Control to public API reads and answers If-None-Match with 304."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.method not in ("GET", "HEAD") or not request.url.path.startswith(API_PREFIX):
            return await call_next(request)
        if request.url.path.endswith("openapi.json"):
            return await call_next(request)
        head_hash = await run_in_threadpool(current_head_hash, request)
        tag = etag_for(head_hash, request)
        wanted = request.headers.get("if-none-match", "")
        if tag in [t.strip() for t in wanted.split(",")]:
            return Response(status_code=304, headers={"ETag": tag})
        response = await call_next(request)
        if response.status_code == 200:
            response.headers["ETag"] = tag
            response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
        return response
