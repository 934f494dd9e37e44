"""`saylau observe ...`: an observation mission's people, checklists, submissions, findings."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from saylau.administration.service import get_election
from saylau.console import (
    DEFAULT_DB,
    DbOption,
    ElectionOption,
    JsonOption,
    open_db,
    out,
    print_json,
    read_json,
    read_text,
    reported,
)
from saylau.observation.checklists import import_form, list_forms
from saylau.observation.copies import copy_differences
from saylau.observation.incidents import list_incidents
from saylau.observation.missions import (
    add_observers,
    create_mission,
    get_mission,
    load_annex,
    mission_summary,
    read_observers_csv,
    set_accreditation,
)
from saylau.observation.quality import quality_csv, quality_report
from saylau.observation.quickcount_cli import app as quickcount_app
from saylau.observation.report import render_report
from saylau.observation.reporting import BREAKDOWNS, mission_findings
from saylau.observation.submissions import parse_submission, submit_observations
from saylau.observation.teams import SLOTS, add_deployments, add_teams, deployment_status
from saylau.store.db import session_scope

app = typer.Typer(
    help="An observation mission: observers, checklists, findings.", no_args_is_help=True
)
mission_app = typer.Typer(help="Missions.", no_args_is_help=True)
observers_app = typer.Typer(help="A mission's observers.", no_args_is_help=True)
forms_app = typer.Typer(help="Checklists as XLSForm files.", no_args_is_help=True)
app.add_typer(mission_app, name="mission")
app.add_typer(observers_app, name="observers")
app.add_typer(forms_app, name="forms")
app.add_typer(quickcount_app, name="quickcount")
teams_app = typer.Typer(help="Teams of observers.", no_args_is_help=True)
deployments_app = typer.Typer(help="Where teams are sent, per time slot.", no_args_is_help=True)
app.add_typer(teams_app, name="teams")
app.add_typer(deployments_app, name="deployments")

MissionOption = Annotated[
    str | None, typer.Option("--mission", help="Mission code; may be left out when there is one.")
]


@mission_app.command("create")
def mission_create(
    code: Annotated[str, typer.Argument(help="A short code, e.g. misk-2022.")],
    name: Annotated[str, typer.Option("--name", help="The mission's name.")],
    kind: Annotated[str, typer.Option("--kind", help="international or citizen.")] = "citizen",
    election: ElectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Create a mission observing an election."""
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        create_mission(session, get_election(session, election), code, name, kind)
    out.print(f"mission {code} created", highlight=False)


@mission_app.command("show")
def mission_show(
    mission: MissionOption = None, as_json: JsonOption = False, db: DbOption = DEFAULT_DB
) -> None:
    """Observers loaded by role, countries and gender, beside what the mission declared."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        summary = mission_summary(session, get_mission(session, mission))
    if as_json:
        print_json(summary)
        return
    out.print(f"{summary['name']} ({summary['mission']}, {summary['kind']})", highlight=False)
    declared = summary["declared"]
    for role, count in summary["observers"].items():
        note = f" (declared {declared[role]})" if role in declared else ""
        out.print(f"  {role:8} {count:5,}{note}", highlight=False)
    out.print(f"  countries {summary['countries']}", highlight=False)


@observers_app.command("annex")
def observers_annex(mission: MissionOption = None, db: DbOption = DEFAULT_DB) -> None:
    """Load the observers Annex II of the report lists legibly."""
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        added, reading = load_annex(session, get_mission(session, mission))
    out.print(
        f"{added} observers added from Annex II; {len(reading.unread)} paragraphs unread",
        highlight=False,
    )


@observers_app.command("accredit")
def observers_accredit(
    name: Annotated[str, typer.Argument(help="The observer's name as loaded.")],
    status: Annotated[str, typer.Option("--status", help="pending, accredited or revoked.")],
    mission: MissionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Record an observer's accreditation status."""
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        set_accreditation(session, get_mission(session, mission), name, status)
    out.print(f"{name}: {status}", highlight=False)


