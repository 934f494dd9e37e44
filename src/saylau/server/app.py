"""The web application: the API under /api/v1, the public pages, the open files."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from saylau import __version__
from saylau.api import errors
from saylau.api.checkin_lane import CheckinLane, close_lane
from saylau.api.routers import (
    lookup,
    observation,
    protocols,
    public,
    quickcount,
    register,
    register_changes,
    turnout,
    voter_lists,
)
from saylau.server.fastpath import FastPath
from saylau.server.guards import RefuseBadJson, RefuseNul
from saylau.server.ratelimit import LookupLimit, RateLimit
from saylau.web import observe as observe_pages
from saylau.web import register_pages
from saylau.web import routes as web
from saylau.web.state import CHECK_EVERY, SiteState

DESCRIPTION = """
Every figure of the election, per polling station, and the writes of the commissions.

Reads need no token and carry an ETag derived from the audit-chain head. Writes need a bearer
token from `saylau users add NAME --role ROLE --scope UNIT_CODE`; the role and the commission
scope decide what it may write. Refusals name the record, the field and the rule broken.
"""


def create_app(engine: Engine, check_every: float = CHECK_EVERY) -> FastAPI:
    """The whole site over one database."""
    app = FastAPI(
        title="saylau",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.site = SiteState(engine, check_every)
    app.state.lookup_limit = RateLimit.from_env()
    app.state.live_turnout = turnout.LiveCache()
    errors.install(app)
    app.add_middleware(LookupLimit)  # innermost: counts lookups before their routers
    app.add_middleware(FastPath)
    app.add_middleware(RefuseBadJson)  # inside the check-in lane: good check-ins skip it
    app.add_middleware(CheckinLane)  # inside RefuseNul, outside the cache and the app
    app.router.add_event_handler("shutdown", partial(close_lane, app.state))
    app.add_middleware(RefuseNul)
    app.include_router(public.router, prefix="/api/v1")
    app.include_router(protocols.router, prefix="/api/v1")
    app.include_router(observation.router, prefix="/api/v1")
    app.include_router(quickcount.router, prefix="/api/v1")
    app.include_router(register.router, prefix="/api/v1")
    app.include_router(voter_lists.router, prefix="/api/v1")
    app.include_router(lookup.router, prefix="/api/v1")
    app.include_router(turnout.router, prefix="/api/v1")
    app.include_router(register_changes.router, prefix="/api/v1")
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    app.include_router(observe_pages.router)
    app.include_router(register_pages.router)
    app.include_router(web.router)
    errors.declare(app)
    return app
