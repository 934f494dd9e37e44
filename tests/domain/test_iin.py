"""The IIN: its check digit, what it says about its holder, and its errors."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from saylau.domain.iin import (
    IinError,
    check_digit,
    check_digits,
    digits_of,
    make_iin,
    parse_iin,
)


def first_pass(first_eleven: str) -> int:
    return sum((i + 1) * int(d) for i, d in enumerate(first_eleven)) % 11


def second_pass(first_eleven: str) -> int:
    weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
    return sum(w * int(d) for w, d in zip(weights, first_eleven, strict=True)) % 11


def test_a_worked_example() -> None:
    # 900101 (1 January 1990), 3 (a man born in the 20th century), serial 0001:
    # 1*9 + 4*1 + 6*1 + 7*3 + 11*1 = 51, and 51 mod 11 = 7.
    assert make_iin(date(1990, 1, 1), "male", 1) == "900101300017"
    holder = parse_iin("900101300017")
    assert (holder.birth_date, holder.sex, holder.serial) == (date(1990, 1, 1), "male", "0001")
    # A woman born in the 21st century: 7th digit 6.
    number = make_iin(date(2005, 5, 12), "female", 13)
    assert number is not None and number[:11] == "05051260013"
    assert parse_iin(number).birth_date == date(2005, 5, 12)


def test_the_second_pass_decides_where_the_first_gives_ten() -> None:
    found = 0
    for serial in range(2000):
        first = f"7203154{serial:04d}"
        if first_pass(first) == 10 and second_pass(first) != 10:
            assert make_iin(date(1972, 3, 15), "female", serial) == first + str(second_pass(first))
            found += 1
        elif first_pass(first) == 10:
            assert make_iin(date(1972, 3, 15), "female", serial) is None  # never issued
    assert found > 50


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("90010130001", "must be exactly 12 digits"),
        ("90010130001x", "must be exactly 12 digits"),
        ("900101300018", "check digit is 8, the first eleven digits give 7"),
        ("990231300010", "digits 1-6 are not a date (1999-02-31)"),
        ("900101700014", "7th digit 7 is not a citizen's century and sex (1-6)"),
    ],
)
def test_errors_name_the_rule(text: str, rule: str) -> None:
    if text in ("990231300010", "900101700014"):  # a correct check digit: the rule is what fails
        assert first_pass(text[:11]) != 10
        text = text[:11] + str(first_pass(text[:11]))
    with pytest.raises(IinError, match=rule.replace("(", r"\(").replace(")", r"\)")):
        parse_iin(text)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(["male", "female"]),
    st.integers(min_value=0, max_value=9999),
)
def test_made_numbers_parse_back(born: date, sex: str, serial: int) -> None:
    number = make_iin(born, sex, serial)
    if number is None:
        return
    holder = parse_iin(number)
    assert (holder.birth_date, holder.sex, int(holder.serial)) == (born, sex, serial)
    vector = check_digits(digits_of(np.array([number]))[:, :11])
    assert int(vector[0]) == int(number[11])


@given(st.lists(st.integers(min_value=0, max_value=9), min_size=11, max_size=11))
def test_the_scalar_check_digit_is_the_vector_one(first_eleven: list[int]) -> None:
    vector = check_digits(np.array([first_eleven]))
    assert check_digit(first_eleven) == int(vector[0])
