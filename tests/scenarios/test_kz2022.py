"""The generated reference election: Annex I exactly, the real commission structure, and every
protocol passing the control relations. Pure: no database."""

from __future__ import annotations

from collections import Counter
from functools import cache

import numpy as np
import pytest

from saylau.domain.protocol import judge
from saylau.scenarios.kz2022 import Scenario, generate
from tests.domain.fixtures import profile


@cache
def reference() -> Scenario:
    return generate()


def total(s: Scenario, *codes: str) -> int:
    return int(sum(s.lines[c].sum() for c in codes))


def test_totals_equal_annex_i_exactly() -> None:
    s = reference()
    assert total(s, "voters_on_list", "voters_added") == 11_953_465
    assert total(s, "ballots_issued_station", "ballots_issued_mobile") == 8_300_046
    assert total(s, "valid") == 7_940_477
    assert total(s, "voters_avc") == 13_282
    assert total(s, "ballots_issued_mobile") == 112_969
    assert total(s, "voters_added") == 2_267
    expected = {
        "abden": 206_206,
        "auesbayev": 176_116,
        "dayrabayev": 271_641,
        "kazhyken": 200_907,
        "tokayev": 6_456_392,
        "tursynbekova": 168_731,
        "against_all": 460_484,
    }
    assert {code: total(s, code) for code in expected} == expected


def test_the_commission_structure_of_section_v() -> None:
    s = reference()
    kinds = Counter((u.kind, u.subtype) for u in s.units)
    assert kinds[("cec", "national")] == 1
    assert kinds[("tec", "oblast")] == 17 and kinds[("tec", "city")] == 3
    assert kinds[("tec", "district")] == 219
    assert kinds[("pec", "regular")] == 9_556
    assert kinds[("pec", "special")] == 477
    assert kinds[("pec", "abroad")] == 68
    abroad = [u for u in s.units if u.subtype == "abroad"]
    assert len({u.settlement for u in abroad}) == 53
    assert len(s.members) == 70_946
    by_unit = Counter(m.unit for m in s.members)
    assert by_unit["KZ"] == 7
    assert sum(1 for m in s.members if m.unit == "KZ" and m.gender == "female") == 2
    pec_sizes = [by_unit[code] for code in s.pec_codes]
    assert min(pec_sizes) >= 5 and max(pec_sizes) <= 11
    assert all(by_unit[u.code] == 7 for u in s.units if u.kind == "tec")
    women = sum(1 for m in s.members if m.gender == "female") / len(s.members)
    assert 0.64 < women < 0.71  # 67.7% of TEC and PEC members (section V)


def test_every_protocol_passes_every_relation_unflagged() -> None:
    s = reference()
    p = profile()
    for item in s.protocols():
        verdict = judge(p, item.lines, {})
        assert verdict.accepted and not verdict.flags, (item.pec, verdict.problems)


def test_regional_turnout_follows_the_report() -> None:
    s = reference()
    region_of = {}
    parent = {u.code: u.parent for u in s.units}
    for code in s.pec_codes:
        up = parent[code]
        while up is not None and not up.startswith("KZ-"):
            up = parent[up]
        region_of[code] = up
    reg = s.lines["voters_on_list"] + s.lines["voters_added"]
    voters = s.lines["ballots_issued_station"] + s.lines["ballots_issued_mobile"]
    regions = np.array([region_of[c] for c in s.pec_codes])

    def turnout(mask: np.ndarray) -> float:
        return float(voters[mask].sum() / reg[mask].sum() * 100)

    assert round(turnout(regions == "KZ-75"), 1) == 28.7  # Almaty
    assert round(turnout(regions == "KZ-71"), 1) == 48.7  # Astana
    urban = np.array([u.urban for u in s.units if u.kind == "pec"])
    assert turnout(~urban) > turnout(urban) + 5  # higher in rural areas


def test_sizes_vary_as_real_precincts_do() -> None:
    s = reference()
    reg = s.lines["voters_on_list"] + s.lines["voters_added"]
    special = np.array([u.subtype == "special" for u in s.units if u.kind == "pec"])
    urban = np.array([bool(u.urban) for u in s.units if u.kind == "pec"])
    assert np.median(reg[special]) < 400 < np.median(reg[~special & urban])
    assert reg.max() > 2_500 and reg.min() < 100


def test_generation_is_deterministic_by_seed() -> None:
    a, b, c = generate(stations=300), generate(stations=300), generate(stations=300, seed=7)
    assert all((a.lines[k] == b.lines[k]).all() for k in a.lines)
    assert any((a.lines[k] != c.lines[k]).any() for k in a.lines)


@pytest.mark.parametrize("stations", [10, 40, 2_500])
def test_scaled_elections_keep_the_relations(stations: int) -> None:
    s = generate(stations=stations)
    assert len(s.pec_codes) == stations
    factor = stations / 10_101
    assert total(s, "valid") == round(7_940_477 * factor)
    assert total(s, "voters_on_list", "voters_added") == round(11_953_465 * factor)
    assert total(s, "abden") == round(206_206 * factor)  # Tokayev's line absorbs rounding
    p = profile()
    for item in s.protocols():
        assert judge(p, item.lines, {}).accepted, item.pec


def test_too_small_a_scaled_election_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="at least 10 PECs"):
        generate(stations=9)
