"""Running the real `saylau` command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def saylau(*args: str, db: str, stdin: str | None = None) -> Ran:
    done = subprocess.run(
        [sys.executable, "-m", "saylau.cli.main", *args, "--db", db],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"}
        | ({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
    )
    return Ran(done.returncode, done.stdout, done.stderr)
