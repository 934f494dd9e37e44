"""Benchmark: election-day check-ins through the HTTP API on PostgreSQL, beside plain SQL.

Run from the repository root (needs wrk and pgbench on PATH, PostgreSQL at --pg):

    .venv/bin/python bench/checkin_throughput.py                     # 500 PECs, 200,000 voters
    .venv/bin/python bench/checkin_throughput.py --workers 3 --duration 20

Target (issue 6): >= 2,000 check-ins per second on 2 cores from 100 concurrent clients, and 0
double ballots, beside a plain `INSERT ... ON CONFLICT DO NOTHING` into the same table from
as many concurrent connections in the same run.

Steps, all on this machine and 127.0.0.1:
1. A fresh PostgreSQL schema with a scaled kz-2022 (--stations PECs, default 500: the check-in
   path touches one PEC, its ancestors and one voter, so the number of PECs changes nothing but
   the time to build, and 500 gives 500 distinct operator tokens), a synthetic register of
   --voters voters copied straight into `voter` (the import has its own benchmark), one
   pec-operator user per PEC (the deployment has one token per PEC device) and --race-pecs
   PECs designated for election-day registration.
2. Baseline: pgbench, --connections clients (fewer if the server's max_connections leaves
   fewer slots; said so), each transaction one `INSERT INTO ballot_issue ... VALUES (...) ON
   CONFLICT DO NOTHING` of another voter, autocommit; p99 from pgbench's per-transaction log.
   Then the table is emptied (TRUNCATE) and vacuumed.
3. saylau: `saylau serve --workers N` (uvicorn, N processes), warmed with a few hundred
   check-ins (then removed), then wrk -c --connections -t --threads for --duration seconds,
   each request a distinct voter at the voter's home PEC with its PEC's token and its own
   client_id; throughput, p50/p99 from wrk --latency, ballots written, and the CPU seconds the
   server, PostgreSQL and wrk used per check-in (from /proc), to show where the time goes.
4. Race: the same voter from --connections connections at once, from as many designated PECs
   (supplementary registrations), voter after voter; then every voter's ballots are counted:
   more than one for anyone is a double ballot.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, text

from benchkit import fresh_database, load_average, machine, ratio, settle, verdict
from saylau.administration.service import get_election
from saylau.register.changes import designate_sites
from saylau.register.voters import registered_by_pec
from saylau.scenarios.build import build_kz2022
from saylau.scenarios.register import synthetic_register
from saylau.store.db import session_scope
from saylau.users.service import add_user

console = Console(width=None if sys.stdout.isatty() else 200)
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HERE = Path(__file__).resolve().parent
LUA = HERE / "checkin_throughput.lua"
SAYLAU = [sys.executable, "-m", "saylau.cli.main"]
TARGET_PER_SECOND = 2_000
WARMUP = 400

BASELINE_SQL = """\\set k :k + 1
\\set i :client_id + (:k - 1) * :clients
INSERT INTO ballot_issue (election_id, voter_id, pec_id, kind, issued_at, operator, client_id) \
VALUES (:election, :first_voter + :i, :first_pec + :i % :pecs, 'station', now()::text, \
'pgbench', 'pg-' || :i) ON CONFLICT DO NOTHING;
"""


@dataclass
class Run:
    """One load phase: what the client measured, and what it cost in CPU."""

    per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    statuses: dict[str, int]
    seconds: float
    cpu: dict[str, float]
    load: str


# --- processes and CPU -----------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pids(test: object) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if test(int(entry.name), entry):  # type: ignore[operator]
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def cpu_snapshot(server_group: int | None) -> dict[str, float]:
    """CPU seconds so far of the server's processes (its process group) and of PostgreSQL's
    (every process named postgres: other sessions' work on the server counts too)."""

    def in_group(pid: int, _entry: Path) -> bool:
        return server_group is not None and os.getpgid(pid) == server_group

    def is_postgres(_pid: int, entry: Path) -> bool:
        return (entry / "comm").read_text().strip() == "postgres"

    return {
        "saylau": sum(_cpu_seconds(p) for p in _pids(in_group)),
        "PostgreSQL": sum(_cpu_seconds(p) for p in _pids(is_postgres)),
    }


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: after[name] - before[name] for name in before}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the register ----------------------------------------------------------------------------


