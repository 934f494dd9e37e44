"""Shared helpers of the database tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from saylau.administration.service import get_election
from saylau.migrations.schema import Base
from saylau.results.documents import protocol_document
from saylau.results.service import ProtocolInput
from saylau.store.db import session_scope

TABLES = [table for table in Base.metadata.sorted_tables]


def snapshot(engine: Engine) -> dict[str, Any]:
    """Row counts of every table, the sum of all protocol values and the audit head."""
    state: dict[str, Any] = {}
    with engine.connect() as connection:
        for table in TABLES:
            state[table.name] = connection.scalar(select(func.count()).select_from(table))
        values = Base.metadata.tables["protocol_value"]
        state["value_sum"] = connection.scalar(select(func.coalesce(func.sum(values.c.value), 0)))
        audit = Base.metadata.tables["audit_event"]
        state["head"] = connection.scalar(
            select(audit.c.hash).order_by(audit.c.seq.desc()).limit(1)
        )
    return state


def current(engine: Engine, pec: str) -> dict[str, Any]:
    with session_scope(engine) as session:
        return protocol_document(session, get_election(session), pec)


def as_input(document: dict[str, Any], **line_changes: int) -> ProtocolInput:
    lines = dict(document["lines"])
    for code, delta in line_changes.items():
        lines[code] += delta
    return ProtocolInput(
        document["pec"], lines, dict(document["explanations"]), document["version"]
    )
