"""Writing a generated scenario into a database, through the same services as any operator.

The whole build is one transaction: a build that is interrupted (the process killed, the disk
full) leaves no half-built election behind; the database is as it was before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine

from saylau.administration.service import (
    add_members,
    add_units,
    create_election,
    election_exists,
)
from saylau.domain.errors import Conflict, Rejected
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
    reported: float = 1.0,
) -> Built:
    """Generate the reference (or a scaled) election and write it in one transaction.

    `reported` below 1 writes the protocols of only that share of PECs (a seeded random choice):
    an election night in progress, whose other protocols can be entered later.
    """
    progress("generating", 0, 1)
    scenario = generate(stations=stations, seed=seed, with_members=with_members, code=code)
    progress("generating", 1, 1)
    return write_scenario(engine, scenario, progress=progress, reported=reported)


def reported_pecs(scenario: Scenario, share: float) -> set[str]:
    """The PECs whose protocols are in when `share` of them have reported (seeded, repeatable)."""
    if not 0 <= share <= 1:
        raise Rejected(f"reported share {share} must lie between 0 and 1")
    order = np.random.default_rng(scenario.seed).permutation(len(scenario.pec_codes))
    return {scenario.pec_codes[i] for i in order[: round(share * len(order))]}


def write_scenario(
    engine: Engine, scenario: Scenario, progress: Progress = _quiet, reported: float = 1.0
) -> Built:
    """Write a generated election; refuses to touch an election that already exists.

    The audit log is append-only, so an election, once written, is never deleted or rebuilt in
    place: build into a fresh database (or under another code) instead.
    """
    profile_text = shipped_profile_path(PROFILE).read_text(encoding="utf-8")
    chosen = reported_pecs(scenario, reported)
    total = len(chosen)
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
        for everyone in scenario.batches(BATCH):
            batch = [item for item in everyone if item.pec in chosen]
            if not batch:
                continue
            submit_protocols(
                session, election, batch, f"scenario {scenario.code} seed {scenario.seed}"
            )
            done += len(batch)
            progress("protocols", done, total)
        progress("committing", 0, 1)
    progress("committing", 1, 1)
    return Built(scenario.code, len(scenario.units), len(scenario.members), total)
