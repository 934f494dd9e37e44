"""The shipped checklist files: they load, they are what make_forms.py writes, byte for byte,
every question is translated, and the report's questions are there with their problem answers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from saylau.domain.forms import Form, FormError, answer_problems, relevant_questions
from saylau.observation.xlsform import form_sha256, read_sheets, read_xlsform

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "forms"
CODES = ("opening", "voting", "counting", "tabulation")
ASSESSMENT = {"bad", "very_bad"}

PROTOCOL_LINES = [
    "voters_on_list",
    "voters_added",
    "voters_avc",
    "ballots_received",
    "ballots_issued_station",
    "ballots_issued_mobile",
    "ballots_cancelled",
    "ballots_spoiled",
    "ballots_found",
    "invalid",
    "valid",
    "abden",
    "auesbayev",
    "dayrabayev",
    "kazhyken",
    "tokayev",
    "tursynbekova",
    "against_all",
]

# Question -> problem answers, as the brief (from report section XIII) states them.
EXPECTED: dict[str, dict[str, set[str]]] = {
    "opening": {
        "opened_on_time": {"no"},
        "ballots_counted_announced": {"no"},
        "boxes_shown_empty_sealed": {"no"},
        "ballot_security": {"no"},
        "procedures_followed": {"no"},
        "overall": ASSESSMENT,
    },
    "voting": {
        "identical_signatures": {"yes"},
        "group_voting": {"yes"},
        "ballot_stuffing": {"yes"},
        "voters_tracked": {"yes"},
        "photos_of_ballots": {"yes"},
        "secrecy_ensured": {"no"},
        "avc_voters": set(),
        "avc_retained": {"no"},
        "avc_added_to_list": {"no"},
        "voter_refused": {"yes"},
        "voter_without_id_allowed": {"yes"},
        "unauthorized_present": {"yes"},
        "party_observers_present": set(),
        "citizen_observers_present": set(),
        "clear_view": {"no"},
        "observers_restricted": {"yes"},
        "independent_access": {"no"},
        "braille_sleeve": {"no"},
        "chair_gender": set(),
        "overall": ASSESSMENT,
    },
    "counting": {
        "clear_view": {"no"},
        "observers_restricted": {"yes"},
        "poorly_organized": {"yes"},
        "procedures_followed": {"no"},
        "choice_announced": {"no"},
        "list_total_announced": {"no"},
        "issued_from_signatures": {"no"},
        "counted_before_sorting": {"no"},
        "boxes_above_signatures": {"yes"},
        "marks_visible": {"no"},
        "validity_reasonable": {"no"},
        "validity_consistent": {"no"},
        "protocol_in_pen": {"no"},
        "figures_announced": {"no"},
        "protocol_posted": {"no"},
        "protocol_copy": set(),
        **{f"copy_{line}": set() for line in PROTOCOL_LINES},
        "overall": ASSESSMENT,
    },
    "tabulation": {
        "pecs_completing_at_tec": {"yes"},
        "modified_without_decision": {"yes"},
        "inadequate_conditions": {"yes"},
        "overcrowding": {"yes"},
        "observers_denied_access": {"yes"},
        "told_elsewhere": {"yes"},
        "restricted": {"yes"},
        "overall": ASSESSMENT,
    },
}


@pytest.fixture(scope="module")
def shipped() -> dict[str, Form]:
    return {code: read_xlsform(FORMS / f"{code}.xlsx") for code in CODES}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forms")
    subprocess.run(
        [sys.executable, str(FORMS / "make_forms.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return out


def test_the_four_files_load_with_their_settings(shipped: dict[str, Form]) -> None:
    for code, form in shipped.items():
        assert form.code == code
        assert form.version == "2022.1"
        assert form.level == ("tec" if code == "tabulation" else "pec")
        assert set(form.title) == {"en", "ru", "kk"}


def test_regenerating_gives_equal_forms_and_identical_bytes(
    shipped: dict[str, Form], regenerated: Path
) -> None:
    for code in CODES:
        fresh = regenerated / f"{code}.xlsx"
        assert read_xlsform(fresh) == shipped[code]
        assert fresh.read_bytes() == (FORMS / f"{code}.xlsx").read_bytes(), (
            f"forms/{code}.xlsx is out of date: run .venv/bin/python forms/make_forms.py"
        )
        assert form_sha256(fresh) == form_sha256(FORMS / f"{code}.xlsx")


def test_every_question_and_choice_is_in_english_russian_and_kazakh(
    shipped: dict[str, Form],
) -> None:
    for form in shipped.values():
        for question in form.questions:
            assert set(question.labels) == {"en", "ru", "kk"}, (form.code, question.name)
            assert all(text.strip() for text in question.labels.values()), question.name
            assert any("\u0400" <= char <= "\u04ff" for char in question.labels["kk"])
            for choice in question.choices:
                assert set(choice.labels) == {"en", "ru", "kk"}, (question.name, choice.name)


def test_the_report_questions_exist_with_their_problem_answers(
    shipped: dict[str, Form],
) -> None:
    for code, expected in EXPECTED.items():
        form = shipped[code]
        for name, problem in expected.items():
            assert form.question(name).problem == problem, (code, name)
        assert form.assessment is not None and form.assessment.required


def test_yes_no_questions_are_required_unless_added_as_optional(shipped: dict[str, Form]) -> None:
    for code, expected in EXPECTED.items():
        for name in expected:
            question = shipped[code].question(name)
            if question.kind == "yes_no":
                assert question.required, (code, name)


def test_the_counted_protocol_copy_follows_the_profile_lines(shipped: dict[str, Form]) -> None:
    counting = shipped["counting"]
    copies = [q for q in counting.questions if q.name.startswith("copy_")]
    assert [q.name for q in copies] == [f"copy_{line}" for line in PROTOCOL_LINES]
    for question in copies:
        assert question.kind == "integer" and question.required
        assert question.relevant == "${protocol_copy} = 'yes'"
        assert question.constraint == ". >= 0"
    assert counting.question("copy_tokayev").labels["kk"].endswith("Қасым-Жомарт Тоқаев")
    assert counting.question("copy_valid").labels["en"] == "11. Valid ballots"


def test_avc_follow_ups_apply_only_when_voters_used_avcs(shipped: dict[str, Form]) -> None:
    voting = shipped["voting"]
    asked = {q.name for q in relevant_questions(voting, {"avc_voters": "no"})}
    assert not {"avc_retained", "avc_added_to_list"} & asked
    asked = {q.name for q in relevant_questions(voting, {"avc_voters": "yes"})}
    assert {"avc_retained", "avc_added_to_list"} <= asked


def test_a_counting_submission_without_a_copy_needs_no_figures(shipped: dict[str, Form]) -> None:
    counting = shipped["counting"]
    answers: dict[str, object] = {
        q.name: "yes" for q in counting.questions if q.kind == "yes_no" and q.required
    }
    answers.update(protocol_copy="no", overall="good")
    assert answer_problems(counting, answers) == []
    answers["protocol_copy"] = "yes"
    assert "question copy_tokayev: required but not answered" in answer_problems(counting, answers)


def test_read_sheets_is_plain_data_that_parses_to_the_same_form(shipped: dict[str, Form]) -> None:
    sheets = read_sheets(FORMS / "voting.xlsx")
    assert set(sheets) == {"survey", "choices", "settings", "saylau_checks"}
    assert sheets["saylau_checks"] == []  # the voting form has no quality checks
    counting = read_sheets(FORMS / "counting.xlsx")
    assert [row["name"] for row in counting["saylau_checks"]] == [
        c.name for c in shipped["counting"].checks
    ]
    assert len(shipped["counting"].checks) == 4
    assert sheets["settings"]["form_id"] == "voting"
    assert sheets["survey"][0]["name"] == shipped["voting"].questions[0].name


def _copy_with(tmp_path: Path, edit: str) -> Path:
    """A copy of voting.xlsx, rewritten with openpyxl, with one deliberate break."""
    workbook = load_workbook(FORMS / "voting.xlsx")
    if edit == "unknown type":
        workbook["survey"]["A7"] = "select_multiple colours"
    elif edit == "no settings":
        del workbook["settings"]
    path = tmp_path / "broken.xlsx"
    workbook.save(path)
    return path


def test_a_broken_copy_names_the_row_and_the_column(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "unknown type")
    with pytest.raises(FormError) as caught:
        read_xlsform(path)
    assert str(caught.value) == (
        "form voting (broken.xlsx): survey row 7, column type: "
        "unknown question type 'select_multiple colours'"
    )
    assert (caught.value.sheet, caught.value.row, caught.value.column) == ("survey", 7, "type")


def test_a_missing_sheet_is_named(tmp_path: Path) -> None:
    with pytest.raises(FormError, match=r"form broken\.xlsx: settings: sheet is missing"):
        read_xlsform(_copy_with(tmp_path, "no settings"))


def test_row_numbers_count_blank_rows_as_the_spreadsheet_does(tmp_path: Path) -> None:
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append(["text", "a", "A"])
    survey.append([None, None, None])
    survey.append(["text", "a", "again"])
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version", "saylau_level"])
    settings.append(["mini", "1", "pec"])
    path = tmp_path / "mini.xlsx"
    workbook.save(path)
    with pytest.raises(FormError, match=r"survey row 4, column name: duplicate .* at row 2"):
        read_xlsform(path)


def test_a_file_that_is_not_a_workbook_is_a_form_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("not a spreadsheet", encoding="utf-8")
    with pytest.raises(FormError, match=r"form notes\.xlsx"):
        read_xlsform(path)
