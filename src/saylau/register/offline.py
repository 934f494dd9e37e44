"""Offline check-in: PEC devices, their local signed queues, and the upload that flags conflicts.

The device side (`OfflineQueue`) appends a signed entry for every check-in made while the PEC
is disconnected, and refuses locally a second check-in of the same IIN on the same device. The
centre (`upload`) takes the whole queue, verifies it (`domain/offline_queue.py`) and replays
each new entry through `check_in`, the same path an online check-in takes, in order. An entry
the register would have refused (above all, the same voter given a ballot at another PEC) was
still a ballot physically given: it becomes a `checkin_conflict` for the commissions, never a
silent drop. Uploading the same queue again changes nothing (check-in keys are idempotent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.audit.service import now_iso
from saylau.domain.errors import Conflict, NotFound, Rejected
from saylau.domain.offline_queue import (
    Entry,
    QueueRejected,
    Signed,
    new_key,
    parse_line,
    public_hex,
    sign,
    verify,
)
from saylau.register.changes import find_pec
from saylau.register.checkin import ISSUE, CheckIn, NewPerson, Offline, check_in
from saylau.register.models import BallotIssue, CheckinConflict, CheckinDevice, Voter


@dataclass(frozen=True)
class Uploaded:
    """What an upload did: entries in the queue, newly replayed, and conflicts flagged."""

    entries: int
    replayed: int
    issued: int
    conflicts: list[CheckIn]


# --- the centre: devices -------------------------------------------------------------------


def add_device(
    session: Session, election: Election, pec_code: str, name: str
) -> tuple[CheckinDevice, bytes]:
    """Register a device for a PEC; returns it and its private key (PEM) for the device only.

    The centre keeps the public half; the private key leaves in the answer and nowhere else.
    """
    pec = find_pec(session, election, pec_code)
    if session.scalar(
        select(CheckinDevice.id).where(
            CheckinDevice.election_id == election.id, CheckinDevice.name == name
        )
    ):
        raise Conflict(f"device {name!r} already exists in {election.code}")
    key, public = new_key()
    device = CheckinDevice(
        election_id=election.id, pec_id=pec.id, name=name, public_key=public,
        created_at=now_iso(), uploaded_seq=0,
    )  # fmt: skip
    session.add(device)
    session.flush()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    return device, pem


def revoke_device(session: Session, election: Election, name: str) -> CheckinDevice:
    """A lost or stolen device: its queues are refused from now on."""
    device = _device(session, election, name)
    device.revoked_at = device.revoked_at or now_iso()
    return device


def device_pec(session: Session, election: Election, name: str) -> str:
    """The code of the PEC a check-in device belongs to (NotFound for an unknown device):
    whose operators may upload its queue."""
    device = _device(session, election, name)
    return str(session.scalar(select(Unit.code).where(Unit.id == device.pec_id)))


def _device(session: Session, election: Election, name: str) -> CheckinDevice:
    device = session.scalar(
        select(CheckinDevice).where(
            CheckinDevice.election_id == election.id, CheckinDevice.name == name
        )
    )
    if device is None:
        raise NotFound(f"no check-in device {name!r} in {election.code}")
    return device


# --- the device: its local queue -----------------------------------------------------------


class OfflineQueue:
    """The device's queue file (JSON lines, one signed entry each), append-only."""

    def __init__(self, path: Path, key_pem: bytes, device: str, pec: str) -> None:
        key = load_pem_private_key(key_pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise Rejected("the device key must be an Ed25519 private key (PEM)")
        self.path, self.key, self.device, self.pec = path, key, device, pec
        self.public_key = public_hex(key)

    def entries(self) -> list[Signed]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [parse_line(text, n) for n, text in enumerate(lines, start=1) if text.strip()]

    def record(
        self,
        iin: str,
        client_id: str,
        at: str,
        *,
        mobile: bool = False,
        supplementary: bool = False,
        avc: str | None = None,
        person: NewPerson | None = None,
    ) -> Signed:
        """Append one check-in; refused when this device already checked the IIN in."""
        known = self.entries()
        for earlier in known:
            if earlier.entry.iin == iin:
                raise Conflict(
                    f"IIN {iin} was already checked in on this device at {earlier.entry.at} "
                    f"(entry {earlier.entry.seq})"
                )
        details = None
        if person is not None:
            details = {**person.__dict__, "birth_date": person.birth_date.isoformat()}
        entry = Entry(
            seq=len(known) + 1, prev=known[-1].digest() if known else "", device=self.device,
            pec=self.pec, iin=iin, client_id=client_id, at=at, mobile=mobile,
            supplementary=supplementary, avc=avc, person=details,
        )  # fmt: skip
        signed = sign(self.key, entry)
        with self.path.open("a", encoding="utf-8") as queue:
            queue.write(signed.line() + "\n")
        return signed


# --- the centre: the upload ----------------------------------------------------------------


def upload(
    session: Session, election: Election, device_name: str, lines: list[str], operator: str
) -> Uploaded:
    """Verify a device's whole queue and replay the entries not yet uploaded (all or none)."""
    device = _device(session, election, device_name)
    if device.revoked_at is not None:
        raise QueueRejected(f"device {device_name} was revoked at {device.revoked_at}")
    pec_code = str(session.scalar(select(Unit.code).where(Unit.id == device.pec_id)))
    parsed = [parse_line(text, n) for n, text in enumerate(lines, start=1) if text.strip()]
    checked = verify(parsed, device.public_key, device.name, pec_code, device.uploaded_seq,
                     device.uploaded_head)  # fmt: skip
    fresh = checked[device.uploaded_seq :]
    issued, conflicts = 0, []
    for signed in fresh:
        answer = _replay(session, election, device, signed.entry, operator)
        if answer.outcome == ISSUE:
            issued += 1
        else:
            conflicts.append(answer)
    if checked:
        device.uploaded_seq = len(checked)
        device.uploaded_head = checked[-1].digest()
    session.flush()
    return Uploaded(len(checked), len(fresh), issued, conflicts)


PERSON_FIELDS = ("family_name", "given_names", "birth_date", "sex", "address")


def _new_person(fields: Mapping[str, object]) -> NewPerson:
    """A newcomer's details from a queue entry: exactly the five fields, each text (the queue
    is JSON from a device, whatever its type says), the date of birth in ISO form."""
    if set(fields) != set(PERSON_FIELDS):
        raise ValueError(f"needs exactly {', '.join(PERSON_FIELDS)}")
    text = {name: fields[name] for name in PERSON_FIELDS}
    wrong = [name for name, value in text.items() if not isinstance(value, str)]
    if wrong:
        raise ValueError(f"{', '.join(wrong)} must be text")
    return NewPerson(
        family_name=str(text["family_name"]),
        given_names=str(text["given_names"]),
        birth_date=date.fromisoformat(str(text["birth_date"])),
        sex=str(text["sex"]),
        address=str(text["address"]),
    )


def _replay(
    session: Session, election: Election, device: CheckinDevice, entry: Entry, operator: str
) -> CheckIn:
    person = None
    if entry.person is not None:
        try:
            person = _new_person(entry.person)
        except (TypeError, ValueError, KeyError) as exc:
            raise QueueRejected(f"entry {entry.seq}, field person: {exc}") from exc
    answer = check_in(
        session, election, entry.pec, entry.iin, operator=f"{operator} (device {device.name})",
        client_id=entry.client_id, mobile=entry.mobile, supplementary=entry.supplementary,
        avc=entry.avc, person=person, offline=Offline(device.id, entry.at),
    )  # fmt: skip
    if answer.outcome != ISSUE:
        _flag(session, election, device, entry, answer)
    return answer


def _flag(
    session: Session, election: Election, device: CheckinDevice, entry: Entry, answer: CheckIn
) -> None:
    """Keep a refused offline check-in for the commissions (once per check-in key)."""
    exists = session.scalar(
        select(CheckinConflict.id).where(
            CheckinConflict.election_id == election.id,
            CheckinConflict.client_id == entry.client_id,
        )
    )
    if exists is not None:
        return
    voter_id = session.scalar(
        select(Voter.id).where(Voter.election_id == election.id, Voter.iin == entry.iin)
    )
    earlier = None
    if voter_id is not None:
        earlier = session.scalar(
            select(BallotIssue.id).where(
                BallotIssue.election_id == election.id, BallotIssue.voter_id == voter_id
            )
        )
    kind = "mobile" if entry.mobile else "avc" if entry.avc else "station"
    session.add(
        CheckinConflict(
            election_id=election.id, iin=entry.iin, voter_id=voter_id, pec_id=device.pec_id,
            device_id=device.id, client_id=entry.client_id, kind=kind, offline_at=entry.at,
            received_at=now_iso(), reason=answer.reason, message=answer.message[:500],
            earlier_ballot_id=earlier, status="open",
        )
    )  # fmt: skip


def open_conflicts(session: Session, election: Election) -> list[dict[str, str | None]]:
    """Every flagged offline check-in not yet resolved, oldest first, with both PECs."""
    rows = session.execute(
        select(CheckinConflict, Unit.code)
        .join(Unit, Unit.id == CheckinConflict.pec_id)
        .where(CheckinConflict.election_id == election.id, CheckinConflict.status == "open")
        .order_by(CheckinConflict.id)
    ).all()
    found = []
    for conflict, pec in rows:
        earlier_pec = earlier_at = None
        if conflict.earlier_ballot_id is not None:
            ballot = session.get(BallotIssue, conflict.earlier_ballot_id)
            if ballot is not None:
                earlier_pec = session.scalar(select(Unit.code).where(Unit.id == ballot.pec_id))
                earlier_at = ballot.issued_at
        found.append(
            {
                "id": str(conflict.id),
                "iin": conflict.iin,
                "pec": pec,
                "offline_at": conflict.offline_at,
                "reason": conflict.reason,
                "message": conflict.message,
                "earlier_pec": earlier_pec,
                "earlier_at": earlier_at,
            }
        )
    return found


def resolve_conflict(
    session: Session, election: Election, conflict_id: int, resolution: str, by: str
) -> None:
    """Record the commission's decision on a conflict; a resolved one stays resolved."""
    conflict = session.get(CheckinConflict, conflict_id)
    if conflict is None or conflict.election_id != election.id:
        raise NotFound(f"no check-in conflict {conflict_id} in {election.code}")
    if conflict.status != "open":
        raise Conflict(
            f"check-in conflict {conflict_id} was already resolved by {conflict.resolved_by}"
        )
    if not resolution.strip():
        raise Rejected(f"check-in conflict {conflict_id}, field resolution: must not be empty")
    conflict.status, conflict.resolution, conflict.resolved_by = "resolved", resolution, by


def read_queue(path: Path) -> list[str]:
    """The queue file's lines (for an upload from the CLI)."""
    try:
        return path.read_bytes().decode("utf-8").splitlines()
    except OSError as exc:
        raise Rejected(f"cannot read queue {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise Rejected(f"queue {path}: is not UTF-8 text (byte {exc.start})") from exc
