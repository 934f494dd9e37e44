"""A PEC's voter list as a printable A4 document for signing on election day.

Pure rendering: plain values in, PDF bytes out, no database. Each voter signs on their row for
the ballot they receive, so the rows are numbered, in family-name order, with a signature column
tall enough to sign in; every page repeats the column headings and names the PEC, and says
"page N of M" so a missing sheet is noticed; the last page gives the totals and lines for the
chairperson's and secretary's signatures.

The font is DejaVu Sans as shipped with matplotlib (already a dependency): it has every letter
of the Kazakh alphabet, which the PDF core fonts do not, and it is
embedded (subset) in the file, so the list prints the same on any printer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

FONT = "DejaVu"
MARGIN = 10.0  # mm
ROW_HEIGHT = 9.0  # mm: room for a signature
COLUMNS = (10.0, 62.0, 22.0, 28.0, 70.0, 43.0, 42.0)  # mm, on landscape A4 (277 mm inside)


@dataclass(frozen=True)
class PrintedRow:
    """One voter as printed. ballot_*: set when a ballot was already issued (a list printed
    during the day); added: the voter was added to this PEC's list on election day."""

    family_name: str
    given_names: str
    birth_date: str
    iin: str
    address: str
    added: bool = False
    ballot_kind: str | None = None
    ballot_pec: str | None = None
    ballot_at: str | None = None


@dataclass(frozen=True)
class PrintedList:
    """The document: the election, the PEC and its TEC (names already in the list's language),
    the rows in print order, how many people of this PEC the register excludes (counted, not
    listed), and the time zone the ballot times are printed in."""

    election: str
    election_date: str
    pec_code: str
    pec_name: str
    pec_address: str
    tec: str
    rows: Sequence[PrintedRow]
    excluded: int
    timezone: str = "UTC"


LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "List of voters",
        "pec": "Polling station",
        "tec": "Territorial election commission",
        "address": "Address",
        "no": "No.",
        "name": "Family name, given names",
        "born": "Date of birth",
        "iin": "IIN",
        "home": "Address of residence",
        "signature": "Voter's signature for the ballot received",
        "note": "Notes",
        "added": "added to the list on election day",
        "issued": "ballot issued",
        "issued_at": "ballot issued at PEC {pec}",
        "listed": "Voters on the list: {n}",
        "already": "Ballots already issued to them: {n}",
        "excluded": "Excluded from the register (not listed): {n}",
        "chair": "Chairperson of the commission",
        "secretary": "Secretary of the commission",
        "page": "page {n} of {nb}",
        "station": "",
        "mobile": "mobile voting",
        "supplementary": "supplementary",
        "avc": "absentee certificate",
        "new": "registered on the day",
    },
    "ru": {
        "title": "Список избирателей",
        "pec": "Избирательный участок",
        "tec": "Территориальная избирательная комиссия",
        "address": "Адрес",
        "no": "№",
        "name": "Фамилия, имя, отчество",
        "born": "Дата рождения",
        "iin": "ИИН",
        "home": "Адрес места жительства",
        "signature": "Подпись избирателя за полученный бюллетень",
        "note": "Отметки",
        "added": "включён в список в день выборов",
        "issued": "бюллетень выдан",
        "issued_at": "бюллетень выдан на участке {pec}",
        "listed": "Избирателей в списке: {n}",
        "already": "Из них уже получили бюллетень: {n}",
        "excluded": "Исключены из регистра (не включены в список): {n}",
        "chair": "Председатель комиссии",
        "secretary": "Секретарь комиссии",
        "page": "страница {n} из {nb}",
        "station": "",
        "mobile": "вне помещения для голосования",
        "supplementary": "дополнительно",
        "avc": "по открепительному удостоверению",
        "new": "включён в день выборов",
    },
    "kk": {
        "title": "Сайлаушылар тізімі",
        "pec": "Сайлау учаскесі",
        "tec": "Аумақтық сайлау комиссиясы",
        "address": "Мекенжайы",
        "no": "№",
        "name": "Тегі, аты, әкесінің аты",  # noqa: RUF001
        "born": "Туған күні",
        "iin": "ЖСН",
        "home": "Тұрғылықты мекенжайы",
        "signature": "Бюллетень алғаны туралы сайлаушының қолы",
        "note": "Белгілер",
        "added": "сайлау күні тізімге енгізілді",
        "issued": "бюллетень берілді",
        "issued_at": "бюллетень {pec} учаскесінде берілді",
        "listed": "Тізімдегі сайлаушылар: {n}",
        "already": "Оның ішінде бюллетень алғандар: {n}",
        "excluded": "Тізілімнен шығарылғандар (тізімге енгізілмеген): {n}",
        "chair": "Комиссия төрағасы",
        "secretary": "Комиссия хатшысы",
        "page": "{nb} беттің {n}-беті",
        "station": "",
        "mobile": "үй-жайдан тыс дауыс беру",  # noqa: RUF001
        "supplementary": "қосымша",
        "avc": "сырттай дауыс беру куәлігі бойынша",  # noqa: RUF001
        "new": "сайлау күні тіркелді",
    },
}