def setup(engine: Engine, stations: int, voters: int, race_pecs: int, work: Path) -> dict:  # type: ignore[type-arg]
    """Build the election and register, one operator per PEC, and the designated PECs."""
    with console.status(f"building kz-2022 with {stations} PECs"):
        build_kz2022(engine, stations=stations, code="kz-2022", with_members=False)
    with session_scope(engine) as session:
        election = get_election(session, "kz-2022")
        codes, sizes = registered_by_pec(session, election)
        day = election.election_date
    scale = voters / float(sizes.sum())
    with console.status("loading the register"):
        added = load_register(engine, synthetic_register(codes, sizes, day, scale=scale, seed=2022))
    with (
        console.status(f"adding {len(codes)} PEC operators"),
        session_scope(engine, write=True) as session,
    ):
        tokens = {code: add_user(session, f"op-{code}", "pec-operator", code) for code in codes}
        designate_sites(session, get_election(session, "kz-2022"), codes[:race_pecs], "residents")
    settle(engine, ["voter", "unit", "unit_ancestor", "api_user", "ballot_issue", "election"])
    with engine.connect() as connection:
        election_id = connection.execute(text("SELECT id FROM election")).scalar_one()
        rows = connection.execute(
            text(
                "SELECT v.id, v.iin, u.code FROM voter v JOIN unit u ON u.id = v.pec_id "
                "WHERE v.status = 'active' ORDER BY v.id"
            )
        ).all()
        first_pec, last_pec, pecs = connection.execute(
            text("SELECT min(id), max(id), count(*) FROM unit WHERE kind = 'pec'")
        ).one()
        first_voter, last_voter, all_voters = connection.execute(
            text("SELECT min(id), max(id), count(*) FROM voter")
        ).one()
    if last_pec - first_pec + 1 != pecs or last_voter - first_voter + 1 != all_voters:
        raise RuntimeError("PEC or voter ids are not contiguous: the baseline script needs them")
    console.log(f"register: {added:,} voters ({len(rows):,} active), {pecs} PECs")
    return {
        "election": election_id,
        "rows": rows,
        "tokens": tokens,
        "race_pecs": codes[:race_pecs],
        "first_pec": first_pec,
        "pecs": pecs,
        "first_voter": first_voter,
        "voters": all_voters,
    }


def load_register(engine: Engine, columns: dict) -> int:  # type: ignore[type-arg]
    """COPY the synthetic register straight into `voter`, every voter active and on the list
    of its PEC: the check-ins are measured here, not the import (bench/register_import.py
    measures that), and a COPY does not depend on the import's checks of the day."""
    with engine.begin() as connection:
        election_id, pecs = connection.execute(text("SELECT id FROM election")).scalar_one(), {}
        for code, unit_id in connection.execute(text("SELECT code, id FROM unit")):
            pecs[code] = unit_id
        raw = connection.connection.driver_connection
        fields = "election_id, iin, family_name, given_names, birth_date, sex, address, pec_id"
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY voter ({fields}, status) FROM STDIN") as copy,
        ):
            for row in zip(
                columns["iin"], columns["family_name"], columns["given_names"],
                columns["birth_date"], columns["sex"], columns["address"], columns["pec"],
                strict=True,
            ):  # fmt: skip
                copy.write_row((election_id, *row[:-1], pecs[row[-1]], "active"))
    return len(columns["iin"])


