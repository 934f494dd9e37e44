"""Running the web application under uvicorn, in one process or several workers."""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI

from saylau.api.app import create_app
from saylau.store.db import DB_ENV, make_engine


def app_from_environment() -> FastAPI:
    """The factory each uvicorn worker calls: the database comes from SAYLAU_DB."""
    return create_app(make_engine(os.environ[DB_ENV]))


def serve(url: str, host: str, port: int, workers: int = 1, log_level: str = "info") -> None:
    """Serve the site and API until interrupted."""
    os.environ[DB_ENV] = url
    uvicorn.run(
        "saylau.api.serve:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,
    )
