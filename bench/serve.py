"""Benchmark: the served site and API under load, beside nginx serving the static export.

Run from the repository root (needs Debian's nginx and wrk on PATH):

    .venv/bin/python bench/serve.py                 # kz-2022, 100 connections, 10 s each
    .venv/bin/python bench/serve.py --db sqlite:///kz.db --duration 20 --workers 2

Steps, all in one run on this machine and on 127.0.0.1 only:
1. build the kz-2022 reference election in a fresh SQLite file (unless --db names one);
2. time `saylau publish site` over it (target: under 60 s);
3. start `saylau serve --workers N` and nginx (worker_processes N) over the published folder;
4. for the national page, a PEC page and the national results API, warm both servers, then
   run wrk with 100 connections for --duration seconds against each, and report requests per
   second, p50 and p99 latency, and saylau's throughput as a share of nginx's (target: >= 25%
   on cached pages). nginx serves the results API's exact response body as a static file.

Results are printed as a table and written to bench/out/serve.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
SAYLAU = [sys.executable, "-m", "saylau.cli.main"]
TARGET_SHARE = 0.25
TARGET_PUBLISH_SECONDS = 60.0
console = Console(width=140)

NGINX_CONF = """
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{ text/html html; text/css css; application/javascript js; application/json json; }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        index index.html;
    }}
}}
"""


@dataclass
class Load:
    """What wrk measured against one URL."""

    server: str
    target: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up")
        time.sleep(0.2)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return answer.read()  # type: ignore[no-any-return]


def percentile_ms(report: str, percent: int) -> float:
    """A latency percentile from wrk's --latency report, in milliseconds."""
    found = re.search(rf"\b{percent}%\s+([\d.]+)(us|ms|s|m)\b", report)
    if found is None:
        raise RuntimeError(f"no {percent}% latency in wrk's report:\n{report}")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(
    url: str, connections: int, duration: int, threads: int
) -> tuple[float, float, float, int]:
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    text = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    p50 = percentile_ms(text, 50)
    p99 = percentile_ms(text, 99)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    count = int(errors.group(1)) if errors else 0
    if socket_errors:
        count += sum(int(n) for n in socket_errors.groups())
    return rps, p50, p99, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="Database URL with kz-2022 built (default: build one).")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load per target.")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--workers", type=int, default=2, help="saylau and nginx workers.")
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is needed: apt-get install nginx-light wrk")
    scratch = Path(tempfile.mkdtemp(prefix="saylau-bench-serve-"))
    scratch.chmod(0o755)  # nginx's workers run as an unprivileged user and must read the site
    db = args.db or f"sqlite:///{scratch / 'kz.db'}"
    if not args.db:
        console.print(f"building kz-2022 into {db}")
        subprocess.run(
            [*SAYLAU, "scenario", "build", "kz-2022", "--db", db],
            check=True,
            stderr=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
    site = scratch / "site"
    started = time.perf_counter()
    subprocess.run(
        [*SAYLAU, "publish", "site", "--out", str(site), "--db", db],
        check=True,
        stderr=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    publish_seconds = time.perf_counter() - started
    console.print(f"saylau publish site: {publish_seconds:.1f} s")

    saylau_port, nginx_port = free_port(), free_port()
    server = subprocess.Popen(
        [*SAYLAU, "serve", "--db", db, "--port", str(saylau_port), "--workers", str(args.workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    conf = scratch / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(workers=args.workers, root=scratch, port=nginx_port, site=site)
    )
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    nginx = subprocess.Popen(
        [nginx_bin, "-c", str(conf), "-g", "daemon off;"], start_new_session=True
    )
    results: list[Load] = []
    try:
        saylau_base = f"http://127.0.0.1:{saylau_port}"
        nginx_base = f"http://127.0.0.1:{nginx_port}"
        wait_for(saylau_base + "/en/kz-2022/")
        wait_for(nginx_base + "/en/kz-2022/")
        api_body = fetch(saylau_base + "/api/v1/elections/kz-2022/results")
        (site / "api-results.json").write_bytes(api_body)
        targets = {
            "national page": ("/en/kz-2022/", "/en/kz-2022/"),
            "PEC page": ("/en/kz-2022/75-0001/", "/en/kz-2022/75-0001/"),
            "results API": ("/api/v1/elections/kz-2022/results", "/api-results.json"),
        }
        for name, (served, static) in targets.items():
            for _ in range(20 * args.workers):  # every worker renders and caches its copy
                fetch(saylau_base + served)
            fetch(nginx_base + static)
            for label, url in (("saylau", saylau_base + served), ("nginx", nginx_base + static)):
                rps, p50, p99, errors = run_wrk(url, args.connections, args.duration, args.threads)
                results.append(Load(label, name, rps, p50, p99, errors))
                console.print(
                    f"{label:7} {name:14} {rps:10,.0f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms"
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        os.killpg(nginx.pid, signal.SIGTERM)
        server.wait(timeout=30)
        nginx.wait(timeout=30)

    table = Table(
        title=f"{args.connections} connections, {args.duration} s, {args.workers} workers each"
    )
    for column in (
        "target",
        "saylau req/s",
        "p50",
        "p99",
        "nginx req/s",
        "p50",
        "p99",
        "share",
        "target",
    ):
        table.add_column(column, justify="right")
    report = []
    for name in targets:
        ours = next(r for r in results if r.server == "saylau" and r.target == name)
        theirs = next(r for r in results if r.server == "nginx" and r.target == name)
        share = ours.requests_per_second / theirs.requests_per_second
        table.add_row(
            name,
            f"{ours.requests_per_second:,.0f}",
            f"{ours.p50_ms:.2f} ms",
            f"{ours.p99_ms:.2f} ms",
            f"{theirs.requests_per_second:,.0f}",
            f"{theirs.p50_ms:.2f} ms",
            f"{theirs.p99_ms:.2f} ms",
            f"{share:.1%}",
            "met" if share >= TARGET_SHARE else "NOT met",
        )
        report.append(
            {"target": name, "saylau": asdict(ours), "nginx": asdict(theirs), "share": share}
        )
    console.print(table)
    verdict = "met" if publish_seconds < TARGET_PUBLISH_SECONDS else "NOT met"
    console.print(
        f"publish site: {publish_seconds:.1f} s "
        f"(target < {TARGET_PUBLISH_SECONDS:.0f} s: {verdict})"
    )
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "serve.json").write_text(
        json.dumps(
            {"publish_seconds": publish_seconds, "loads": report, "args": vars(args)}, indent=2
        )
    )
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
