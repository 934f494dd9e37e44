"""Plain check-ins that arrive together are decided and written together: a group commit.

Why: under 100 clients, a statement and a commit per check-in cost PostgreSQL more than the
rows themselves (a transaction, a WAL flush, a round trip each) and cost the worker psycopg's
per-statement overhead. Here each worker sends what is waiting as one batch, with at most
`in_flight` batches running at once; whatever arrives while they run waits for the next. There
is no timer: an idle PEC's check-in goes out alone, at once, and a busy worker's batches grow
by themselves.

A batch is one statement over arrays, its own transaction (autocommit): it finds and locks
every asking's voter, writes the ballots, and returns the voters as found with what it wrote.
It cannot wait for `decide` between the read and the write, so it writes only where the facts
are exactly `domain.checkin.on_the_list`: the voter in the issuing status on the asking PEC's
list, and (the UNIQUE constraint's part) no ballot yet, for an asking that `decide` issues
under those facts. Then `domain.checkin.decide` judges every asking from the facts read, as it
judges a single check-in (`register.checkin`): for a written ballot, the voter as locked and
no earlier ballot; for the rest (rare on the day), the voter as locked and, read just after,
any ballot the voter now has and an absentee's certificate. The domain's tests prove that
`decide` issues a plain asking under exactly the selected facts; were they ever to disagree on
a written row, the batch fails as a whole and the app answers each asking (the row it wrote is
then that check-in's replay).

Why one statement: the earlier form (a lock-free read of the facts, `decide`, then a guarded
insert) cost PostgreSQL two to three times the CPU per check-in and halved the throughput
(docs/performance.md, "The rule in one place").

The statement locks the voters it finds FOR KEY SHARE (the lock the ballot's foreign key takes
anyway) in voter order, before it reads their status, as the duplicate review locks its two
records: a batch and a review (or two batches) wait for each other instead of deadlocking. A
reviewer superseding a record holds it FOR UPDATE (`register.review.decide`), so the batch
waits for that decision and reads, and judges, the status it left. Every ballot meets the same
UNIQUE constraints (one ballot per voter, one per client key) under `ON CONFLICT DO NOTHING`.
A voter asked for twice in one batch is written once, for the first asking; an asking is
answered "issued" only when its own row came back from `RETURNING`. One whose ballot lost to a
concurrent one gets no answer here (None), nor does every asking of a batch that fails as a
whole (a lost connection, say): the caller hands those to the app, which takes each alone. A
refusal is answered with `decide`'s verdict. PostgreSQL only (psycopg's asynchronous
connections, statements prepared once per connection).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from psycopg_pool import AsyncConnectionPool

from saylau.domain.checkin import (
    ISSUING_STATUS,
    Asking,
    Certificate,
    Earlier,
    Facts,
    Verdict,
    VoterFacts,
    decide,
    on_the_list,
)
from saylau.domain.register_changes import ChangeRules
from saylau.register.checkin import CheckIn, answer

LOG = logging.getLogger(__name__)
MAX_BATCH = 256  # rows per statement: enough for every worker's waiting check-ins at 100 clients

# Each asking is a row of the arrays, numbered by WITH ORDINALITY; an IIN on no list gives no
# row. `found` locks the voters in voter order and reads them as the lock leaves them; `chosen`
# is the first asking per voter whose facts are `on_the_list` (`may`: decide issues the asking
# under them), and `written` the voters whose ballots went in. The answer is the three as
# tagged rows of one UNION ALL (`found` 1, `chosen` 2, `written` 3): joining the CTEs instead
# lets the planner, which estimates each at one row, nest loops over them (cubic in the batch).
# No ballot is read here: a written row had none (the UNIQUE constraint), and only the others,
# rarely, need `EARLIER`.
BATCH = """
WITH asked AS (
  SELECT * FROM unnest(
    %(election)s::bigint[], %(iin)s::text[], %(pec)s::bigint[], %(may)s::boolean[],
    %(kind)s::text[], %(at)s::text[], %(operator)s::text[], %(client)s::text[]
  ) WITH ORDINALITY AS a(election_id, iin, pec_id, may, kind, issued_at, operator, client_id, n)
), found AS (
  SELECT a.*, v.id AS voter_id, v.status, v.exclusion, v.pec_id AS home_id
  FROM asked a
  JOIN voter v ON v.election_id = a.election_id AND v.iin = a.iin
  ORDER BY v.id
  FOR KEY SHARE OF v
), chosen AS (
  SELECT DISTINCT ON (voter_id) * FROM found
  WHERE may AND status = %(status)s AND home_id = pec_id
  ORDER BY voter_id, n
), written AS (
  INSERT INTO ballot_issue (election_id, voter_id, pec_id, kind, issued_at, operator, client_id)
  SELECT election_id, voter_id, pec_id, kind, issued_at, operator, client_id
  FROM chosen ORDER BY voter_id
  ON CONFLICT DO NOTHING
  RETURNING voter_id
)
SELECT 1, n, voter_id, status, exclusion, home_id FROM found
UNION ALL SELECT 2, n, voter_id, NULL, NULL, NULL FROM chosen
UNION ALL SELECT 3, NULL, voter_id, NULL, NULL, NULL FROM written
"""
# The rest of the facts, for the askings whose ballots were not written (a refusal, a voter
# asked twice, a ballot that lost to another): any ballot the voter now has, and the number of
# the certificate an absentee holds. Read after the write, so a ballot this very batch gave is
# among them. Rare, so not prepared: planned each time for the table as it now is.
EARLIER = """
SELECT u.n, b.pec_id, b.issued_at, b.kind, b.client_id, c.number
FROM unnest(%(n)s::bigint[], %(election)s::bigint[], %(voter)s::bigint[])
  AS u(n, election_id, voter_id)
