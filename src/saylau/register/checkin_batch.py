"""Plain check-ins that arrive together are decided and written together: a group commit.

Why: under 100 clients, a statement and a commit per check-in cost PostgreSQL more than the
rows themselves (a transaction, a WAL flush, a round trip each) and cost the worker psycopg's
per-statement overhead. Here each worker sends what is waiting as one transaction of two
statements over arrays, with at most `in_flight` such transactions running at once; whatever
arrives while they run waits for the next. There is no timer: an idle PEC's check-in goes out
alone, at once, and a busy worker's batches grow by themselves.

The rule is not restated here: the first statement gathers every asking's facts (the voter and
any earlier ballot) and `domain.checkin.decide` judges each, as it judges a single check-in
(`register.checkin`). The facts are read FOR KEY SHARE (the lock the ballot's foreign key takes
anyway, taken before the status is read): a reviewer superseding the record holds it FOR UPDATE
(`register.review.decide`), so the batch waits for that decision and reads the status it left.
Rows are locked in voter order, as the review locks its two records, so a batch and a review
(or two batches) wait for each other instead of deadlocking.

The second statement inserts the ballots the verdicts issue, in voter order, under the same
UNIQUE constraints (one ballot per voter, one per client key) with `ON CONFLICT DO NOTHING`. A
voter asked for twice in one batch is written once, for the first asking; an asking is answered
"issued" only when its own row came back from `RETURNING`. One that lost to a concurrent row
gets no answer here (None), nor does every asking of a batch that fails as a whole (a lost
connection, say), which writes nothing: the caller hands those to the app, which takes each
alone. PostgreSQL only (psycopg's asynchronous connections, autocommit outside the batch's own
transaction, statements prepared once per connection).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from psycopg_pool import AsyncConnectionPool

from saylau.domain.checkin import (
    Asking,
    Certificate,
    Earlier,
    Facts,
    Verdict,
    VoterFacts,
    decide,
)
from saylau.domain.register_changes import ChangeRules
from saylau.register.checkin import CheckIn, answer

LOG = logging.getLogger(__name__)
MAX_BATCH = 256  # rows per statement: enough for every worker's waiting check-ins at 100 clients

# Each asking is a row of the arrays, numbered by WITH ORDINALITY; an IIN on no list gives no
# row. The codes of the voter's PEC and of an earlier ballot's, and the number of the
# certificate an absentee holds, are what the messages name.
FACTS = """
WITH asked AS (
  SELECT * FROM unnest(%(election)s::bigint[], %(iin)s::text[]) WITH ORDINALITY
    AS a(election_id, iin, n)
)
SELECT a.n, v.id, v.status, v.exclusion, v.pec_id, home.code,
       b.issued_at, b.kind, b.client_id, there.code, c.number
FROM asked a
JOIN voter v ON v.election_id = a.election_id AND v.iin = a.iin
LEFT JOIN unit home ON home.id = v.pec_id
LEFT JOIN ballot_issue b ON b.election_id = v.election_id AND b.voter_id = v.id
LEFT JOIN unit there ON there.id = b.pec_id
LEFT JOIN absentee_certificate c
  ON c.election_id = v.election_id AND c.voter_id = v.id AND v.status = 'absentee'
ORDER BY v.id
FOR KEY SHARE OF v
"""
INSERT = """
INSERT INTO ballot_issue (election_id, voter_id, pec_id, kind, issued_at, operator, client_id)
SELECT * FROM unnest(
  %(election)s::bigint[], %(voter)s::bigint[], %(pec)s::bigint[], %(kind)s::text[],
  %(at)s::text[], %(operator)s::text[], %(client)s::text[]
)
ON CONFLICT DO NOTHING
RETURNING voter_id
"""


@dataclass(frozen=True)
class PlainCheckIn:
    """A station check-in (no options), its token and scope checked already by the caller."""

    election_id: int
    election: str  # its code
    rules: ChangeRules  # the election's (a plain check-in consults none, but decide is whole)
    iin: str
    pec_id: int
    pec: str  # its code
    at: str
    operator: str
    client_id: str

    def asking(self) -> Asking:
        return Asking(self.election, self.iin, self.pec_id, self.pec, self.client_id)


def facts_of(row: tuple[Any, ...] | None) -> Facts:
    """One row of FACTS (less its number) as the decision's facts; None: no such voter."""
    if row is None:
        return Facts(None)
    voter_id, status, exclusion, pec_id, home, at, kind, client, there, held = row
    earlier = Earlier(there, at, kind, client) if at is not None else None
    certificate = Certificate(held, voter_id) if held is not None else None
    return Facts(VoterFacts(voter_id, status, exclusion, pec_id, home), earlier, certificate)


