"""A mission's quick count over HTTP: the sample anyone can redraw, and the running estimate.

Both are public reads: the sample is published (size, seed, frame hash) precisely so that
anyone can check it, and the estimate is the mission's finding about the official count.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from saylau.administration.models import Election
from saylau.administration.service import get_election
from saylau.api.deps import ReadSession
from saylau.observation.missions import get_mission
from saylau.observation.quickcount import draw, running_estimate

router = APIRouter(prefix="/observation", tags=["observation"])

MAX_SEED = 2**63 - 1

Size = Annotated[int, Query(ge=1, le=1_000_000, description="Polling stations in the sample.")]
Seed = Annotated[
    int, Query(ge=0, le=MAX_SEED, description="The published seed the sample is drawn with.")
]


@router.get(
    "/missions/{mission}/quickcount",
    summary="The mission's quick count: estimates with 95% margins, checked against the result",
)
def quickcount(mission: str, size: Size, seed: Seed, session: ReadSession) -> dict[str, Any]:
    found = get_mission(session, mission)
    election = session.get(Election, found.election_id)
    assert election is not None  # the mission's foreign key
    return running_estimate(session, found, election, size, seed)


@router.get(
    "/elections/{election}/quickcount-sample",
    summary="The quick-count sample drawn by size and seed, with the frame's SHA-256",
)
def quickcount_sample(
    election: str, size: Size, seed: Seed, session: ReadSession
) -> dict[str, Any]:
    return draw(session, get_election(session, election), size, seed).as_dict()
