"""Quality checks of a form (the `saylau_checks` sheet) on plain values."""

from __future__ import annotations

import pytest

from saylau.domain.forms import FormError, failed_checks, parse_xlsform
from tests.domain.test_forms import CHOICES, SETTINGS, row

SURVEY = [
    row("integer", "issued"),
    row("integer", "found"),
    row("select_one assessment", "overall", required="yes"),
]


def checks(*rows: dict[str, object]) -> list[dict[str, object]]:
    return list(rows)


def test_a_failed_check_flags_and_an_unanswered_one_is_not_judged() -> None:
    form = parse_xlsform(
        SURVEY,
        CHOICES,
        SETTINGS,
        checks=checks({"name": "boxes", "formula": "${found} <= ${issued}", "label": "boxes"}),
    )
    assert [c.name for c in form.checks] == ["boxes"]
    assert [c.name for c in failed_checks(form, {"issued": 10, "found": 12})] == ["boxes"]
    assert failed_checks(form, {"issued": 10, "found": 10}) == []
    assert failed_checks(form, {"found": 12}) == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"name": "x", "formula": "${nope} > 1"}, "unknown question(s) nope"),
        ({"name": "x", "formula": "${found} >"}, "column formula"),
        ({"name": "", "formula": "${found} > 1"}, "needs a name"),
    ],
)
def test_a_bad_check_names_its_row_and_column(bad: dict[str, object], message: str) -> None:
    with pytest.raises(FormError) as caught:
        parse_xlsform(SURVEY, CHOICES, SETTINGS, checks=checks(bad))
    assert "saylau_checks" in str(caught.value) and "row 2" in str(caught.value)
    assert message in str(caught.value)
