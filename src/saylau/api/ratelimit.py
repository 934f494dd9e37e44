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

import math
import os
import time

from fastapi import HTTPException, Request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

RATE_ENV = "SAYLAU_LOOKUP_RATE"
STORAGE_ENV = "SAYLAU_RATE_LIMIT_STORAGE"
DEFAULT_RATE = "10/minute"
DEFAULT_STORAGE = "memory://"


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


def client_key(request: Request) -> str:
    """The client's address (see the module's note on reverse proxies)."""
    return request.client.host if request.client is not None else "unknown"


def lookup_limit(request: Request) -> RateLimit:
    """The application's lookup limit (made at start-up from the environment)."""
    return request.app.state.lookup_limit  # type: ignore[no-any-return]


def enforce_lookup_limit(request: Request) -> None:
    """A FastAPI dependency: 429 with Retry-After once this client is over the limit.

    It runs before the body is read or validated, so malformed requests count too.
    """
    wait = lookup_limit(request).retry_after(client_key(request))
    if wait is not None:
        raise HTTPException(
            status_code=429,
            detail=f"too many lookups from this address; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
