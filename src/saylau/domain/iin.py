"""Kazakhstan's individual identification number (IIN, ЖСН/ИИН): parse, check, make.

The voter register is keyed on the IIN, and a register is only as good as its keys: a typo in
one digit must not silently create a second person or merge two. An IIN has 12 digits:

    YYMMDD  C  SSSS  K
    birth   century and sex   serial   check digit

C is 1/2 for a man/woman born in the 19th century, 3/4 in the 20th, 5/6 in the 21st. K is the
weighted sum of the first eleven digits modulo 11, with weights 1..11; where that gives 10,
a second pass with weights 3..11, 1, 2 is used, and a number whose second pass also gives 10 is
never issued. The check digit catches every single-digit typo the first pass sees.

Everything works on digits vectorised with NumPy too (`check_digits`), so a civil-registry
extract of twelve million rows is checked without a Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from saylau.domain.errors import Rejected

FIRST_WEIGHTS = np.arange(1, 12)
SECOND_WEIGHTS = np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])
CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}
NOT_ISSUED = -1
"""`check_digits` value for eleven digits whose check would be 10 in both passes."""


class IinError(Rejected):
    """An IIN that is malformed or disagrees with itself; names the rule."""

    def __init__(self, iin: str, rule: str) -> None:
        self.iin = iin
        self.rule = rule
        super().__init__(f"IIN {iin}: {rule}")


@dataclass(frozen=True)
class Iin:
    """What an IIN says about its holder."""

    number: str
    birth_date: date
    sex: str
    """"male" or "female"."""
    serial: str


def check_digits(first_eleven: np.ndarray) -> np.ndarray:
    """The check digit for each row of an (n, 11) array of digits; NOT_ISSUED where none is."""
    first = (first_eleven @ FIRST_WEIGHTS) % 11
    second = (first_eleven @ SECOND_WEIGHTS) % 11
    return np.where(first != 10, first, np.where(second != 10, second, NOT_ISSUED))


def check_digit(first_eleven: list[int]) -> int:
    """`check_digits` for one number, in plain Python: for a single IIN (every check-in
    decides one) NumPy's set-up costs several times the two sums."""
    first = sum(d * w for d, w in zip(first_eleven, range(1, 12), strict=True)) % 11
    if first != 10:
        return first
    second = sum(d * w for d, w in zip(first_eleven, _SECOND, strict=True)) % 11
    return second if second != 10 else NOT_ISSUED


_SECOND = tuple(int(w) for w in SECOND_WEIGHTS)


def digits_of(numbers: np.ndarray) -> np.ndarray:
    """An (n, 12) digit array from an array of 12-character strings (all digits, checked)."""
    raw = np.frombuffer("".join(numbers.tolist()).encode("ascii"), dtype=np.uint8)
    return (raw.reshape(len(numbers), 12) - ord("0")).astype(np.int64)


@lru_cache(maxsize=4096)
def parse_iin(text: str) -> Iin:
    """The IIN's birth date, sex and serial, after checking its form and its check digit.

    Remembered for the last few thousand numbers (the answer is frozen; a refusal is raised
    afresh each time): the check-in batch asks `decide` twice per check-in, once before its
    statement and once on the facts it read, and each asks this."""
    number = text.strip()
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        raise IinError(text, "must be exactly 12 digits")
    digits = [int(c) for c in number]
    expected = check_digit(digits[:11])
    if expected == NOT_ISSUED:
        raise IinError(number, "no IIN is issued with these first eleven digits")
    if expected != digits[11]:
        raise IinError(
            number, f"check digit is {digits[11]}, the first eleven digits give {expected}"
        )
    century_digit = digits[6]
    if century_digit not in CENTURY:
        raise IinError(
            number, f"7th digit {century_digit} is not a citizen's century and sex (1-6)"
        )
    year = CENTURY[century_digit] + int(number[0:2])
    try:
        born = date(year, int(number[2:4]), int(number[4:6]))
    except ValueError as exc:
        raise IinError(
            number, f"digits 1-6 are not a date ({year}-{number[2:4]}-{number[4:6]})"
        ) from exc
    return Iin(number, born, "male" if century_digit % 2 else "female", number[7:11])


def make_iin(birth_date: date, sex: str, serial: int) -> str | None:
    """The IIN of a person born on `birth_date` with this serial, or None where the serial's
    check digit would be 10 in both passes (such numbers are skipped when issuing)."""
    if sex not in ("male", "female"):
        raise ValueError(f"sex must be male or female, not {sex!r}")
    if not 1800 <= birth_date.year < 2100 or not 0 <= serial <= 9999:
        raise ValueError("birth year must be 1800-2099 and serial 0-9999")
    century_digit = {1800: 1, 1900: 3, 2000: 5}[birth_date.year // 100 * 100] + (sex == "female")
    first = f"{birth_date:%y%m%d}{century_digit}{serial:04d}"
    check = int(check_digits(np.array([[int(c) for c in first]]))[0])
    return None if check == NOT_ISSUED else first + str(check)
