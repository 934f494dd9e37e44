"""`saylau register import` at scale: the synthetic register matches the protocols, every rule
is named by row and field, and a load killed halfway leaves the register as it was, keys and
all (a first load on PostgreSQL sets voter's keys aside while it copies)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from saylau.administration.models import Unit
from saylau.administration.service import get_election
from saylau.register.models import Voter
from saylau.register.voters import registered_by_pec
from saylau.store.db import session_scope
from tests.integration.cli import saylau
from tests.register.voters import pec_codes, person


def voters(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Voter)) or 0)


def keys(engine: Engine) -> list[tuple[str, str]]:
    """Every key, index and foreign key of voter and of ballot_issue (which points at it)."""
    if engine.dialect.name == "sqlite":
        sql = "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE tbl_name IN ('voter', "
        sql += "'ballot_issue') ORDER BY name"
    else:
        sql = """
        SELECT conname, conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
          WHERE conrelid IN ('voter'::regclass, 'ballot_issue'::regclass)
        UNION ALL
        SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('voter', 'ballot_issue')
          AND schemaname = current_schema()
        ORDER BY 1, 2"""
    with engine.connect() as connection:
        return [(name, definition) for name, definition in connection.execute(text(sql))]


def test_the_synthetic_register_matches_each_pec(small_election: Engine, tmp_path: Path) -> None:
    url = small_election.url.render_as_string(hide_password=False)
    before = keys(small_election)
    extract = tmp_path / "register.csv"
    made = saylau("register", "generate", "--scale", "1", "--out", str(extract), db=url)
    assert made.code == 0, made.stderr
    loaded = saylau("register", "import", str(extract), db=url)
    assert loaded.code == 0, loaded.stderr
    with session_scope(small_election) as session:
        codes, sizes = registered_by_pec(session, get_election(session, "kz-2022"))
        per_pec = dict(
            session.execute(
                select(Unit.code, func.count())
                .join(Voter, Voter.pec_id == Unit.id)
                .group_by(Unit.code)
            ).all()
        )
    assert per_pec == dict(zip(codes, sizes.tolist(), strict=True))
    assert keys(small_election) == before and len(before) >= 5
    again = saylau("register", "import", str(extract), db=url)
    assert again.code == 2 and "is already on the register" in again.stderr


def test_every_rule_is_named_and_nothing_is_written(small_election: Engine, tmp_path: Path) -> None:
    url = small_election.url.render_as_string(hide_password=False)
    pec = pec_codes(small_election)[0]
    good = person(51, pec)
    man = person(52, pec, sex="male")
    rows = [
        f"{good.iin},A,B,1980-06-15,female,C,{pec},",
        f"12345,A,B,1980-06-15,female,C,{pec},",
        f"{good.iin[:11]}{(int(good.iin[11]) + 1) % 10},A,B,1980-06-15,female,C,{pec},",
        f"{man.iin},A,B,1980-06-15,female,C,{pec},",
        f"{person(53, pec).iin},A,B,1980-06-16,female,C,{pec},",
        f"{person(54, pec, born=date(2005, 1, 1)).iin},A,B,2005-01-01,female,C,{pec},",
        f"{person(55, pec).iin},A,B,1980-06-15,female,C,{pec},bad_mood",
        f"{person(56, pec).iin},A,B,1980-06-15,female,C,99-9999,",
        f"{person(57, pec).iin},,B,1980-06-15,female,C,{pec},",
        f"{good.iin},A,B,1980-06-15,female,C,{pec},",
        f",A,B,1980-06-15,female,C,{pec},",
    ]
    extract = tmp_path / "bad.csv"
    extract.write_text(
        "iin,family_name,given_names,birth_date,sex,address,pec,exclusion\n"
        + "\n".join(rows)
        + "\n"
    )
    refused = saylau("register", "import", str(extract), db=url)
    assert refused.code == 2
    text = refused.stderr
    for expected in (
        "in 10 of 11 records; nothing written",
        "row 2, field iin: must be exactly 12 digits",
        "row 3, field iin: check digit is",
        f"row 4, field sex: 'female' disagrees with IIN {man.iin}",
        "row 5, field birth_date: 1980-06-16 disagrees with IIN",
        "row 6, field birth_date: is 17 on election day 2022-11-20; the voting age is 18",
        "row 7, field exclusion: exclusion 'bad_mood' is not one the profile allows",
        "row 8, field pec: no PEC '99-9999' in kz-2022",
        "row 9, field family_name: must not be empty",
        f"row 10, field iin: {good.iin} is already on row 1",
        "row 11, field iin: must be exactly 12 digits",
    ):
        assert expected in text, expected
    assert voters(small_election) == 0


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from saylau.administration.service import get_election
    from saylau.register.bulk import import_extract
    from sqlalchemy import text
    from saylau.store.db import make_engine, session_scope

    LOCKS = "SELECT mode FROM pg_locks WHERE relation = 'voter'::regclass AND granted"

    def progress(stage, done, total):
        if stage == "write" and done >= total // 3:
            if engine.dialect.name == "postgresql":  # the path taken: which locks voter holds
                with make_engine(sys.argv[1]).connect() as other:
                    print("locks", sorted(other.execute(text(LOCKS)).scalars()), flush=True)
            print("killing at", done, "of", total, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    engine = make_engine(sys.argv[1])

    with session_scope(engine, write=True) as session:
        import_extract(session, get_election(session, "kz-2022"), Path(sys.argv[2]), progress)
    """
)


