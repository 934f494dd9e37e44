"""`saylau register device | offline | conflicts`: check-in when a PEC is disconnected.

`device add` registers a PEC's device and writes its private key for the device; on the device,
`offline record` appends signed check-ins to its queue file (no database needed); back online,
`offline upload` sends the whole queue; `conflicts` lists what the register would have refused
and `conflicts resolve` records the commission's decision.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from saylau.administration.service import get_election
from saylau.console import (
    DEFAULT_DB,
    DbOption,
    ElectionOption,
    JsonOption,
    fail,
    open_db,
    out,
    print_json,
    reported,
)
from saylau.domain.errors import SaylauError
from saylau.register.offline import (
    OfflineQueue,
    add_device,
    open_conflicts,
    read_queue,
    resolve_conflict,
    revoke_device,
    upload,
)
from saylau.store.db import session_scope

devices = typer.Typer(help="PEC devices allowed to check voters in offline.", no_args_is_help=True)
offline = typer.Typer(help="A device's signed offline queue.", no_args_is_help=True)
conflicts = typer.Typer(
    help="Offline check-ins the register would have refused.", invoke_without_command=True
)


@devices.command("add")
def add_command(
    pec: Annotated[str, typer.Argument(help="The PEC's code.")],
    name: Annotated[str, typer.Argument(help="A name for the device, unique in the election.")],
    key_out: Annotated[
        Path, typer.Option("--key-out", help="Write the device's private key (PEM) here.")
    ],
    election: ElectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Register a device; its private key is written once, for the device, and kept nowhere."""
    if key_out.exists():
        raise fail(f"{key_out} exists; a device key is never overwritten")
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        device, pem = add_device(session, get_election(session, election), pec, name)
        key_out.write_bytes(pem)
        key_out.chmod(0o600)
        public = device.public_key
    out.print(f"device {name} at PEC {pec}: public key {public}; key in {key_out}", highlight=False)


@devices.command("revoke")
def revoke_command(
    name: Annotated[str, typer.Argument(help="The device's name.")],
    election: ElectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """A lost or stolen device: its queues are refused from now on."""
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        device = revoke_device(session, get_election(session, election), name)
        when = device.revoked_at
    out.print(f"device {name} revoked at {when}", highlight=False)


@offline.command("record")
def record_command(
    iin: Annotated[str, typer.Argument(help="The voter's IIN.")],
    queue: Annotated[Path, typer.Option("--queue", help="The device's queue file.")],
    key: Annotated[Path, typer.Option("--key", help="The device's private key (PEM).")],
    device: Annotated[str, typer.Option("--device", help="The device's name.")],
    pec: Annotated[str, typer.Option("--pec", help="The device's PEC.")],
    mobile: Annotated[bool, typer.Option("--mobile")] = False,
    supplementary: Annotated[bool, typer.Option("--supplementary")] = False,
    avc: Annotated[str | None, typer.Option("--avc", help="An absentee certificate.")] = None,
) -> None:
    """On the device, offline: append a signed check-in to the queue (no database)."""
    try:
        local = OfflineQueue(queue, key.read_bytes(), device, pec)
        signed = local.record(
            iin, secrets.token_hex(16), datetime.now(UTC).isoformat(timespec="seconds"),
            mobile=mobile, supplementary=supplementary, avc=avc,
        )  # fmt: skip
    except OSError as exc:
        raise fail(f"cannot use the device files: {exc}") from exc
    except SaylauError as exc:
        raise fail(f"refused on this device: {exc}") from exc
    out.print(f"queued entry {signed.entry.seq}: IIN {iin} at {signed.entry.at}", highlight=False)


@offline.command("upload")
def upload_command(
    queue: Annotated[Path, typer.Argument(help="The device's queue file.")],
    device: Annotated[str, typer.Option("--device", help="The device's name.")],
    by: Annotated[str, typer.Option("--by", help="Who uploads it.")],
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Verify the device's whole queue and replay its new entries; conflicts are flagged."""
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        done = upload(session, get_election(session, election), device, read_queue(queue), by)
    if as_json:
        print_json(
            {"entries": done.entries, "replayed": done.replayed, "issued": done.issued,
             "conflicts": [c.as_dict() for c in done.conflicts]}
        )  # fmt: skip
        return
    out.print(
        f"{done.entries:,} entries, {done.replayed:,} new: {done.issued:,} ballots recorded, "
        f"{len(done.conflicts):,} conflicts flagged for the commissions",
        highlight=False,
    )
    for conflict in done.conflicts:
        out.print(f"  CONFLICT {conflict.reason}: {conflict.message}", highlight=False)


@conflicts.callback()
def list_command(
    ctx: typer.Context,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Open conflicts from offline queues, oldest first."""
    if ctx.invoked_subcommand is not None:
        return
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        found = open_conflicts(session, get_election(session, election))
    if as_json:
        print_json(found)
        return
    if not found:
        out.print("no open conflicts", highlight=False)
    for row in found:
        out.print(
            f"{row['id']}: IIN {row['iin']} at PEC {row['pec']} ({row['offline_at']}): "
            f"{row['reason']}: {row['message']}",
            highlight=False,
        )


@conflicts.command("resolve")
def resolve_command(
    conflict_id: Annotated[int, typer.Argument(help="The conflict's number.")],
    resolution: Annotated[str, typer.Option("--resolution", help="What the commission decided.")],
    by: Annotated[str, typer.Option("--by", help="Who records the decision.")],
    election: ElectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Record the commission's decision on a conflict."""
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        resolve_conflict(session, get_election(session, election), conflict_id, resolution, by)
    out.print(f"conflict {conflict_id} resolved", highlight=False)
