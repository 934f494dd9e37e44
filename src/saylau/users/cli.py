"""`saylau users ...`: who may write through the API."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from saylau.console import DEFAULT_DB, DbOption, JsonOption, open_db, out, print_json, reported
from saylau.domain.access import ROLES
from saylau.store.db import session_scope
from saylau.users.service import add_user, list_users, revoke_user

app = typer.Typer(help="API users: roles, commission scopes, tokens.", no_args_is_help=True)


@app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="The user's name, as it will appear on writes.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    scope: Annotated[
        str, typer.Option("--scope", help="Commission code, e.g. KZ, KZ-75, 75-0001.")
    ],
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Add a user and print its token once (only a hash of it is stored)."""
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        token = add_user(session, name, role, scope)
    if as_json:
        print_json({"name": name.strip(), "role": role, "scope": scope, "token": token})
    else:
        out.print(f"user {name.strip()} ({role}, scope {scope}) added; token (shown once):")
        out.print(token, highlight=False, soft_wrap=True)


@app.command("revoke")
def revoke_command(
    name: Annotated[str, typer.Argument(help="The user to revoke.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Revoke a user's token; its past writes keep its name."""
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        revoke_user(session, name)
    out.print(f"user {name} revoked", highlight=False)


@app.command("list")
def list_command(as_json: JsonOption = False, db: DbOption = DEFAULT_DB) -> None:
    """List users with role, scope and whether they are revoked."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        users = [
            {
                "name": u.name,
                "role": u.role,
                "scope": u.scope,
                "created_at": u.created_at,
                "revoked_at": u.revoked_at,
            }
            for u in list_users(session)
        ]
    if as_json:
        print_json(users)
        return
    table = Table("name", "role", "scope", "created", "revoked")
    for u in users:
        table.add_row(u["name"], u["role"], u["scope"], u["created_at"], u["revoked_at"] or "")
    out.print(table)
