"""The strict JSON reader: what Python's json module lets through, refused with the rule named."""

from __future__ import annotations

import pytest

from saylau.domain.errors import BadInput
from saylau.domain.json_input import MAX_DEPTH, loads_strict, nesting_depth


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": Infinity}', "Infinity is not a JSON number"),
        ("[-Infinity]", "-Infinity is not a JSON number"),
        ('{"a": 1e400}', "too large"),
        ('{"a": ' + "9" * 5000 + "}", "not valid JSON"),
        ('{"a": 1, "a": 2}', "key 'a' appears twice"),
        ("[" * 1000 + "]" * 1000, f"deeper than {MAX_DEPTH} levels"),
        ('{"a": ' * 100 + "1" + "}" * 100, f"deeper than {MAX_DEPTH} levels"),
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
    ],
)
def test_refused_with_the_source_and_rule(text: str, rule: str) -> None:
    with pytest.raises(BadInput) as caught:
        loads_strict(text, "protocol.json")
    assert str(caught.value).startswith("protocol.json: ")
    assert rule in str(caught.value)
    assert caught.value.record == "protocol.json"
    assert caught.value.problems[0].rule in str(caught.value)


def test_bytes_that_are_not_utf8_are_refused_with_the_position() -> None:
    with pytest.raises(BadInput, match="not UTF-8 text \\(byte 9\\)"):
        loads_strict(b'{"pec": "\xff"}', "f.json")


def test_ordinary_json_reads_as_json() -> None:
    assert loads_strict(b'\xef\xbb\xbf{"a": [1, 2.5, "NaN", {"b": null}]}') == {
        "a": [1, 2.5, "NaN", {"b": None}]
    }
    assert loads_strict("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None


def test_depth_ignores_brackets_inside_strings() -> None:
    assert nesting_depth('{"a": "[[[[{{{{", "b": ["\\"]]]"]}') == 2
    assert nesting_depth("[" * 10_000, limit=5) == 6  # stops counting past the limit