@cache
def font_path(bold: bool = False) -> Path:
    """DejaVu Sans as matplotlib ships it (FileNotFoundError naming the path if it is gone)."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    if not path.is_file():
        raise FileNotFoundError(f"voter list font {name} not found at {path} (matplotlib data)")
    return path


def _local_time(stamp: str, zone: str) -> str:
    """An ISO timestamp as the local HH:MM of the election's time zone."""
    return datetime.fromisoformat(stamp).astimezone(ZoneInfo(zone)).strftime("%H:%M")


def row_note(row: PrintedRow, labels: dict[str, str], zone: str, pec_code: str) -> str:
    """The notes column: added on the day, and the ballot already issued (kind, where, when)."""
    parts = []
    if row.added:
        parts.append(labels["added"])
    if row.ballot_kind is not None:
        issued = (
            labels["issued"]
            if row.ballot_pec in (None, pec_code)
            else labels["issued_at"].format(pec=row.ballot_pec)
        )
        kind = labels.get(row.ballot_kind, row.ballot_kind)
        at = _local_time(row.ballot_at, zone) if row.ballot_at else ""
        parts.append(", ".join(p for p in (issued, kind, at) if p))
    return "; ".join(parts)


class _ListDocument(FPDF):
    """The page furniture: the PEC named on every page, and "page N of M" at the foot."""

    def __init__(self, printed: PrintedList, labels: dict[str, str]) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.printed = printed
        self.labels = labels
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=14)
        self.add_font(FONT, "", str(font_path()))
        self.add_font(FONT, "B", str(font_path(bold=True)))
        self.set_title(f"{labels['title']} · {printed.pec_code}")
        self.set_creator("saylau")

    def header(self) -> None:
        p, lab = self.printed, self.labels
        if self.page_no() == 1:
            self.set_font(FONT, "", 9)
            self.cell(
                0, 5, f"{p.election} · {p.election_date}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            self.set_font(FONT, "B", 14)
            self.cell(0, 8, lab["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(FONT, "B", 11)
            self.cell(0, 6, f"{lab['pec']} {p.pec_code} · {p.pec_name}",
                      new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
            self.set_font(FONT, "", 9)
            self.cell(0, 5, f"{lab['address']}: {p.pec_address}",
                      new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
            if p.tec:
                self.cell(0, 5, f"{lab['tec']}: {p.tec}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(2)
        else:
            self.set_font(FONT, "", 8)
            self.cell(0, 5, f"{lab['title']} · {lab['pec']} {p.pec_code} · {p.pec_name}",
                      new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
            self.ln(1)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 8)
        left = f"{self.labels['pec']} {self.printed.pec_code}"
        page = self.labels["page"].format(n=self.page_no(), nb="{nb}")
        self.cell(0, 5, left, align="L")
        self.set_x(MARGIN)
        self.cell(0, 5, page, align="R")


def render_voter_list(printed: PrintedList, lang: str = "kk") -> bytes:
    """The list as PDF bytes, its fixed text in `lang` (kk, ru or en)."""
    if lang not in LABELS:
        raise ValueError(f"voter list language {lang!r}: one of {', '.join(LABELS)}")
    labels = LABELS[lang]
    pdf = _ListDocument(printed, labels)
    pdf.add_page()
    pdf.set_font(FONT, "", 8.5)
    headings = ("no", "name", "born", "iin", "home", "signature", "note")
    with pdf.table(
        col_widths=COLUMNS,
        width=sum(COLUMNS),
        align="LEFT",
        text_align=("RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT"),
        line_height=4.2,
        min_row_height=ROW_HEIGHT,
        v_align="MIDDLE",
        headings_style=FontFace(emphasis="BOLD", fill_color=(232, 236, 242)),
        repeat_headings=1,
        padding=1,
    ) as table:
        heading = table.row()
        for key in headings:
            heading.cell(labels[key])
        for number, row in enumerate(printed.rows, start=1):
            cells = table.row()
            cells.cell(str(number))
            cells.cell(f"{row.family_name} {row.given_names}")
            cells.cell(row.birth_date)
            cells.cell(row.iin)
            cells.cell(row.address)
            cells.cell("")
            cells.cell(row_note(row, labels, printed.timezone, printed.pec_code))
    issued = sum(1 for row in printed.rows if row.ballot_kind is not None)
    _totals(pdf, labels, len(printed.rows), issued, printed.excluded)
    return bytes(pdf.output())


def _totals(pdf: FPDF, labels: dict[str, str], listed: int, issued: int, excluded: int) -> None:
    """The closing block: the counts, and the lines the chairperson and secretary sign on."""
    if pdf.will_page_break(42):
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 6, labels["listed"].format(n=listed), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    pdf.cell(0, 5, labels["already"].format(n=issued), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 5, labels["excluded"].format(n=excluded), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    for key in ("chair", "secretary"):
        pdf.cell(80, 6, labels[key])
        pdf.cell(70, 6, "_" * 34)
        pdf.cell(0, 6, "/" + "_" * 30 + "/", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)
