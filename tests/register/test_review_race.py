"""A duplicate review and a check-in of the same record at the same moment, on PostgreSQL.

Superseding a record checks that it holds no ballot; a check-in checks that the record is
active. Each takes a row lock before it reads (FOR UPDATE and FOR KEY SHARE), so whichever
comes second waits for the first to commit and then sees what it did. Without the locks
(SQLite serialises its writers, so only PostgreSQL can race), both would go through and a
superseded record would hold a ballot.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from saylau.administration.service import get_election
from saylau.register.checkin import ISSUE, check_in
from saylau.register.models import BallotIssue, Voter
from saylau.register.review import DecisionRefused, decide
from saylau.store.db import session_scope
from tests import aio
from tests.register.test_checkin_batch import issue_all, plain
from tests.register.test_duplicates import queue_pair
from tests.register.voters import pec_codes

HELD = 0.5  # seconds the first transaction stays open while the second waits on it


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Start `work` in a thread; its result (or exception) lands in the list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:  # the test looks at what was raised
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def waits_then_finishes(thread: threading.Thread, first: Session) -> None:
    """The thread is blocked while `first` is open, and finishes once it commits."""
    time.sleep(HELD)
    waited = thread.is_alive()
    first.commit()  # before any assertion: an open transaction would hold the schema's drop
    first.close()
    thread.join(timeout=30)
    assert waited, "the second transaction did not wait for the first"
    assert not thread.is_alive()


def app_check_in(engine: Engine, iin: str, client: str) -> str:
    with session_scope(engine, write=True) as session:
        answer = check_in(
            session, get_election(session, "kz-2022"), pec_codes(engine)[0], iin,
            operator="Op", client_id=client,
        )  # fmt: skip
    return answer.outcome if answer.outcome == ISSUE else answer.reason


def lane_check_in(engine: Engine, iin: str, client: str) -> str | None:
    asking = plain(engine, iin, pec_codes(engine)[0], client)
    answer = aio.run(issue_all(engine, [asking]))[0]
    return None if answer is None else answer.outcome if answer.outcome == ISSUE else answer.reason


def ballots_of(engine: Engine, iin: str) -> int:
    with session_scope(engine) as session:
        return len(
            session.scalars(
                select(BallotIssue.id).join(Voter, Voter.id == BallotIssue.voter_id)
                .where(Voter.iin == iin)
            ).all()
        )  # fmt: skip


@pytest.mark.parametrize("path", ["app", "lane"])
def test_a_check_in_waits_for_a_review_and_sees_the_record_superseded(
    pg_election: Engine, path: str
) -> None:
    pair_id, keep, drop = queue_pair(pg_election, (71, 72))
    review = Session(pg_election)
    decide(
        review, get_election(review, "kz-2022"), pair_id, same_person=True, keep_iin=keep, by="R"
    )  # fmt: skip  (not committed yet: the review holds the records)
    if path == "app":
        thread, outcome = in_thread(lambda: app_check_in(pg_election, drop, "c1"))
    else:
        thread, outcome = in_thread(lambda: lane_check_in(pg_election, drop, "c1"))
    waits_then_finishes(thread, review)
    # Either path waited for the review's lock and read the status it left.
    assert outcome == ["superseded"]
    assert ballots_of(pg_election, drop) == 0


def test_a_review_waits_for_a_check_in_and_refuses_to_hide_its_ballot(
    pg_election: Engine,
) -> None:
    pair_id, keep, drop = queue_pair(pg_election, (73, 74))
    desk = Session(pg_election)
    answer = check_in(
        desk,
        get_election(desk, "kz-2022"),
        pec_codes(pg_election)[0],
        drop,
        operator="Op",
        client_id="c2",
    )  # fmt: skip  (not committed yet)
    assert answer.outcome == ISSUE

    def review() -> str:
        with session_scope(pg_election, write=True) as session:
            decided = decide(session, get_election(session, "kz-2022"), pair_id,
                             same_person=True, keep_iin=keep, by="R")  # fmt: skip
        return decided.status

    thread, outcome = in_thread(review)
    waits_then_finishes(thread, desk)
    assert len(outcome) == 1 and isinstance(outcome[0], DecisionRefused)
    assert f"IIN {drop} holds a ballot" in str(outcome[0])
    with session_scope(pg_election) as session:
        assert session.scalar(select(Voter.status).where(Voter.iin == drop)) == "active"
    assert ballots_of(pg_election, drop) == 1
