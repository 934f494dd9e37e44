"""The README's quick start: `saylau demo` in an empty folder builds the reference election on
the embedded default (saylau.db in the working directory) and prints the national result."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    # A 1% register, with every kind of change and election-day check-in.
    assert "register: " in first.stdout and "absentee certificates" in first.stdout
    again = run_demo(tmp_path)
    assert again.returncode == 0, again.stderr
    assert "already built" in again.stdout and "81.31" in again.stdout


def test_demo_serves_the_site_and_prints_its_address(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "saylau.cli.main", "demo", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )
    try:
        assert server.stdout is not None
        address = f"http://127.0.0.1:{port}/"
        for line in server.stdout:
            if address in line:
                break
        else:
            raise AssertionError("demo ended without printing its address")
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx2.get(
                    address, headers={"Accept-Language": "en"}, follow_redirects=True
                )
                break
            except httpx2.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert answer.status_code == 200 and str(answer.url) == address + "en/kz-2022/"
        assert "6,456,392" in answer.text and "10,101 of 10,101" in answer.text
    finally:
        server.terminate()
        server.wait(timeout=30)
