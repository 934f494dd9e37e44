"""Probable duplicate persons on the register, found by record linkage and queued for review.

One person with two records can be given two ballots, and the IIN cannot catch it: every record
has its own number (the register is unique on it), so a second record is a second number, a
typo in a name, a day and month swapped, or an address the person moved from. Which records are
one person is a probability, never a certainty, so saylau only finds candidates: each pair
above a threshold goes to `duplicate_pair` as pending, and a commission decides it
(`register/review.py`). Nothing is merged here.

The linkage is Splink's Fellegi-Sunter model on its DuckDB backend (one machine, in memory: a
few million records; Spark, for larger registers, is explained in docs/register.md):

- blocking (which pairs are scored at all): same birth date and sex; or birth day and month
  swapped, same year and sex; or the same transliteration keys of both names and the same
  birth year (a date with some other slip). A blocking rule on the IIN would find nothing:
  no two records share one;
- comparisons: both names (exact, same transliteration key, Jaro-Winkler 0.92 and 0.80), birth
  date (exact, day and month swapped, one character apart), sex, address (exact, one character
  apart) and PEC;
- training, on the register itself: u-probabilities from random pairs (seeded);
  m-probabilities by expectation maximisation on pairs of the same birth date (for the names)
  and of the same name keys and PEC (for the birth date and sex), sampled by hash so a run is
  repeatable; the m-probabilities of address and PEC are set, not fitted (see MOVED); the
  prior from records equal in names and birth date.

The whole run (read, link, queue) happens in the caller's session: one transaction. A pair
already in the queue, pending or decided, is never added again, so a re-run adds only new pairs
and a decided pair is never reopened.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import Insert, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.audit.service import now_iso
from saylau.domain.errors import Rejected
from saylau.register.models import DuplicatePair, Voter

Progress = Callable[[str, int, int], None]
CHUNK = 50_000
DEFAULT_THRESHOLD = 0.5
"""Queue a pair the model finds more likely one person than two: a person reviews every pair,
so a missed duplicate (a possible second ballot) costs more than a pair reviewed in vain."""
DEFAULT_SEED = 2022
PENDING = "pending"
SUPERSEDED = "superseded"

INPUT_FIELDS: list[tuple[str, pa.DataType]] = [
    ("unique_id", pa.int64()),
    ("iin", pa.string()),
    ("family_name", pa.string()),
    ("given_names", pa.string()),
    ("birth_date", pa.date32()),
    ("sex", pa.string()),
    ("address", pa.string()),
    ("pec", pa.string()),
]
INPUT_SCHEMA = pa.schema(INPUT_FIELDS)
"""What the linkage reads: one row per record, `unique_id` being the voter's id."""


def _name_key(column: str) -> str:
    """SQL for a transliteration key: spellings of one Kazakh or Russian name in Latin letters
    (Zh/J/Dzh for zhe, Kh/H for kha, Y/I, Ye-/E-, -yev/-ev/-ov, doubled s) made equal."""
    expression = f"lower({column})"
    for pattern, replacement in (
        ("dzh", "j"),
        ("zh", "j"),
        ("kh", "h"),
        ("^ye", "e"),
        ("y", "i"),
        ("ii", "i"),
        ("ss", "s"),
        ("ui", "u"),
        ("ev$", "ov"),
    ):
        expression = f"regexp_replace({expression}, '{pattern}', '{replacement}', 'g')"
    return expression


PREPARE = f"""
CREATE OR REPLACE TABLE linkage_input AS
SELECT unique_id, iin, family_name, given_names, birth_date, sex, address, pec,
  {_name_key("family_name")} AS family_key,
  {_name_key("given_names")} AS given_key,
  year(birth_date) AS birth_year, month(birth_date) AS birth_month, day(birth_date) AS birth_day
FROM linkage_records
"""
"""Derived columns the blocking rules and comparisons need, computed once."""

