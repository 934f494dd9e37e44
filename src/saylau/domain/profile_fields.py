"""Reading one value of a profile strictly, so every section parser refuses the same way.

A profile is law written as data, and YAML is forgiving: `yes` is a boolean, `0.05` a binary
float, a misspelt key is just another key. Each reader here accepts one shape and raises a
`ProfileError` naming the rule otherwise, so a typo or a wrong type stops the load instead of
quietly becoming a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from saylau.domain.errors import ProfileError


def section(raw: Any, rule: str) -> Mapping[str, Any]:
    """A mapping (a section or a sub-section), refused when it is anything else."""
    if not isinstance(raw, Mapping):
        raise ProfileError(rule, f"must be a mapping of named rules, not {type(raw).__name__}")
    return raw


def require(mapping: Mapping[str, Any], key: str, rule: str) -> Any:
    """The value under `key`; missing or null is refused (a rule left blank is not a rule)."""
    if not isinstance(mapping, Mapping) or key not in mapping or mapping[key] is None:
        raise ProfileError(rule, "is missing")
    return mapping[key]


def only_keys(mapping: Mapping[str, Any], known: tuple[str, ...], rule: str) -> None:
    """Refuse keys the section does not define: a misspelt optional key would otherwise read as
    absent, and absent often means "not allowed" or "no limit"."""
    allowed = set(known)
    unknown = sorted(str(k) for k in mapping if k not in allowed)
    if unknown:
        raise ProfileError(
            f"{rule}.{unknown[0]}" if rule else unknown[0],
            f"is not a rule saylau knows here (known: {', '.join(known)})",
        )


def whole(value: Any, rule: str, minimum: int) -> int:
    """An integer of at least `minimum` (booleans and floats refused: `yes` is not 1)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProfileError(rule, f"must be a whole number, not {value!r}")
    if value < minimum:
        raise ProfileError(rule, f"must be at least {minimum}, not {value}")
    return value


def positive(mapping: Mapping[str, Any], key: str, rule: str) -> int:
    """A required count or number of days, at least 1."""
    return whole(require(mapping, key, rule), rule, 1)


def flag(mapping: Mapping[str, Any], key: str, rule: str) -> bool:
    """A required true or false (no default: each such rule is a choice of the law)."""
    value = require(mapping, key, rule)
    if not isinstance(value, bool):
        raise ProfileError(rule, f"must be true or false, not {value!r}")
    return value


def money(mapping: Mapping[str, Any], key: str, rule: str) -> int:
    """A required positive amount in whole units of the profile's currency.

    Caps in the law are whole amounts; an integer keeps sums and comparisons exact.
    """
    return whole(require(mapping, key, rule), rule, 1)


def share(mapping: Mapping[str, Any], key: str, rule: str) -> Decimal:
    """A required share strictly between 0 and 1, written as a quoted decimal ("0.05").

    A bare 0.05 is refused rather than read through `str`: YAML makes it a binary float, so
    the value saylau would use is not the text the profile's hash stands for, and other YAML
    readers would see the float. One way to write a share keeps the text and the rule equal.
    """
    value = require(mapping, key, rule)
    if not isinstance(value, str):
        raise ProfileError(rule, f'must be a quoted decimal such as "0.05", not {value!r}')
    try:
        number = Decimal(value.strip())
    except InvalidOperation as exc:
        raise ProfileError(rule, f"{value!r} is not a decimal number") from exc
    if not number.is_finite() or not 0 < number < 1:
        raise ProfileError(rule, f"{value} must lie strictly between 0 and 1")
    return number


def codes(mapping: Mapping[str, Any], key: str, rule: str, *, empty: bool) -> tuple[str, ...]:
    """A required list of distinct, non-empty codes (`empty`: whether [] is allowed)."""
    value = require(mapping, key, rule)
    if not isinstance(value, list):
        raise ProfileError(rule, f"must be a list of codes, not {value!r}")
    if not value and not empty:
        raise ProfileError(rule, "must list at least one code")
    seen: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ProfileError(rule, f"{item!r} is not a code")
        if item in seen:
            raise ProfileError(rule, f"{item!r} is listed twice")
        seen.append(item)
    return tuple(seen)


def day(value: Any, rule: str) -> date:
    """A calendar date, as YAML reads 2022-11-20 or as an ISO string."""
    if type(value) is date:  # a datetime is a moment, not a day
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ProfileError(rule, f"must be a date such as 2022-11-20, not {value!r}")


def zone(value: Any, rule: str) -> str:
    """An IANA time zone key that this machine's zone database knows (such as Asia/Almaty).

    Checked with `zoneinfo` on load, because every local time shown to the public is
    converted with it: a misspelt zone found only when a page renders is found too late.
    """
    if isinstance(value, str) and value:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
        else:
            return value
    raise ProfileError(rule, f"{value!r} is not an IANA time zone such as Asia/Almaty")


def text(value: Any, rule: str) -> str:
    """Non-empty text."""
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(rule, f"must be text, not {value!r}")
    return value


def one_of(value: Any, choices: tuple[str, ...], rule: str) -> str:
    """One of a closed set of words (a mode or a type saylau acts on)."""
    if value not in choices:
        raise ProfileError(rule, f"must be one of {', '.join(choices)}, not {value!r}")
    return str(value)
