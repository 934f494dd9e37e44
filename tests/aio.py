"""Running a coroutine to its end from a test, whatever loop the test's thread already has.

Why: the browser tests' Playwright (sync API) leaves an event loop running in pytest's main
thread, and `asyncio.run` refuses to start inside one; a test that runs after them would fail
for the order alone. A thread of its own gives each coroutine a fresh loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """The coroutine's result (or its exception), run on a new loop in a new thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
