"""Public reads: no token. Elections, the unit tree, results, protocols, progress, audit head."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from saylau.administration.models import Election, Unit
from saylau.administration.service import find_unit, get_election, list_elections, list_units
from saylau.api.deps import ReadSession
from saylau.api.schemas import HeadOut, Page
from saylau.audit.service import peek_head
from saylau.results.documents import protocol_document, protocol_history
from saylau.results.progress import reporting_progress
from saylau.results.tabulation import summary

router = APIRouter(tags=["public"])

Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]


def election_document(election: Election) -> dict[str, Any]:
    return {
        "code": election.code,
        "name": election.name,
        "date": election.election_date.isoformat(),
        "profile": election.profile_code,
        "profile_sha256": election.profile_sha256,
    }


def unit_document(unit: Unit, parent: str | None) -> dict[str, Any]:
    return {
        "code": unit.code,
        "kind": unit.kind,
        "level": unit.level,
        "subtype": unit.subtype,
        "parent": parent,
        "name_en": unit.name_en,
        "name_ru": unit.name_ru,
        "name_kk": unit.name_kk,
        "settlement": unit.settlement,
        "address": unit.address,
        "urban": unit.urban,
    }


@router.get("/elections", response_model=Page, summary="Elections in this database")
def elections(session: ReadSession, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    found = list_elections(session)
    return {
        "total": len(found),
        "limit": limit,
        "offset": offset,
        "items": [election_document(e) for e in found[offset : offset + limit]],
    }


@router.get("/elections/{election}", summary="One election")
def election(election: str, session: ReadSession) -> dict[str, Any]:
    return election_document(get_election(session, election))


@router.get("/elections/{election}/units", response_model=Page, summary="Units, filtered")
def units(
    election: str,
    session: ReadSession,
    parent: Annotated[str | None, Query(description="Only children of this unit.")] = None,
    kind: Annotated[Literal["cec", "tec", "pec"] | None, Query()] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Code, name, settlement or address.")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    chosen = get_election(session, election)
    parent_unit = find_unit(session, chosen, parent) if parent else None
    total, page = list_units(session, chosen, parent_unit, kind, q, limit, offset)
    parents = {u.id: u.code for u in page}
    missing = {u.parent_id for u in page if u.parent_id and u.parent_id not in parents}
    if missing:
        parents.update(
            session.execute(select(Unit.id, Unit.code).where(Unit.id.in_(missing))).all()
        )
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [unit_document(u, parents.get(u.parent_id or -1)) for u in page],
    }


@router.get("/elections/{election}/units/{unit}", summary="One unit with its children")
def unit(election: str, unit: str, session: ReadSession) -> dict[str, Any]:
    chosen = get_election(session, election)
    found = find_unit(session, chosen, unit)
    parent = session.get(Unit, found.parent_id) if found.parent_id else None
    _, children = list_units(session, chosen, parent=found, limit=100_000)
    return unit_document(found, parent.code if parent else None) | {
        "children": [c.code for c in children]
    }


@router.get("/elections/{election}/results", summary="National result")
def national_results(election: str, session: ReadSession) -> dict[str, Any]:
    return summary(session, get_election(session, election))


@router.get(
    "/elections/{election}/results/{unit}",
    summary="Result of any unit (as `saylau results summary --json`)",
)
def unit_results(election: str, unit: str, session: ReadSession) -> dict[str, Any]:
    return summary(session, get_election(session, election), unit)


@router.get("/elections/{election}/progress", summary="PECs reported, per unit")
def progress(
    election: str,
    session: ReadSession,
    unit: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    return reporting_progress(session, get_election(session, election), unit)


@router.get("/elections/{election}/protocols/{pec}", summary="A PEC's current protocol")
def protocol(election: str, pec: str, session: ReadSession) -> dict[str, Any]:
    return protocol_document(session, get_election(session, election), pec)


@router.get(
    "/elections/{election}/protocols/{pec}/history",
    summary="Every version of a PEC's protocol, with decisions and audit hashes",
)
def history(election: str, pec: str, session: ReadSession) -> list[dict[str, Any]]:
    return protocol_history(session, get_election(session, election), pec)


@router.get("/audit/head", response_model=HeadOut, summary="The audit chain's head")
def audit_head(session: ReadSession) -> dict[str, Any]:
    seq, head = peek_head(session)
    return {"seq": seq, "hash": head}
