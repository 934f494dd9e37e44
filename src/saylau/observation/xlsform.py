"""Reading checklist files: an XLSForm workbook's sheets as rows, handed to the pure parser.

The rules live in `saylau.domain.forms`; this module only opens the file (openpyxl, read-only,
cached values) and turns each sheet into dicts keyed by its header row, keeping blank rows so
that the row numbers in errors are the ones a person sees in the spreadsheet.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from saylau.domain.forms import Form, FormError, parse_xlsform

SHEETS = ("survey", "choices", "settings")
CHECKS_SHEET = "saylau_checks"  # optional: data-quality rules over the answers


def _header(values: Sequence[object]) -> list[str | None]:
    """Column names; unnamed columns are None and their cells are ignored."""
    return [
        str(value).strip() if value is not None and str(value).strip() else None for value in values
    ]


def _is_blank(row: dict[str, object]) -> bool:
    return all(value is None or str(value).strip() == "" for value in row.values())


def sheet_rows(workbook: Workbook, name: str, form: str) -> list[dict[str, object]]:
    """Data rows of sheet `name` (spreadsheet row 2 onwards) as header -> value dicts.

    Blank rows inside the sheet are kept (row numbers stay those of the spreadsheet); blank rows
    at the end are dropped.
    """
    if name not in workbook.sheetnames:
        raise FormError(form, name, "sheet is missing (an XLSForm needs survey, choices, settings)")
    rows: Iterator[tuple[object, ...]] = workbook[name].iter_rows(values_only=True)
    header = _header(next(rows, ()))
    if not any(header):
        raise FormError(form, name, "header row is empty", 1)
    records = [
        {column: value for column, value in zip(header, row, strict=False) if column is not None}
        for row in rows
    ]
    while records and _is_blank(records[-1]):
        records.pop()
    return records


def read_sheets(path: Path) -> dict[str, Any]:
    """The three sheets of an XLSForm file as plain data: `survey` and `choices` as lists of rows,
    `settings` as its first data row. JSON-serialisable, so a form can be stored as imported and
    parsed again with `parse_xlsform`.
    """
    path = Path(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise FormError(path.name, "(file)", f"is not a readable .xlsx workbook: {exc}") from exc
    try:
        survey, choices, settings = (sheet_rows(workbook, name, path.name) for name in SHEETS)
        checks = (
            sheet_rows(workbook, CHECKS_SHEET, path.name)
            if CHECKS_SHEET in workbook.sheetnames
            else []
        )
    finally:
        workbook.close()
    return {
        "survey": survey,
        "choices": choices,
        "settings": settings[0] if settings else {},
        CHECKS_SHEET: checks,
    }


def read_xlsform(path: Path) -> Form:
    """The validated Form in an .xlsx XLSForm file; FormError names what is wrong and where."""
    sheets = read_sheets(path)
    return parse_xlsform(
        sheets["survey"],
        sheets["choices"],
        sheets["settings"],
        source=Path(path).name,
        checks=sheets[CHECKS_SHEET],
    )


def form_sha256(path: Path) -> str:
    """SHA-256 of the file's bytes: which exact checklist file a form version was imported from."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
