"""A first load on PostgreSQL takes its table locks all at once, waiting for readers, and never
deadlocks with one (PostgreSQL alone: SQLite has no table locks to take, and no first-load path).

A reader that has read ballot_issue and then reads voter used to deadlock with a first load,
which locked voter and then ballot_issue (to drop its foreign key): PostgreSQL cancelled one
of the two.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from saylau.administration.service import get_election
from saylau.domain.errors import Conflict
from saylau.register import bulk
from saylau.register.bulk import import_extract
from saylau.register.models import Voter
from saylau.register.voters import registered_by_pec
from saylau.scenarios.register import synthetic_register, write_extract
from saylau.store.db import session_scope
from tests.register.test_review_race import in_thread


def extract_of(engine: Engine, path: Path) -> int:
    with session_scope(engine) as session:
        election = get_election(session, "kz-2022")
        codes, sizes = registered_by_pec(session, election)
        day = election.election_date
    return write_extract(synthetic_register(codes, sizes, day, scale=0.02, seed=5), path)


def load_in_thread(engine: Engine, path: Path) -> tuple[threading.Thread, list[Any]]:
    def load() -> int:
        with session_scope(engine, write=True) as session:
            return import_extract(session, get_election(session, "kz-2022"), path)

    return in_thread(load)


def voters(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Voter)) or 0)


def test_a_first_load_waits_for_a_reader_instead_of_deadlocking(
    pg_election: Engine, tmp_path: Path
) -> None:
    rows = extract_of(pg_election, tmp_path / "register.csv")
    with pg_election.connect() as reader:
        reader.execute(text("SELECT count(*) FROM ballot_issue"))  # holds ballot_issue
        thread, outcome = load_in_thread(pg_election, tmp_path / "register.csv")
        time.sleep(1.5)  # the load is waiting for ballot_issue now
        assert thread.is_alive() and outcome == []
        assert reader.execute(text("SELECT count(*) FROM voter")).scalar_one() == 0
        reader.commit()
    thread.join(timeout=120)
    assert outcome == [rows]
    assert voters(pg_election) == rows


def test_a_first_load_kept_out_too_long_is_refused_and_writes_nothing(
    pg_election: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extract_of(pg_election, tmp_path / "register.csv")
    monkeypatch.setattr(bulk, "FIRST_LOAD_LOCK_TRIES", 3)
    with pg_election.connect() as reader:
        reader.execute(text("SELECT count(*) FROM unit"))  # and keeps it
        thread, outcome = load_in_thread(pg_election, tmp_path / "register.csv")
        thread.join(timeout=60)
        reader.commit()
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict)
    assert "a first load needs" in str(outcome[0]) and "unit" in str(outcome[0])
    assert "nothing was written" in str(outcome[0])
    assert voters(pg_election) == 0