LEFT JOIN ballot_issue b ON b.election_id = u.election_id AND b.voter_id = u.voter_id
LEFT JOIN absentee_certificate c ON c.election_id = u.election_id AND c.voter_id = u.voter_id
"""
CODES = "SELECT id, code FROM unit WHERE id = ANY(%(ids)s::bigint[])"


class RuleDrift(RuntimeError):
    """A row was written where `decide` does not issue: `on_the_list` and the rule disagree."""


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


def facts_of(
    voter: tuple[Any, ...] | None, more: tuple[Any, ...] | None, codes: dict[int, str]
) -> Facts:
    """The decision's facts: the voter as `BATCH` found it (id, status, exclusion, list; None:
    no such voter) and, unless its ballot was written, what `EARLIER` read (the ballot's PEC,
    time, kind and client key, the certificate's number); PECs named by their codes."""
    if voter is None:
        return Facts(None)
    voter_id, status, exclusion, pec_id = voter
    home = VoterFacts(voter_id, status, exclusion, pec_id, codes.get(pec_id))
    if more is None:  # written: no ballot before it, and no certificate (not an absentee)
        return Facts(home)
    there, at, kind, client, held = more
    earlier = Earlier(codes[there], at, kind, client) if at is not None else None
    holds = held is not None and status == "absentee"  # a certificate is an absentee's fact
    return Facts(home, earlier, Certificate(held, voter_id) if holds else None)


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
            except RuleDrift:  # a defect, not a failure: say so loudly; the app answers each
                LOG.error("the batch's selection disagrees with the rule", exc_info=True)
                answers = [None] * len(batch)
            except Exception:  # each asking goes to the app, which takes it alone
                LOG.warning("a batch of %d check-ins failed", len(batch), exc_info=True)
                answers = [None] * len(batch)
            for waiting, said in zip(batch, answers, strict=True):
                if not waiting.answer.done():  # its client may have gone
                    waiting.answer.set_result(said)

    async def _write(self, batch: list[PlainCheckIn]) -> list[CheckIn | None]:
        """Each check-in's answer, in batch order: one statement, its own transaction
        (autocommit); then, only where something was not written, one read of the rest of the
        facts, and one of PEC codes not yet remembered."""
        codes = self.codes
        for c in batch:
            codes[c.pec_id] = c.pec
        askings = [c.asking() for c in batch]
        listed = [decide(a, on_the_list(a), c.rules) for a, c in zip(askings, batch, strict=True)]
        async with self.pool.connection() as connection:
            cursor = await connection.execute(BATCH, _arrays(batch, listed), prepare=True)
            voters, written = _outcome(await cursor.fetchall())
            rest = [i for i in voters if i not in written]
            more: dict[int, tuple[Any, ...]] = {}
            if rest:
                arrays = {
                    "n": rest,
                    "election": [batch[i].election_id for i in rest],
                    "voter": [voters[i][0] for i in rest],
                }
                cursor = await connection.execute(EARLIER, arrays)
                more = {int(row[0]): row[1:] for row in await cursor.fetchall()}
            unknown = {voter[3] for voter in voters.values()} | {m[0] for m in more.values()}
            unknown -= codes.keys() | {None}
            if unknown:
                named = await connection.execute(CODES, {"ids": sorted(unknown)})
                codes.update((int(i), str(code)) for i, code in await named.fetchall())
        said: list[CheckIn | None] = []
        for i, (asking, check_in) in enumerate(zip(askings, batch, strict=True)):
            verdict = decide(asking, facts_of(voters.get(i), more.get(i), codes), check_in.rules)
            if i in written:
                if not verdict.issues or verdict.kind != listed[i].kind:
                    raise RuleDrift(f"a ballot was written for {asking.iin}: {verdict.message}")
                said.append(answer(asking, verdict, check_in.at))
            elif verdict.issues:
                said.append(None)  # its ballot lost to another: the app takes it alone
            else:
                said.append(answer(asking, verdict))
        return said


def _outcome(rows: list[tuple[Any, ...]]) -> tuple[dict[int, tuple[Any, ...]], set[int]]:
    """`BATCH`'s tagged rows as the voters found (by asking, from 0: id, status, exclusion,
    list) and the askings whose own ballots were written."""
    voters: dict[int, tuple[Any, ...]] = {}
    chosen: dict[int, int] = {}  # voter -> the asking written for it
    went_in: set[int] = set()
    for tag, n, voter, status, exclusion, home in rows:
        if tag == 1:
            voters[int(n) - 1] = (int(voter), status, exclusion, home)
        elif tag == 2:
            chosen[int(voter)] = int(n) - 1
        else:
            went_in.add(int(voter))
    return voters, {chosen[voter] for voter in went_in}


def _arrays(batch: list[PlainCheckIn], listed: list[Verdict]) -> dict[str, Any]:
    """The statement's parameters: one array per column, and the issuing status."""
    return {
        "election": [c.election_id for c in batch],
        "iin": [c.iin for c in batch],
        "pec": [c.pec_id for c in batch],
        "may": [v.issues for v in listed],
        "kind": [v.kind for v in listed],
        "at": [c.at for c in batch],
        "operator": [c.operator for c in batch],
        "client": [c.client_id for c in batch],
        "status": ISSUING_STATUS,
    }
