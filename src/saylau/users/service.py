"""Adding, revoking and authenticating API users.

A token is 32 random bytes (`secrets.token_urlsafe`), shown once when the user is added; only its
SHA-256 is stored. A plain hash (not a slow password hash) is right here because the token is
random and long: there is no dictionary to try. Adding and revoking a user are audit events, so
who could write at any moment can be reconstructed from the chain.

A token is looked up by one query, `TOKEN_QUERY`, run two ways: through a session
(`authenticate`, the app's path) and as its text on an asynchronous psycopg connection
(`principal_by_digest`, the check-in fast lane's path, which must not leave the event loop).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection
from sqlalchemy import bindparam, select
from sqlalchemy.dialects import registry
from sqlalchemy.orm import Session

from saylau.administration.models import Unit
from saylau.audit.service import NewEvent, append, now_iso
from saylau.domain.access import ROLES, scope_problem
from saylau.domain.errors import Conflict, NotAuthenticated, NotFound, Rejected
from saylau.users.models import ApiUser


@dataclass(frozen=True)
class Principal:
    """The authenticated user behind a request."""

    name: str
    role: str
    scope: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# The user holding a token, by the token's digest: name, role, scope and when it was revoked.
TOKEN_QUERY = select(ApiUser.name, ApiUser.role, ApiUser.scope, ApiUser.revoked_at).where(
    ApiUser.token_sha256 == bindparam("digest")
)
# The same query for psycopg, compiled once (its parameter reads `%(digest)s`).
TOKEN_SQL = str(TOKEN_QUERY.compile(dialect=registry.load("postgresql.psycopg")()))


def _principal(row: Any) -> Principal:
    """The user of a TOKEN_QUERY row; NotAuthenticated when there is none or it is revoked."""
    if row is None:
        raise NotAuthenticated("the token is not known")
    name, role, scope, revoked_at = row
    if revoked_at is not None:
        raise NotAuthenticated(f"the token of user {name} was revoked at {revoked_at}")
    return Principal(name, role, scope)


def add_user(session: Session, name: str, role: str, scope: str) -> str:
    """Create a user and return its token (the only time the token exists in clear)."""
    name = name.strip()
    if not name:
        raise Rejected("user: field name must not be empty")
    if role not in ROLES:
        raise Rejected(f"user {name}: field role {role!r} is not one of {', '.join(ROLES)}")
    kinds = set(session.scalars(select(Unit.kind).where(Unit.code == scope).distinct()))
    if not kinds:
        raise NotFound(f"user {name}: field scope: no commission {scope!r} in any election")
    problems = [scope_problem(role, kind) for kind in kinds]
    if all(problems):
        raise Rejected(f"user {name}: field scope: {problems[0]}")
    if session.scalar(select(ApiUser.id).where(ApiUser.name == name)) is not None:
        raise Conflict(f"user {name}: a user of this name exists (revoke it or pick another name)")
    token = secrets.token_urlsafe(32)
    session.add(
        ApiUser(
            name=name,
            role=role,
            scope=scope,
            token_sha256=token_digest(token),
            created_at=now_iso(),
            revoked_at=None,
        )
    )
    session.flush()
    append(
        session,
        NewEvent("user.added", f"user:{name}", {"name": name, "role": role, "scope": scope}),
    )
    return token


def revoke_user(session: Session, name: str) -> None:
    """Close a user's token for good; the user's past writes keep their name."""
    user = session.scalar(select(ApiUser).where(ApiUser.name == name))
    if user is None:
        raise NotFound(f"no user {name!r}")
    if user.revoked_at is not None:
        raise Conflict(f"user {name} was already revoked at {user.revoked_at}")
    user.revoked_at = now_iso()
    append(session, NewEvent("user.revoked", f"user:{name}", {"name": name}))


def list_users(session: Session) -> list[ApiUser]:
    return list(session.scalars(select(ApiUser).order_by(ApiUser.name)))


def authenticate(session: Session, token: str | None) -> Principal:
    """The user a bearer token belongs to; NotAuthenticated when none or revoked."""
    if not token:
        raise NotAuthenticated("this write needs a token: send 'Authorization: Bearer <token>'")
    return _principal(session.execute(TOKEN_QUERY, {"digest": token_digest(token)}).first())


async def principal_by_digest(connection: AsyncConnection[Any], digest: str) -> Principal | None:
    """The active user whose token has this digest, or None when it is unknown or revoked
    (the caller then asks `authenticate`, which says which)."""
    cursor = await connection.execute(TOKEN_SQL, {"digest": digest}, prepare=True)
    try:
        return _principal(await cursor.fetchone())
    except NotAuthenticated:
        return None
