"""Ballots at the station in bulk: the ordinary check-ins of a synthetic election day.

An operator's check-in goes through `checkin.check_in`, one voter at a time with every rule.
The reference scenario also needs millions of ordinary ones (voters at the PEC whose list they
are on, so most of election day), which one call each would take hours to write. They are
written here, by the register that owns the ballot table: the caller picks voters from
`voters_without_ballot`, which keeps one ballot per voter by construction, and the table's
unique constraints refuse a second one should a caller get that wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Row, func, insert, select
from sqlalchemy.orm import Session

from saylau.administration.models import Election
from saylau.register.models import BallotIssue, Voter

BATCH = 50_000

Ids = Sequence[int] | NDArray[np.int64]


def ballots_by_pec(session: Session, election: Election) -> dict[int, int]:
    """{PEC id: ballots issued there so far}, every kind of check-in counted."""
    rows = session.execute(
        select(BallotIssue.pec_id, func.count())
        .where(BallotIssue.election_id == election.id)
        .group_by(BallotIssue.pec_id)
    )
    return {pec_id: int(count) for pec_id, count in rows}


def voters_without_ballot(session: Session, election: Election) -> Sequence[Row[int, int]]:
    """(PEC id, voter id) of every active voter with no ballot yet, by PEC then voter id:
    the rows a bulk day is drawn from, grouped so each PEC's voters are one slice."""
    voted = select(BallotIssue.voter_id).where(BallotIssue.election_id == election.id)
    return session.execute(
        select(Voter.pec_id, Voter.id)
        .where(Voter.election_id == election.id, Voter.status == "active", Voter.id.not_in(voted))
        .order_by(Voter.pec_id, Voter.id)
    ).all()


def issue_station_ballots(
    session: Session,
    election: Election,
    voter_ids: Ids,
    pec_ids: Ids,
    issued_at: Sequence[str],
    operator: str,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Issue ballot `i` to voter `voter_ids[i]` at PEC `pec_ids[i]` at UTC time `issued_at[i]`,
    in batches, as ordinary station check-ins; returns how many. Parallel arrays rather than
    one object per ballot: a full-scale day is about eight million of them."""
    total = len(voter_ids)
    if not len(pec_ids) == len(issued_at) == total:
        raise ValueError("voter_ids, pec_ids and issued_at must be of one length")
    for start in range(0, total, BATCH):
        stop = min(start + BATCH, total)
        session.execute(
            insert(BallotIssue),
            [
                {
                    "election_id": election.id,
                    "voter_id": int(voter_ids[i]),
                    "pec_id": int(pec_ids[i]),
                    "kind": "station",
                    "issued_at": issued_at[i],
                    "operator": operator,
                    "client_id": f"st-{int(voter_ids[i])}",
                }
                for i in range(start, stop)
            ],
        )
        if progress is not None:
            progress(stop, total)
    return total
