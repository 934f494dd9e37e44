"""Annex II: what is read exactly, what is left unread, and nothing invented."""

from __future__ import annotations

from collections import Counter

from saylau.observation.annex import parse_annex
from saylau.observation.missions import read_annex


def test_the_legible_entries_of_the_shipped_annex() -> None:
    reading = read_annex()
    roles = Counter(o.role for o in reading.observers)
    assert roles == {"sto": 100, "core": 12}
    head = [o for o in reading.observers if o.function == "Head of Mission"]
    assert [(o.name, o.country) for o in head] == [("Urszula Gacek", "Poland")]
    names = {o.name for o in reading.observers}
    assert "Aliaksandr Chaliadzinski" in names  # a surname broken across the column, rejoined
    assert {"Ciaran Doherty", "Mary Dowling"} <= names  # two entries printed on one line
    assert all(o.country for o in reading.observers)
    assert reading.unread  # the run-together paragraphs are reported, not guessed
    assert sum(1 for role, _ in reading.unread if role == "lto") >= 1


def test_paragraphs_without_their_countries_are_not_guessed() -> None:
    text = (
        "ODIHR EOM Short-Term Observers\n"
        "Anna Berg\tSweden\n"
        "Jan Hugo Holtan Børge Røssaak Nilsen\n"
        "Norway Norway\n"
        "Anna Berg\t\n"
    )
    reading = parse_annex(text)
    assert [(o.name, o.country) for o in reading.observers] == [("Anna Berg", "Sweden")]
    assert len(reading.unread) == 2