def ballots(engine: Engine) -> tuple[int, int]:
    """(ballot rows, voters with more than one ballot)."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM ballot_issue")).scalar_one()
        doubled = connection.execute(
            text(
                "SELECT count(*) FROM (SELECT voter_id FROM ballot_issue GROUP BY election_id, "
                "voter_id HAVING count(*) > 1) AS d"
            )
        ).scalar_one()
    return int(rows), int(doubled)


def empty_ballots(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE ballot_issue CASCADE"))
    settle(engine, ["ballot_issue"])


# --- the baseline ----------------------------------------------------------------------------


def free_slots(engine: Engine) -> int:
    with engine.connect() as connection:
        limit = int(connection.execute(text("SHOW max_connections")).scalar_one())
        used = int(connection.execute(text("SELECT count(*) FROM pg_stat_activity")).scalar_one())
    return limit - used - 4  # room for this script, autovacuum and a colleague's test


def baseline(
    engine: Engine, pg_url: str, schema: str, clients: int, per_client: int, data: dict, work: Path
) -> Run:  # type: ignore[type-arg]
    """pgbench: each client inserts `per_client` distinct voters' ballots, one per transaction."""
    script = work / "baseline.sql"
    script.write_text(BASELINE_SQL)
    logs = work / "pgbench"
    logs.mkdir(exist_ok=True)
    url = re.match(r"postgresql\+psycopg://(\w+)@([\d.]+):(\d+)/(\w+)", pg_url)
    if url is None:
        raise RuntimeError(f"cannot read user, host, port and database from {pg_url}")
    user, host, port, database = url.groups()
    env = {**os.environ, "PGOPTIONS": f"-csearch_path={schema}"}
    command = [
        "pgbench", "-n", "-h", host, "-p", port, "-U", user, "-c", str(clients),
        "-j", "2", "-t", str(per_client), "-f", str(script), "-D", "k=0",
        "-D", f"clients={clients}", "-D", f"election={data['election']}",
        "-D", f"first_voter={data['first_voter']}", "-D", f"first_pec={data['first_pec']}",
        "-D", f"pecs={data['pecs']}", "-l", f"--log-prefix={logs / 'tx'}", database,
    ]  # fmt: skip
    load = load_average()
    before = cpu_snapshot(None)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True, cwd=work)
    seconds = time.perf_counter() - started
    cpu = cpu_delta(before, cpu_snapshot(None))
    latencies = sorted(
        int(line.split()[2])
        for log in logs.iterdir()
        for line in log.read_text().splitlines()
        if line
    )
    tps = float(re.search(r"tps = ([\d.]+)", done.stdout).group(1))  # type: ignore[union-attr]
    written, doubled = ballots(engine)
    return Run(
        tps,
        latencies[len(latencies) // 2] / 1000,
        latencies[int(len(latencies) * 0.99)] / 1000,
        len(latencies),
        {"rows written": written, "double ballots": doubled},
        seconds,
        cpu,
        load,
    )


# --- saylau ----------------------------------------------------------------------------------


def percentile_ms(report: str, percent: int) -> float:
    found = re.search(rf"\b{percent}(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\b", report)
    if found is None:
        raise RuntimeError(f"no {percent}% latency in wrk's report:\n{report}")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(
    url: str, mode: str, data_file: Path, connections: int, threads: int, seconds: int,
    burst: int, server_group: int,
) -> Run:  # fmt: skip
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout",
        "10s", "-s", str(LUA), url, "--", mode, str(threads), str(data_file), str(burst),
        data_file.stem,
    ]  # fmt: skip
    load = load_average()
    before, wrk_before = cpu_snapshot(server_group), children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    cpu = cpu_delta(before, cpu_snapshot(server_group))
    cpu["wrk"] = children_cpu() - wrk_before
    report = done.stdout
    statuses = {
        status: int(n) for status, n in re.findall(r"^status (\w+) (\d+)$", report, re.MULTILINE)
    }
    requests = int(re.search(r"(\d+) requests in", report).group(1))  # type: ignore[union-attr]
    return Run(
        float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1)),  # type: ignore[union-attr]
        percentile_ms(report, 50),
        percentile_ms(report, 99),
        requests,
        statuses,
        float(seconds),
        cpu,
        load,
    )


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up") from None
            time.sleep(0.2)


