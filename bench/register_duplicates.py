"""Benchmark: finding duplicate persons with Splink (DuckDB) in 1,000,000 register records.

Run from the repository root:

    .venv/bin/python bench/register_duplicates.py                     # 1,000,000 records
    .venv/bin/python bench/register_duplicates.py --records 100000    # quicker

Steps:
1. A synthetic register (`synthetic_register`) of records - planted people in PECs of 100,
   and `--share` (2%) planted duplicates of distinct persons (`plant_duplicates`, equal shares
   of its five kinds), loaded into one in-memory DuckDB table; not timed beyond a log line.
2. saylau: `register.duplicates.link` on that table, as `find_duplicates` runs it after reading
   the database: prepare (derived columns), train (prior, u by random sampling, two EM
   passes), predict (every blocked pair scored, pairs at or above 0.5 kept), and the pairs the
   blocking rules generate counted exactly (timed apart: `find` does not count).
3. Baseline, same run, same table: a plain DuckDB exact self-join on (family_name,
   given_names, birth_date).

Precision and recall are against the planted pairs, at thresholds 0.5, 0.9 (the default) and
0.99, with recall per kind. Pairs of two *different* synthetic persons equal in both names,
birth date and sex ("namesakes") are counted too: the synthetic register draws names from 30
family and 30 given names, so at this size they are frequent, and no method reading only these
fields can tell one from a duplicate that moved.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import date

import duckdb
import numpy as np
from rich.console import Console
from rich.table import Table

from benchkit import load_average, machine, ratio, secs
from saylau.register.duplicates import link, load_columns
from saylau.scenarios.register import synthetic_register
from saylau.scenarios.register_duplicates import KINDS, plant_duplicates

console = Console(width=None if sys.stdout.isatty() else 200, highlight=False)
DAY = date(2022, 11, 20)
PEC_SIZE = 100
THRESHOLDS = (0.5, 0.9, 0.99)

EXACT_JOIN = """
SELECT l.unique_id, r.unique_id FROM linkage_records l JOIN linkage_records r
  ON l.family_name = r.family_name AND l.given_names = r.given_names
 AND l.birth_date = r.birth_date AND l.unique_id < r.unique_id
"""
NAMESAKES = """
SELECT count(*) FROM linkage_records l JOIN linkage_records r
  ON l.family_name = r.family_name AND l.given_names = r.given_names
 AND l.birth_date = r.birth_date AND l.sex = r.sex AND l.unique_id < r.unique_id
WHERE l.unique_id < ORIGINALS AND r.unique_id < ORIGINALS
"""


def scores(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float]:
    hits = len(found & truth)
    return hits / max(1, len(found)), hits / max(1, len(truth))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--share", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()

    planted_count = round(args.records * args.share)
    originals = args.records - planted_count
    pecs = -(-originals // PEC_SIZE)
    sizes = np.full(pecs, PEC_SIZE)
    sizes[-1] = originals - PEC_SIZE * (pecs - 1)
    started = time.perf_counter()
    columns = synthetic_register(
        [f"{i:05d}" for i in range(pecs)], sizes, DAY, scale=1.0, seed=args.seed
    )
    planted = plant_duplicates(columns, planted_count, election_day=DAY, seed=args.seed)
    connection = duckdb.connect()
    records = load_columns(connection, planted.columns)
    row = {iin: i for i, iin in enumerate(planted.columns["iin"])}
    truth = {tuple(sorted((row[a], row[b]))) for a, b, _ in planted.truth}
    kind_of = {tuple(sorted((row[a], row[b]))): k for a, b, k in planted.truth}
    console.log(
        f"{records:,} records ({originals:,} persons in {pecs:,} PECs + {planted_count:,} "
        f"planted duplicates), made in {secs(time.perf_counter() - started)}; "
        f"load average {load_average()}"
    )

    started = time.perf_counter()
    linkage = link(connection, threshold=min(THRESHOLDS), count_compared=True)
    splink_total = time.perf_counter() - started - linkage.seconds.get("count", 0.0)
    console.log(f"Splink done; load average {load_average()}")

    started = time.perf_counter()
    exact = {(int(a), int(b)) for a, b in connection.execute(EXACT_JOIN).fetchall()}
    baseline = time.perf_counter() - started
    namesakes = int(
        connection.execute(NAMESAKES.replace("ORIGINALS", str(originals))).fetchall()[0][0]
    )
    console.log(f"baseline done; load average {load_average()}")

    figures = Table(title=f"duplicate persons, {records:,} records, {planted_count:,} planted")
    for column in ("figure", "saylau (Splink, DuckDB)", "baseline: exact self-join", "ratio"):
        figures.add_column(column)
    figures.add_row("time, end to end", secs(splink_total), secs(baseline),
                    ratio(splink_total, baseline))  # fmt: skip
    for phase in ("prepare", "train", "predict"):
        figures.add_row(f"  {phase}", secs(linkage.seconds[phase]), "", "")
    figures.add_row(
        "pairs compared", f"{linkage.compared:,}", f"{len(exact):,} (joined)",
        ratio(linkage.compared, len(exact)),
    )  # fmt: skip
    figures.add_row("  counting them (not part of find)", secs(linkage.seconds["count"]), "", "")
    base_precision, base_recall = scores(exact, truth)
    for threshold in THRESHOLDS:
        found = {(a, b) for a, b, p in linkage.pairs if p >= threshold}
        precision, recall = scores(found, truth)
        figures.add_row(
            f"pairs found at p >= {threshold}", f"{len(found):,}", f"{len(exact):,}",
            ratio(len(found), len(exact)),
        )  # fmt: skip
        figures.add_row(f"  precision at {threshold}", f"{precision:.4f}",
                        f"{base_precision:.4f}", ratio(precision, base_precision))  # fmt: skip
        figures.add_row(f"  recall at {threshold}", f"{recall:.4f}", f"{base_recall:.4f}",
                        ratio(recall, base_recall))  # fmt: skip
    default = {(a, b) for a, b, p in linkage.pairs if p >= 0.9}
    per_kind = Counter(kind_of[pair] for pair in truth & default)
    base_kind = Counter(kind_of[pair] for pair in truth & exact)
    share = planted_count // len(KINDS)
    for kind in KINDS:
        figures.add_row(
            f"  recall at 0.9, {kind}", f"{per_kind[kind] / share:.3f}",
            f"{base_kind[kind] / share:.3f}", "",
        )  # fmt: skip
    figures.add_row("namesakes (two persons, same names, birth date, sex)", f"{namesakes:,}", "",
                    "")  # fmt: skip
    console.print(figures)
    info = machine(None)
    info["load average at end (1, 5, 15 min)"] = load_average()
    console.print(info)


if __name__ == "__main__":
    main()
