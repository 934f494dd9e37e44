"""Invariants of tabulation under any sequence of amendments (hypothesis, on SQLite and
PostgreSQL): every unit's totals equal the sum of its children's, the chain verifies, and an
amendment that keeps the figures keeps the protocol valid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from saylau.administration.models import Unit
from saylau.administration.service import get_election
from saylau.audit.service import read_chain
from saylau.results.documents import flagged_protocols, protocol_document
from saylau.results.service import amend_protocol
from saylau.results.tabulation import tabulate_all
from saylau.results.verification import audit_mismatches
from saylau.scenarios.build import build_kz2022
from saylau.store.db import make_engine, session_scope
from saylau.store.migrate import upgrade
from tests.conftest import _fresh_url
from tests.integration.helpers import as_input

KEYS = ("registered", "voters", "valid", "invalid", "avc", "mobile", "pecs_reported")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_election(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One small election per backend for the whole module (hypothesis reuses it)."""
    url, schema = _fresh_url(request.param, tmp_path_factory.mktemp("props"))
    engine = make_engine(url)
    upgrade(engine)
    build_kz2022(engine, stations=60, code="kz-2022")
    yield engine
    engine.dispose()
    if schema is not None:
        schema.drop()


def pecs(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.scalars(select(Unit.code).where(Unit.kind == "pec")))


# A vote moved between two contestants, or a ballot found to be invalid: both keep every hard
# relation, as a recount's correction would.
moves = st.sampled_from(
    [
        {"tokayev": -1, "abden": 1},
        {"against_all": -1, "kazhyken": 1},
        {"tokayev": -1, "valid": -1, "invalid": 1},
        {},
    ]
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_totals_of_the_parts_equal_the_whole_after_amendments(
    shared_election: Engine, data: st.DataObject
) -> None:
    codes = pecs(shared_election)
    for _ in range(data.draw(st.integers(1, 4))):
        pec = data.draw(st.sampled_from(codes))
        move = data.draw(moves)
        with session_scope(shared_election) as session:
            doc = protocol_document(session, get_election(session), pec)
        if any(doc["lines"][code] + delta < 0 for code, delta in move.items()):
            continue
        with session_scope(shared_election, write=True) as session:
            result = amend_protocol(
                session,
                get_election(session),
                pec,
                as_input(doc, **move),
                "TEC decision",
                "Operator",
                "recount",
            )
        assert result.flags == ()  # a no-op or balanced change keeps the protocol unflagged
    with session_scope(shared_election) as session:
        election = get_election(session)
        every = tabulate_all(session, election)
        parents = dict(session.execute(select(Unit.code, Unit.parent_id)).all())
        code_of = dict(session.execute(select(Unit.id, Unit.code)).all())
        chain = read_chain(session)
        assert chain.breaks == [] and audit_mismatches(session, chain.latest) == []
        assert flagged_protocols(session, election) == []
    children: dict[str, list[str]] = {}
    for code, parent_id in parents.items():
        if parent_id is not None:
            children.setdefault(code_of[parent_id], []).append(code)
    for parent, kids in children.items():
        for key in KEYS:
            assert every[parent][key] == sum(every[k][key] for k in kids), (parent, key)
