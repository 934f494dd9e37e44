"""Operators amending different PECs at the same moment: every amendment lands, in one unbroken
chain. Appends to the audit log queue instead of racing (advisory lock on PostgreSQL, IMMEDIATE
transactions on SQLite)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, select

from saylau.administration.models import Unit
from saylau.administration.service import get_election
from saylau.audit.service import read_chain
from saylau.results.documents import protocol_document
from saylau.results.service import amend_protocol
from saylau.results.verification import audit_mismatches
from saylau.store.db import session_scope
from tests.integration.helpers import as_input

WORKERS = 8


def test_parallel_amendments_all_land_in_one_chain(small_election: Engine) -> None:
    with session_scope(small_election) as session:
        pecs = session.scalars(
            select(Unit.code).where(Unit.kind == "pec").order_by(Unit.code).limit(WORKERS)
        ).all()
        events_before = read_chain(session).events

    def amend(pec: str) -> int:
        with session_scope(small_election) as session:
            doc = protocol_document(session, get_election(session), pec)
        with session_scope(small_election, write=True) as session:
            done = amend_protocol(
                session,
                get_election(session),
                pec,
                as_input(doc),
                f"TEC decision for {pec}",
                "Operator",
                "recount confirms",
            )
        return done.version

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        versions = list(pool.map(amend, pecs))
    assert versions == [2] * len(pecs)
    with session_scope(small_election) as session:
        chain = read_chain(session)
        assert chain.breaks == []
        assert chain.events == events_before + 2 * len(pecs)  # a decision and a version each
        assert audit_mismatches(session, chain.latest) == []
