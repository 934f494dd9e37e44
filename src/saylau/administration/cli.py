"""`saylau admin ...`: elections, commissions and their members."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from saylau.administration.models import CommissionMember, Unit
from saylau.administration.service import find_unit, get_election, list_elections, unit_counts
from saylau.console import (
    DEFAULT_DB,
    DbOption,
    ElectionOption,
    JsonOption,
    open_db,
    out,
    print_json,
    reported,
)
from saylau.store.db import session_scope

app = typer.Typer(help="Elections, commissions and members.", no_args_is_help=True)


@app.command("elections")
def elections_command(as_json: JsonOption = False, db: DbOption = DEFAULT_DB) -> None:
    """The elections in the database, with their commissions counted."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        rows: list[dict[str, Any]] = [
            {
                "code": e.code,
                "name": e.name,
                "date": e.election_date.isoformat(),
                "profile": e.profile_code,
                "profile_sha256": e.profile_sha256,
                "counts": unit_counts(session, e),
            }
            for e in list_elections(session)
        ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        c = row["counts"]
        out.print(
            f"[bold]{row['code']}[/] {row['name']} ({row['date']}, profile {row['profile']}): "
            f"{c.get('cec', 0)} CEC, {c.get('tec', 0)} TECs, {c.get('pec', 0):,} PECs "
            f"({c.get('pec.regular', 0):,} regular, {c.get('pec.special', 0)} special, "
            f"{c.get('pec.abroad', 0)} abroad), {c.get('members', 0):,} members",
            highlight=False,
        )


@app.command("unit")
def unit_command(
    unit: Annotated[str, typer.Argument(help="Unit code or name.")],
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """One commission: its data, its members and its child units."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        chosen = get_election(session, election)
        found = find_unit(session, chosen, unit)
        members = session.scalars(
            select(CommissionMember)
            .where(CommissionMember.unit_id == found.id)
            .order_by(CommissionMember.id)
        ).all()
        children = session.scalars(
            select(Unit).where(Unit.parent_id == found.id).order_by(Unit.code)
        ).all()
        parent = session.get(Unit, found.parent_id) if found.parent_id else None
        document: dict[str, Any] = {
            "code": found.code,
            "kind": found.kind,
            "subtype": found.subtype,
            "level": found.level,
            "parent": parent.code if parent else None,
            "name_en": found.name_en,
            "name_ru": found.name_ru,
            "name_kk": found.name_kk,
            "kato": found.kato,
            "settlement": found.settlement,
            "address": found.address,
            "urban": found.urban,
            "members": [{"name": m.full_name, "role": m.role, "gender": m.gender} for m in members],
            "children": [{"code": c.code, "kind": c.kind, "name_en": c.name_en} for c in children],
        }
    if as_json:
        print_json(document)
        return
    out.print(
        f"[bold]{document['name_en']}[/] ({found.code}, {found.kind} {found.subtype})",
        highlight=False,
    )
    if found.address:
        out.print(f"address: {found.address}", highlight=False)
    table = Table(title="Members", show_edge=False)
    for column in ("Name", "Role", "Gender"):
        table.add_column(column)
    for m in document["members"]:
        table.add_row(m["name"], m["role"], m["gender"])
    out.print(table)
    out.print(f"{len(children)} child units", highlight=False)
