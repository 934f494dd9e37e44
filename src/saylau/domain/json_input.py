"""One strict JSON reader for everything saylau takes in as JSON: files, bodies, queue lines.

Python's `json` accepts what JSON (RFC 8259) does not: `NaN`, `Infinity` and `-Infinity`,
which would reach a count as a float, and keeps the last of duplicate keys, so a document can
say two things and be read as one. It also recurses once per nesting level, so a file nested a
thousand deep ends in a RecursionError traceback instead of a refusal. This reader refuses all
of these with a `BadInput` that names the source and the rule, before any parse that could
crash: the depth is counted over the raw text first.
"""

from __future__ import annotations

import json
from typing import Any

from saylau.domain.errors import BadInput, Problem

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects accepted. A protocol is 3 deep, a queue entry 3, an
observation submission 4; 64 leaves room for any real document and none for a stack attack."""


def nesting_depth(data: bytes | str, limit: int = MAX_DEPTH) -> int:
    """The deepest nesting of `[` and `{` outside strings, counted without recursion.

    Stops counting once past `limit` (the caller only needs to know it is too deep).
    """
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text[:20]} is too large for a float")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"key {key!r} appears twice in one object")
        seen[key] = value
    return seen


def _refused(source: str, rule: str) -> BadInput:
    return BadInput(source, [Problem("", rule)], detail=f"{source}: {rule}")


def loads_strict(data: bytes | str, source: str = "the JSON document") -> Any:
    """Parse `data` as strict JSON or raise `BadInput` naming `source` and the rule broken.

    Refused: bytes that are not UTF-8, nesting deeper than MAX_DEPTH, `NaN`/`Infinity`/
    `-Infinity`, a key twice in one object, and anything that is not JSON.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _refused(source, f"is not UTF-8 text (byte {exc.start})") from exc
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise _refused(source, f"nests arrays and objects deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            object_pairs_hook=_no_duplicates,
        )
    except ValueError as exc:  # JSONDecodeError and the hooks' refusals
        raise _refused(source, f"is not valid JSON: {exc}") from exc
