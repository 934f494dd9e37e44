"""A PEC's offline queue is signed and chained; uploaded, it records its ballots and flags every
check-in the register would have refused, once, and never drops one."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from saylau.administration.service import get_election
from saylau.cli.main import app
from saylau.domain.errors import SaylauError
from saylau.domain.offline_queue import Entry, QueueRejected, new_key, sign, verify
from saylau.register.models import BallotIssue
from saylau.register.offline import (
    OfflineQueue,
    add_device,
    open_conflicts,
    resolve_conflict,
    revoke_device,
    upload,
)
from saylau.store.db import session_scope
from tests.register.test_checkin import checkin
from tests.register.test_register_cli import run
from tests.register.voters import designate, pec_codes, person, register

AT = "2022-11-20T10:15:00+06:00"


def chain(n: int) -> tuple[str, list]:  # type: ignore[type-arg]
    key, public = new_key()
    signed, prev = [], ""
    for seq in range(1, n + 1):
        item = sign(key, Entry(seq, prev, "dev", "P1", f"{seq:012d}", f"c{seq}", AT))
        signed.append(item)
        prev = item.digest()
    return public, signed


def test_a_queue_verifies_only_whole_unedited_and_extended() -> None:
    public, signed = chain(4)
    assert verify(signed, public, "dev", "P1") == signed
    forged = dataclasses.replace(
        signed[1], entry=dataclasses.replace(signed[1].entry, iin="1" * 12)
    )
    with pytest.raises(QueueRejected, match="entry 2, field signature: not made by device dev"):
        verify([signed[0], forged, *signed[2:]], public, "dev", "P1")
    with pytest.raises(QueueRejected, match="entry 2, field seq"):
        verify([signed[0], *signed[2:]], public, "dev", "P1")
    with pytest.raises(QueueRejected, match="field pec: device dev works at PEC P2"):
        verify(signed, public, "dev", "P2")
    _, stranger = chain(1)
    with pytest.raises(QueueRejected, match="entry 1, field signature"):
        verify(stranger, public, "dev", "P1")
    head = signed[2].digest()
    assert len(verify(signed, public, "dev", "P1", known_seq=3, known_head=head)) == 4
    with pytest.raises(QueueRejected, match="entries were removed"):
        verify(signed[:2], public, "dev", "P1", known_seq=3, known_head=head)
    rewritten = chain(4)[1]  # another history under the same numbers
    with pytest.raises(QueueRejected):
        verify(rewritten, public, "dev", "P1", known_seq=3, known_head=head)


def test_an_offline_queue_uploads_its_ballots_and_flags_conflicts(
    small_election: Engine, tmp_path: Path
) -> None:
    pecs = pec_codes(small_election)
    here, there = pecs[0], pecs[1]
    twice, once, later, stranger = (person(n, here) for n in (91, 92, 93, 94))
    register(small_election, [twice, once, later])
    with session_scope(small_election, write=True) as session:
        device, pem = add_device(session, get_election(session, "kz-2022"), here, "tablet-1")
    queue = OfflineQueue(tmp_path / "queue.jsonl", pem, "tablet-1", here)
    assert queue.public_key == device.public_key

    # While the PEC is offline, the same voter is also given a ballot at another PEC.
    designate(small_election, [there], "residents")
    elsewhere = checkin(small_election, there, twice.iin, "online-1", supplementary=True)
    assert elsewhere.outcome == "issue"
    queue.record(once.iin, "q1", AT)
    queue.record(twice.iin, "q2", AT)
    queue.record(stranger.iin, "q3", AT)
    with pytest.raises(SaylauError, match="already checked in on this device"):
        queue.record(once.iin, "q4", AT)

    lines = (tmp_path / "queue.jsonl").read_text().splitlines()
    with session_scope(small_election, write=True) as session:
        done = upload(session, get_election(session, "kz-2022"), "tablet-1", lines, "tec")
    assert (done.entries, done.replayed, done.issued) == (3, 3, 1)
    assert [c.reason for c in done.conflicts] == ["already_voted", "unknown_voter"]
    with session_scope(small_election) as session:
        ballot = session.scalar(select(BallotIssue).where(BallotIssue.client_id == "q1"))
        assert ballot is not None and ballot.offline_at == AT
        assert ballot.issued_at == "2022-11-20T04:15:00.000000+00:00"  # the device's time, UTC
        flagged = open_conflicts(session, get_election(session, "kz-2022"))
    assert [(f["iin"], f["reason"], f["earlier_pec"]) for f in flagged] == [
        (twice.iin, "already_voted", there),
        (stranger.iin, "unknown_voter", None),
    ]

    with session_scope(small_election, write=True) as session:  # the same queue again
        again = upload(session, get_election(session, "kz-2022"), "tablet-1", lines, "tec")
    assert (again.replayed, again.conflicts) == (0, [])
    queue.record(later.iin, "q5", AT)
    grown = (tmp_path / "queue.jsonl").read_text().splitlines()
    removed = pytest.raises(QueueRejected, match="entries were removed")
    with removed, session_scope(small_election, write=True) as session:
        upload(session, get_election(session, "kz-2022"), "tablet-1", grown[:2], "tec")
    with session_scope(small_election, write=True) as session:
        more = upload(session, get_election(session, "kz-2022"), "tablet-1", grown, "tec")
        resolve_conflict(session, get_election(session, "kz-2022"), int(flagged[0]["id"]),
                         "both ballots were cast; referred to the TEC", "tec chair")  # fmt: skip
    assert (more.replayed, more.issued) == (1, 1)
    with session_scope(small_election, write=True) as session:
        left = open_conflicts(session, get_election(session, "kz-2022"))
        assert [f["iin"] for f in left] == [stranger.iin]
        revoke_device(session, get_election(session, "kz-2022"), "tablet-1")
    revoked = pytest.raises(QueueRejected, match="device tablet-1 was revoked")
    with revoked, session_scope(small_election, write=True) as session:
        upload(session, get_election(session, "kz-2022"), "tablet-1", grown, "tec")


def test_the_cli_runs_a_device_from_key_to_upload(small_election: Engine, tmp_path: Path) -> None:
    pec = pec_codes(small_election)[3]
    voter = person(95, pec)
    register(small_election, [voter])
    key, queue = tmp_path / "device.pem", tmp_path / "queue.jsonl"
    added = run(small_election, "register", "device", "add", pec, "laptop", "--key-out", str(key))
    assert added.exit_code == 0, added.output
    device = ["--queue", str(queue), "--key", str(key), "--device", "laptop", "--pec", pec]
    recorded = CliRunner().invoke(app, ["register", "offline", "record", voter.iin, *device])
    assert recorded.exit_code == 0 and "queued entry 1" in recorded.output
    refused = CliRunner().invoke(app, ["register", "offline", "record", voter.iin, *device])
    assert refused.exit_code == 2 and "already checked in on this device" in refused.stderr
    sent = run(small_election, "register", "offline", "upload", str(queue), "--device", "laptop",
               "--by", "tec")  # fmt: skip
    assert sent.exit_code == 0 and "1 ballots recorded, 0 conflicts" in sent.output
    listed = run(small_election, "register", "conflicts")
    assert listed.exit_code == 0 and "no open conflicts" in listed.output