SAME_DATE = "l.birth_date = r.birth_date AND l.sex = r.sex"
SWAPPED_DATE = (
    "l.birth_year = r.birth_year AND l.birth_month = r.birth_day "
    "AND l.birth_day = r.birth_month AND l.sex = r.sex"
)
SAME_PEC_NAMES = "l.family_key = r.family_key AND l.given_key = r.given_key AND l.pec = r.pec"
"""Blocking for the second EM pass: leaves birth date and sex free to be learned."""
SAME_NAME_KEYS = (
    "l.family_key = r.family_key AND l.given_key = r.given_key AND l.birth_year = r.birth_year"
)
BLOCKING_RULES = (SAME_DATE, SWAPPED_DATE, SAME_NAME_KEYS)
PRIOR_RULE = (
    "l.family_name = r.family_name AND l.given_names = r.given_names "
    "AND l.birth_date = r.birth_date"
)
MOVED = {
    "address_same": 0.6,
    "address_typo": 0.05,
    "address_other": 0.35,
    "pec_same": 0.65,
    "pec_other": 0.35,
}
"""m-probabilities of address and PEC, set rather than learned: a person who moved looks, in
every field but these two, like a namesake born the same day, and expectation maximisation
settles on "a duplicate always shares the address" (m = 0 for a different one), which would
hide exactly the duplicates a move leaves behind. About a third of second records are taken
to come from a move; the figure is an assumption, stated here, not fitted."""
PRIOR_RECALL = 0.5
"""Share of real duplicates assumed equal in names and birth date (only the prior uses it)."""


def _level(sql: str, label: str, m: float | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if m is not None:
        level.update(m_probability=m, fix_m_probability=True)
    return level


def _null(column: str) -> dict[str, Any]:
    return {
        "sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL",
        "label_for_charts": "missing",
        "is_null_level": True,
    }


def _else(m: float | None = None) -> dict[str, Any]:
    return _level("ELSE", "all other", m)


def _name_comparison(column: str, key: str) -> dict[str, Any]:
    jw = f"jaro_winkler_similarity({column}_l, {column}_r)"
    return {
        "output_column_name": column,
        "comparison_levels": [
            _null(column),
            _level(f"{column}_l = {column}_r", "exact"),
            _level(f"{key}_l = {key}_r", "same transliteration key"),
            _level(f"{jw} >= 0.92", "Jaro-Winkler >= 0.92"),
            _level(f"{jw} >= 0.80", "Jaro-Winkler >= 0.80"),
            _else(),
        ],
    }


def settings(prior: float = 1e-4) -> dict[str, Any]:
    """The Splink model: blocking rules and comparisons (see the module docstring)."""
    date_text = "CAST(birth_date_{side} AS VARCHAR)"
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in BLOCKING_RULES
        ],
        "comparisons": [
            _name_comparison("family_name", "family_key"),
            _name_comparison("given_names", "given_key"),
            {
                "output_column_name": "birth_date",
                "comparison_levels": [
                    _null("birth_date"),
                    _level("birth_date_l = birth_date_r", "exact"),
                    _level(
                        "birth_year_l = birth_year_r AND birth_month_l = birth_day_r "
                        "AND birth_day_l = birth_month_r",
                        "day and month swapped",
                    ),
                    _level(
                        f"levenshtein({date_text.format(side='l')}, "
                        f"{date_text.format(side='r')}) <= 1",
                        "one character apart",
                    ),
                    _else(),
                ],
            },
            {
                "output_column_name": "sex",
                "comparison_levels": [_null("sex"), _level("sex_l = sex_r", "exact"), _else()],
            },
            {
                "output_column_name": "address",
                "comparison_levels": [
                    _null("address"),
                    _level("address_l = address_r", "exact", MOVED["address_same"]),
                    _level(
                        "levenshtein(address_l, address_r) <= 1",
                        "one character apart",
                        MOVED["address_typo"],
                    ),
                    _else(MOVED["address_other"]),
                ],
            },
            {
                "output_column_name": "pec",
                "comparison_levels": [
                    _null("pec"),
                    _level("pec_l = pec_r", "same PEC", MOVED["pec_same"]),
                    _else(MOVED["pec_other"]),
                ],
            },
        ],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "max_iterations": 25,
    }


class LinkageFailed(Rejected):
    """The linkage could not run on this register (too few records, or a model that did not
    train); nothing was queued."""


@dataclass(frozen=True)
class Linkage:
    """What one Splink run found: pairs of record ids (a < b) with their match probability."""

    pairs: list[tuple[int, int, float]]
    records: int
    compared: int | None
    """Pairs the blocking rules generated and the model scored (None when not counted)."""
    seconds: dict[str, float] = field(default_factory=dict)


