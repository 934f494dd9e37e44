"""Writing a generated scenario into a database, through the same services as any operator.

The whole build is one transaction: a build that is interrupted (the process killed, the disk
full) leaves no half-built election behind; the database is as it was before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from saylau.administration.service import (
    add_members,
    add_units,
    create_election,
    election_exists,
)
from saylau.domain.errors import Conflict
from saylau.profiles import shipped_profile_path
from saylau.results.service import submit_protocols
from saylau.scenarios.kz2022 import ELECTION_DATE, SEED, Scenario, generate
from saylau.store.db import session_scope

PROFILE = "kz-2022-presidential"
BATCH = 2_000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Built:
    code: str
    units: int
    members: int
    protocols: int


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


def build_kz2022(
    engine: Engine,
    stations: int | None = None,
    seed: int = SEED,
    code: str | None = None,
    with_members: bool = True,
    progress: Progress = _quiet,
) -> Built:
    """Generate the reference (or a scaled) election and write it in one transaction."""
    progress("generating", 0, 1)
    scenario = generate(stations=stations, seed=seed, with_members=with_members, code=code)
    progress("generating", 1, 1)
    return write_scenario(engine, scenario, progress=progress)


def write_scenario(engine: Engine, scenario: Scenario, progress: Progress = _quiet) -> Built:
    """Write a generated election; refuses to touch an election that already exists.

    The audit log is append-only, so an election, once written, is never deleted or rebuilt in
    place: build into a fresh database (or under another code) instead.
    """
    profile_text = shipped_profile_path(PROFILE).read_text(encoding="utf-8")
    total = len(scenario.pec_codes)
    with session_scope(engine, write=True) as session:
        if election_exists(session, scenario.code):
            raise Conflict(
                f"election {scenario.code} already exists in this database; its protocols and "
                "audit trail are never deleted: build into a new database or use another --code"
            )
        election = create_election(
            session, scenario.code, scenario.name, ELECTION_DATE, profile_text
        )
        progress("commissions", 0, 2)
        add_units(session, election, scenario.units)
        progress("commissions", 1, 2)
        add_members(session, election, scenario.members)
        progress("commissions", 2, 2)
        done = 0
        progress("protocols", 0, total)
        for batch in scenario.batches(BATCH):
            submit_protocols(
                session, election, batch, f"scenario {scenario.code} seed {scenario.seed}"
            )
            done += len(batch)
            progress("protocols", done, total)
        progress("committing", 0, 1)
    progress("committing", 1, 1)
    return Built(scenario.code, len(scenario.units), len(scenario.members), total)
