"""Rendering the public pages from a `Dataset`: the one renderer behind both the served site and
`saylau publish site`, so the two look and link exactly alike.

Every link is a root-relative path that works on the server and on any static host:
`/<lang>/<election>/` (the nation), `/<lang>/<election>/<unit code>/`, `.../search/`,
`.../downloads/`, and the files under `/data/<election>/`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from saylau import __version__
from saylau.domain.profile import Relation
from saylau.publish.dataset import Dataset, PublicUnit
from saylau.publish.downloads import Download
from saylau.publish.integrity import FLAGS_NAME, REPORT_NAME
from saylau.publish.turnout import turnout_path
from saylau.web.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    format_count,
    format_percent,
    format_time,
    translations,
)

SEARCH_LIMIT = 50


def election_path(lang: str, election: str) -> str:
    return f"/{lang}/{quote(election)}/"


def unit_path(lang: str, election: str, unit: PublicUnit) -> str:
    """The national page is the election's page; every other unit has its code in the path."""
    if unit.level == 0:
        return election_path(lang, election)
    return f"/{lang}/{quote(election)}/{quote(unit.code)}/"


def data_path(election: str, name: str) -> str:
    return f"/data/{quote(election)}/{name}"


@dataclass(frozen=True)
class Station:
    """A search hit: a PEC and the TEC it belongs to."""

    unit: PublicUnit
    tec: PublicUnit | None


def find_stations(dataset: Dataset, query: str, limit: int = SEARCH_LIMIT) -> list[Station]:
    """PECs whose number, name, settlement or address contain every word of `query`.

    Case-folded in Python (not in SQL) so Cyrillic matches regardless of case, and "75-0001",
    "0001", "Abay street" and "Ақтау" all work.
    """
    words = query.casefold().split()
    if not words:
        return []
    hits = []
    for pec in dataset.pecs():
        haystack = " ".join(
            [pec.code, *pec.names.values(), pec.settlement or "", pec.address or ""]
        ).casefold()
        if all(word in haystack for word in words):
            tec = dataset.units.get(pec.parent_id) if pec.parent_id is not None else None
            hits.append(Station(pec, tec))
            if len(hits) >= limit:
                break
    return hits


OPERATORS = {"=": "=", "<=": "≤", ">=": "≥"}


def relation_formula(dataset: Dataset, relation: Relation) -> str:
    """A control relation in line numbers ("№9 = №10 + №11"): the same in every language."""
    numbers = {line.code: line.no for line in dataset.profile.lines}

    def side(codes: Sequence[str]) -> str:
        return " + ".join(f"№{numbers[code]}" for code in codes)

    return f"{side(relation.left)} {OPERATORS[relation.op]} {side(relation.right)}"


def _environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("saylau.web", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The i18n extension adds this method to the environment when it is loaded: Jinja2's types
    # describe the class without it, so this one line cannot be checked (and is run by every
    # page test).
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals |= {
        "lang": lang,
        "languages": LANGUAGES,
        "language_names": LANGUAGE_NAMES,
        "count": lambda n: format_count(int(n), lang) if n is not None else "—",
        "pct": lambda x: format_percent(float(x), lang),
        "version": __version__,
    }
    return env


class Renderer:
    """Jinja environments for every language, and one method per kind of page."""

    def __init__(self) -> None:
        self.envs = {lang: _environment(lang) for lang in LANGUAGES}

    def _render(self, lang: str, template: str, **context: Any) -> str:
        return self.envs[lang].get_template(template).render(**context)

    def render(self, lang: str, template: str, **context: Any) -> str:
        """Any template in `lang` (pages of other contexts, such as observation)."""
        return self._render(lang, template, **context)

    def _common(self, dataset: Dataset, lang: str, here: str) -> dict[str, Any]:
        """What every election page shows: language links, navigation and the chain head."""
        suffix = here.split("/", 2)[2] if here.count("/") >= 2 else ""
        by_name = {c.name: c.name_in(lang) for c in dataset.profile.candidates}
        return {
            "dataset": dataset,
            "election": dataset.election_code,
            "alternates": {other: f"/{other}/{suffix}" for other in LANGUAGES},
            "home": election_path(lang, dataset.election_code),
            "search_url": election_path(lang, dataset.election_code) + "search/",
            "downloads_url": election_path(lang, dataset.election_code) + "downloads/",
            "head_url": data_path(dataset.election_code, "head.json"),
            "time": lambda stamp: format_time(stamp, lang, dataset.timezone),
            "unit_url": lambda unit: unit_path(lang, dataset.election_code, unit),
            "candidate_names": {c.code: c.name_in(lang) for c in dataset.profile.candidates},
            "candidate_names_by_name": by_name,
            "localized": lambda names: ", ".join(by_name.get(n, n) for n in names),
            "relation_formula": lambda relation: relation_formula(dataset, relation),
        }

    def unit_page(self, dataset: Dataset, lang: str, unit: PublicUnit) -> str:
        """The page of the nation, a region, a TEC or a PEC."""
        here = unit_path(lang, dataset.election_code, unit)
        children = [dataset.units[i] for i in dataset.children.get(unit.id, [])]
        protocol = dataset.protocols.get(unit.id) if unit.kind == "pec" else None
        return self._render(
            lang,
            "pec.html" if unit.kind == "pec" else "unit.html",
            unit=unit,
            result=dataset.results[unit.code],
            last_update=dataset.last_update.get(unit.id),
            ancestors=dataset.ancestors(unit),
            children=[(child, dataset.results[child.code]) for child in children],
            protocol=protocol,
            lines=dataset.profile.lines,
            share_above=float(dataset.profile.winner_rule.share_above) * 100,
            json_url=f"/api/v1/elections/{quote(dataset.election_code)}/results/{quote(unit.code)}",
            turnout_url=turnout_path(dataset.election_code, unit.code),
            **self._common(dataset, lang, here),
        )

    def search_page(
        self, dataset: Dataset, lang: str, query: str | None, hits: Sequence[Station] | None
    ) -> str:
        """`hits` None: the static page, where the browser searches `stations.json` itself."""
        here = election_path(lang, dataset.election_code) + "search/"
        return self._render(
            lang,
            "search.html",
            query=query or "",
            hits=hits,
            limit=SEARCH_LIMIT,
            index_url=data_path(dataset.election_code, "stations.json"),
            **self._common(dataset, lang, here),
        )

    def downloads_page(self, dataset: Dataset, lang: str, files: Sequence[Download]) -> str:
        here = election_path(lang, dataset.election_code) + "downloads/"
        code = dataset.election_code
        integrity = (
            {"report": data_path(code, REPORT_NAME), "flags": data_path(code, FLAGS_NAME)}
            if dataset.protocols
            else None
        )
        return self._render(
            lang,
            "downloads.html",
            files=[(f, data_path(code, f.name)) for f in files],
            integrity=integrity,
            **self._common(dataset, lang, here),
        )

    def elections_page(self, lang: str, elections: Sequence[tuple[str, str, str]]) -> str:
        """The list of elections (code, name, ISO date) in this database."""
        return self._render(
            lang,
            "elections.html",
            elections=[(election_path(lang, code), name, day) for code, name, day in elections],
            alternates={other: f"/{other}/" for other in LANGUAGES},
        )

    def root_page(self, first: str | None) -> str:
        """The site's entry for a static host: picks the browser's language in JavaScript."""
        return self._render("en", "root.html", first=first or "")