def link(
    connection: duckdb.DuckDBPyConnection,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    seed: int = DEFAULT_SEED,
    max_u_pairs: float = 1e6,
    max_em_pairs: float = 2e6,
    count_compared: bool = False,
    progress: Progress | None = None,
) -> Linkage:
    """Run the model on the table `linkage_records` (columns of INPUT_SCHEMA) in `connection`.

    Kept apart from the database so the benchmark measures the linkage itself on the same
    DuckDB table as its baseline.
    """
    quiet = logging.getLogger("splink")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # Splink's advice goes to the log, not to the operator
    try:
        return _link(
            connection,
            threshold=threshold,
            seed=seed,
            max_u_pairs=max_u_pairs,
            max_em_pairs=max_em_pairs,
            count_compared=count_compared,
            progress=progress or (lambda _s, _d, _t: None),
        )
    finally:
        quiet.setLevel(level)


def _link(
    connection: duckdb.DuckDBPyConnection,
    *,
    threshold: float,
    seed: int,
    max_u_pairs: float,
    max_em_pairs: float,
    count_compared: bool,
    progress: Progress,
) -> Linkage:
    from splink import DuckDBAPI, Linker
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    connection.execute(PREPARE)
    records = int(connection.execute("SELECT count(*) FROM linkage_input").fetchall()[0][0])
    if records < 2:
        raise LinkageFailed(f"{records} record(s) on the register: nothing to compare")
    db_api = DuckDBAPI(connection)
    table = db_api.register("linkage_input")
    linker = Linker(table, settings(), log_level=None)
    seconds["prepare"] = time.perf_counter() - started

    started = time.perf_counter()
    progress("train", 0, 4)
    linker.training.estimate_probability_two_random_records_match([PRIOR_RULE], PRIOR_RECALL)
    progress("train", 1, 4)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_u_pairs, seed=seed)
    progress("train", 2, 4)
    linker.training.estimate_parameters_using_expectation_maximisation(
        SAME_DATE, max_pairs=max_em_pairs
    )
    progress("train", 3, 4)
    linker.training.estimate_parameters_using_expectation_maximisation(
        SAME_PEC_NAMES, max_pairs=max_em_pairs
    )
    progress("train", 4, 4)
    seconds["train"] = time.perf_counter() - started

    started = time.perf_counter()
    progress("predict", 0, 1)
    predicted = linker.inference.predict(threshold_match_probability=threshold)
    found = connection.execute(
        f"SELECT least(unique_id_l, unique_id_r), greatest(unique_id_l, unique_id_r), "
        f"match_probability FROM {predicted.physical_name} ORDER BY 1, 2"
    ).fetchall()
    progress("predict", 1, 1)
    seconds["predict"] = time.perf_counter() - started

    compared = None
    if count_compared:
        started = time.perf_counter()
        counted = count_comparisons_from_blocking_rules(
            table,
            blocking_rules=list(BLOCKING_RULES),
            link_type="dedupe_only",
            record_sample_proportion=1.0,
        )
        compared = int(counted[-1]["cumulative_comparison_count"])
        seconds["count"] = time.perf_counter() - started
    return Linkage([(int(a), int(b), float(p)) for a, b, p in found], records, compared, seconds)


RECORDS_TABLE = (
    "CREATE OR REPLACE TABLE linkage_records (unique_id BIGINT, iin VARCHAR, "
    "family_name VARCHAR, given_names VARCHAR, birth_date DATE, sex VARCHAR, "
    "address VARCHAR, pec VARCHAR)"
)


def load_columns(connection: duckdb.DuckDBPyConnection, columns: dict[str, Any]) -> int:
    """Put an extract's columns (as `synthetic_register` makes them; ids are row numbers) into
    DuckDB for `link`: the benchmark's way in, without a database."""
    n = len(columns["iin"])
    batch = pa.table(
        {
            "unique_id": pa.array(range(n), pa.int64()),
            **{
                name: pa.array(list(columns[name]), pa.string())
                for name in ("iin", "family_name", "given_names")
            },
            "birth_date": pa.array(list(columns["birth_date"]), pa.string()).cast(pa.date32()),
            **{name: pa.array(list(columns[name]), pa.string()) for name in ("sex", "address")},
            "pec": pa.array(list(columns["pec"]), pa.string()),
        },
        schema=INPUT_SCHEMA,
    )
    connection.execute(RECORDS_TABLE)
    connection.register("linkage_batch", batch)
    connection.execute("INSERT INTO linkage_records SELECT * FROM linkage_batch")
    connection.unregister("linkage_batch")
    return n