@dataclass
class _Waiting:
    check_in: PlainCheckIn
    answer: asyncio.Future[CheckIn | None]


class BallotBatcher:
    """One worker's group commit for plain check-ins, on its own event loop and pool."""

    def __init__(self, pool: AsyncConnectionPool, in_flight: int, most: int = MAX_BATCH) -> None:
        self.pool = pool
        self.in_flight = max(1, in_flight)
        self.most = most
        self.waiting: list[_Waiting] = []
        self.running: set[asyncio.Task[None]] = set()

    async def issue(self, check_in: PlainCheckIn) -> CheckIn | None:
        """The answer: issued (this check-in's ballot is written), or refused (nothing was
        written, and `decide` said why). None: this batch cannot answer it (its ballot lost
        to a concurrent one, or the batch failed as a whole and wrote nothing)."""
        waiting = _Waiting(check_in, asyncio.get_running_loop().create_future())
        self.waiting.append(waiting)
        if len(self.running) < self.in_flight:
            task = asyncio.create_task(self._drain())
            self.running.add(task)
            task.add_done_callback(self.running.discard)
        return await waiting.answer

    async def _drain(self) -> None:
        """Send what waits, batch after batch, until nothing does."""
        while self.waiting:
            batch, self.waiting = self.waiting[: self.most], self.waiting[self.most :]
            answers: list[CheckIn | None]
            try:
                answers = await self._write([w.check_in for w in batch])
            except Exception:  # each asking goes to the app, which takes it alone
                LOG.warning("a batch of %d check-ins failed", len(batch), exc_info=True)
                answers = [None] * len(batch)
            for waiting, said in zip(batch, answers, strict=True):
                if not waiting.answer.done():  # its client may have gone
                    waiting.answer.set_result(said)

    async def _write(self, batch: list[PlainCheckIn]) -> list[CheckIn | None]:
        """Each check-in's answer, in batch order, in one transaction."""
        asked = {"election": [c.election_id for c in batch], "iin": [c.iin for c in batch]}
        async with self.pool.connection() as connection, connection.transaction():
            cursor = await connection.execute(FACTS, asked, prepare=True)
            rows = {int(row[0]) - 1: row[1:] for row in await cursor.fetchall()}
            askings = [c.asking() for c in batch]
            verdicts = [
                decide(a, facts_of(rows.get(i)), c.rules)
                for i, (a, c) in enumerate(zip(askings, batch, strict=True))
            ]
            chosen = _first_per_voter(batch, verdicts, rows)
            written: set[int] = set()
            if chosen:
                cursor = await connection.execute(
                    INSERT, _arrays(batch, verdicts, chosen, rows), prepare=True
                )
                written = {int(voter) for (voter,) in await cursor.fetchall()}
        kept = set(chosen)
        said: list[CheckIn | None] = []
        for i, (asking, verdict, check_in) in enumerate(zip(askings, verdicts, batch, strict=True)):
            if not verdict.issues:
                said.append(answer(asking, verdict))
            elif i in kept and int(rows[i][0]) in written:
                said.append(answer(asking, verdict, check_in.at))
            else:
                said.append(None)
        return said


def _first_per_voter(
    batch: list[PlainCheckIn], verdicts: list[Verdict], rows: dict[int, tuple[Any, ...]]
) -> list[int]:
    """The askings to write, in voter order: of those issued, the first for each voter."""
    first: dict[int, int] = {}
    for i, verdict in enumerate(verdicts):
        if verdict.issues:
            first.setdefault(int(rows[i][0]), i)
    return [first[voter] for voter in sorted(first)]


def _arrays(
    batch: list[PlainCheckIn],
    verdicts: list[Verdict],
    chosen: list[int],
    rows: dict[int, tuple[Any, ...]],
) -> dict[str, list[Any]]:
    return {
        "election": [batch[i].election_id for i in chosen],
        "voter": [int(rows[i][0]) for i in chosen],
        "pec": [batch[i].pec_id for i in chosen],
        "kind": [verdicts[i].kind for i in chosen],
        "at": [batch[i].at for i in chosen],
        "operator": [batch[i].operator for i in chosen],
        "client": [batch[i].client_id for i in chosen],
    }
