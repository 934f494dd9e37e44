"""An election night in progress behind the web application, for API and page tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from saylau.results.service import ProtocolInput
from saylau.scenarios.build import build_kz2022, reported_pecs
from saylau.scenarios.kz2022 import SEED, generate
from saylau.server.app import create_app
from saylau.store.db import session_scope
from saylau.users.service import add_user

STATIONS = 40
REPORTED = 0.5


@dataclass
class Night:
    """A 40-PEC election with half its protocols in, the held-back ones, and a client."""

    engine: Engine
    client: TestClient
    waiting: dict[str, ProtocolInput]
    reported: list[str]

    def token(self, name: str, role: str, scope: str) -> str:
        with session_scope(self.engine, write=True) as session:
            return add_user(session, name, role, scope)


@pytest.fixture
def night(engine: Engine) -> Iterator[Night]:
    build_kz2022(engine, stations=STATIONS, code="kz-2022", reported=REPORTED)
    scenario = generate(stations=STATIONS, seed=SEED, code="kz-2022")
    chosen = reported_pecs(scenario, REPORTED)
    waiting = {p.pec: p for p in scenario.protocols() if p.pec not in chosen}
    with TestClient(create_app(engine, check_every=0)) as client:
        yield Night(engine, client, waiting, sorted(chosen))