def load_records(
    session: Session,
    election: Election,
    connection: duckdb.DuckDBPyConnection,
    progress: Progress | None = None,
) -> int:
    """Copy the election's records (all but superseded ones) into DuckDB, in chunks.

    Excluded records are linked too: an excluded person with a second, active record is the
    duplicate that matters most.
    """
    progress = progress or (lambda _s, _d, _t: None)
    total = session.scalar(
        select(func.count())
        .select_from(Voter)
        .where(Voter.election_id == election.id, Voter.status != SUPERSEDED)
    )
    connection.execute(RECORDS_TABLE)
    rows = session.execute(
        select(
            Voter.id,
            Voter.iin,
            Voter.family_name,
            Voter.given_names,
            Voter.birth_date,
            Voter.sex,
            Voter.address,
            Unit.code,
        )
        .join(Unit, Unit.id == Voter.pec_id)
        .where(Voter.election_id == election.id, Voter.status != SUPERSEDED)
        .order_by(Voter.id)
        .execution_options(yield_per=CHUNK)
    )
    done = 0
    for chunk in rows.partitions():
        batch = pa.Table.from_pylist(
            [dict(zip(INPUT_SCHEMA.names, row, strict=True)) for row in chunk],
            schema=INPUT_SCHEMA,
        )
        connection.register("linkage_batch", batch)
        connection.execute("INSERT INTO linkage_records SELECT * FROM linkage_batch")
        connection.unregister("linkage_batch")
        done += len(chunk)
        progress("read", done, max(done, int(total or 0)))
    return done


@dataclass(frozen=True)
class FindReport:
    """One run of `find_duplicates`: what was read, found and queued."""

    run: str
    threshold: float
    records: int
    found: int
    queued: int
    already_queued: int
    seconds: dict[str, float]


def _insert(session: Session) -> Insert:
    """INSERT that skips a pair another run queued meanwhile (the unique constraint)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(DuplicatePair).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite_insert(DuplicatePair).on_conflict_do_nothing()
    raise LinkageFailed(f"duplicate_pair: no conflict-skipping insert for {dialect}")


def find_duplicates(
    session: Session,
    election: Election,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> FindReport:
    """Link the election's register and queue every new pair at or above `threshold`."""
    if not 0 < threshold < 1:
        raise LinkageFailed(f"threshold {threshold}: must be a probability above 0 and below 1")
    progress = progress or (lambda _s, _d, _t: None)
    started = time.perf_counter()
    connection = duckdb.connect()
    try:
        records = load_records(session, election, connection, progress)
        read = time.perf_counter() - started
        linkage = link(connection, threshold=threshold, seed=seed, progress=progress)
    finally:
        connection.close()
    started = time.perf_counter()
    found_at = now_iso()
    run = f"{found_at[:19].replace(':', '')}-{secrets.token_hex(4)}"
    queued_before = {
        (int(a), int(b))
        for a, b in session.execute(
            select(DuplicatePair.voter_a_id, DuplicatePair.voter_b_id).where(
                DuplicatePair.election_id == election.id
            )
        )
    }
    new = [(a, b, p) for a, b, p in linkage.pairs if (a, b) not in queued_before]
    progress("write", 0, len(new))
    for start in range(0, len(new), CHUNK):
        batch = new[start : start + CHUNK]
        session.execute(
            _insert(session),
            [
                {
                    "election_id": election.id,
                    "voter_a_id": a,
                    "voter_b_id": b,
                    "probability": round(p, 6),
                    "found_at": found_at,
                    "run": run,
                    "status": PENDING,
                }
                for a, b, p in batch
            ],
        )
        progress("write", start + len(batch), len(new))
    seconds = {"read": read, **linkage.seconds, "write": time.perf_counter() - started}
    return FindReport(
        run=run,
        threshold=threshold,
        records=records,
        found=len(linkage.pairs),
        queued=len(new),
        already_queued=len(linkage.pairs) - len(new),
        seconds=seconds,
    )
