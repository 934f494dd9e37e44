"""Observation checklists as data: the form model, its XLSForm reading rules and answer checks.

A mission's checklists (opening, voting, counting, tabulation) are XLSForm files, the standard
of ODK and KoBoToolbox, so the people who write the questions can edit them in a spreadsheet and
the same file can drive a data-collection app. saylau reads the `survey`, `choices` and `settings`
sheets (as rows of header -> value) into a frozen `Form`. Reading is strict, because a checklist
with a typo in its skip logic would silently drop answers from the findings: every problem names
the sheet, the spreadsheet row (header = row 1) and the column.

Two custom columns carry what XLSForm has no word for: `saylau_problem` on the survey (the
answers that count as a problem, e.g. `no` for "did the polling station open on time?") and
`saylau_level` on the settings (whether the form is observed at PECs or TECs).

Pure: no I/O. Reading the file is `saylau.observation.xlsform`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Literal, cast

from saylau.domain.errors import Rejected
from saylau.domain.expressions import (
    Expr,
    ExpressionError,
    holds,
    parse_expression,
    references,
    uses_current,
)

QuestionKind = Literal["yes_no", "select_one", "integer", "text"]
Level = Literal["pec", "tec"]

LEVELS: tuple[str, ...] = ("pec", "tec")
YES_NO = "yes_no"
ASSESSMENT = "overall"
SKIPPED_TYPES = {"note", "start", "end", "deviceid", "today"}
GROUP_BEGIN = {"begin_group", "begin group"}
GROUP_END = {"end_group", "end group"}
TRUE_WORDS = {"yes", "true", "true()", "1"}
FALSE_WORDS = {"", "no", "false", "false()", "0"}
LANGUAGE_NAMES = {"english": "en", "russian": "ru", "kazakh": "kk"}
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")


class FormError(Rejected):
    """A checklist file breaks a rule; the message names form, sheet, row and column."""

    def __init__(
        self,
        form: str,
        sheet: str,
        problem: str,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.form = form
        self.sheet = sheet
        self.row = row
        self.column = column
        self.problem = problem
        where = sheet if row is None else f"{sheet} row {row}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"form {form}: {where}: {problem}")


@dataclass(frozen=True)
class Choice:
    """One answer of a choice list; `labels` by language code (en, ru, kk)."""

    name: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class Question:
    """One checklist question with its skip logic, check and problem answers."""

    name: str
    kind: QuestionKind
    labels: Mapping[str, str]
    required: bool
    relevant: str | None
    constraint: str | None
    choices: tuple[Choice, ...]
    problem: frozenset[str]
    group: str | None

    @property
    def choice_names(self) -> tuple[str, ...]:
        return tuple(choice.name for choice in self.choices)


@dataclass(frozen=True)
class Check:
    """A data-quality rule over a submission's answers (sheet `saylau_checks`): it flags a
    submission for the data team, it never refuses one (what observers saw may itself be the
    anomaly, e.g. a protocol copy with more ballots in the boxes than were issued)."""

    name: str
    formula: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class Form:
    """A versioned checklist: what observers are asked at one stage (opening ... tabulation)."""

    code: str
    version: str
    title: Mapping[str, str]
    level: Level
    questions: tuple[Question, ...]
    checks: tuple[Check, ...] = ()

    @cached_property
    def _index(self) -> dict[str, Question]:
        """Questions by name (not a field: equality and repr stay those of the data)."""
        return {question.name: question for question in self.questions}

    def question(self, name: str) -> Question:
        """The question called `name`; a KeyError names the form and the known questions."""
        try:
            return self._index[name]
        except KeyError:
            known = ", ".join(self._index)
            raise KeyError(f"form {self.code} has no question {name!r} (it has: {known})") from None

    def has(self, name: str) -> bool:
        return name in self._index

    @property
    def assessment(self) -> Question | None:
        """The overall assessment question ("overall"), which findings aggregate first."""
        return self._index.get(ASSESSMENT)


# --- cells ------------------------------------------------------------------------------------


def _cell(row: Mapping[str, object], column: str) -> str:
    """A cell as stripped text; empty cells (None) are ''."""
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _blank(row: Mapping[str, object]) -> bool:
    return all(_cell(row, column) == "" for column in row)


def _language(suffix: str) -> str:
    """The language code of a column suffix: 'English (en)' -> 'en', 'Russian' -> 'ru'."""
    match = re.search(r"\(([^()]+)\)\s*$", suffix)
    if match:
        return match.group(1).strip()
    return LANGUAGE_NAMES.get(suffix.strip().lower(), suffix.strip().lower())


def _translations(row: Mapping[str, object], base: str, plain_language: str) -> dict[str, str]:
    """Texts of `base` (label, form_title) by language; a plain `base` is `plain_language`."""
    texts: dict[str, str] = {}
    for column in row:
        text = _cell(row, column)
        if not text:
            continue
        if column == base:
            texts.setdefault(plain_language, text)
        elif column.startswith(f"{base}::"):
            texts[_language(column[len(base) + 2 :])] = text
    return texts


# --- reading context --------------------------------------------------------------------------


@dataclass
class _Reader:
    """What parsing one form needs to know to phrase its errors."""

    form: str

    def error(
        self, sheet: str, problem: str, row: int | None = None, column: str | None = None
    ) -> FormError:
        return FormError(self.form, sheet, problem, row, column)


@dataclass(frozen=True)
class _Pending:
    """A question read from the survey whose expressions are checked once all names are known."""

    question: Question
    row: int
    relevant: Expr | None
    constraint: Expr | None


# --- settings ---------------------------------------------------------------------------------


def _require_setting(reader: _Reader, settings: Mapping[str, object], column: str) -> str:
    value = _cell(settings, column)
    if not value:
        raise reader.error("settings", "missing (every form needs it)", 2, column)
    return value


def _form_name(settings: Mapping[str, object], source: str) -> str:
    code = _cell(settings, "form_id")
    if not code:
        return source
    return code if source in ("form", code) else f"{code} ({source})"


def _parse_settings(
    reader: _Reader, settings: Mapping[str, object]
) -> tuple[str, str, dict[str, str], Level]:
    code = _require_setting(reader, settings, "form_id")
    if not NAME_PATTERN.match(code):
        raise reader.error("settings", f"{code!r} is not a valid form id", 2, "form_id")
    version = _require_setting(reader, settings, "version")
    level = _require_setting(reader, settings, "saylau_level").lower()
    if level not in LEVELS:
        raise reader.error("settings", f"{level!r} is not pec or tec", 2, "saylau_level")
    default = _language(_cell(settings, "default_language") or "en")
    title = _translations(settings, "form_title", default)
    title.update(_translations(settings, "title", default))
    return code, version, title, cast(Level, level)


# --- choices ----------------------------------------------------------------------------------


def _parse_choices(
    reader: _Reader, rows: Sequence[Mapping[str, object]]
) -> dict[str, tuple[Choice, ...]]:
    """Choice lists by list name, in sheet order; names unique within a list."""
    lists: dict[str, list[Choice]] = {}
    for number, row in enumerate(rows, start=2):
        if _blank(row):
            continue
        list_column = "list_name" if "list_name" in row else "list name"
        list_name = _cell(row, list_column)
        name = _cell(row, "name")
        if not list_name:
            raise reader.error("choices", "choice has no list name", number, "list_name")
        if not name:
            raise reader.error(
                "choices", f"choice in list {list_name!r} has no name", number, "name"
            )
        if any(choice.name == name for choice in lists.get(list_name, [])):
            problem = f"duplicate choice {name!r} in list {list_name!r}"
            raise reader.error("choices", problem, number, "name")
        labels = _translations(row, "label", "en")
        lists.setdefault(list_name, []).append(Choice(name, labels))
    return {name: tuple(choices) for name, choices in lists.items()}


# --- survey -----------------------------------------------------------------------------------


def _required(reader: _Reader, row: Mapping[str, object], number: int) -> bool:
    word = _cell(row, "required").lower().lstrip("=")
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    problem = f"{word!r} is not yes/no (also accepted: true, false, TRUE(), FALSE(), 1, 0)"
    raise reader.error("survey", problem, number, "required")


def _kind(
    reader: _Reader, type_text: str, choices: Mapping[str, tuple[Choice, ...]], number: int
) -> tuple[QuestionKind, tuple[Choice, ...]]:
    """The question kind and its choices from the `type` cell."""
    parts = type_text.split()
    if parts in (["integer"], ["text"]):
        return cast(QuestionKind, parts[0]), ()
    if len(parts) == 2 and parts[0] == "select_one":
        list_name = parts[1]
        if list_name not in choices:
            problem = (
                f"select_one refers to choice list {list_name!r}, which the choices sheet lacks"
            )
            raise reader.error("survey", problem, number, "type")
        if list_name != YES_NO:
            return "select_one", choices[list_name]
        names = sorted(choice.name for choice in choices[YES_NO])
        if names != ["no", "yes"]:
            problem = f"choice list yes_no must have exactly the choices yes and no, has {names}"
            raise reader.error("survey", problem, number, "type")
        return "yes_no", choices[YES_NO]
    raise reader.error("survey", f"unknown question type {type_text!r}", number, "type")


def _expression(
    reader: _Reader, row: Mapping[str, object], column: str, number: int
) -> tuple[str | None, Expr | None]:
    text = _cell(row, column)
    if not text:
        return None, None
    try:
        return text, parse_expression(text)
    except ExpressionError as exc:
        raise reader.error("survey", str(exc), number, column) from exc


def _problem_answers(
    reader: _Reader, row: Mapping[str, object], names: tuple[str, ...], number: int
) -> frozenset[str]:
    answers = _cell(row, "saylau_problem").split()
    for answer in answers:
        if not names:
            problem = "only yes_no and select_one questions can have problem answers"
            raise reader.error("survey", problem, number, "saylau_problem")
        if answer not in names:
            problem = f"{answer!r} is not one of the question's choices ({', '.join(names)})"
            raise reader.error("survey", problem, number, "saylau_problem")
    return frozenset(answers)


def _question(
    reader: _Reader,
    row: Mapping[str, object],
    number: int,
    choices: Mapping[str, tuple[Choice, ...]],
    group: str | None,
) -> _Pending:
    kind, options = _kind(reader, _cell(row, "type"), choices, number)
    name = _cell(row, "name")
    if not name:
        raise reader.error("survey", "question has no name", number, "name")
    if not NAME_PATTERN.match(name):
        raise reader.error("survey", f"{name!r} is not a valid question name", number, "name")
    labels = _translations(row, "label", "en")
    if not labels:
        raise reader.error("survey", f"question {name!r} has no label", number, "label")
    relevant_text, relevant = _expression(reader, row, "relevant", number)
    constraint_text, constraint = _expression(reader, row, "constraint", number)
    question = Question(
        name=name,
        kind=kind,
        labels=labels,
        required=_required(reader, row, number),
        relevant=relevant_text,
        constraint=constraint_text,
        choices=options,
        problem=_problem_answers(reader, row, tuple(c.name for c in options), number),
        group=_cell(row, "saylau_section") or group,
    )
    return _Pending(question, number, relevant, constraint)


def _read_survey(
    reader: _Reader,
    rows: Sequence[Mapping[str, object]],
    choices: Mapping[str, tuple[Choice, ...]],
) -> list[_Pending]:
    """Questions in order; groups set `group`, and skipped row types are left out."""
    pending: list[_Pending] = []
    seen: dict[str, int] = {}
    groups: list[tuple[str, int]] = []
    for number, row in enumerate(rows, start=2):
        type_text = " ".join(_cell(row, "type").split())
        if _blank(row) or type_text in SKIPPED_TYPES:
            continue
        if not type_text:
            raise reader.error("survey", "row has content but no type", number, "type")
        if type_text in GROUP_BEGIN:
            groups.append((_cell(row, "name") or f"group_{number}", number))
            continue
        if type_text in GROUP_END:
            if not groups:
                raise reader.error("survey", "end_group without a begin_group", number, "type")
            groups.pop()
            continue
        item = _question(reader, row, number, choices, groups[-1][0] if groups else None)
        name = item.question.name
        if name in seen:
            problem = f"duplicate question name {name!r} (first at row {seen[name]})"
            raise reader.error("survey", problem, number, "name")
        seen[name] = number
        pending.append(item)
    if groups:
        name, number = groups[-1]
        raise reader.error("survey", f"group {name!r} is never closed by end_group", number, "type")
    return pending


def _check_references(reader: _Reader, pending: Sequence[_Pending]) -> None:
    """`${name}` must name a question; skip logic may only look at questions asked before."""
    position = {item.question.name: index for index, item in enumerate(pending)}
    for index, item in enumerate(pending):
        name = item.question.name
        for column, expr in (("relevant", item.relevant), ("constraint", item.constraint)):
            if expr is None:
                continue
            for ref in sorted(references(expr)):
                if ref not in position:
                    problem = f"refers to ${{{ref}}}, which is not a question of this form"
                    raise reader.error("survey", problem, item.row, column)
                if column == "relevant" and position[ref] >= index:
                    problem = (
                        f"question {name!r} refers to ${{{ref}}}, which is not asked before it "
                        "(skip logic may only depend on earlier questions)"
                    )
                    raise reader.error("survey", problem, item.row, column)
            if column == "relevant" and uses_current(expr):
                problem = f"question {name!r}: '.' (the answer itself) cannot decide relevance"
                raise reader.error("survey", problem, item.row, column)


def parse_xlsform(
    survey: Sequence[Mapping[str, object]],
    choices: Sequence[Mapping[str, object]],
    settings: Mapping[str, object],
    source: str = "form",
    checks: Sequence[Mapping[str, object]] = (),
) -> Form:
    """A validated Form from the rows of the three XLSForm sheets (header -> cell value).

    Row i of `survey` and `choices` is spreadsheet row i + 2 (the header is row 1); `settings`
    is the first data row of the settings sheet. `source` names the form in errors until its
    form_id is known (e.g. the file name).
    """
    reader = _Reader(_form_name(settings, source))
    code, version, title, level = _parse_settings(reader, settings)
    lists = _parse_choices(reader, choices)
    pending = _read_survey(reader, survey, lists)
    if not pending:
        raise reader.error("survey", "the form has no questions")
    _check_references(reader, pending)
    questions = tuple(item.question for item in pending)
    return Form(code, version, title, level, questions, _parse_checks(reader, checks, questions))


def _parse_checks(
    reader: _Reader, rows: Sequence[Mapping[str, object]], questions: Sequence[Question]
) -> tuple[Check, ...]:
    """The optional `saylau_checks` sheet: name, formula, label::<language> columns."""
    known = {q.name for q in questions}
    parsed: list[Check] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        number = index + 2
        if _blank(row):
            continue
        name = _cell(row, "name")
        formula = _cell(row, "formula")
        if not name:
            raise reader.error("saylau_checks", "a check needs a name", number, "name")
        if name in seen:
            raise reader.error("saylau_checks", f"check {name!r} is named twice", number, "name")
        seen.add(name)
        try:
            expr = parse_expression(formula)
        except ExpressionError as exc:
            raise reader.error("saylau_checks", str(exc), number, "formula") from exc
        unknown = sorted(references(expr) - known)
        if unknown:
            problem = f"check {name!r} refers to unknown question(s) {', '.join(unknown)}"
            raise reader.error("saylau_checks", problem, number, "formula")
        parsed.append(Check(name, formula, _translations(row, "label", "en") or {"en": name}))
    return tuple(parsed)


def failed_checks(form: Form, answers: Mapping[str, object]) -> list[Check]:
    """The checks a submission breaks; a check whose questions were not all answered is not
    judged (there is nothing to compare)."""
    broken = []
    for check in form.checks:
        expr = _parsed(check.formula)
        if not all(answered(answers.get(name)) for name in references(expr)):
            continue
        if not holds(expr, answers):
            broken.append(check)
    return broken


# --- answers ----------------------------------------------------------------------------------


def answered(value: object) -> bool:
    """Whether an answer was given: None and blank text count as unanswered."""
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())


@lru_cache(maxsize=4096)
def _parsed(text: str) -> Expr:
    """Expressions of validated forms, parsed once: submissions are checked by the thousand."""
    return parse_expression(text)


def _applies(question: Question, given: Mapping[str, object]) -> bool:
    if question.relevant is None:
        return True
    expr = _parsed(question.relevant)
    if not all(answered(given.get(ref)) for ref in references(expr)):
        return False
    return holds(expr, given)


def relevant_questions(form: Form, answers: Mapping[str, object]) -> list[Question]:
    """The questions that apply to these answers under the form's skip logic.

    Questions are taken in order and a relevant expression sees only answers to questions that
    themselves apply (as ODK clears answers of skipped questions); a question whose skip logic
    refers to an unanswered question does not apply.
    """
    applying: list[Question] = []
    given: dict[str, object] = {}
    for question in form.questions:
        if _applies(question, given):
            applying.append(question)
            if answered(answers.get(question.name)):
                given[question.name] = answers[question.name]
    return applying


def _whole_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, Decimal):
        return value.is_finite() and value == value.to_integral_value()
    return False


def _value_problem(question: Question, value: object) -> str | None:
    """What is wrong with the type or choice of an answer, if anything."""
    name = question.name
    if question.kind in ("yes_no", "select_one"):
        if not isinstance(value, str) or value not in question.choice_names:
            allowed = ", ".join(question.choice_names)
            return f"question {name}: answer {value!r} is not one of {allowed}"
    elif question.kind == "integer":
        if not _whole_number(value):
            return f"question {name}: answer {value!r} is not a whole number"
    elif not isinstance(value, str):
        return f"question {name}: answer {value!r} is not text"
    return None


def _question_problems(
    question: Question, answers: Mapping[str, object], applies: bool
) -> list[str]:
    value = answers.get(question.name)
    if not answered(value):
        if applies and question.required:
            return [f"question {question.name}: required but not answered"]
        return []
    if not applies:
        return [
            f"question {question.name}: answered but not relevant "
            f"(its condition {question.relevant} does not hold)"
        ]
    wrong = _value_problem(question, value)
    if wrong:
        return [wrong]
    if question.constraint and not holds(_parsed(question.constraint), answers, value):
        return [
            f"question {question.name}: answer {value!r} breaks its constraint "
            f"{question.constraint!r}"
        ]
    return []


def answer_problems(form: Form, answers: Mapping[str, object]) -> list[str]:
    """Everything wrong with a submission's answers, each naming the question; [] when fine."""
    problems = [
        f"unknown question {name!r}: form {form.code} has no such question"
        for name in answers
        if not form.has(name)
    ]
    applying = {question.name for question in relevant_questions(form, answers)}
    for question in form.questions:
        problems.extend(_question_problems(question, answers, question.name in applying))
    return problems


def is_problem(question: Question, answer: object) -> bool:
    """Whether `answer` is one the checklist counts as a problem (e.g. 'no' to 'opened on time')."""
    return isinstance(answer, str) and answer in question.problem
