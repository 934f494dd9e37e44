"""Per-client rate limits for the public endpoints that look into the register.

"Where do I vote" answers from the voter register, so without a limit it is a way to test
millions of IIN and birth-date pairs. Each client address gets `SAYLAU_LOOKUP_RATE` lookups
(default 10 per minute, in the `limits` library's notation: "10/minute", "100/hour") in a
moving window; over it the answer is 429 with Retry-After.

The counters live in memory by default, which is right for one server process. With several
workers (`saylau serve --workers N`) or several machines each would count on its own, so
`SAYLAU_RATE_LIMIT_STORAGE` takes any `limits` storage URI, such as
`redis://cache.internal:6379/0`, to share them; nothing here needs Redis otherwise.

The client's address is the connection's peer as the ASGI server reports it. Behind a reverse
proxy, run uvicorn with `--proxy-headers` and `--forwarded-allow-ips` naming the proxy, so the
peer is the real client and not the proxy (a client cannot forge it from outside the proxy).
"""

from __future__ import annotations

import json
import math
import os
import re
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from saylau.web.register_pages import LOOKUP_WAIT

RATE_ENV = "SAYLAU_LOOKUP_RATE"
STORAGE_ENV = "SAYLAU_RATE_LIMIT_STORAGE"
DEFAULT_RATE = "10/minute"
DEFAULT_STORAGE = "memory://"
API_LOOKUP = re.compile(r"^/api/v1/elections/[^/]+/where-to-vote/?$")
PAGE_LOOKUP = re.compile(r"^/[^/]+/[^/]+/where-to-vote/$")


class RateLimit:
    """One limit (`rate`) counted per client key, in the storage `storage_uri` names."""

    def __init__(
        self, rate: str = DEFAULT_RATE, storage_uri: str = DEFAULT_STORAGE, name: str = "lookup"
    ) -> None:
        try:
            self.item: RateLimitItem = parse(rate)
        except ValueError as exc:
            raise ValueError(
                f"rate limit {rate!r} ({RATE_ENV}): not a rate such as '10/minute'"
            ) from exc
        self.rate = rate
        self.name = name
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    @classmethod
    def from_env(cls, name: str = "lookup") -> RateLimit:
        return cls(
            os.environ.get(RATE_ENV) or DEFAULT_RATE,
            os.environ.get(STORAGE_ENV) or DEFAULT_STORAGE,
            name,
        )

    def retry_after(self, key: str) -> int | None:
        """Count one request from `key`: None when allowed, else the seconds to wait."""
        if self.limiter.hit(self.item, self.name, key):
            return None
        stats = self.limiter.get_window_stats(self.item, self.name, key)
        return max(1, math.ceil(stats.reset_time - time.time()))


def client_key(scope: Scope) -> str:
    """The client's address (see the module's note on reverse proxies)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class LookupLimit:
    """ASGI middleware: every "where do I vote" POST, over the API or the page's form, counts
    one lookup for its client address before anything reads the body or the register.

    Over the limit, the API's lookup is answered here: 429 with Retry-After and the same JSON
    body as any other refusal. The page's form is passed on with the wait in the request's
    state (`web.register_pages.LOOKUP_WAIT`), so the page says it in the reader's language
    (also 429). Counting here, once, keeps the API and the pages from needing each other: the
    server that puts them together is the one that limits them.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        api = API_LOOKUP.match(path) is not None
        if not api and PAGE_LOOKUP.match(path) is None:
            await self.app(scope, receive, send)
            return
        limit: RateLimit = scope["app"].state.lookup_limit
        wait = await run_in_threadpool(limit.retry_after, client_key(scope))
        if wait is None:
            await self.app(scope, receive, send)
        elif api:
            await _too_many(send, wait)
        else:
            scope.setdefault("state", {})[LOOKUP_WAIT] = wait
            await self.app(scope, receive, send)


async def _too_many(send: Send, wait: int) -> None:
    body = json.dumps(
        {
            "detail": f"too many lookups from this address; try again in {wait} s",
            "error": "TooManyRequests",
        }
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(wait).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
