"""The record of voter-list reads: written by `list-pdf` before the file, queried newest first,
and shown by `saylau register list-reads`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner, Result

from saylau.administration.models import Unit
from saylau.administration.service import get_election
from saylau.cli.main import app
from saylau.domain.errors import NotFound, SaylauError
from saylau.register import cli as register_cli
from saylau.register.changes import find_pec
from saylau.register.list_reads import cli_reader, list_reads, record_read
from saylau.register.models import VoterListRead
from saylau.store.db import session_scope
from tests.register.voters import pec_codes, person, register


def run(engine: Engine, *args: str) -> Result:
    url = engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(app, [*args, "--db", url])


def stored(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(VoterListRead)) or 0)


def tec_of(engine: Engine, pec: str) -> str:
    with session_scope(engine) as session:
        parent = session.scalar(select(Unit.parent_id).where(Unit.code == pec))
        return str(session.scalar(select(Unit.code).where(Unit.id == parent)))


def test_reads_come_back_newest_first_by_pec_and_by_territory(small_election: Engine) -> None:
    pecs = pec_codes(small_election)
    home = pecs[0]
    elsewhere = next(p for p in pecs if tec_of(small_election, p) != tec_of(small_election, home))
    with session_scope(small_election, write=True) as session:
        election = get_election(session, "kz-2022")
        for n, pec in enumerate((home, elsewhere, home)):
            record_read(session, election, find_pec(session, election, pec), f"user-{n}",
                        "tec-operator", "json", 10 * n, 5)  # fmt: skip
        record_read(session, election, find_pec(session, election, home), "cli:op", "cli", "pdf",
                    0, 7, lang="kk")  # fmt: skip
    with session_scope(small_election) as session:
        election = get_election(session, "kz-2022")
        every = list_reads(session, election)
        mine = list_reads(session, election, pec_code=home)
        territory = list_reads(session, election, within=tec_of(small_election, home))
        two = list_reads(session, election, limit=2)
        with pytest.raises(NotFound, match="99-9999"):
            list_reads(session, election, pec_code="99-9999")
        with pytest.raises(SaylauError, match="field limit 0"):
            list_reads(session, election, limit=0)
    assert [r.reader for r in every] == ["cli:op", "user-2", "user-1", "user-0"]
    assert [r.read_at for r in every] == sorted((r.read_at for r in every), reverse=True)
    latest = every[0]
    assert (latest.pec, latest.role, latest.form, latest.lang, latest.first, latest.rows) == (
        home, "cli", "pdf", "kk", 0, 7)  # fmt: skip
    assert [r.reader for r in mine] == ["cli:op", "user-2", "user-0"]
    assert [r.reader for r in territory] == ["cli:op", "user-2", "user-0"]
    assert [r.reader for r in two] == ["cli:op", "user-2"]
    assert every[1].as_dict()["first"] == 20


def test_a_read_names_a_pec_a_form_and_a_reader(small_election: Engine) -> None:
    home = pec_codes(small_election)[1]
    with session_scope(small_election, write=True) as session:
        election = get_election(session, "kz-2022")
        pec = find_pec(session, election, home)
        tec = session.get(Unit, pec.parent_id)
        assert tec is not None
        with pytest.raises(SaylauError, match=rf"field pec: TEC {tec.code} is not a PEC"):
            record_read(session, election, tec, "someone", "cec-admin", "json", 0, 1)
        with pytest.raises(SaylauError, match=rf"PEC {home}: field form 'xml' is not one of"):
            record_read(session, election, pec, "someone", "cec-admin", "xml", 0, 1)
        with pytest.raises(SaylauError, match="must not be negative"):
            record_read(session, election, pec, "someone", "cec-admin", "json", -1, 1)
        with pytest.raises(SaylauError, match="field reader must not be empty"):
            record_read(session, election, pec, " ", "cec-admin", "json", 0, 1)
    assert stored(small_election) == 0


def test_list_pdf_records_the_system_user_before_writing_the_file(
    small_election: Engine, tmp_path: Path
) -> None:
    home = pec_codes(small_election)[2]
    register(small_election, [person(60 + i, home) for i in range(4)])
    out = tmp_path / "list.pdf"
    done = run(small_election, "register", "list-pdf", home, "--out", str(out), "--lang", "en")
    assert done.exit_code == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-") and "(4 voters)" in done.stdout
    with session_scope(small_election) as session:
        reads = list_reads(session, get_election(session, "kz-2022"))
    assert len(reads) == 1
    read = reads[0]
    assert (read.reader, read.role, read.pec, read.form, read.lang, read.first, read.rows) == (
        cli_reader(), "cli", home, "pdf", "en", 0, 4)  # fmt: skip
    assert read.reader.startswith("cli:") and len(read.reader) > len("cli:")

    refused = run(small_election, "register", "list-pdf", "99-9999", "--out", str(tmp_path / "x"))
    assert refused.exit_code == 2 and "no PEC '99-9999'" in refused.stderr
    assert not (tmp_path / "x").exists()
    assert stored(small_election) == 1


def test_list_pdf_writes_no_file_when_the_read_cannot_be_recorded(
    small_election: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = pec_codes(small_election)[3]
    register(small_election, [person(70, home)])

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise SaylauError("voter list read: the record cannot be stored")

    monkeypatch.setattr(register_cli, "record_read", refuse)
    out = tmp_path / "list.pdf"
    done = run(small_election, "register", "list-pdf", home, "--out", str(out))
    assert done.exit_code == 2 and "the record cannot be stored" in done.stderr
    assert not out.exists()
    assert stored(small_election) == 0


def test_list_reads_command_shows_who_read_which_list(
    small_election: Engine, tmp_path: Path
) -> None:
    pecs = pec_codes(small_election)
    home, other = pecs[4], pecs[5]
    register(small_election, [person(80, home), person(82, other)])
    for pec in (home, other):
        printed = run(small_election, "register", "list-pdf", pec, "--out", str(tmp_path / pec))
        assert printed.exit_code == 0, printed.stderr
    with session_scope(small_election, write=True) as session:
        election = get_election(session, "kz-2022")
        record_read(session, election, find_pec(session, election, home), "A. Operator",
                    "pec-operator", "json", 1000, 250)  # fmt: skip

    table = run(small_election, "register", "list-reads")
    assert table.exit_code == 0, table.stderr
    assert "3 read(s) of the voter lists of all PECs, newest first" in table.stdout
    for text in ("A. Operator", "pec-operator", home, other, "pdf kk", "json", "250 from"):
        assert text in table.stdout, text
    assert table.stdout.index("A. Operator") < table.stdout.index(other)  # newest first

    one = run(small_election, "register", "list-reads", "--pec", other, "--json")
    assert one.exit_code == 0, one.stderr
    assert [(r["pec"], r["role"], r["form"], r["rows"]) for r in json.loads(one.stdout)] == [
        (other, "cli", "pdf", 1)
    ]
    latest = run(small_election, "register", "list-reads", "--limit", "1", "--json")
    assert [r["reader"] for r in json.loads(latest.stdout)] == ["A. Operator"]
    missing = run(small_election, "register", "list-reads", "--pec", "99-9999")
    assert missing.exit_code == 2 and "no PEC '99-9999'" in missing.stderr
    empty = run(small_election, "register", "list-reads", "--pec", pecs[6])
    assert empty.exit_code == 0 and f"0 read(s) of the voter lists of PEC {pecs[6]}" in empty.stdout