@observers_app.command("import")
def observers_import(
    file: Annotated[Path, typer.Argument(help="CSV: name,country,gender,role[,function].")],
    mission: MissionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import observers from CSV, all or none; a bad row is named with its field."""
    engine = open_db(db)
    with reported():
        rows = read_observers_csv(read_text(file))
        with session_scope(engine, write=True) as session:
            added = add_observers(session, get_mission(session, mission), rows, source=file.name)
    out.print(f"{added} observers added", highlight=False)


def _csv_rows(file: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(read_text(file))))


@teams_app.command("import")
def teams_import(
    file: Annotated[Path, typer.Argument(help="CSV: code,area,members (names joined by ;).")],
    mission: MissionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import teams, all or none; members must be observers of the mission."""
    rows = _csv_rows(file)
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        added = add_teams(session, get_mission(session, mission), rows)
    out.print(f"{added} teams added", highlight=False)


@deployments_app.command("import")
def deployments_import(
    file: Annotated[Path, typer.Argument(help=f"CSV: team,slot,unit; slots: {', '.join(SLOTS)}.")],
    mission: MissionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import deployments, all or none."""
    rows = _csv_rows(file)
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        added = add_deployments(session, get_mission(session, mission), rows)
    out.print(f"{added} deployments added", highlight=False)


@deployments_app.command("status")
def deployments_status(
    mission: MissionOption = None, as_json: JsonOption = False, db: DbOption = DEFAULT_DB
) -> None:
    """Per time slot: planned visits, and how many have the team's checklist yet."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        status = deployment_status(session, get_mission(session, mission))
    if as_json:
        print_json(status)
        return
    table = Table("slot", "planned", "visited", "missing")
    for slot, entry in status["slots"].items():
        missing = ", ".join(f"{m['team']}@{m['unit']}" for m in entry["missing"][:5])
        more = len(entry["missing"]) - 5
        table.add_row(slot, str(entry["planned"]), str(entry["visited"]),
                      missing + (f" and {more} more" if more > 0 else ""))  # fmt: skip
    out.print(table)


@forms_app.command("import")
def forms_import(
    files: Annotated[list[Path], typer.Argument(help="XLSForm files (.xlsx).")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import checklist versions from XLSForm files (the same file again changes nothing)."""
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        done = [(path, *import_form(session, path)) for path in files]
    for path, record, status in done:
        out.print(
            f"{path.name}: form {record.code} version {record.version} {status}", highlight=False
        )


@forms_app.command("list")
def forms_list(as_json: JsonOption = False, db: DbOption = DEFAULT_DB) -> None:
    """Checklist forms and versions in the database, with their files' SHA-256."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        forms = list_forms(session)
    if as_json:
        print_json(forms)
        return
    table = Table("form", "version", "sha256", "imported")
    for f in forms:
        table.add_row(f["code"], f["version"], f["sha256"][:16] + "…", f["imported_at"])
    out.print(table)


@app.command("submit")
def submit_command(
    file: Annotated[Path, typer.Option("--file", help="JSON: one submission or a list.")],
    by: Annotated[str, typer.Option("--by", help="Who enters them.")] = "data team",
    mission: MissionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Enter submissions, all or none; resending one stores nothing new."""
    engine = open_db(db)
    with reported():
        document = read_json(file)
        items = document if isinstance(document, list) else [document]
        inputs = [parse_submission(item, n) for n, item in enumerate(items, start=1)]
        with session_scope(engine, write=True) as session:
            stored = submit_observations(session, get_mission(session, mission), inputs, by)
    rows = [s.__dict__ for s in stored]
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            out.print(f"{row['client_id']}: {row['status']} (#{row['id']})", highlight=False)


@app.command("copies")
def copies_command(
    mission: MissionOption = None, as_json: JsonOption = False, db: DbOption = DEFAULT_DB
) -> None:
    """Lines where observers' copies of protocols differ from the official protocols."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        document = copy_differences(session, get_mission(session, mission))
    if as_json:
        print_json(document)
        return
    out.print(
        f"{document['copies_compared']} copies compared; "
        f"{len(document['pecs_with_differences'])} PECs differ, "
        f"{len(document['unexplained'])} without any recorded decision",
        highlight=False,
    )
    table = Table("PEC", "line", "copy", "official", "version", "decision")
    for d in document["differences"]:
        decision = "; ".join(x["text"] for x in d["decisions"]) or "none"
        table.add_row(
            d["pec"], d["line"], f"{d['copy']:,}", f"{d['official']:,}",
            str(d["official_version"]), decision,
        )  # fmt: skip
    out.print(table)


@app.command("quality")
def quality_command(
    form: Annotated[str | None, typer.Option("--form", help="Only this checklist.")] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Also write the report as CSV to this file.")
    ] = None,
    mission: MissionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Submissions failing their form's checks, and stations two teams saw differently."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        report = quality_report(session, get_mission(session, mission), form)
    if csv_out is not None:
        csv_out.write_text(quality_csv(report), encoding="utf-8")
    if as_json:
        print_json(report)
        return
    out.print(
        f"{report['submissions_checked']:,} submissions checked: "
        f"{len(report['failed_checks'])} failed checks, "
        f"{len(report['disagreements'])} disagreements between teams",
        highlight=False,
    )
    table = Table("kind", "form", "station", "submission", "rule")
    for f in report["failed_checks"]:
        table.add_row("check", f["form"], f["unit"], str(f["submission"]), f["check"])
    for d in report["disagreements"]:
        ids = ", ".join(str(i) for i in d["submissions"])
        table.add_row("disagreement", d["form"], d["unit"], ids, d["question"])
    out.print(table)


@app.command("incidents")
def incidents_command(
    mission: MissionOption = None, as_json: JsonOption = False, db: DbOption = DEFAULT_DB
) -> None:
    """Critical incidents reported by observers, newest first (for the core team)."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        listed = list_incidents(session, get_mission(session, mission))
    if as_json:
        print_json(listed)
        return
    table = Table("received", "category", "where", "by", "what")
    for i in listed:
        table.add_row(
            i["received_at"][:19], i["category"], i["unit"] or i["location"] or "",
            i["reported_by"], i["description"],
        )  # fmt: skip
    out.print(table)


@app.command("report")
def report_command(
    out_file: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    lang: Annotated[str, typer.Option("--lang", help="Language of question labels.")] = "en",
    mission: MissionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write the election-day section of the mission's report from the stored submissions."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        html = render_report(session, get_mission(session, mission), lang)
    out_file.write_text(html, encoding="utf-8")
    out.print(f"wrote {out_file} ({len(html):,} characters)", highlight=False)


@app.command("findings")
def findings_command(
    form: Annotated[str, typer.Option("--form", help="opening, voting, counting, tabulation…")],
    by: Annotated[
        str | None, typer.Option("--by", help=f"Break down by: {', '.join(BREAKDOWNS)}.")
    ] = None,
    mission: MissionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Each question's problem share with its 95% Wilson interval (and breakdowns)."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        document = mission_findings(session, get_mission(session, mission), form, by)
    if as_json:
        print_json(document)
        return
    render_findings(document)


def render_findings(document: dict[str, Any]) -> None:
    table = Table(
        "question", "observations", "problem", "%", "95% interval",
        title=f"{document['form']} (version {document['version']}): "
        f"{document['observations']:,} observations",
    )  # fmt: skip
    for f in document["findings"]:
        problem = f["problem"]
        if problem is None:
            shares = ", ".join(f"{k} {v['pct']:.0f}%" for k, v in f["answers"].items())
            table.add_row(f["question"], f"{f['applicable']:,}", "", shares, "")
            continue
        low, high = problem["ci95"]
        table.add_row(
            f["question"],
            f"{f['applicable']:,}",
            f"{problem['count']:,}",
            f"{problem['pct']:.1f}",
            f"{low:.1f} to {high:.1f}",
        )
    out.print(table)