def stop(server: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """SIGTERM the server's process group, and SIGKILL it if it has not gone in 15 s (so that
    its connections close and the schema can be dropped)."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=PG_URL)
    parser.add_argument("--stations", type=int, default=500)
    parser.add_argument("--voters", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=15, help="seconds of check-ins")
    parser.add_argument("--race-pecs", type=int, default=100)
    parser.add_argument("--race-voters", type=int, default=2_000)
    parser.add_argument("--race-duration", type=int, default=8)
    parser.add_argument("--keep-serving", action="store_true", help="(debug) stop before load")
    args = parser.parse_args()
    for tool in ("wrk", "pgbench"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed on PATH")
    work = Path(tempfile.mkdtemp(prefix="saylau-bench-checkin-"))
    with fresh_database("postgresql", "checkin", args.pg, work) as engine:
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        data = setup(engine, args.stations, args.voters, args.race_pecs, work)
        rows = list(data["rows"])
        random.Random(2022).shuffle(rows)  # voters come to every PEC at once, not PEC by PEC
        race_rows, rows = rows[-args.race_voters :], rows[: -args.race_voters]
        warm_rows, rows = rows[:WARMUP], rows[WARMUP:]

        def write_rows(name: str, chosen: list) -> Path:  # type: ignore[type-arg]
            path = work / name
            path.write_text(
                "".join(f"{iin} {pec} {data['tokens'][pec]}\n" for _, iin, pec in chosen)
            )
            return path

        warm_file, load_file = write_rows("warm.txt", warm_rows), write_rows("load.txt", rows)
        race_file = work / "race.txt"
        race_file.write_text(
            "".join(f"{iin}\n" for _, iin, _ in race_rows)
            + "".join(f"@{pec} {data['tokens'][pec]}\n" for pec in data["race_pecs"])
        )

        clients = min(args.connections, free_slots(engine) - args.workers * 15)
        per_client = max(1, min(len(rows), data["voters"]) // clients)
        per_client = min(per_client, 1_000)
        with console.status(f"baseline: pgbench, {clients} clients x {per_client} inserts"):
            plain = baseline(engine, args.pg, schema, clients, per_client, data, work)
        empty_ballots(engine)

        port = free_port()
        url = engine.url.render_as_string(hide_password=False)
        server = subprocess.Popen(
            [*SAYLAU, "serve", "--db", url, "--port", str(port), "--workers", str(args.workers)],
            stdout=subprocess.DEVNULL,
            stderr=(work / "server.log").open("w"),
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        endpoint = f"{base}/api/v1/elections/kz-2022/checkins"
        try:
            wait_for(base + "/api/v1/openapi.json")
            if args.keep_serving:
                console.print(f"serving at {base}; files in {work}")
                server.wait()
                return
            run_wrk(endpoint, "distinct", warm_file, args.connections, args.threads, 2, 1,
                    server.pid)  # fmt: skip
            time.sleep(3)  # answers still queued in the server land before the table empties
            empty_ballots(engine)
            saylau = run_wrk(endpoint, "distinct", load_file, args.connections, args.threads,
                             args.duration, 1, server.pid)  # fmt: skip
            written, doubled = ballots(engine)
            saylau.statuses.update({"rows written": written, "double ballots": doubled})
            before_race = written
            race = run_wrk(endpoint, "race", race_file, args.connections, args.threads,
                           args.race_duration, args.connections // args.threads,
                           server.pid)  # fmt: skip
            written, doubled = ballots(engine)
            race.statuses.update({"rows written": written - before_race,
                                  "double ballots": doubled})  # fmt: skip
        finally:
            stop(server)
        log = (work / "server.log").read_text()
        errors = [line for line in log.splitlines() if "Error" in line or "Traceback" in line]
        if errors:
            console.print(f"[red]server log has {len(errors)} error lines[/], e.g. {errors[:3]}")

    report(args, plain, saylau, race, clients, per_client)
    shutil.rmtree(work, ignore_errors=True)


def report(args, plain: Run, saylau: Run, race: Run, clients: int, per_client: int) -> None:  # type: ignore[no-untyped-def]
    issued = saylau.statuses.get("201", 0)
    rate = issued / saylau.seconds
    table = Table(title=f"check-ins on PostgreSQL, {args.connections} concurrent clients")
    for column in ("path", "check-ins/s", "p50", "p99", "requests", "answers", "CPU s/1000",
                   "load (1, 5, 15)"):  # fmt: skip
        table.add_column(column)

    def cpu(run: Run, count: int) -> str:
        return ", ".join(f"{k} {v / max(count, 1) * 1000:.2f}" for k, v in run.cpu.items())

    def answers(run: Run) -> str:
        return ", ".join(f"{k}: {v:,}" for k, v in sorted(run.statuses.items()))

    table.add_row(
        f"baseline: pgbench INSERT .. ON CONFLICT DO NOTHING, {clients} connections",
        f"{plain.per_second:,.0f}", f"{plain.p50_ms:.2f} ms", f"{plain.p99_ms:.2f} ms",
        f"{plain.requests:,}", answers(plain), "not counted (its backends exit first)",
        plain.load,
    )  # fmt: skip
    table.add_row(
        f"saylau: POST /checkins, {args.workers} uvicorn workers, distinct voters",
        f"{rate:,.0f} ({ratio(rate, plain.per_second)} of baseline)",
        f"{saylau.p50_ms:.2f} ms", f"{saylau.p99_ms:.2f} ms ({ratio(saylau.p99_ms, plain.p99_ms)})",
        f"{saylau.requests:,}", answers(saylau), cpu(saylau, issued), saylau.load,
    )  # fmt: skip
    table.add_row(
        f"race: one voter from {args.connections} connections at once, {args.race_pecs} PECs",
        f"{race.per_second:,.0f} requests/s", f"{race.p50_ms:.2f} ms", f"{race.p99_ms:.2f} ms",
        f"{race.requests:,}", answers(race), cpu(race, race.requests), race.load,
    )  # fmt: skip
    console.print(table)
    doubled = saylau.statuses["double ballots"] + race.statuses["double ballots"]
    console.print(
        f"target >= {TARGET_PER_SECOND:,} check-ins/s: {verdict(rate >= TARGET_PER_SECOND)}; "
        f"0 double ballots: {verdict(doubled == 0)} ({doubled})"
    )
    console.print(
        machine(args.pg, ("max_connections", "synchronous_commit", "shared_buffers", "fsync"))
    )
    console.print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
