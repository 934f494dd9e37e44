"""Per-PEC voter lists for the commissions: JSON for their systems, PDF for signing on the day.

A voter list is personal data (names, IINs, dates of birth, addresses), so it is read only with
a token whose role and scope allow `voter.list` on the PEC: the CEC, the PEC's TEC, or the PEC
itself. Checked in this order: a valid token (401), the PEC exists (404), the role and scope
(403). Answers carry `Cache-Control: no-store` and the fast path never keeps them: they must not
outlive the request in any cache, shared or not.

Every list handed out leaves a record of who read which entries (`register/list_reads.py`), in
the request's write transaction, which commits before the answer leaves (`deps.WriteSession`):
a list whose record could not be stored is not served. A refused read (401, 403, 404) records
nothing. The records are read back at `.../register/list-reads`:
by the CEC, and by a TEC for the PECs of its territory, never by a PEC over itself.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import get_election
from saylau.api.access import authorize
from saylau.api.deps import Caller, ReadSession, WriteSession
from saylau.api.schemas import ListReadsOut, VoterListOut
from saylau.register.list_reads import DEFAULT_LIMIT, list_reads, record_read
from saylau.register.lists import ListEntry, printable_list, voter_list
from saylau.users.service import Principal

router = APIRouter(tags=["register"])

PRIVATE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No token, or an unknown or revoked one."},
    403: {"description": "The token's role or commission scope does not cover this PEC."},
    404: {"description": "No such election or PEC."},
}

Limit = Annotated[int, Query(ge=1, le=5000, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Voters to skip.")]
Lang = Annotated[
    Literal["kk", "ru", "en"], Query(description="Language of the document's fixed text.")
]
ReadsLimit = Annotated[int, Query(ge=1, le=1000, description="At most this many, newest first.")]
PecFilter = Annotated[
    str | None,
    Query(max_length=32, description="Only this PEC's list; every PEC in scope if left out."),
]


def served(
    session: Session,
    election: Election,
    pec: Unit,
    caller: Principal,
    form: str,
    first: int,
    rows: int,
    lang: str | None = None,
) -> None:
    """Record the read in the request's transaction: the list leaves only once it commits."""
    record_read(session, election, pec, caller.name, caller.role, form, first, rows, lang)


def entry_document(entry: ListEntry) -> dict[str, Any]:
    ballot = entry.ballot
    return {
        "iin": entry.iin,
        "family_name": entry.family_name,
        "given_names": entry.given_names,
        "birth_date": entry.birth_date.isoformat(),
        "address": entry.address,
        "status": entry.status,
        "exclusion": entry.exclusion,
        "on_list": entry.on_list,
        "ballot": (
            {"kind": ballot.kind, "pec": ballot.pec, "issued_at": ballot.issued_at}
            if ballot is not None
            else None
        ),
    }


@router.get(
    "/elections/{election}/pecs/{pec}/voters",
    response_model=VoterListOut,
    responses=ERRORS,
    summary="A PEC's voter list with each voter's ballot (commissions, within their territory)",
)
def voters(
    election: str,
    pec: str,
    session: WriteSession,
    caller: Caller,
    limit: Limit = 1000,
    offset: Offset = 0,
) -> Response:
    """Every voter on the PEC's list, excluded ones with the reason, and those added on the
    day, in family-name order; `total` counts them all before paging. Each page read is
    recorded with the caller and the entries it handed out."""
    chosen = get_election(session, election)
    unit = authorize(session, chosen.id, caller, "voter.list", pec, kind="pec")
    found = voter_list(session, chosen, pec)
    items = found.entries[offset : offset + limit]
    page = VoterListOut.model_validate(
        {
            "election": chosen.code,
            "pec": found.heading.pec_code,
            "total": len(found.entries),
            "limit": limit,
            "offset": offset,
            "items": [entry_document(e) for e in items],
        }
    )
    served(session, chosen, unit, caller, "json", offset, len(items))
    return Response(page.model_dump_json(), media_type="application/json", headers=PRIVATE)


@router.get(
    "/elections/{election}/pecs/{pec}/voters.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **ERRORS},
    summary="A PEC's voter list as a printable A4 PDF for signing on election day",
)
def voters_pdf(
    election: str, pec: str, session: WriteSession, caller: Caller, lang: Lang = "kk"
) -> Response:
    """Numbered rows in family-name order with a signature column, the PEC on every page,
    "page N of M", and the totals. Excluded persons are counted, not listed. Each download is
    recorded with the caller and the number of voters printed."""
    chosen = get_election(session, election)
    unit = authorize(session, chosen.id, caller, "voter.list", pec, kind="pec")
    printable = printable_list(session, chosen, pec, lang)
    served(session, chosen, unit, caller, "pdf", 0, printable.rows, lang)
    headers = {**PRIVATE, "Content-Disposition": f'inline; filename="voter-list-{pec}.pdf"'}
    return Response(printable.pdf, media_type="application/pdf", headers=headers)


@router.get(
    "/elections/{election}/register/list-reads",
    response_model=ListReadsOut,
    responses={
        401: ERRORS[401],
        403: {"description": "A PEC operator or an observer, or a PEC outside the scope."},
        404: ERRORS[404],
    },
    summary="Who read or printed which PEC's voter list (the CEC; a TEC for its territory)",
)
def voter_list_reads(
    election: str,
    session: ReadSession,
    caller: Caller,
    pec: PecFilter = None,
    limit: ReadsLimit = DEFAULT_LIMIT,
) -> Response:
    """Every recorded read of a voter list, newest first: when, who in what role, which PEC,
    JSON or PDF, and which entries. Without `pec`, the reads of every PEC in the caller's
    territory."""
    chosen = get_election(session, election)
    if pec is not None:
        authorize(session, chosen.id, caller, "voter.list_reads", pec, kind="pec")
        found = list_reads(session, chosen, pec_code=pec, limit=limit)
    else:
        authorize(session, chosen.id, caller, "voter.list_reads", caller.scope)
        found = list_reads(session, chosen, limit=limit, within=caller.scope)
    answer = ListReadsOut.model_validate(
        {
            "election": chosen.code,
            "pec": pec,
            "scope": caller.scope,
            "limit": limit,
            "items": [r.as_dict() for r in found],
        }
    )
    return Response(answer.model_dump_json(), media_type="application/json", headers=PRIVATE)
