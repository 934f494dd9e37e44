"""`saylau db ...`: schema management."""

from __future__ import annotations

import typer

from saylau.console import DEFAULT_DB, DbOption, open_db, out, reported
from saylau.store.db import describe_url
from saylau.store.migrate import upgrade

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(db: DbOption = DEFAULT_DB) -> None:
    """Bring the database to the newest schema (creates a SQLite file if needed)."""
    with reported():
        revision = upgrade(open_db(db, require_schema=False))
    out.print(f"{describe_url(db)} is at schema revision {revision}", highlight=False)
