"""A PEC's voter list: who is on it, in Kazakh alphabetical order, and the PDF to sign on."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pypdf
import pytest
from sqlalchemy import Engine

from saylau.administration.service import get_election
from saylau.domain.errors import NotFound
from saylau.domain.iin import make_iin
from saylau.register.checkin import check_in
from saylau.register.lists import collation_key, printable_list, voter_list
from saylau.register.voter_list_pdf import PrintedList, PrintedRow, render_voter_list
from saylau.register.voters import VoterRecord
from saylau.store.db import session_scope
from tests.register.voters import designate, pec_codes, person, register

# Family names that start with each of the nine Kazakh letters, and a Russian one.
KAZAKH = ["Әбілов", "Ғабитов", "Қасымов", "Ңұрлан", "Өмірбек", "Ұлықбек", "Үсенов", "Һакімов",
          "Ісмағұлов", "Иванов"]  # fmt: skip


def serials(start: int, count: int) -> list[int]:
    """`count` serials from `start` that give an IIN for the default birth date (a few don't)."""
    found = [n for n in range(start, start + 2 * count) if make_iin(date(1980, 6, 15), "female", n)]
    return found[:count]


def named(serial: int, pec: str, family: str, **more: object) -> VoterRecord:
    return replace(person(serial, pec, **more), family_name=family, given_names="Айгүл Серікқызы")  # type: ignore[arg-type]


def pdf_text(document: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(document))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_kazakh_letters_sort_in_their_places() -> None:
    ordered = sorted(["Яковлев", "Әлиев", "Абаев", "Қожа", "Козлов", "Ілияс", "Ыбыраев", "Smith"],
                     key=collation_key)  # fmt: skip
    assert ordered == ["Абаев", "Әлиев", "Козлов", "Қожа", "Ыбыраев", "Ілияс", "Яковлев", "Smith"]
    assert collation_key("ӘЛИЕВ") == collation_key("әлиев")


def test_the_list_holds_the_pecs_voters_and_those_added_on_the_day(small_election: Engine) -> None:
    home, other = pec_codes(small_election)[:2]
    records = [named(100 + i, home, family) for i, family in enumerate(KAZAKH)]
    records.append(named(120, home, "Жұмабаев", exclusion="serving_prison_sentence"))
    records.append(named(121, other, "Сейітов"))  # on another list: added here on the day
    records.append(named(122, other, "Теміров"))  # on another list: not here
    register(small_election, records)
    with session_scope(small_election, write=True) as session:
        election = get_election(session, "kz-2022")
        check_in(session, election, home, records[2].iin, operator="op", client_id="a")
    designate(small_election, [home], "residents")
    with session_scope(small_election, write=True) as session:
        added = check_in(session, get_election(session, "kz-2022"), home, records[11].iin,
                         operator="op", client_id="b", supplementary=True)  # fmt: skip
        assert added.outcome == "issue", added
    with session_scope(small_election) as session:
        found = voter_list(session, get_election(session, "kz-2022"), home)
    families = [e.family_name for e in found.entries]
    assert families == [
        "Әбілов", "Ғабитов", "Жұмабаев", "Иванов", "Қасымов", "Ңұрлан", "Өмірбек", "Сейітов",
        "Ұлықбек", "Үсенов", "Һакімов", "Ісмағұлов",
    ]  # fmt: skip
    by_name = {e.family_name: e for e in found.entries}
    assert by_name["Қасымов"].ballot is not None and by_name["Қасымов"].ballot.kind == "station"
    assert by_name["Сейітов"].on_list == "added" and by_name["Сейітов"].ballot.pec == home  # type: ignore[union-attr]
    assert by_name["Жұмабаев"].status == "excluded"
    assert by_name["Жұмабаев"].exclusion == "serving_prison_sentence"
    assert "Теміров" not in by_name
    assert found.heading.pec_code == home and found.heading.tec_code
    assert len(found.active) == 11


def test_unknown_pec_is_named(small_election: Engine) -> None:
    with session_scope(small_election) as session, pytest.raises(NotFound, match="99-9999"):
        voter_list(session, get_election(session, "kz-2022"), "99-9999")


def test_the_pdf_parses_with_every_row_and_the_kazakh_letters(small_election: Engine) -> None:
    home = pec_codes(small_election)[3]
    records = [named(n, home, KAZAKH[i % len(KAZAKH)] + ("" if i < 10 else str(i)))
               for i, n in enumerate(serials(200, 45))]  # fmt: skip
    records.append(named(260, home, "Жоқов", exclusion="court_declared_incapacity"))
    register(small_election, records)
    with session_scope(small_election) as session:
        election = get_election(session, "kz-2022")
        document = printable_list(session, election, home, lang="kk").pdf
        russian = printable_list(session, election, home, lang="ru")
    assert document.startswith(b"%PDF-")
    pages, text = pdf_text(document)
    assert pages >= 2  # 45 rows of 9 mm do not fit one landscape page
    assert f"{pages} беттің {pages}-беті" in text and f"{pages} беттің 1-беті" in text
    for family in KAZAKH:
        assert family in text, family
    assert "Айгүл Серікқызы" in text
    assert "Жоқов" not in text  # excluded: counted, not listed
    assert "Тізімдегі сайлаушылар: 45" in text
    assert "Тізілімнен шығарылғандар (тізімге енгізілмеген): 1" in text
    assert home in text
    assert russian.rows == 45
    pages_ru, text_ru = pdf_text(russian.pdf)
    assert f"страница 1 из {pages_ru}" in text_ru and "Избирателей в списке: 45" in text_ru


def test_rendering_numbers_every_row_and_notes_ballots() -> None:
    rows = [
        PrintedRow(f"Фамилия{i:02d}", "Имя", "01.01.1980", f"{i:012d}", "Адрес") for i in range(30)
    ]
    rows[4] = replace(rows[4], ballot_kind="mobile", ballot_pec="75-0001",
                      ballot_at="2022-11-20T04:12:00+00:00")  # fmt: skip
    rows[5] = replace(rows[5], added=True)
    printed = PrintedList("Election", "2022-11-20", "75-0001", "PEC 1", "Almaty", "", rows, 0,
                          "Asia/Almaty")  # fmt: skip
    pages, text = pdf_text(render_voter_list(printed, "en"))
    assert f"page {pages} of {pages}" in text
    numbers = [line.split()[0] for line in text.splitlines() if line.split() and
               line.split()[0].isdigit() and "Фамилия" in line]  # fmt: skip
    assert numbers == [str(n) for n in range(1, 31)]
    assert "ballot issued, mobile voting, 10:12" in text  # 04:12 UTC is 10:12 in Almaty (+06)
    assert "added to the list on election day" in text
    assert "Voters on the list: 30" in text and "Ballots already issued to them: 1" in text
    with pytest.raises(ValueError, match="language 'de'"):
        render_voter_list(printed, "de")


def test_birth_dates_print_day_first(small_election: Engine) -> None:
    home = pec_codes(small_election)[5]
    register(small_election, [named(300, home, "Датов", born=date(1975, 3, 9))])
    with session_scope(small_election) as session:
        printable = printable_list(session, get_election(session, "kz-2022"), home, "en")
    _, text = pdf_text(printable.pdf)
    assert "09.03.1975" in text
