"""Who read which PEC's voter list: one record per list handed out, and the query over them.

A voter list is personal data (names, IINs, dates of birth, addresses), so who saw whose data
must be answerable after the fact. `record_read` is called by every path that hands a list out
(the API's JSON page and PDF, `saylau register list-pdf`), in the transaction that serves it:
it flushes the row at once, so a record that cannot be written fails the read before any data
leaves, and the caller commits the record before handing the list out. Records are never
updated or deleted.

Plain values in and out, no web code: the API, the CLI and the tests share it.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from saylau.administration.models import Election, Unit, UnitAncestor
from saylau.audit.service import now_iso
from saylau.domain.errors import Rejected
from saylau.register.changes import find_pec
from saylau.register.models import VoterListRead

FORMS = ("json", "pdf")
CLI_ROLE = "cli"  # the role recorded for a read made on the command line, with no API user
CLI_READER = "cli:"  # prefix of the operating-system user who ran the command
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class ListRead:
    """One recorded read: when (UTC ISO), who and in what role, which PEC's list, in what form
    (json | pdf, with the PDF's language), and which entries: `rows` of them from `first`."""

    read_at: str
    reader: str
    role: str
    pec: str
    form: str
    lang: str | None
    first: int
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def cli_reader() -> str:
    """The reader of a command-line read: "cli:" and the operating-system user running it.

    The database URL gives no person, so the login is the best name there is; when the system
    has none (a container with an unnamed uid), the uid stands in for it.
    """
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no LOGNAME/USER and no password-database entry
        user = f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return CLI_READER + user


def record_read(
    session: Session,
    election: Election,
    pec_unit: Unit,
    reader: str,
    role: str,
    form: str,
    first: int,
    rows: int,
    lang: str | None = None,
) -> ListRead:
    """Record that `reader` (in `role`) was handed `rows` entries of `pec_unit`'s list from
    `first`, as `form`; flushed at once so a failure surfaces before the list is served.

    The caller's transaction holds the row: it must commit before the list leaves."""
    what = f"voter list read of PEC {pec_unit.code}"
    if pec_unit.kind != "pec" or pec_unit.election_id != election.id:
        raise Rejected(
            f"{what}: field pec: {pec_unit.kind.upper()} {pec_unit.code} is not a PEC of "
            f"election {election.code}"
        )
    if form not in FORMS:
        raise Rejected(f"{what}: field form {form!r} is not one of {', '.join(FORMS)}")
    if first < 0 or rows < 0:
        raise Rejected(f"{what}: fields first {first} and rows {rows} must not be negative")
    if not reader.strip():
        raise Rejected(f"{what}: field reader must not be empty (every read names its reader)")
    row = VoterListRead(
        election_id=election.id,
        pec_id=pec_unit.id,
        reader=reader,
        role=role,
        form=form,
        lang=lang,
        first=first,
        rows=rows,
        read_at=now_iso(),
    )
    session.add(row)
    session.flush()
    return ListRead(row.read_at, reader, role, pec_unit.code, form, lang, first, rows)


def list_reads(
    session: Session,
    election: Election,
    pec_code: str | None = None,
    limit: int = DEFAULT_LIMIT,
    within: str | None = None,
) -> list[ListRead]:
    """The recorded reads of `election`'s voter lists, newest first, at most `limit`.

    `pec_code`: only that PEC's list (NotFound when the election has no such PEC). `within`:
    only the lists of PECs in that commission's territory (a TEC's records for its TEC).
    """
    if limit < 1:
        raise Rejected(f"voter list reads: field limit {limit} must be at least 1")
    pec = aliased(Unit)
    stmt = (
        select(VoterListRead, pec.code)
        .join(pec, pec.id == VoterListRead.pec_id)
        .where(VoterListRead.election_id == election.id)
    )
    if pec_code is not None:
        stmt = stmt.where(VoterListRead.pec_id == find_pec(session, election, pec_code).id)
    if within is not None:
        scope = aliased(Unit)
        stmt = (
            stmt.join(UnitAncestor, UnitAncestor.unit_id == VoterListRead.pec_id)
            .join(scope, scope.id == UnitAncestor.ancestor_id)
            .where(scope.election_id == election.id, scope.code == within)
        )
    stmt = stmt.order_by(VoterListRead.read_at.desc(), VoterListRead.id.desc()).limit(limit)
    return [
        ListRead(r.read_at, r.reader, r.role, code, r.form, r.lang, r.first, r.rows)
        for r, code in session.execute(stmt)
    ]
