"""Table of API users. Tokens are stored only as their SHA-256: a copied table opens nothing."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from saylau.store.base import Base


class ApiUser(Base):
    """A person or system allowed to write through the API, within one commission's scope.

    `scope` is a commission code (KZ, KZ-75, 75-0001): the same code in every election the
    database holds. A revoked user keeps its row (who entered what must stay readable) but its
    token no longer opens anything.
    """

    __tablename__ = "api_user"
    __table_args__ = (Index("ix_api_user_token_sha256", "token_sha256", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(32))
    token_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[str | None] = mapped_column(String(40))
