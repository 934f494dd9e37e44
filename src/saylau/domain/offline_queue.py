"""A PEC device's offline check-in queue: signed, chained entries that cannot be edited later.

When a PEC loses its connection it keeps checking voters in, locally. Each check-in becomes an
entry signed with the device's Ed25519 key and naming the SHA-256 of the entry before it, so on
upload the centre can tell the queue is the device's own (the signature), complete and in order
(the chain: an entry removed, inserted or reordered breaks it), and not rewritten since the
last upload (the chain must extend the head the centre already holds). Pure functions on plain
values: the same code signs on the device and verifies at the centre.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from saylau.domain.errors import BadInput, Rejected
from saylau.domain.json_input import loads_strict

FIELDS = ("seq", "prev", "device", "pec", "iin", "client_id", "at", "mobile", "supplementary",
          "avc", "person")  # fmt: skip


class QueueRejected(Rejected):
    """An uploaded queue is not the device's own, intact, unedited queue; nothing was taken."""


@dataclass(frozen=True)
class Entry:
    """One check-in made offline. `at` is the device's clock (ISO 8601, with offset); `prev` is
    the hash of the previous signed entry ("" for the first); `person` holds a newcomer's
    details (family_name, given_names, birth_date, sex, address) or is None."""

    seq: int
    prev: str
    device: str
    pec: str
    iin: str
    client_id: str
    at: str
    mobile: bool = False
    supplementary: bool = False
    avc: str | None = None
    person: dict[str, str] | None = None

    def canonical(self) -> bytes:
        """The bytes signed: sorted-key compact JSON, so both ends serialise alike."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()  # fmt: skip


@dataclass(frozen=True)
class Signed:
    entry: Entry
    signature: str  # hex

    def digest(self) -> str:
        """What the next entry's `prev` names: the entry and its signature together."""
        return hashlib.sha256(self.entry.canonical() + bytes.fromhex(self.signature)).hexdigest()

    def line(self) -> str:
        return json.dumps({"entry": asdict(self.entry), "signature": self.signature},
                          sort_keys=True, ensure_ascii=False)  # fmt: skip


def new_key() -> tuple[Ed25519PrivateKey, str]:
    """A device key and its public half as hex (what the centre stores)."""
    key = Ed25519PrivateKey.generate()
    return key, public_hex(key)


def public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def sign(key: Ed25519PrivateKey, entry: Entry) -> Signed:
    return Signed(entry, key.sign(entry.canonical()).hex())


def parse_line(text: str, number: int) -> Signed:
    """One queue line back into a signed entry, naming the line and field when it is not one."""
    try:
        raw = loads_strict(text, f"line {number}")
    except BadInput as exc:
        raise QueueRejected(f"line {number}: {exc.problems[0].rule}") from exc
    if not isinstance(raw, Mapping) or not isinstance(raw.get("entry"), Mapping):
        raise QueueRejected(f"line {number}: must be an object with 'entry' and 'signature'")
    fields: Mapping[str, Any] = raw["entry"]
    unknown = set(fields) - set(FIELDS)
    missing = {"seq", "prev", "device", "pec", "iin", "client_id", "at"} - set(fields)
    if unknown or missing:
        what = f"unknown {sorted(unknown)}" if unknown else f"missing {sorted(missing)}"
        raise QueueRejected(f"line {number}, field entry: {what}")
    signature = raw.get("signature")
    if not isinstance(signature, str) or len(signature) != 128:
        raise QueueRejected(f"line {number}, field signature: must be 128 hex digits")
    try:
        bytes.fromhex(signature)
        entry = Entry(**fields)
    except (TypeError, ValueError) as exc:
        raise QueueRejected(f"line {number}: {exc}") from exc
    try:
        stamped = datetime.fromisoformat(entry.at)
    except (TypeError, ValueError) as exc:
        raise QueueRejected(f"line {number}, field at: {entry.at!r} is not an ISO time") from exc
    if stamped.tzinfo is None:
        raise QueueRejected(f"line {number}, field at: {entry.at!r} needs its UTC offset")
    return Signed(entry, signature)


def verify(
    lines: Iterable[Signed],
    public_key: str,
    device: str,
    pec: str,
    known_seq: int = 0,
    known_head: str | None = None,
) -> list[Signed]:
    """Every entry, checked: signed by `public_key`, of `device` at `pec`, numbered 1, 2, ...,
    each naming its predecessor's digest, and agreeing with the head the centre already holds
    (entry `known_seq` must digest to `known_head`). Raises QueueRejected naming the entry."""
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key))
    checked: list[Signed] = []
    previous = ""
    for number, signed in enumerate(lines, start=1):
        entry = signed.entry
        where = f"entry {number}"
        if entry.seq != number:
            raise QueueRejected(f"{where}, field seq: is {entry.seq}; entries must run 1, 2, ...")
        if entry.prev != previous:
            raise QueueRejected(
                f"{where}, field prev: does not name entry {number - 1}; the queue was edited"
            )
        if entry.device != device:
            raise QueueRejected(f"{where}, field device: {entry.device!r} is not {device!r}")
        if entry.pec != pec:
            raise QueueRejected(f"{where}, field pec: device {device} works at PEC {pec}")
        try:
            key.verify(bytes.fromhex(signed.signature), entry.canonical())
        except InvalidSignature as exc:
            raise QueueRejected(
                f"{where}, field signature: not made by device {device}'s key"
            ) from exc
        previous = signed.digest()
        if number == known_seq and previous != known_head:
            raise QueueRejected(
                f"{where}: differs from the entry {known_seq} uploaded before; a queue is "
                "only ever extended"
            )
        checked.append(signed)
    if len(checked) < known_seq:
        raise QueueRejected(
            f"the queue has {len(checked)} entries but {known_seq} were uploaded before; "
            "entries were removed"
        )
    return checked
