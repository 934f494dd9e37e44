"""Per-PEC voter lists for the commissions: JSON for their systems, PDF for signing on the day.

A voter list is personal data (names, IINs, dates of birth, addresses), so it is read only with
a token whose role and scope allow `voter.list` on the PEC: the CEC, the PEC's TEC, or the PEC
itself. Checked in this order: a valid token (401), the PEC exists (404), the role and scope
(403). Answers carry `Cache-Control: no-store` and the fast path never keeps them: they must not
outlive the request in any cache, shared or not.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from saylau.administration.service import get_election, timezone_of
from saylau.api.access import authorize
from saylau.api.deps import Caller, ReadSession
from saylau.api.schemas import VoterListOut
from saylau.register.lists import ListEntry, printed_list, voter_list
from saylau.register.voter_list_pdf import render_voter_list

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
    session: ReadSession,
    caller: Caller,
    limit: Limit = 1000,
    offset: Offset = 0,
) -> Response:
    """Every voter on the PEC's list, excluded ones with the reason, and those added on the
    day, in family-name order; `total` counts them all before paging."""
    chosen = get_election(session, election)
    authorize(session, chosen.id, caller, "voter.list", pec, kind="pec")
    found = voter_list(session, chosen, pec)
    page = VoterListOut.model_validate(
        {
            "election": chosen.code,
            "pec": found.heading.pec_code,
            "total": len(found.entries),
            "limit": limit,
            "offset": offset,
            "items": [entry_document(e) for e in found.entries[offset : offset + limit]],
        }
    )
    return Response(page.model_dump_json(), media_type="application/json", headers=PRIVATE)


@router.get(
    "/elections/{election}/pecs/{pec}/voters.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **ERRORS},
    summary="A PEC's voter list as a printable A4 PDF for signing on election day",
)
def voters_pdf(
    election: str, pec: str, session: ReadSession, caller: Caller, lang: Lang = "kk"
) -> Response:
    """Numbered rows in family-name order with a signature column, the PEC on every page,
    "page N of M", and the totals. Excluded persons are counted, not listed."""
    chosen = get_election(session, election)
    authorize(session, chosen.id, caller, "voter.list", pec, kind="pec")
    document = render_voter_list(
        printed_list(voter_list(session, chosen, pec), lang, timezone_of(chosen)), lang
    )
    headers = {**PRIVATE, "Content-Disposition": f'inline; filename="voter-list-{pec}.pdf"'}
    return Response(document, media_type="application/pdf", headers=headers)
