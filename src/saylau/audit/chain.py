"""The hash chain itself, as pure functions: canonical JSON and the SHA-256 link of each event.

Every accepted protocol, amendment and decision is an event; each event's hash covers its own
canonical JSON and the previous event's hash, so changing, removing or reordering any event
changes every hash after it. Anyone holding the published chain head can recompute it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no insignificant white space, UTF-8 kept as is.

    Only JSON types are allowed (no floats in audit payloads: counts are integers).
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    seq: int, kind: str, entity: str, payload: Any, created_at: str, prev_hash: str
) -> str:
    """SHA-256 over the canonical JSON of the event and the previous event's hash."""
    document = {
        "seq": seq,
        "kind": kind,
        "entity": entity,
        "payload": payload,
        "created_at": created_at,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back from storage, to be checked."""

    seq: int
    kind: str
    entity: str
    payload_json: str
    created_at: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain stops checking, and why."""

    seq: int
    problem: str


def verify_chain(events: Iterable[StoredEvent]) -> tuple[str, int, list[ChainBreak]]:
    """Recompute the chain in sequence order; return (head hash, events read, breaks)."""
    breaks: list[ChainBreak] = []
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    head = GENESIS
    for event in events:
        count += 1
        if event.seq != expected_seq:
            breaks.append(
                ChainBreak(event.seq, f"expected event {expected_seq} here: events are missing")
            )
        if event.prev_hash != expected_prev:
            breaks.append(
                ChainBreak(event.seq, "its previous-hash does not match the event before it")
            )
        try:
            payload = json.loads(event.payload_json)
        except ValueError:
            breaks.append(ChainBreak(event.seq, "its payload is not valid JSON"))
            payload = event.payload_json
        recomputed = event_hash(
            event.seq, event.kind, event.entity, payload, event.created_at, event.prev_hash
        )
        if recomputed != event.hash:
            breaks.append(ChainBreak(event.seq, "its content does not match its hash"))
        expected_prev = event.hash
        expected_seq = event.seq + 1
        head = event.hash
    return head, count, breaks
