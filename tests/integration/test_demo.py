"""The README's quick start: `saylau demo` in an empty folder builds the reference election on
the embedded default (saylau.db in the working directory) and prints the national result."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_demo(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "saylau.cli.main", "demo", "--no-serve"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )


def test_demo_builds_once_and_prints_annex_i(tmp_path: Path) -> None:
    first = run_demo(tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "saylau.db").is_file()
    assert "protocols" in first.stderr  # the progress bar
    for figure in (
        "11,953,465",
        "8,300,046",
        "69.44%",
        "7,940,477",
        "6,456,392",
        "81.31",
        "460,484",
        "5.80",
        "10,101 of 10,101",
        "winner Kassym-Jomart Tokayev",
        f"sqlite:///{tmp_path / 'saylau.db'}",
    ):
        assert figure in first.stdout, figure
    again = run_demo(tmp_path)
    assert again.returncode == 0, again.stderr
    assert "already built" in again.stdout and "81.31" in again.stdout
