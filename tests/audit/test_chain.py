"""The hash chain on plain values: it verifies after any appends and fails after any change."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from saylau.audit.chain import GENESIS, StoredEvent, canonical_json, event_hash, verify_chain

payloads = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.one_of(st.integers(-(10**9), 10**9), st.text(max_size=12), st.none(), st.booleans()),
    max_size=5,
)


def build(items: list[dict[str, object]]) -> list[StoredEvent]:
    events, prev = [], GENESIS
    for seq, payload in enumerate(items, start=1):
        created = f"2022-11-20T20:00:{seq % 60:02d}+00:00"
        digest = event_hash(seq, "protocol.accepted", f"e/{seq}", payload, created, prev)
        events.append(
            StoredEvent(
                seq, "protocol.accepted", f"e/{seq}", canonical_json(payload), created, prev, digest
            )
        )
        prev = digest
    return events


def test_canonical_json_is_key_order_free_and_keeps_unicode() -> None:
    assert canonical_json({"b": 1, "a": "Қазақстан"}) == canonical_json({"a": "Қазақстан", "b": 1})
    assert canonical_json({"a": "Қ"}) == '{"a":"Қ"}'


@given(st.lists(payloads, max_size=20))
def test_a_built_chain_verifies(items: list[dict[str, object]]) -> None:
    events = build(items)
    head, count, breaks = verify_chain(events)
    assert breaks == [] and count == len(items)
    assert head == (events[-1].hash if events else GENESIS)


@given(st.lists(payloads, min_size=1, max_size=12), st.data())
def test_changing_any_payload_is_caught(
    items: list[dict[str, object]], data: st.DataObject
) -> None:
    events = build(items)
    i = data.draw(st.integers(0, len(events) - 1))
    original = json.loads(events[i].payload_json)
    changed = {**original, "tampered": data.draw(st.integers())}
    events[i] = StoredEvent(
        events[i].seq,
        events[i].kind,
        events[i].entity,
        canonical_json(changed),
        events[i].created_at,
        events[i].prev_hash,
        events[i].hash,
    )
    _, _, breaks = verify_chain(events)
    assert any(b.seq == events[i].seq and "does not match its hash" in b.problem for b in breaks)


@given(st.lists(payloads, min_size=3, max_size=12), st.data())
def test_removing_an_event_inside_the_chain_is_caught(
    items: list[dict[str, object]], data: st.DataObject
) -> None:
    events = build(items)
    i = data.draw(st.integers(0, len(events) - 2))
    del events[i]
    _, _, breaks = verify_chain(events)
    assert any("missing" in b.problem or "previous-hash" in b.problem for b in breaks)
