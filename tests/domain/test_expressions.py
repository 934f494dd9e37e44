"""The XLSForm expression subset: tokens, precedence, missing answers, refusals with positions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saylau.domain.errors import SaylauError
from saylau.domain.expressions import (
    Binary,
    Call,
    Current,
    ExpressionError,
    Literal,
    Negate,
    Ref,
    evaluate,
    holds,
    parse_expression,
    references,
    uses_current,
)


def value(text: str, answers: dict[str, object] | None = None, current: object = None) -> object:
    return evaluate(parse_expression(text), answers or {}, current)


# --- parsing ----------------------------------------------------------------------------------


def test_a_skip_logic_condition_parses_to_a_comparison_of_a_reference_and_a_string() -> None:
    assert parse_expression("${avc_voters} = 'yes'") == Binary(
        "=", Ref("avc_voters"), Literal("yes")
    )


def test_a_constraint_reads_the_current_answer() -> None:
    assert parse_expression(". >= 0") == Binary(">=", Current(), Literal(0))


def test_literals_single_and_double_quotes_integers_and_decimals() -> None:
    assert parse_expression('"no"') == Literal("no")
    with pytest.raises(ExpressionError):  # XPath has no escapes: two literals in a row
        parse_expression("'it''s'")
    assert parse_expression("42") == Literal(42)
    assert parse_expression("0.5") == Literal(Decimal("0.5"))
    assert parse_expression(".5") == Literal(Decimal("0.5"))


def test_and_binds_tighter_than_or() -> None:
    expr = parse_expression("${a} = 'x' or ${b} = 'y' and ${c} = 'z'")
    assert isinstance(expr, Binary) and expr.op == "or"
    assert isinstance(expr.right, Binary) and expr.right.op == "and"


def test_multiplication_binds_tighter_than_addition_and_comparison_is_loosest() -> None:
    expr = parse_expression("1 + 2 * 3 = 7")
    assert expr == Binary(
        "=", Binary("+", Literal(1), Binary("*", Literal(2), Literal(3))), Literal(7)
    )
    assert value("1 + 2 * 3") == 7
    assert value("(1 + 2) * 3") == 9


def test_arithmetic_is_left_associative() -> None:
    assert value("10 - 3 - 2") == 5
    assert value("12 div 3 div 2") == 2


def test_relational_binds_tighter_than_equality() -> None:
    expr = parse_expression("1 < 2 = 2 > 1")
    assert isinstance(expr, Binary) and expr.op == "="
    assert value("1 < 2 = 2 > 1") is True


def test_unary_minus_and_functions() -> None:
    assert parse_expression("-${n}") == Negate(Ref("n"))
    assert parse_expression("not(${a} = 'yes')") == Call(
        "not", (Binary("=", Ref("a"), Literal("yes")),)
    )
    assert parse_expression("selected(${q}, 'x')") == Call("selected", (Ref("q"), Literal("x")))


def test_word_operators_need_spaces_only_where_names_would_run_together() -> None:
    assert value("(4)div(2)") == 2
    assert value("${a}='x'and${b}='y'", {"a": "x", "b": "y"}) is True


def test_references_and_current_are_found_anywhere_in_the_tree() -> None:
    expr = parse_expression("not(${a} = 'yes') or (. > ${b} + string-length(${c}))")
    assert references(expr) == {"a", "b", "c"}
    assert uses_current(expr)
    assert not uses_current(parse_expression("${a} = 'yes'"))


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 1, "expression is empty"),
        ("${a} = ", 8, "expected a value, found the end"),
        ("${a} = 'yes", 8, "string literal is not closed"),
        ("${a = 'yes'", 1, "'${' is not closed by '}'"),
        ("${a b} = 1", 1, "'${a b}' is not a valid reference"),
        ("${} = 1", 1, "is not a valid reference"),
        ("${a} == 'yes'", 7, "expected a value, found '='"),
        ("${a} = 'yes')", 13, "unexpected ')'"),
        ("(${a} = 'yes'", 14, "expected ')'"),
        ("${a} & 1", 6, "unexpected character '&'"),
        ("count-selected(${a}) > 1", 1, "unknown function or word 'count-selected'"),
        ("__import__('os')", 1, "unknown function or word '__import__'"),
        ("selected(${a})", 1, "selected() takes 2 argument(s), got 1"),
        ("not ${a}", 5, "'not' must be followed by '('"),
        ("1.2.3", 1, "'1.2.3' is not a number"),
        ("${a} = 'x' ${b}", 12, "unexpected 'b'"),
    ],
)
def test_refusals_name_the_position(text: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert caught.value.position == position
    assert fragment in str(caught.value)
    assert f"at position {position}" in str(caught.value)
    assert isinstance(caught.value, SaylauError)


def test_python_is_never_evaluated() -> None:
    for text in ("__import__('os').system('true')", "1 if 1 else 0", "[1]", "lambda: 1"):
        with pytest.raises(ExpressionError):
            parse_expression(text)


# --- evaluation -------------------------------------------------------------------------------


def test_a_condition_holds_for_the_matching_answer_only() -> None:
    expr = parse_expression("${avc_voters} = 'yes'")
    assert holds(expr, {"avc_voters": "yes"})
    assert not holds(expr, {"avc_voters": "no"})


def test_comparing_with_a_missing_answer_is_false_whatever_the_operator() -> None:
    for op in ("=", "!=", "<", "<=", ">", ">="):
        assert value(f"${{a}} {op} 'yes'", {}) is False
        assert value(f"${{a}} {op} 0", {"a": None}) is False


def test_numbers_compare_numerically_integer_answers_against_literals() -> None:
    assert value(". >= 0", current=0) is True
    assert value(". >= 0", current=-1) is False
    assert value(". > 9", current=10) is True  # as text "10" > "9" would be False
    assert value(". = 1.0", current=1) is True
    assert value("${a} <= ${b}", {"a": 2, "b": 10}) is True


def test_numeric_text_compares_with_numbers_as_xpath_converts_it() -> None:
    assert value("${a} = 5", {"a": "5"}) is True
    assert value("${a} < 10", {"a": "9"}) is True
    assert value("${a} < 10", {"a": "many"}) is False


def test_string_equality_is_exact() -> None:
    assert value("${a} = 'Yes'", {"a": "yes"}) is False
    assert value("${a} != 'no'", {"a": "yes"}) is True


def test_and_or_not_follow_xpath_truth() -> None:
    answers = {"a": "yes", "b": "no"}
    assert value("${a} = 'yes' and ${b} = 'no'", answers) is True
    assert value("${a} = 'no' or ${b} = 'no'", answers) is True
    assert value("not(${a} = 'yes')", answers) is False
    assert value("not(${missing})", answers) is True
    assert value("true() and not(false())") is True


def test_arithmetic_with_missing_or_non_numbers_has_no_value() -> None:
    assert value("${a} + 1", {}) is None
    assert value("${a} * 2", {"a": "x"}) is None
    assert value("1 div 0") is None
    assert value("-${a}", {"a": 3}) == -3
    assert value("7 mod 3") == 1


def test_selected_and_string_length() -> None:
    assert value("selected(${q}, 'b')", {"q": "a b c"}) is True
    assert value("selected(${q}, 'd')", {"q": "a b c"}) is False
    assert value("selected(${q}, 'a')", {}) is False
    assert value("string-length(.) <= 5", current="hello") is True
    assert value("string-length(.) > 0", current=None) is False


def test_booleans_are_not_numbers() -> None:
    assert value(". >= 0", current=True) is False


# --- properties -------------------------------------------------------------------------------

small = st.integers(min_value=-1000, max_value=1000)


@given(small, small, small)
def test_arithmetic_matches_python_integer_arithmetic(a: int, b: int, c: int) -> None:
    answers = {"a": a, "b": b, "c": c}
    assert value("${a} + ${b} * ${c}", answers) == a + b * c
    assert value("(${a} - ${b}) * ${c}", answers) == (a - b) * c
    assert value("${a} - ${b} - ${c}", answers) == a - b - c


@given(small, small)
def test_comparisons_match_python_on_integers(a: int, b: int) -> None:
    answers = {"a": a, "b": b}
    assert value("${a} < ${b}", answers) is (a < b)
    assert value("${a} >= ${b}", answers) is (a >= b)
    assert value("${a} = ${b}", answers) is (a == b)
    assert value("${a} != ${b}", answers) is (a != b)


@given(st.text(alphabet=st.characters(blacklist_characters="'"), max_size=20))
def test_any_single_quoted_text_is_a_literal_of_itself(text: str) -> None:
    assert parse_expression(f"'{text}'") == Literal(text)


@given(st.text(max_size=30))
def test_parsing_any_text_either_succeeds_or_raises_expression_error(text: str) -> None:
    try:
        parse_expression(text)
    except ExpressionError as exc:
        assert 1 <= exc.position <= len(text) + 1


def test_only_ascii_digits_are_numbers() -> None:
    with pytest.raises(ExpressionError, match="unexpected character '¹'"):
        parse_expression("¹")


answer_values = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.booleans())


TOKENS = (
    "${a}",
    "${b}",
    ".",
    "'x'",
    "''",
    "1",
    "0",
    "2.5",
    "=",
    "!=",
    "<",
    ">=",
    "+",
    "-",
    "*",
    "div",
    "mod",
    "and",
    "or",
    "not(",
    "(",
    ")",
    "selected(",
    ",",
    "string-length(",
    "true()",
)


@given(
    st.lists(st.sampled_from(TOKENS), max_size=15).map(" ".join),
    st.dictionaries(st.sampled_from(["a", "b"]), answer_values),
    answer_values,
)
def test_evaluating_whatever_parses_never_raises(
    text: str, answers: dict[str, object], current: object
) -> None:
    try:
        expr = parse_expression(text)
    except ExpressionError:
        return
    evaluate(expr, answers, current)
