"""What every command shares: the --db/--json/--election options, errors, output, progress.

Errors are mapped to exit codes once, here: a rejection or a user mistake exits 2 with its
message on stderr (and nothing written), and under --json with the API's refusal body on
stdout; success exits 0.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, OperationalError

from saylau.domain.errors import BadInput, Rejected, SaylauError, error_body
from saylau.domain.json_input import loads_strict
from saylau.store.db import DB_ENV, DEFAULT_URL, make_engine
from saylau.store.migrate import is_current

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar=DB_ENV,
        help="Database URL (any SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db).",
    ),
]
_JSON_ASKED: ContextVar[bool] = ContextVar("saylau_json_asked", default=False)


def _remember_json(value: bool) -> bool:
    """Every command with --json sets it when its options are read (click reads each option,
    given or not); `forget_json` clears it before each command, for the commands without."""
    _JSON_ASKED.set(bool(value))
    return value


def forget_json() -> None:
    _JSON_ASKED.set(False)


JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON.", callback=_remember_json)
]
ElectionOption = Annotated[
    str | None,
    typer.Option("--election", help="Election code; may be left out when the database has one."),
]
DEFAULT_DB = DEFAULT_URL

out = Console()
err = Console(stderr=True)


SHOWN_PROBLEMS = 20  # field lines printed under a refusal; the message lists the first ones too


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print `message` on stderr (and, under --json, as a refusal's body on stdout) and return
    the exit to raise."""
    _say(message)
    if json_asked():
        print_json(
            {"detail": message, "error": "Refused", "record": None,
             "problems": [{"field": "", "rule": message}]}
        )  # fmt: skip
    return typer.Exit(code)


def refused(exc: SaylauError) -> typer.Exit:
    """Print a refusal as the API's body carries it (the message, then the record and each
    field with its rule) and return exit code 2 to raise. Under --json the body itself goes to
    stdout, as the API answers it, so a script reads a refusal as it reads a result."""
    _say(str(exc))
    if isinstance(exc, Rejected) and exc.record:
        fielded = [p for p in exc.problems if p.field][:SHOWN_PROBLEMS]
        if fielded:
            err.print(f"  record: {exc.record}", highlight=False, soft_wrap=True, markup=False)
        for problem in fielded:
            err.print(
                f"  {problem.field}: {problem.rule}", highlight=False, soft_wrap=True, markup=False
            )
    if json_asked():
        print_json(error_body(exc))
    return typer.Exit(2)


def _say(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)


def json_asked() -> bool:
    """Whether the running command was given --json: its refusals then go to stdout as JSON
    too, so that the many commands need not pass their flag to every refusal."""
    return _JSON_ASKED.get()


def read_json(path: Path) -> Any:
    """A JSON file (or standard input for `-`) read strictly (domain/json_input.py): NaN,
    nesting past the limit, bytes that are not UTF-8 and duplicate keys exit 2 naming the file
    and the rule, never a traceback."""
    name = "standard input" if str(path) == "-" else str(path)
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {name}: {exc.strerror}") from exc
    try:
        return loads_strict(data, name)
    except BadInput as exc:
        raise refused(exc) from exc


def read_text(path: Path) -> str:
    """A text file (CSV, a list of codes) as UTF-8, or exit 2 naming the file and why not."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"{path}: is not UTF-8 text (byte {exc.start})") from exc


@contextmanager
def reported() -> Iterator[None]:
    """Turn saylau's typed errors into a message on stderr and exit code 2."""
    try:
        yield
    except SaylauError as exc:
        raise refused(exc) from exc
    except OperationalError as exc:
        raise fail(f"database error: {exc.orig}") from exc
    except DataError as exc:  # e.g. a NUL character in text, which PostgreSQL cannot store
        raise fail(f"a value was refused by the database: {exc.orig}") from exc


def open_db(url: str, require_schema: bool = True) -> Engine:
    """An engine for `url`; refuses a database whose schema is not the newest."""
    engine = make_engine(url)
    if require_schema:
        try:
            current = is_current(engine)
        except OperationalError as exc:
            raise fail(f"cannot open database {url}: {exc.orig}") from exc
        if not current:
            raise fail(
                f"database {url} is not at the newest schema: run `saylau db upgrade --db {url}`"
            )
    return engine


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar (on stderr, so --json output stays clean) fed by stage callbacks."""
    bar = Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        yield update
