"""Checklist forms on plain rows: XLSForm reading rules, skip logic and answer checks."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saylau.domain.errors import SaylauError
from saylau.domain.forms import (
    Form,
    FormError,
    answer_problems,
    is_problem,
    parse_xlsform,
    relevant_questions,
)

EN, RU, KK = "label::English (en)", "label::Russian (ru)", "label::Kazakh (kk)"


def row(type_: str, name: str, **columns: Any) -> dict[str, object]:
    """A survey row with three labels unless given; keyword names are column names."""
    base: dict[str, object] = {
        "type": type_,
        "name": name,
        EN: f"{name} (en)",
        RU: f"{name} (ru)",
        KK: f"{name} (kk)",
    }
    base.update({key.replace("__", "::"): value for key, value in columns.items()})
    return base


def choice(list_name: str, name: str) -> dict[str, object]:
    return {"list_name": list_name, "name": name, EN: name, RU: f"{name}-ru", KK: f"{name}-kk"}


CHOICES = [
    choice("yes_no", "yes"),
    choice("yes_no", "no"),
    *(choice("assessment", n) for n in ("very_good", "good", "bad", "very_bad")),
    choice("gender", "female"),
    choice("gender", "male"),
]
SETTINGS = {
    "form_id": "voting",
    "version": "2022.1",
    "form_title": "Voting",
    "form_title::Russian (ru)": "Голосование",
    "default_language": "English (en)",
    "saylau_level": "pec",
}


def survey() -> list[dict[str, object]]:
    """A small voting checklist with skip logic, a constraint and an information question."""
    return [
        row("select_one yes_no", "secrecy_ensured", required="yes", saylau_problem="no"),
        row("select_one yes_no", "avc_voters", required="yes"),
        row(
            "select_one yes_no",
            "avc_retained",
            required="yes",
            relevant="${avc_voters} = 'yes'",
            saylau_problem="no",
        ),
        row("integer", "pec_members", required="no", constraint=". >= 0 and . <= 30"),
        row("text", "notes"),
        row("select_one gender", "chair_gender", required="TRUE()"),
        row("select_one assessment", "overall", required="1", saylau_problem="bad very_bad"),
    ]


def form(rows: list[dict[str, object]] | None = None, **settings: object) -> Form:
    return parse_xlsform(rows if rows is not None else survey(), CHOICES, {**SETTINGS, **settings})


def fine_answers() -> dict[str, object]:
    return {
        "secrecy_ensured": "yes",
        "avc_voters": "yes",
        "avc_retained": "no",
        "pec_members": 7,
        "chair_gender": "female",
        "overall": "good",
    }


def failure(rows: list[dict[str, object]], choices: list[dict[str, object]] | None = None) -> str:
    with pytest.raises(FormError) as caught:
        parse_xlsform(rows, CHOICES if choices is None else choices, SETTINGS)
    assert isinstance(caught.value, SaylauError)
    return str(caught.value)


# --- reading ----------------------------------------------------------------------------------


def test_a_form_reads_settings_questions_kinds_labels_and_problems() -> None:
    f = form()
    assert (f.code, f.version, f.level) == ("voting", "2022.1", "pec")
    assert f.title == {"en": "Voting", "ru": "Голосование"}
    assert [q.name for q in f.questions][:3] == ["secrecy_ensured", "avc_voters", "avc_retained"]
    secrecy = f.question("secrecy_ensured")
    assert secrecy.kind == "yes_no"
    assert [c.name for c in secrecy.choices] == ["yes", "no"]
    assert secrecy.labels == {
        "en": "secrecy_ensured (en)",
        "ru": "secrecy_ensured (ru)",
        "kk": "secrecy_ensured (kk)",
    }
    assert secrecy.problem == frozenset({"no"}) and secrecy.required
    assert f.question("avc_voters").problem == frozenset()
    assert f.question("chair_gender").kind == "select_one"
    assert f.question("chair_gender").choices[0].labels["ru"] == "female-ru"
    assert f.question("pec_members").kind == "integer"
    assert f.question("notes").kind == "text" and not f.question("notes").required
    assert f.question("avc_retained").relevant == "${avc_voters} = 'yes'"


def test_the_assessment_is_the_question_named_overall() -> None:
    assert form().assessment is not None
    assert form().assessment.problem == frozenset({"bad", "very_bad"})  # type: ignore[union-attr]
    without = [r for r in survey() if r["name"] != "overall"]
    assert form(without).assessment is None


def test_an_unknown_question_is_a_key_error_naming_the_form() -> None:
    with pytest.raises(KeyError, match="form voting has no question 'nope'"):
        form().question("nope")


def test_required_accepts_the_spreadsheet_spellings() -> None:
    for word in ("yes", "true", "TRUE()", "1", True, 1):
        rows = [row("text", "q", required=word)]
        assert form(rows).question("q").required, word
    for word in ("no", "false", "FALSE()", "0", None, ""):
        rows = [row("text", "q", required=word)]
        assert not form(rows).question("q").required, word


def test_a_plain_label_is_english_and_skipped_rows_are_left_out() -> None:
    rows = [
        {"type": "start", "name": "start"},
        {"type": "note", "name": "intro", "label": "Read this"},
        {"type": None, "name": None},
        {"type": "deviceid", "name": "device"},
        {"type": "text", "name": "q", "label": "Plain label"},
        {"type": "end", "name": "end"},
    ]
    f = form(rows)
    assert [q.name for q in f.questions] == ["q"]
    assert f.question("q").labels == {"en": "Plain label"}


def test_groups_and_the_section_column_name_the_question_group() -> None:
    rows = [
        row("begin_group", "integrity"),
        row("text", "a"),
        row("text", "b", saylau_section="special"),
        row("end_group", ""),
        row("text", "c"),
    ]
    f = form(rows)
    assert [f.question(n).group for n in "abc"] == ["integrity", "special", None]


def test_a_single_title_belongs_to_the_default_language() -> None:
    f = form(**{"form_title::Russian (ru)": None, "default_language": "Kazakh (kk)"})
    assert f.title == {"kk": "Voting"}


# --- reading errors name sheet, row and column ------------------------------------------------


def test_an_unknown_type_names_row_and_column() -> None:
    rows = survey()
    rows.insert(5, row("select_multiple colours", "colours"))
    assert failure(rows) == (
        "form voting: survey row 7, column type: unknown question type 'select_multiple colours'"
    )


def test_a_missing_choice_list_names_the_list() -> None:
    message = failure([row("select_one colours", "colour")])
    assert message.startswith("form voting: survey row 2, column type:")
    assert "'colours'" in message


def test_the_yes_no_list_must_be_yes_and_no() -> None:
    choices = [choice("yes_no", "yes"), choice("yes_no", "maybe")]
    message = failure([row("select_one yes_no", "q")], choices)
    assert "survey row 2, column type" in message and "yes and no" in message


def test_duplicate_question_names_name_both_rows() -> None:
    rows = [row("text", "q"), row("text", "other"), row("integer", "q")]
    assert failure(rows) == (
        "form voting: survey row 4, column name: duplicate question name 'q' (first at row 2)"
    )


def test_an_expression_that_does_not_parse_names_row_column_and_position() -> None:
    rows = [row("text", "a"), row("text", "b", relevant="${a} = = 'x'")]
    message = failure(rows)
    assert message.startswith("form voting: survey row 3, column relevant: expression")
    assert "at position 8" in message


def test_a_reference_to_an_unknown_question_names_it() -> None:
    message = failure([row("integer", "a", constraint=". <= ${total}")])
    assert message == (
        "form voting: survey row 2, column constraint: refers to ${total}, "
        "which is not a question of this form"
    )


def test_skip_logic_may_only_look_back() -> None:
    rows = [row("text", "a", relevant="${b} = 'x'"), row("text", "b")]
    message = failure(rows)
    assert "survey row 2, column relevant" in message and "not asked before it" in message
    itself = failure([row("text", "a", relevant="${a} = 'x'")])
    assert "survey row 2, column relevant" in itself
    dot = failure([row("text", "a", relevant=". = 'x'")])
    assert "survey row 2, column relevant" in dot and "'.'" in dot


def test_a_problem_answer_must_be_a_choice_of_the_question() -> None:
    message = failure([row("select_one yes_no", "q", saylau_problem="nope")])
    assert message == (
        "form voting: survey row 2, column saylau_problem: "
        "'nope' is not one of the question's choices (yes, no)"
    )
    on_integer = failure([row("integer", "n", saylau_problem="0")])
    assert "survey row 2, column saylau_problem" in on_integer


def test_bad_required_name_and_label_cells_are_named() -> None:
    assert "survey row 2, column required" in failure([row("text", "q", required="maybe")])
    assert "survey row 2, column name" in failure([row("text", "")])
    assert "survey row 2, column name" in failure([row("text", "has space")])
    no_label = {"type": "text", "name": "q"}
    assert "survey row 2, column label" in failure([no_label])


def test_groups_must_be_balanced() -> None:
    assert "survey row 2, column type" in failure([row("end_group", ""), row("text", "q")])
    assert "survey row 2, column type" in failure([row("begin_group", "g"), row("text", "q")])


def test_missing_settings_name_the_settings_column() -> None:
    for column in ("form_id", "version", "saylau_level"):
        settings = {**SETTINGS, column: None}
        with pytest.raises(FormError) as caught:
            parse_xlsform(survey(), CHOICES, settings, source="voting.xlsx")
        assert f"settings row 2, column {column}: missing" in str(caught.value)
    with pytest.raises(FormError, match=r"form voting\.xlsx: settings row 2, column form_id"):
        parse_xlsform(survey(), CHOICES, {**SETTINGS, "form_id": ""}, source="voting.xlsx")
    with pytest.raises(FormError, match="column saylau_level: 'district' is not pec or tec"):
        parse_xlsform(survey(), CHOICES, {**SETTINGS, "saylau_level": "district"})


def test_the_source_is_named_next_to_the_form_id() -> None:
    with pytest.raises(FormError, match=r"^form voting \(voting\.xlsx\): survey row 2"):
        parse_xlsform([row("bogus", "q")], CHOICES, SETTINGS, source="voting.xlsx")


def test_choice_sheet_errors_name_the_choices_row() -> None:
    twice = [*CHOICES, choice("gender", "male")]
    message = failure([row("text", "q")], twice)
    assert message == (
        "form voting: choices row 10, column name: duplicate choice 'male' in list 'gender'"
    )
    assert "choices row 2, column list_name" in failure(
        [row("text", "q")], [{"list_name": None, "name": "x"}]
    )


def test_a_form_without_questions_is_refused() -> None:
    assert failure([row("note", "hello")]) == "form voting: survey: the form has no questions"


# --- skip logic -------------------------------------------------------------------------------


def names(questions: list) -> list[str]:
    return [q.name for q in questions]


def test_a_conditional_question_applies_only_when_its_condition_holds() -> None:
    f = form()
    assert "avc_retained" in names(relevant_questions(f, {"avc_voters": "yes"}))
    assert "avc_retained" not in names(relevant_questions(f, {"avc_voters": "no"}))


def test_a_condition_on_an_unanswered_question_does_not_apply_even_when_negated() -> None:
    rows = [row("text", "a"), row("text", "b", relevant="not(${a} = 'x')")]
    f = form(rows)
    assert names(relevant_questions(f, {})) == ["a"]
    assert names(relevant_questions(f, {"a": ""})) == ["a"]
    assert names(relevant_questions(f, {"a": "y"})) == ["a", "b"]


def test_skipping_cascades_through_a_chain_of_conditions() -> None:
    rows = [
        row("select_one yes_no", "a"),
        row("select_one yes_no", "b", relevant="${a} = 'yes'"),
        row("text", "c", relevant="${b} = 'yes'"),
    ]
    f = form(rows)
    assert names(relevant_questions(f, {"a": "yes", "b": "yes"})) == ["a", "b", "c"]
    # b is skipped, so its stale answer does not make c apply.
    assert names(relevant_questions(f, {"a": "no", "b": "yes"})) == ["a"]


# --- answers ----------------------------------------------------------------------------------


def test_a_complete_submission_has_no_problems() -> None:
    assert answer_problems(form(), fine_answers()) == []
    without_avc = {**fine_answers(), "avc_voters": "no"}
    del without_avc["avc_retained"]
    assert answer_problems(form(), without_avc) == []


def test_an_unknown_question_is_named() -> None:
    problems = answer_problems(form(), {**fine_answers(), "colour": "red"})
    assert problems == ["unknown question 'colour': form voting has no such question"]


def test_a_required_relevant_question_left_unanswered() -> None:
    answers = fine_answers()
    del answers["avc_retained"]
    assert answer_problems(form(), answers) == ["question avc_retained: required but not answered"]
    answers["overall"] = None
    assert "question overall: required but not answered" in answer_problems(form(), answers)


def test_an_answer_to_a_skipped_question_is_a_problem() -> None:
    answers = {**fine_answers(), "avc_voters": "no"}
    assert answer_problems(form(), answers) == [
        "question avc_retained: answered but not relevant "
        "(its condition ${avc_voters} = 'yes' does not hold)"
    ]


def test_a_choice_outside_the_list_lists_the_allowed_names() -> None:
    problems = answer_problems(form(), {**fine_answers(), "overall": "excellent"})
    assert problems == [
        "question overall: answer 'excellent' is not one of very_good, good, bad, very_bad"
    ]
    yes_no = answer_problems(form(), {**fine_answers(), "secrecy_ensured": True})
    assert yes_no == ["question secrecy_ensured: answer True is not one of yes, no"]


def test_integers_must_be_whole_numbers_and_bool_is_not_one() -> None:
    for bad in (2.5, "7", True):
        problems = answer_problems(form(), {**fine_answers(), "pec_members": bad})
        assert problems == [f"question pec_members: answer {bad!r} is not a whole number"]
    assert answer_problems(form(), {**fine_answers(), "pec_members": 7.0}) == []


def test_a_broken_constraint_names_the_question_and_the_rule() -> None:
    problems = answer_problems(form(), {**fine_answers(), "pec_members": -1})
    assert problems == [
        "question pec_members: answer -1 breaks its constraint '. >= 0 and . <= 30'"
    ]


def test_text_answers_must_be_text() -> None:
    problems = answer_problems(form(), {**fine_answers(), "notes": 12})
    assert problems == ["question notes: answer 12 is not text"]


def test_is_problem_uses_the_problem_answers() -> None:
    f = form()
    assert is_problem(f.question("secrecy_ensured"), "no")
    assert not is_problem(f.question("secrecy_ensured"), "yes")
    assert not is_problem(f.question("avc_voters"), "no")
    assert is_problem(f.question("overall"), "very_bad")
    assert not is_problem(f.question("overall"), None)


@given(st.integers(min_value=-100, max_value=100))
def test_the_constraint_decides_exactly_the_range(members: int) -> None:
    problems = answer_problems(form(), {**fine_answers(), "pec_members": members})
    assert (problems == []) is (0 <= members <= 30)


@given(st.sampled_from(["yes", "no"]), st.sampled_from(["yes", "no", None]))
def test_avc_follow_up_is_consistent_with_skip_logic(avc: str, retained: str | None) -> None:
    answers = {**fine_answers(), "avc_voters": avc, "avc_retained": retained}
    problems = answer_problems(form(), answers)
    expected_fine = (avc == "yes") is (retained is not None)
    assert (problems == []) is expected_fine
