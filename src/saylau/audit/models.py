"""The audit log table."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from saylau.store.base import Base


class AuditEvent(Base):
    """One event of the chain.

    `created_at` is kept as the exact ISO string that was hashed: a timestamp column would be
    re-rendered differently by each backend and break recomputation. `seq` is assigned by the
    writer (not autoincrement), so two writers racing for the same place collide on the primary
    key instead of forking the chain.
    """

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(48))
    entity: Mapped[str] = mapped_column(String(128), index=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
