"""Appending to the audit chain and reading it back for verification.

Other contexts append events through `append` / `append_many` inside their own unit of work, so
an event exists exactly when the change it records was committed. Verification of the records
themselves (does the current protocol match its last event?) belongs to the context that owns
them; this module supplies the verified chain and the last event per entity.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from saylau.audit.chain import GENESIS, ChainBreak, StoredEvent, canonical_json, event_hash
from saylau.audit.chain import verify_chain as verify_events
from saylau.audit.models import AuditEvent


@dataclass(frozen=True)
class NewEvent:
    """An event to append: what happened, to which record, with what content."""

    kind: str
    entity: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Appended:
    """Where an event landed in the chain."""

    seq: int
    hash: str


def now_iso() -> str:
    """The current UTC time as the ISO string that is stored and hashed."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


# Transaction-level advisory locks are per database; keying the lock on the schema keeps two
# saylau databases living in different schemas of one server database from queueing on each other.
CHAIN_LOCK = func.hashtext(func.concat("saylau-audit-chain:", func.current_schema()))


def head(session: Session) -> tuple[int, str]:
    """The last event's sequence number and hash (0 and the genesis hash for an empty log).

    Appending is read-the-head-then-insert, so concurrent writers must queue: on PostgreSQL a
    transaction-level advisory lock is taken here and held until commit; on SQLite write
    transactions begin IMMEDIATE (see `store.db.session_scope`), which takes the database's
    write lock up front. Should two writers still meet, they collide on the primary key and
    the later transaction fails whole: the chain never forks.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK)))
    stmt = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    row = session.execute(stmt).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def peek_head(session: Session) -> tuple[int, str]:
    """The last event's sequence number and hash, read without queueing behind writers.

    For readers (the web site asking "has anything changed?"): unlike `head` it takes no lock,
    so it may be one commit behind a writer that is finishing, and that is fine for a reader.
    """
    stmt = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    row = session.execute(stmt).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def event_time(session: Session, seq: int) -> str | None:
    """When event `seq` was appended (None if there is no such event): the time a published
    snapshot at that chain head is stamped with."""
    return session.scalar(select(AuditEvent.created_at).where(AuditEvent.seq == seq))


def append_many(session: Session, events: Sequence[NewEvent]) -> list[Appended]:
    """Append events in order within the caller's transaction; returns their places."""
    if not events:
        return []
    seq, prev = head(session)
    created_at = now_iso()
    rows: list[dict[str, Any]] = []
    placed: list[Appended] = []
    for event in events:
        seq += 1
        digest = event_hash(seq, event.kind, event.entity, event.payload, created_at, prev)
        rows.append(
            {
                "seq": seq,
                "kind": event.kind,
                "entity": event.entity,
                "payload": canonical_json(event.payload),
                "created_at": created_at,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        placed.append(Appended(seq, digest))
        prev = digest
    session.execute(insert(AuditEvent), rows)
    return placed


def append(session: Session, event: NewEvent) -> Appended:
    """Append one event within the caller's transaction."""
    return append_many(session, [event])[0]


def iter_events(session: Session, batch: int = 5000) -> Iterator[StoredEvent]:
    """Every event in sequence order, streamed."""
    stmt = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    for row in session.scalars(stmt):
        yield StoredEvent(
            row.seq, row.kind, row.entity, row.payload, row.created_at, row.prev_hash, row.hash
        )


@dataclass
class ChainReport:
    """The recomputed chain: its head, size, breaks, and the last event of each entity."""

    head: str
    events: int
    breaks: list[ChainBreak]
    latest: dict[str, tuple[int, str, dict[str, Any]]]


def read_chain(session: Session) -> ChainReport:
    """Recompute every hash and collect the last event (seq, kind, payload) per entity."""
    latest: dict[str, tuple[int, str, dict[str, Any]]] = {}

    def tracked() -> Iterator[StoredEvent]:
        for event in iter_events(session):
            try:
                payload = json.loads(event.payload_json)
            except ValueError:
                payload = {}
            latest[event.entity] = (event.seq, event.kind, payload)
            yield event

    chain_head, count, breaks = verify_events(tracked())
    return ChainReport(chain_head, count, breaks, latest)
