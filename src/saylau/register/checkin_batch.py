"""Plain check-ins that arrive together are decided and written together: a group commit.

Why: under 100 clients, a statement and a commit per check-in cost PostgreSQL more than the
rows themselves (a transaction, a WAL flush, a round trip each) and cost the worker psycopg's
per-statement overhead. Here each worker sends what is waiting as one batch, with at most
`in_flight` batches running at once; whatever arrives while they run waits for the next. There
is no timer: an idle PEC's check-in goes out alone, at once, and a busy worker's batches grow
by themselves.

The rule is not restated here. A batch is two statements over arrays, each its own transaction
(autocommit). The first reads every asking's facts (the voter, any earlier ballot), and
`domain.checkin.decide` judges each, as it judges a single check-in (`register.checkin`). The
second writes the ballots the verdicts issue, each only where the facts it was decided on still
hold: it locks the voters FOR KEY SHARE (the lock the ballot's foreign key takes anyway) in
voter order, as the duplicate review locks its two records, so a batch and a review (or two
batches) wait for each other instead of deadlocking, and it writes a ballot only if the voter
still has the status and list the verdict read. A reviewer superseding a record holds it FOR
UPDATE (`register.review.decide`), so the write waits for that decision and sees the status it
left. Why not one transaction that reads under the lock and then writes: its BEGIN, COMMIT and
the read's own lock made a batch cost about twice the PostgreSQL CPU of the write alone
(docs/performance.md); the read here takes no lock and writes nothing, so it needs no WAL.

Every ballot meets the same UNIQUE constraints (one ballot per voter, one per client key)
under `ON CONFLICT DO NOTHING`. A voter asked for twice in one batch is written once, for the
first asking; an asking is answered "issued" only when its own row came back from `RETURNING`.
One whose facts changed, or whose ballot lost to a concurrent one, gets no answer here (None),
nor does every asking of a batch that fails as a whole (a lost connection, say): the caller
hands those to the app, which takes each alone. A refusal is answered with `decide`'s verdict.
PostgreSQL only (psycopg's asynchronous connections, statements prepared once per connection).
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
# row. The number of the certificate an absentee holds is read for absentees alone (CASE
# evaluates its subquery only when the status says so). PECs come as ids: their codes, which
# the messages name, are known for the asking PECs and remembered for others (`_codes`), so the
# plain case costs no join.
FACTS = """
WITH asked AS (
  SELECT * FROM unnest(%(election)s::bigint[], %(iin)s::text[]) WITH ORDINALITY
    AS a(election_id, iin, n)
)
SELECT a.n, v.id, v.status, v.exclusion, v.pec_id, b.pec_id, b.issued_at, b.kind, b.client_id,
       CASE WHEN v.status = 'absentee' THEN (
         SELECT c.number FROM absentee_certificate c
         WHERE c.election_id = v.election_id AND c.voter_id = v.id
       ) END
FROM asked a
JOIN voter v ON v.election_id = a.election_id AND v.iin = a.iin
LEFT JOIN ballot_issue b ON b.election_id = v.election_id AND b.voter_id = v.id
"""
CODES = "SELECT id, code FROM unit WHERE id = ANY(%(ids)s::bigint[])"
# The ballots the verdicts issue, each only if the facts it was decided on still hold: the
# voter, locked FOR KEY SHARE in voter order, still has the status and list it was read with
# (else nothing is written for it, and the app takes it alone). An earlier ballot that appeared
# meanwhile is the UNIQUE constraint's: ON CONFLICT DO NOTHING, and no row back.
INSERT = """
WITH decided AS (
  SELECT * FROM unnest(
    %(election)s::bigint[], %(voter)s::bigint[], %(status)s::text[], %(home)s::bigint[],
    %(pec)s::bigint[], %(kind)s::text[], %(at)s::text[], %(operator)s::text[], %(client)s::text[]
  ) AS d(election_id, voter_id, status, home_id, pec_id, kind, issued_at, operator, client_id)
), still AS (
  SELECT d.* FROM decided d
  JOIN voter v ON v.id = d.voter_id
  WHERE v.status = d.status AND v.pec_id IS NOT DISTINCT FROM d.home_id
  ORDER BY v.id
  FOR KEY SHARE OF v
)
INSERT INTO ballot_issue (election_id, voter_id, pec_id, kind, issued_at, operator, client_id)
SELECT election_id, voter_id, pec_id, kind, issued_at, operator, client_id
FROM still ORDER BY voter_id
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


def facts_of(row: tuple[Any, ...] | None, codes: dict[int, str]) -> Facts:
    """One row of FACTS (less its number) as the decision's facts, with the PECs' codes;
    None: no such voter."""
    if row is None:
        return Facts(None)
    voter_id, status, exclusion, pec_id, there, at, kind, client, held = row
    earlier = Earlier(codes[there], at, kind, client) if at is not None else None
    certificate = Certificate(held, voter_id) if held is not None else None
    home = VoterFacts(voter_id, status, exclusion, pec_id, codes.get(pec_id))
    return Facts(home, earlier, certificate)


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
        self.codes: dict[int, str] = {}  # PEC codes by id (a unit's code never changes)

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
        """Each check-in's answer, in batch order: two statements, each its own transaction
        (autocommit), the first of which only reads (three when a refusal names a PEC not yet
        remembered)."""
        codes = self.codes
        for c in batch:
            codes[c.pec_id] = c.pec
        asked = {"election": [c.election_id for c in batch], "iin": [c.iin for c in batch]}
        async with self.pool.connection() as connection:
            cursor = await connection.execute(FACTS, asked, prepare=True)
            rows = {int(row[0]) - 1: row[1:] for row in await cursor.fetchall()}
            unknown = {pec for row in rows.values() for pec in (row[3], row[4])} - {None}
            unknown -= codes.keys()
            if unknown:
                found = await connection.execute(CODES, {"ids": sorted(unknown)})
                codes.update((int(i), str(code)) for i, code in await found.fetchall())
            askings = [c.asking() for c in batch]
            verdicts = [
                decide(a, facts_of(rows.get(i), codes), c.rules)
                for i, (a, c) in enumerate(zip(askings, batch, strict=True))
            ]
            chosen = _first_per_voter(verdicts, rows)
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


def _first_per_voter(verdicts: list[Verdict], rows: dict[int, tuple[Any, ...]]) -> list[int]:
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
        "status": [rows[i][1] for i in chosen],
        "home": [rows[i][3] for i in chosen],
        "pec": [batch[i].pec_id for i in chosen],
        "kind": [verdicts[i].kind for i in chosen],
        "at": [batch[i].at for i in chosen],
        "operator": [batch[i].operator for i in chosen],
        "client": [batch[i].client_id for i in chosen],
    }
