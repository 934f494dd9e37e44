"""An election and its frozen profile: the date must agree, the shipped text still loads, and a
context reaching for a section the profile lacks is told which, by name."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from sqlalchemy import Engine

from saylau.administration.service import (
    create_election,
    election_exists,
    get_election,
    profile_of,
    timezone_of,
)
from saylau.domain.errors import ProfileError
from saylau.profiles import shipped_profile_path
from saylau.register.changes import rules_of
from saylau.register.voters import add_voters, exclusions_by_reason
from saylau.store.db import session_scope
from tests.domain.fixtures import profile_dict
from tests.register.voters import person

SHIPPED = shipped_profile_path("kz-2022-presidential").read_text("utf-8")


def test_the_shipped_profile_frozen_in_an_election_reads_back_typed(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        create_election(session, "kz-2022", "test", date(2022, 11, 20), SHIPPED)
    with session_scope(engine) as session:
        election = get_election(session, "kz-2022")
        assert election.profile_yaml == SHIPPED
        assert timezone_of(election) == "Asia/Almaty"
        assert rules_of(election).windows["transfer"].closes_days_before == 30
        assert profile_of(election).require_finance().total_cap == 1_620_000_000


def test_an_election_on_another_day_than_its_profile_is_refused(engine: Engine) -> None:
    with (
        pytest.raises(ProfileError) as caught,
        session_scope(engine, write=True) as session,
    ):
        create_election(session, "kz-2022", "test", date(2022, 11, 21), SHIPPED)
    assert caught.value.rule == "election_date"
    assert "2022-11-20, not 2022-11-21" in caught.value.problem
    with session_scope(engine) as session:
        assert not election_exists(session, "kz-2022")


def test_the_register_asks_for_its_sections_by_name(engine: Engine) -> None:
    doc = profile_dict()
    del doc["voters"], doc["register_changes"]
    with session_scope(engine, write=True) as session:
        create_election(session, "kz-2022", "test", date(2022, 11, 20), yaml.safe_dump(doc))
    with session_scope(engine, write=True) as session:
        election = get_election(session, "kz-2022")
        with pytest.raises(ProfileError, match="profile rule voters: is missing; this election"):
            add_voters(session, election, [person(1, "75-0001")])
        with pytest.raises(ProfileError, match="profile rule voters: is missing"):
            exclusions_by_reason(session, election)
        with pytest.raises(ProfileError, match="profile rule register_changes: is missing"):
            rules_of(election)
