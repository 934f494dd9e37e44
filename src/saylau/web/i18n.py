"""Languages of the public pages: message catalogs, negotiation, and number and time formats.

Page text is marked with gettext in the templates and translated in standard `.po` catalogs
(`web/locales/<lang>/LC_MESSAGES/messages.po`, edited with any PO tool, extracted with
`pybabel extract -F babel.cfg`); they are read at start-up, so no compile step is needed.
Numbers and times follow the language's conventions through Babel's CLDR data.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"  # the state language, for a browser that states no preference
FOREIGN_LANGUAGE = "en"  # for a browser that prefers only languages saylau does not speak
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
LOCALES_DIR = Path(__file__).parent / "locales"


@cache
def translations(lang: str) -> NullTranslations:
    """The catalog of `lang` (English is the source language: no catalog)."""
    po = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for an Accept-Language header (RFC 9110 quality values)."""
    if not (accept_language or "").strip():
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else FOREIGN_LANGUAGE


def format_count(value: int, lang: str) -> str:
    """6456392 -> '6,456,392' (en), '6 456 392' (kk, ru)."""
    return format_decimal(value, locale=lang)


def format_percent(value: float, lang: str, decimals: int = 2) -> str:
    """81.31 -> '81.31%' (en), '81,31%' (kk, ru): the published figure, never re-rounded."""
    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    return format_decimal(value, format=pattern, locale=lang) + "%"


def format_time(stamp: str | None, lang: str, zone: str) -> str:
    """An ISO timestamp as a local date and time in the election's time zone."""
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp)
    return format_datetime(moment, "medium", tzinfo=ZoneInfo(zone), locale=lang) + f" ({zone})"
