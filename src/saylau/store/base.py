"""The declarative base every context's models derive from.

Explicit constraint names (the naming convention) keep Alembic migrations identical on SQLite
and PostgreSQL and make constraint errors readable.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of all saylau tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
