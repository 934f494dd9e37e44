"""Reading the mission's observers from Annex II of the final report, as extracted from the PDF.

The annex lists observers by name and country under three headings (short-term observers, core
team, long-term observers). In the extracted text most entries are one per line
("name<TAB>[function<TAB>]country") and are read exactly. Other parts of the columns were run
together into paragraphs of names followed by paragraphs of countries, and there the countries
were partly lost: a paragraph can hold fifty names and six countries. Names cannot be cut
apart reliably without their countries ("Jan Hugo Holtan Børge Røssaak Nilsen" is two people),
so such paragraphs are returned unread rather than guessed: no invented name or country ever
enters the mission's records. The mission's declared totals (report section I: 11 core team
members, 30 LTOs, 299 STOs) stay the reference for its size; a mission loads its full list
with `saylau observe observers import`.

Pure: text in, records out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES = {
    "ODIHR EOM Short-Term Observers": "sto",
    "ODIHR EOM Core Team Members": "core",
    "ODIHR EOM Long-Term Observers": "lto",
}


@dataclass(frozen=True)
class AnnexObserver:
    """One observer as listed: name, country, role (sto, core, lto) and mission function."""

    name: str
    country: str
    role: str
    function: str | None = None


@dataclass(frozen=True)
class AnnexReading:
    """What the annex yields: the observers read, and the paragraphs left unread."""

    observers: list[AnnexObserver]
    unread: list[tuple[str, str]]  # (role, paragraph)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", " ")).strip()


def parse_annex(text: str) -> AnnexReading:
    """Every observer the annex lists legibly, in the order printed (repeated lines once)."""
    role = "sto"
    observers: list[AnnexObserver] = []
    unread: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for raw in text.splitlines():
        line = _clean(raw)
        if not line or line.startswith("ANNEX"):
            continue
        if line in ROLES:
            role = ROLES[line]
            continue
        if "\t" not in raw:
            unread.append((role, line))
            continue
        for observer in _entries(raw, role):
            if observer is None:
                unread.append((role, line))
            elif (observer.name, role) not in seen:
                seen.add((observer.name, role))
                observers.append(observer)
    return AnnexReading(observers, unread)


def _entries(raw: str, role: str) -> list[AnnexObserver | None]:
    """The observers of one tabbed line (None marks a line that cannot be read as such)."""
    parts = [_clean(part) for part in raw.split("\t")]
    name, country = parts[0], parts[-1]
    middle = parts[1] if len(parts) > 2 else ""
    function = None
    if middle[:1].islower():
        name += middle  # a surname broken across the column ("Chaliadzin" + "ski")
    elif middle:
        function = middle
    if not country:
        return []  # a repeated name without a country: the line before listed it
    if not name:
        return [None]  # a stray mark of the PDF's layout ("<TAB>Г"), not an entry
    countries = _repeated(country)
    if len(countries) == 1:
        return [AnnexObserver(name, country, role, function)]
    words = name.split()
    if len(words) != 2 * len(countries):
        return [None]
    return [
        AnnexObserver(" ".join(words[2 * i : 2 * i + 2]), land, role)
        for i, land in enumerate(countries)
    ]


def _repeated(country: str) -> list[str]:
    """ "Ireland Ireland" -> ["Ireland", "Ireland"]: two entries printed on one line."""
    words = country.split()
    for size in range(1, len(words) // 2 + 1):
        if len(words) % size == 0:
            unit = words[:size]
            if unit * (len(words) // size) == words:
                return [" ".join(unit)] * (len(words) // size)
    return [country]
