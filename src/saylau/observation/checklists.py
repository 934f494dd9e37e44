"""Checklist forms in the database: imported from XLSForm files, versioned, read back.

A form is stored as the rows of its file's sheets, with the file's SHA-256: the definition in
force is exactly what was imported, and anyone holding the file can check it is the same one.
Importing the same file again changes nothing; a different file under a form code and version
already stored is refused (a changed form needs a new version).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.audit.service import NewEvent, append, now_iso
from saylau.domain.errors import Conflict, NotFound
from saylau.domain.forms import Form, parse_xlsform
from saylau.observation.models import ChecklistForm
from saylau.observation.xlsform import CHECKS_SHEET, form_sha256, read_sheets

FORMS_DIR = Path(__file__).resolve().parents[3] / "forms"
SHIPPED = ("opening", "voting", "counting", "tabulation")


def shipped_form_path(code: str) -> Path:
    """The reference mission's XLSForm file of `code` (in the source tree or the wheel)."""
    for candidate in (
        FORMS_DIR / f"{code}.xlsx",
        Path(__file__).parent / "_forms" / f"{code}.xlsx",
    ):
        if candidate.is_file():
            return candidate
    raise NotFound(f"no shipped form {code!r}; forms: {', '.join(SHIPPED)}")


def form_of(record: ChecklistForm) -> Form:
    sheets = json.loads(record.sheets)
    return parse_xlsform(
        sheets["survey"],
        sheets["choices"],
        sheets["settings"],
        f"{record.code} {record.version}",
        checks=sheets.get(CHECKS_SHEET, []),
    )


def import_form(session: Session, path: Path) -> tuple[ChecklistForm, str]:
    """Store the form in `path`; returns it and "imported" or "unchanged"."""
    sheets = read_sheets(path)
    form = parse_xlsform(
        sheets["survey"],
        sheets["choices"],
        sheets["settings"],
        path.name,
        checks=sheets[CHECKS_SHEET],
    )
    digest = form_sha256(path)
    existing = session.scalar(
        select(ChecklistForm).where(
            ChecklistForm.code == form.code, ChecklistForm.version == form.version
        )
    )
    if existing is not None:
        if existing.sha256 == digest:
            return existing, "unchanged"
        raise Conflict(
            f"form {form.code} version {form.version} is stored from another file "
            f"(sha256 {existing.sha256[:12]}…, this file {digest[:12]}…): give the changed form "
            "a new version in its settings sheet"
        )
    record = ChecklistForm(
        code=form.code,
        version=form.version,
        sheets=json.dumps(sheets, ensure_ascii=False, default=str),
        sha256=digest,
        created_at=now_iso(),
    )
    session.add(record)
    session.flush()
    append(
        session,
        NewEvent(
            "form.imported",
            f"form:{form.code}:{form.version}",
            {"code": form.code, "version": form.version, "sha256": digest},
        ),
    )
    return record, "imported"


def import_shipped_forms(session: Session) -> dict[str, str]:
    return {code: import_form(session, shipped_form_path(code))[1] for code in SHIPPED}


def latest_form(session: Session, code: str) -> ChecklistForm:
    """The newest version of form `code` (versions compare as imported, newest last)."""
    found = session.scalar(
        select(ChecklistForm).where(ChecklistForm.code == code).order_by(ChecklistForm.id.desc())
    )
    if found is None:
        known = ", ".join(sorted(set(session.scalars(select(ChecklistForm.code))))) or "none"
        raise NotFound(
            f"no form {code!r} (forms: {known}); import it with saylau observe forms import"
        )
    return found


def list_forms(session: Session) -> list[dict[str, Any]]:
    return [
        {"code": r.code, "version": r.version, "sha256": r.sha256, "imported_at": r.created_at}
        for r in session.scalars(
            select(ChecklistForm).order_by(ChecklistForm.code, ChecklistForm.id)
        )
    ]
