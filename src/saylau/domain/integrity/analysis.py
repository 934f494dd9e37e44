"""All integrity tests on one election, with the options each takes, as one result.

The CLI, the JSON output and the HTML report all read this one object, so a figure in the
report is the figure in the JSON. Every randomised step is seeded from `options.seed`: the same
data and options give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from saylau.domain.integrity.digits import (
    DEFAULT_MIN_COUNT_LAST,
    DEFAULT_MIN_COUNT_SECOND,
    DigitResults,
    digit_tests,
)
from saylau.domain.integrity.distributions import Distributions, distributions
from saylau.domain.integrity.fingerprint import DEFAULT_BOOTSTRAP, Fingerprint, fingerprint
from saylau.domain.integrity.flags import (
    DEFAULT_INTEGER_CHANCE,
    DEFAULT_MIN_GROUP,
    DEFAULT_Z,
    Flags,
    station_flags,
)
from saylau.domain.integrity.integer_percent import (
    DEFAULT_MIN_VOTERS,
    DEFAULT_REPETITIONS,
    IntegerPercentResult,
    integer_percent_test,
)
from saylau.domain.integrity.stations import StationTable
from saylau.domain.integrity.subgroups import SubgroupResult, compare_subgroups
from saylau.domain.integrity.turnout_share import TurnoutShare, turnout_share


@dataclass(frozen=True)
class Options:
    """Every knob of the tests; the defaults are the methods' published or argued choices."""

    repetitions: int = DEFAULT_REPETITIONS
    min_voters: int = DEFAULT_MIN_VOTERS
    tolerance_pp: float | None = None
    bootstrap: int = DEFAULT_BOOTSTRAP
    min_count_last: int = DEFAULT_MIN_COUNT_LAST
    min_count_second: int = DEFAULT_MIN_COUNT_SECOND
    z_threshold: float = DEFAULT_Z
    min_group: int = DEFAULT_MIN_GROUP
    integer_chance: float = DEFAULT_INTEGER_CHANCE
    compare: tuple[str, ...] = ()
    """Station attributes to split by; empty means every attribute with 2..30 values."""
    seed: int = 2022


@dataclass(frozen=True)
class Analysis:
    name: str
    title: str
    options: Options
    stations: int
    contestants: tuple[str, ...]
    leader: str
    distributions: Distributions
    integer_percent: IntegerPercentResult
    fingerprint: Fingerprint
    digits: DigitResults
    turnout_share: TurnoutShare
    flags: Flags
    subgroups: tuple[SubgroupResult, ...]
    source: dict[str, object] = field(default_factory=dict)

    def to_dict(self, *, flagged_limit: int | None = None) -> dict[str, object]:
        flags = self.flags.to_dict()
        flagged = flags["flagged"]
        if flagged_limit is not None and isinstance(flagged, list):
            flags["flagged"] = flagged[:flagged_limit]
        options = asdict(self.options)
        options["compare"] = list(self.options.compare)
        return {
            "election": self.name,
            "title": self.title,
            "source": self.source,
            "options": options,
            "stations": self.stations,
            "contestants": list(self.contestants),
            "leader": self.leader,
            "distributions": self.distributions.to_dict(),
            "integer_percent": self.integer_percent.to_dict(),
            "fingerprint": self.fingerprint.to_dict(),
            "digits": self.digits.to_dict(),
            "turnout_share": self.turnout_share.to_dict(),
            "flags": flags,
            "subgroups": [s.to_dict() for s in self.subgroups],
        }


def splittable_attributes(table: StationTable) -> tuple[str, ...]:
    """Attributes with between 2 and 30 distinct values: the ones a comparison can use."""
    return tuple(
        name
        for name, values in sorted(table.attributes.items())
        if 2 <= len(set(values.astype(str).tolist())) <= 30
    )


STEPS = (
    "distributions",
    "integer percent",
    "fingerprint",
    "digits",
    "turnout and share",
    "station flags",
    "subgroups",
)
"""The tests in the order `analyze` runs them; a progress display counts these."""


def analyze(
    table: StationTable,
    *,
    name: str,
    title: str = "",
    options: Options = Options(),
    source: dict[str, object] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Analysis:
    """Run every test on `table`; `on_step(name)` is called as each test starts."""
    step = on_step or (lambda _: None)
    compare = options.compare or splittable_attributes(table)
    step(STEPS[0])
    shape = distributions(table)
    step(STEPS[1])
    integer = integer_percent_test(
        table,
        repetitions=options.repetitions,
        min_voters=options.min_voters,
        tolerance_pp=options.tolerance_pp,
        seed=options.seed,
    )
    step(STEPS[2])
    print_ = fingerprint(table, bootstrap=options.bootstrap, seed=options.seed)
    step(STEPS[3])
    digits = digit_tests(
        table,
        min_count_last=options.min_count_last,
        min_count_second=options.min_count_second,
        seed=options.seed,
    )
    step(STEPS[4])
    relation = turnout_share(table)
    step(STEPS[5])
    flags = station_flags(
        table,
        z_threshold=options.z_threshold,
        min_group=options.min_group,
        integer_chance=options.integer_chance,
    )
    step(STEPS[6])
    subgroups = tuple(compare_subgroups(table, attribute) for attribute in compare)
    return Analysis(
        name=name,
        title=title or name,
        options=options,
        stations=len(table),
        contestants=table.contestants,
        leader=table.leader,
        distributions=shape,
        integer_percent=integer,
        fingerprint=print_,
        digits=digits,
        turnout_share=relation,
        flags=flags,
        subgroups=subgroups,
        source=source or {},
    )
