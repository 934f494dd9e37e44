"""Plain check-ins that arrive together are written by one statement: a group commit.

Why: under 100 clients, a statement and a commit per check-in cost PostgreSQL more than the
rows themselves (a transaction, a WAL flush, a round trip each) and cost the worker psycopg's
per-statement overhead. Here each worker sends what is waiting as one `INSERT ... SELECT` over
arrays, with at most `in_flight` such statements running at once; whatever arrives while they
run waits for the next. There is no timer: an idle PEC's check-in goes out alone, at once, and
a busy worker's batches grow by themselves.

Nothing about the guarantees changes. Every row still meets the same UNIQUE constraints (one
ballot per voter, one per client key) under `ON CONFLICT DO NOTHING`. A voter asked for twice
in one batch is written once, for the first asking; a request is answered "issued" only when
its own row came back from `RETURNING`. Rows are inserted in voter order, so two batches
touching the same voters wait for each other instead of deadlocking. A batch that fails as a
whole (a lost connection, say) writes nothing, and each of its requests is handed to the app,
which takes it alone and answers it as it always does.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from psycopg_pool import AsyncConnectionPool

LOG = logging.getLogger(__name__)
MAX_BATCH = 256  # rows per statement: enough for every worker's waiting check-ins at 100 clients

# Each asking is a row of the arrays, numbered by WITH ORDINALITY; the answer is the numbers
# whose ballots were written. The voter must be active and on the asking PEC's list. FOR KEY
# SHARE (the lock the ballot's foreign key takes anyway, taken before the status is read): a
# reviewer superseding the record holds it FOR UPDATE (`register.review.decide`), so this
# waits for that decision and reads the status it left. Locked in voter order, as the review
# locks its two records, so a batch and a review cannot deadlock.
INSERT_BATCH = """
WITH asked AS (
  SELECT * FROM unnest(
    %(election)s::bigint[], %(iin)s::text[], %(pec)s::bigint[], %(at)s::text[],
    %(operator)s::text[], %(client)s::text[]
  ) WITH ORDINALITY AS a(election_id, iin, pec_id, issued_at, operator, client_id, n)
), listed AS (
  SELECT v.id AS voter_id, a.election_id, a.pec_id, a.issued_at, a.operator, a.client_id, a.n
  FROM asked a
  JOIN voter v ON v.election_id = a.election_id AND v.iin = a.iin AND v.pec_id = a.pec_id
  WHERE v.status = 'active'
  ORDER BY v.id
  FOR KEY SHARE OF v
), found AS (
  SELECT DISTINCT ON (voter_id) * FROM listed ORDER BY voter_id, n
), written AS (
  INSERT INTO ballot_issue (election_id, voter_id, pec_id, kind, issued_at, operator, client_id)
  SELECT election_id, voter_id, pec_id, 'station', issued_at, operator, client_id
  FROM found ORDER BY voter_id
  ON CONFLICT DO NOTHING
  RETURNING voter_id
)
SELECT found.n FROM written JOIN found USING (voter_id)
"""


@dataclass(frozen=True)
class PlainCheckIn:
    """A station check-in at the voter's own PEC, checked for token and scope already."""

    election_id: int
    iin: str
    pec_id: int
    at: str
    operator: str
    client_id: str


@dataclass
class _Asking:
    check_in: PlainCheckIn
    answer: asyncio.Future[bool | None]


class BallotBatcher:
    """One worker's group commit for plain check-ins, on its own event loop and pool."""

    def __init__(self, pool: AsyncConnectionPool, in_flight: int, most: int = MAX_BATCH) -> None:
        self.pool = pool
        self.in_flight = max(1, in_flight)
        self.most = most
        self.waiting: list[_Asking] = []
        self.running: set[asyncio.Task[None]] = set()

    async def issue(self, check_in: PlainCheckIn) -> bool | None:
        """True: this check-in's ballot is written. False: nothing was written for it (the
        app must say why). None: its batch failed as a whole; nothing of it was written."""
        asking = _Asking(check_in, asyncio.get_running_loop().create_future())
        self.waiting.append(asking)
        if len(self.running) < self.in_flight:
            task = asyncio.create_task(self._drain())
            self.running.add(task)
            task.add_done_callback(self.running.discard)
        return await asking.answer

    async def _drain(self) -> None:
        """Send what waits, batch after batch, until nothing does."""
        while self.waiting:
            batch, self.waiting = self.waiting[: self.most], self.waiting[self.most :]
            try:
                issued: set[int] | None = await self._write([a.check_in for a in batch])
            except Exception:  # each asking goes to the app, which takes it alone
                LOG.warning("a batch of %d check-ins failed", len(batch), exc_info=True)
                issued = None
            for number, asking in enumerate(batch, start=1):
                if not asking.answer.done():  # its client may have gone
                    asking.answer.set_result(None if issued is None else number in issued)

    async def _write(self, batch: list[PlainCheckIn]) -> set[int]:
        """The numbers (from 1, in batch order) of the check-ins whose ballots were written."""
        arrays = {
            "election": [c.election_id for c in batch],
            "iin": [c.iin for c in batch],
            "pec": [c.pec_id for c in batch],
            "at": [c.at for c in batch],
            "operator": [c.operator for c in batch],
            "client": [c.client_id for c in batch],
        }
        async with self.pool.connection() as connection:
            cursor = await connection.execute(INSERT_BATCH, arrays, prepare=True)
            return {int(number) for (number,) in await cursor.fetchall()}
