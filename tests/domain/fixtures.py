"""Plain-value fixtures for domain tests: the shipped profile and protocols built from parts."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import yaml

from saylau.domain.profile import Profile, load_profile
from saylau.profiles import shipped_profile_path


@cache
def raw_profile() -> dict[str, Any]:
    return yaml.safe_load(shipped_profile_path("kz-2022-presidential").read_text("utf-8"))


def profile_dict() -> dict[str, Any]:
    """A fresh, mutable copy of the shipped profile document."""
    return copy.deepcopy(raw_profile())


@cache
def profile() -> Profile:
    return load_profile(raw_profile())


def consistent_protocol(
    votes: dict[str, int],
    invalid: int = 10,
    on_list: int = 1500,
    added: int = 0,
    avc: int = 0,
    mobile: int = 20,
    spoiled: int = 1,
    unused: int = 300,
    taken_away: int = 0,
) -> dict[str, int]:
    """A protocol satisfying every relation, built from its parts."""
    valid = sum(votes.values())
    found = valid + invalid
    issued = found + taken_away
    station = issued - mobile
    return {
        "voters_on_list": on_list,
        "voters_added": added,
        "voters_avc": avc,
        "ballots_received": issued + unused + spoiled,
        "ballots_issued_station": station,
        "ballots_issued_mobile": mobile,
        "ballots_cancelled": unused,
        "ballots_spoiled": spoiled,
        "ballots_found": found,
        "invalid": invalid,
        "valid": valid,
        **votes,
    }


VOTES = {
    "abden": 20,
    "auesbayev": 18,
    "dayrabayev": 27,
    "kazhyken": 20,
    "tokayev": 650,
    "tursynbekova": 17,
    "against_all": 46,
}
