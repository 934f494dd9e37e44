"""A scenario build killed halfway (SIGKILL, no chance to clean up) leaves no half-built
election: the build is one transaction, and the database is as it was before."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from sqlalchemy import Engine

from tests.integration.cli import saylau
from tests.integration.helpers import snapshot

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from saylau.scenarios.build import build_kz2022
    from saylau.store.db import make_engine

    def progress(stage, done, total):
        if stage == "protocols" and done >= 2000:
            print("killing at", done, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    build_kz2022(make_engine(sys.argv[1]), stations=3000, progress=progress)
    """
)


def test_killed_build_leaves_nothing(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    before = snapshot(engine)
    done = subprocess.run(
        [sys.executable, "-c", KILLER, url], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "killing at 2000" in done.stdout
    engine.dispose()  # forget pooled connections; SQLite recovers its journal on next open
    assert snapshot(engine) == before
    listed = saylau("admin", "elections", "--json", db=url)
    assert listed.code == 0 and listed.json() == []
    rebuilt = saylau("scenario", "build", "kz-2022", "--stations", "50", db=url)
    assert rebuilt.code == 0, rebuilt.stderr
    assert saylau("audit", "verify", db=url).code == 0