def kill_during_write(engine: Engine, extract: Path) -> str:
    """Kill an import of `extract` once a third of its rows are sent; returns what it printed
    (on PostgreSQL, the locks held on voter then)."""
    url = engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-c", KILLER, url, str(extract)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    killed, total = done.stdout.split("killing at ")[1].split(" of ")
    if engine.dialect.name == "postgresql":  # mid-COPY (SQLite inserts in 100,000-row batches)
        assert 0 < int(killed) < int(total), done.stdout
    engine.dispose()
    return done.stdout


def test_a_first_load_killed_halfway_leaves_the_register_empty_and_its_keys_whole(
    small_election: Engine, tmp_path: Path
) -> None:
    """On PostgreSQL this kills the load while voter's keys are set aside and the COPY runs."""
    url = small_election.url.render_as_string(hide_password=False)
    extract = tmp_path / "register.csv"
    assert saylau("register", "generate", "--out", str(extract), db=url).code == 0
    before = keys(small_election)
    said = kill_during_write(small_election, extract)
    if small_election.dialect.name == "postgresql":  # the keys were set aside
        assert "AccessExclusiveLock" in said, said
    assert voters(small_election) == 0
    assert keys(small_election) == before
    assert saylau("register", "import", str(extract), db=url).code == 0
    assert voters(small_election) == len(extract.read_text().splitlines()) - 1
    assert keys(small_election) == before


def test_a_load_killed_halfway_leaves_the_register_as_it_was(
    small_election: Engine, tmp_path: Path
) -> None:
    url = small_election.url.render_as_string(hide_password=False)
    first = tmp_path / "first.csv"
    assert saylau("register", "generate", "--scale", "0.1", "--out", str(first), db=url).code == 0
    assert saylau("register", "import", str(first), db=url).code == 0
    before = voters(small_election)
    rest = tmp_path / "rest.csv"
    lines = Path(first).read_text().splitlines()
    made = saylau("register", "generate", "--scale", "1", "--seed", "7", "--out", str(rest), db=url)
    assert made.code == 0
    known = {line.split(",")[0] for line in lines[1:]}
    kept = [line for line in rest.read_text().splitlines()[1:] if line.split(",")[0] not in known]
    rest.write_text(lines[0] + "\n" + "\n".join(kept) + "\n")
    said = kill_during_write(small_election, rest)
    if small_election.dialect.name == "postgresql":  # the keys were kept, and row locks taken
        assert "AccessExclusiveLock" not in said and "RowExclusiveLock" in said, said
    assert voters(small_election) == before
