"""The served site's fast path: repeated public reads answered from memory, before routing.

Everything public (pages, open files, API reads) is a function of the audit-chain head: every
change to published data appends to the chain. So a response, once made, is kept under its
URL with the head it was made at, and served again, without touching the router, the database
or a template, for as long as the head has not moved. The head is re-read at most once per
`SiteState.check_every` seconds, and at once after a successful write through this server; a
write made elsewhere (the CLI, another worker) shows within that interval.

This is plain ASGI rather than Starlette's BaseHTTPMiddleware, which costs a task and a stream
per request: on election night the cached read is the hot path. Every cached read carries an
ETag and a short Cache-Control, so browsers and a CDN in front revalidate cheaply (304).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from saylau.web.state import SiteState

HEAD_HEADER = b"x-saylau-head"  # set by page handlers: the head of the snapshot they rendered
MAX_AGE = b"public, max-age=5"  # election-night figures change; keep freshness short
MAX_ENTRIES = 20_000
NOT_CACHED = ("/static/", "/api/v1/openapi.json", "/api/v1/docs", "/api/v1/audit/head")
# "Where do I vote": a read sent as POST (an IIN must not be in a URL); it changes nothing, so
# it does not make the next request re-read the chain head as a write does.
LOOKUPS = ("/where-to-vote", "/where-to-vote/")
# Answers that read the register (personal data), who read it, or serve operators: never kept.
PRIVATE = ("/voters", "/voters.pdf", "/list-reads", "/checkin/", *LOOKUPS)
# Figures that change without the chain moving (check-ins): kept briefly by their own router.
LIVE = ("/turnout",)


@dataclass(frozen=True)
class Entry:
    """A response kept in memory, valid while the chain head is at most `seq`."""

    seq: int
    etag: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes


def cacheable(path: str) -> bool:
    return (
        path != "/"
        and not path.startswith(NOT_CACHED)
        and not path.endswith("/head.json")
        and not path.endswith(PRIVATE)
        and not path.endswith(LIVE)
    )


def has_credentials(scope: Scope) -> bool:
    """A request with a token is answered for that caller only: never from or into the cache."""
    return any(name == b"authorization" for name, _ in scope["headers"])


def api_etag(head_hash: str, key: str) -> bytes:
    return b'"' + hashlib.sha256(f"{head_hash}|{key}".encode()).hexdigest()[:32].encode() + b'"'


class FastPath:
    """ASGI middleware: serve cached reads, cache fresh ones, invalidate after writes."""

    def __init__(self, app: ASGIApp, max_entries: int = MAX_ENTRIES) -> None:
        self.app = app
        self.max_entries = max_entries
        self.cache: OrderedDict[str, Entry] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        site = scope["app"].state.site
        if scope["method"] != "GET":
            await self._write(scope, receive, send, site)
            return
        path: str = scope["path"]
        if not cacheable(path) or has_credentials(scope):
            await self.app(scope, receive, send)
            return
        if not site.is_fresh():
            await run_in_threadpool(site.refresh)
        key = path + "?" + scope["query_string"].decode("latin-1")
        entry = self.cache.get(key)
        if entry is not None and entry.seq >= site.head[0]:
            self.cache.move_to_end(key)
            await self._answer(scope, send, entry)
            return
        seq, head_hash = site.head
        captured: list[Message] = []

        async def keep(message: Message) -> None:
            captured.append(message)

        await self.app(scope, receive, keep)
        start, chunks = captured[0], captured[1:]
        body = b"".join(m.get("body", b"") for m in chunks)
        if start["status"] != 200:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        headers = [(k, v) for k, v in start["headers"] if k != HEAD_HEADER]
        names = {k for k, _ in headers}
        made_at = dict(start["headers"]).get(HEAD_HEADER)
        if b"etag" not in names:
            headers.append((b"etag", api_etag(head_hash, key)))
        if b"cache-control" not in names:
            headers.append((b"cache-control", MAX_AGE))
        entry = Entry(
            int(made_at) if made_at is not None else seq,
            dict(headers)[b"etag"],
            headers,
            body,
        )
        self.cache[key] = entry
        if len(self.cache) > self.max_entries:
            self.cache.popitem(last=False)
        await self._answer(scope, send, entry)

    async def _answer(self, scope: Scope, send: Send, entry: Entry) -> None:
        wanted = dict(scope["headers"]).get(b"if-none-match")
        if wanted is not None and entry.etag in [t.strip() for t in wanted.split(b",")]:
            kept = [(k, v) for k, v in entry.headers if k in (b"etag", b"cache-control")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
        await send({"type": "http.response.body", "body": entry.body})

    async def _write(self, scope: Scope, receive: Receive, send: Send, site: SiteState) -> None:
        """Pass a write (or HEAD, OPTIONS) through; after a success, look at the head again."""
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        lookup = scope["path"].endswith(LOOKUPS)
        if scope["method"] not in ("HEAD", "OPTIONS") and status < 400 and not lookup:
            site.invalidate()
