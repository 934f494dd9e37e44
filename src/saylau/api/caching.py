"""Public API reads: an ETag derived from the audit-chain head, and responses kept in memory.

Every change to published data appends to the audit chain, so (head hash, URL) identifies a
response's content: a client or CDN revalidates and gets 304 when nothing was written since,
and the server answers a repeated read from memory instead of re-running its query. The head is
the one the site already tracks (re-read at most once per `SiteState.check_every` seconds, and
at once after a write through this server), so a read costs no database work when it repeats.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

API_PREFIX = "/api/v1/"
MAX_AGE = 5  # seconds: election-night figures change; a short freshness keeps them current
CACHED_RESPONSES = 4096


def etag_for(head_hash: str, request: Request) -> str:
    key = f"{head_hash}|{request.url.path}|{request.url.query}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


class ConditionalGet(BaseHTTPMiddleware):
    """ETag, Cache-Control and a bounded in-memory cache for public API reads."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.cache: OrderedDict[str, tuple[bytes, str]] = OrderedDict()

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.method not in ("GET", "HEAD") or not request.url.path.startswith(API_PREFIX):
            return await call_next(request)
        if request.url.path.endswith(("openapi.json", "/docs")):
            return await call_next(request)
        site = request.app.state.site
        if not site.is_fresh():
            await run_in_threadpool(site.refresh)
        tag = etag_for(site.head[1], request)
        headers = {"ETag": tag, "Cache-Control": f"public, max-age={MAX_AGE}"}
        wanted = request.headers.get("if-none-match", "")
        if tag in [t.strip() for t in wanted.split(",")]:
            return Response(status_code=304, headers=headers)
        hit = self.cache.get(tag)
        if hit is not None:
            self.cache.move_to_end(tag)
            return Response(hit[0], media_type=hit[1], headers=headers)
        response = await call_next(request)
        if response.status_code != 200:
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        media = response.headers.get("content-type", "application/json")
        self.cache[tag] = (body, media)
        if len(self.cache) > CACHED_RESPONSES:
            self.cache.popitem(last=False)
        return Response(body, media_type=media, headers=headers)
