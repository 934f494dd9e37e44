"""`saylau publish ...`: the public site and open data as static files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from saylau.administration.service import get_election, list_elections
from saylau.console import (
    DEFAULT_DB,
    DbOption,
    ElectionOption,
    open_db,
    out,
    progress_bar,
    reported,
)
from saylau.domain.errors import NotFound
from saylau.publish.dataset import load_dataset
from saylau.store.db import session_scope

app = typer.Typer(
    help="Publish the public site and open data as static files.", no_args_is_help=True
)


@app.command("site")
def site_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the site into.")],
    election: ElectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Render every page (kk, ru, en) and every download of the election(s) into --out."""
    from saylau.publish.turnout import load_turnout
    from saylau.web.export import write_site  # the page renderer loads only for this command

    engine = open_db(db)
    with reported():
        with session_scope(engine) as session:
            chosen = [get_election(session, election)] if election else list_elections(session)
            datasets = [load_dataset(session, e) for e in chosen]
            turnouts = {e.code: load_turnout(session, e) for e in chosen}
        if not datasets:
            raise NotFound("this database holds no election to publish")
        with progress_bar() as progress:
            count = write_site(datasets, out_dir, progress, turnouts=turnouts)
    heads = ", ".join(f"{d.election_code} at audit event {d.head_seq}" for d in datasets)
    out.print(f"wrote {count:,} files to {out_dir.resolve()} ({heads})", highlight=False)
