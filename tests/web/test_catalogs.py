"""Every piece of page text is translated into Kazakh and Russian, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from saylau.web.i18n import LOCALES_DIR, format_count, format_percent, negotiate

WEB = Path(__file__).resolve().parents[2] / "src" / "saylau" / "web"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def template_messages() -> set[str]:
    method_map = [("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_catalog_covers_every_template_message(lang: str) -> None:
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    translated = {m.id: m for m in catalog if m.id}
    assert len(template_messages()) > 50
    missing = sorted(template_messages() - set(translated))
    assert not missing, f"{lang}: untranslated (run pybabel update, then translate): {missing}"
    for message in translated.values():
        assert message.string, f"{lang}: empty translation of {message.id!r}"
        assert not message.fuzzy, f"{lang}: fuzzy translation of {message.id!r}"
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
            PLACEHOLDER.findall(str(message.string))
        ), f"{lang}: placeholders differ in {message.id!r}"


def test_numbers_follow_the_language() -> None:
    assert format_count(6456392, "en") == "6,456,392"
    assert format_count(6456392, "ru") == "6\u00a0456\u00a0392"
    assert format_count(6456392, "kk") == "6\u00a0456\u00a0392"
    assert format_percent(81.31, "en") == "81.31%"
    assert format_percent(81.31, "kk") == "81,31%"
    assert format_percent(5.8, "ru") == "5,80%"


def test_accept_language_negotiation() -> None:
    assert negotiate("ru-KZ, kk;q=0.8") == "ru"
    assert negotiate("en-GB;q=0.3, kk-KZ;q=0.9") == "kk"
    assert negotiate("fr, de") == "en"
    assert negotiate("") == "kk"
    assert negotiate("ru;q=0, en;q=0.1") == "en"
    assert negotiate("ru;q=abc") == "en"
