"""Running the web application under uvicorn, in one process or several workers."""

from __future__ import annotations

import os

import uvicorn
from starlette.types import ASGIApp

from saylau.api.checkin_lane import CheckinLane
from saylau.server.app import create_app
from saylau.store.db import DB_ENV, make_engine

POOL_ENV = "SAYLAU_DB_POOL"
DEFAULT_POOL = 20  # connections per worker: 2 workers stay well under PostgreSQL's default 100


def app_from_environment() -> ASGIApp:
    """The factory each uvicorn worker calls: the database comes from SAYLAU_DB, the
    connections each worker keeps from SAYLAU_DB_POOL (PostgreSQL; default 20). Enough of them
    lets PostgreSQL commit many check-ins with one disk flush; too few queues requests here."""
    pool = int(os.environ.get(POOL_ENV) or DEFAULT_POOL)
    app = create_app(make_engine(os.environ[DB_ENV], pool_size=pool, pre_ping=False))
    return CheckinLane(app, app.state)  # plain check-ins skip the framework's layers


def serve(url: str, host: str, port: int, workers: int = 1, log_level: str = "info") -> None:
    """Serve the site and API until interrupted."""
    os.environ[DB_ENV] = url
    uvicorn.run(
        "saylau.server.serve:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,
    )
