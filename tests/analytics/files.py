"""Files for the import tests: the real Georgian results and small hand-made ones.

Plain functions rather than fixtures, so this directory needs no conftest.py of its own.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GEORGIA = ROOT / "tests/data/georgia-2024/cec_scrape_proportional.csv"
"""Vendored with its MIT licence (tests/data/georgia-2024/SOURCE.md), so it is always here."""
GEORGIA_MAPPING = ROOT / "mappings/georgia-2024.yaml"

SMALL_MAPPING = """
name: small-1
title: A small made-up election
source: tests/analytics
station: code
district: dist
region: {from: district, values: {"01": North, "02": South}}
registered: reg
voters: voters
valid: valid
invalid: inv
allow_missing: [invalid]
contestants:
  - {column: a, name: Alpha}
  - {column: b, name: Beta}
attributes: {note: note}
"""

GOOD_ROWS = """code,dist,reg,voters,valid,inv,a,b,note
P1,01,100,50,40,2,30,10,x
P2,01,100,50.0,42,,30,12,"two
lines"
P3,02,0,7,7,0,7,0,abroad
"""

# Row by row: fine; valid not the sum; a half voter (after a record over two lines); a
# duplicate code with a district the lookup lacks and no voters; no code, a negative count and
# a word for votes; fine.
BAD_ROWS = """code,dist,reg,voters,valid,inv,a,b,note
P1,01,100,50,40,2,30,10,x
P2,01,100,50,812,2,800,10,x
P3,02,100,1511.5,40,,30,10,"two
lines"
P1,99,100,,40,1,30,10,x
,01,-5,50,40,1,abc,10,
P6,01,100,50.0,40,1,30,10,ok
"""


def georgia_csv() -> Path:
    """The Georgian results file."""
    return GEORGIA


def georgia_mapping() -> str:
    return GEORGIA_MAPPING.read_bytes().decode("utf-8")


def write_small(directory: Path) -> tuple[Path, Path]:
    """(good CSV, mapping file) written into `directory`."""
    csv_file = directory / "small.csv"
    csv_file.write_text(GOOD_ROWS, encoding="utf-8")
    mapping = directory / "small.yaml"
    mapping.write_text(SMALL_MAPPING, encoding="utf-8")
    return csv_file, mapping


def write_bad(directory: Path) -> Path:
    path = directory / "bad.csv"
    path.write_text(BAD_ROWS, encoding="utf-8")
    return path
