"""The reference election's register and election day, at any scale, through saylau's own rules.

Section IX's figures, in proportion to the voters loaded (at `scale` 1 of the full 10,101-PEC
election the register is 11,953,465, matching each PEC's protocol): about 80,000 transfers,
22,578 absentee certificates (13,282 used), 112,969 mobile votes, the 4,053 + 181 PECs
designated for election-day registration (in proportion to the PECs) and 2,267 voters added on
the day. Every change and every special check-in goes through the same functions an operator's
request does, so the scenario obeys the deadlines and the one-ballot rule rather than asserting
them. The ordinary station ballots (most of election day) are then written in bulk: one per
drawn voter at the PEC whose list they are on, so many that each PEC's check-ins make its
protocol's ballots issued (times `scale`), at times spread over the polling day, which is what
the hourly turnout is published from. The time curve is made up; the CEC publishes none.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import get_election, profile_of, timezone_of
from saylau.domain.iin import make_iin
from saylau.register.bulk import import_extract
from saylau.register.changes import (
    ChangeRefused,
    designate_sites,
    issue_certificate,
    request_mobile,
    transfer,
)
from saylau.register.checkin import ISSUE, NewPerson, check_in
from saylau.register.reads import certificates_issued, latest_without_ballot, mobile_requests
from saylau.register.station_ballots import (
    ballots_by_pec,
    issue_station_ballots,
    voters_without_ballot,
)
from saylau.register.voters import registered_by_pec
from saylau.results.reads import current_pec_lines
from saylau.scenarios.register import synthetic_register, write_extract
from saylau.store.db import session_scope

Progress = Callable[[str, int, int], None]

TRANSFERS = 80_000
AVC_ISSUED = 22_578
AVC_USED = 13_282
MOBILE_VOTES = 112_969
SITES_RESIDENTS = 4_053
SITES_UNREGISTERED = 181
ADDED_ON_DAY = 2_267
ALL_PECS = 10_101
REGISTERED = 11_953_465
OPENS, CLOSES = 7, 20  # local polling hours
# Share of the day's ballots in each polling hour, 07:00 to 19:00 (made up, morning-heavy).
HOURLY = np.array([3, 7, 10, 11, 11, 10, 9, 8, 8, 7, 6, 5, 5], dtype=float)


@dataclass(frozen=True)
class RegisterBuilt:
    """What the scenario put on the register and through election day."""

    voters: int
    sites_residents: int
    sites_unregistered: int
    transfers: int
    certificates: int
    certificates_used: int
    mobile_requests: int
    added_on_day: int
    ballots: int


def describe_register(built: RegisterBuilt) -> str:
    """One line for the operator: what the register scenario holds."""
    return (
        f"register: {built.voters:,} voters; {built.transfers:,} transfers, "
        f"{built.certificates:,} absentee certificates ({built.certificates_used:,} used), "
        f"{built.mobile_requests:,} mobile requests; {built.sites_residents:,} + "
        f"{built.sites_unregistered:,} PECs designated for election-day registration "
        f"({built.added_on_day:,} added); {built.ballots:,} station ballots at check-in"
    )


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


def _count(figure: int, scale: float) -> int:
    return round(figure * scale)


def build_register(
    engine: Engine,
    election_code: str,
    scale: float,
    *,
    seed: int = 2022,
    election_day: bool = True,
    progress: Progress = _quiet,
) -> RegisterBuilt:
    """Load a synthetic register of `scale`, then the changes and (optionally) election day."""
    rng = np.random.default_rng(seed)
    with session_scope(engine) as session:
        election = get_election(session, election_code)
        codes, sizes = registered_by_pec(session, election)
        day = election.election_date
    columns = synthetic_register(codes, sizes, day, scale=scale, seed=seed)
    with tempfile.TemporaryDirectory() as folder:
        extract = Path(folder) / "register.csv"
        write_extract(columns, extract)
        with session_scope(engine, write=True) as session:
            voters = import_extract(session, get_election(session, election_code), extract,
                                    progress)  # fmt: skip
    share = voters / REGISTERED  # a scaled election (fewer PECs) has fewer voters at scale 1
    with session_scope(engine, write=True) as session:
        election = get_election(session, election_code)
        pecs = np.array(codes, dtype=object)
        residents, unregistered = _designate(session, election, pecs, rng)
        iins = rng.permutation(columns["iin"])
        counts = [_count(f, share) for f in (TRANSFERS, AVC_ISSUED, MOBILE_VOTES)]
        moved, certified, mobile = np.split(iins[: sum(counts)], np.cumsum(counts)[:-1])
        _changes(session, election, moved, certified, mobile, pecs, rng, progress)
    built = RegisterBuilt(voters, len(residents), len(unregistered), len(moved), len(certified),
                          0, len(mobile), 0, 0)  # fmt: skip
    if not election_day:
        return built
    with session_scope(engine, write=True) as session:
        election = get_election(session, election_code)
        used, added = _special_checkins(session, election, share, residents, unregistered, rng,
                                        progress)  # fmt: skip
        ballots = _station_ballots(session, election, scale, rng, progress)
    return RegisterBuilt(voters, len(residents), len(unregistered), len(moved), len(certified),
                         used, len(mobile), added, ballots)  # fmt: skip


def _designate(
    session: Session, election: Election, pecs: np.ndarray, rng: np.random.Generator
) -> tuple[list[str], list[str]]:
    """The designated PECs: 4,053 and 181 of 10,101, in proportion for a scaled election."""
    share = len(pecs) / ALL_PECS
    chosen = rng.permutation(pecs)
    n_res, n_unreg = round(SITES_RESIDENTS * share), max(1, round(SITES_UNREGISTERED * share))
    residents = [str(c) for c in chosen[:n_res]]
    unregistered = [str(c) for c in chosen[n_res : n_res + n_unreg]]
    designate_sites(session, election, residents, "residents")
    designate_sites(session, election, unregistered, "unregistered")
    return residents, unregistered


def _changes(
    session: Session,
    election: Election,
    moved: np.ndarray,
    certified: np.ndarray,
    mobile: np.ndarray,
    pecs: np.ndarray,
    rng: np.random.Generator,
    progress: Progress,
) -> None:
    """Transfers, certificates and mobile requests, each dated inside its window."""
    day = election.election_date
    total, done = len(moved) + len(certified) + len(mobile), 0
    reasons = ("health", "caring_for_sick", "remote_location")
    for iin in moved:
        on = day - timedelta(days=int(rng.integers(30, 60)))
        for _attempt in range(3):  # a draw of the voter's own PEC is drawn again
            try:
                transfer(session, election, str(iin), str(rng.choice(pecs)), applied_on=on,
                         by="scenario", today=on)  # fmt: skip
                break
            except ChangeRefused:
                continue
        done += 1
        if done % 500 == 0:
            progress("changes before election day", done, total)
    for iin in certified:
        on = day - timedelta(days=int(rng.integers(15, 30)))
        issue_certificate(session, election, str(iin), applied_on=on, by="scenario", today=on)
        done += 1
        if done % 500 == 0:
            progress("changes before election day", done, total)
    for iin in mobile:
        on = day - timedelta(days=int(rng.integers(0, 16)))
        request_mobile(session, election, str(iin), reason=str(rng.choice(reasons)), applied_on=on,
                       by="scenario", today=on)  # fmt: skip
        done += 1
        if done % 500 == 0:
            progress("changes before election day", done, total)
    progress("changes before election day", total, total)


def _polling_time(election: Election, rng: np.random.Generator, n: int) -> list[str]:
    """`n` UTC ISO times on election day, local hours drawn from HOURLY."""
    zone = ZoneInfo(timezone_of(election))
    hours = rng.choice(np.arange(OPENS, CLOSES), size=n, p=HOURLY / HOURLY.sum())
    seconds = rng.integers(0, 3600, n)
    start = datetime.combine(election.election_date, datetime.min.time(), tzinfo=zone)
    return [
        (start + timedelta(hours=int(h), seconds=int(s)))
        .astimezone(ZoneInfo("UTC"))
        .isoformat(timespec="microseconds")
        for h, s in zip(hours, seconds, strict=True)
    ]


def _special_checkins(
    session: Session,
    election: Election,
    share: float,
    residents: list[str],
    unregistered: list[str],
    rng: np.random.Generator,
    progress: Progress,
) -> tuple[int, int]:
    """Mobile ballots, certificates used at random PECs, and people added on the day, each
    through `check_in` so every rule applies."""
    pecs = list(
        session.scalars(
            select(Unit.code).where(Unit.election_id == election.id, Unit.kind == "pec")
        )
    )
    mobile = mobile_requests(session, election)
    certificates = certificates_issued(session, election)
    used = [certificates[i] for i in rng.permutation(len(certificates))[: _count(AVC_USED, share)]]
    added = _count(ADDED_ON_DAY, share)
    newcomers = added // 10 if unregistered else 0  # most added voters were on another list
    movers = latest_without_ballot(session, election, added - newcomers)
    total, done, issued_avc, added_here = len(mobile) + len(used) + added, 0, 0, 0
    # Election day's hours for these ballots too (not the time the scenario is built), from a
    # generator of their own so that the rest of the scenario draws what it drew before.
    times = iter(_polling_time(election, np.random.default_rng(len(mobile) + total), total))

    def tick() -> None:
        nonlocal done
        done += 1
        if done % 500 == 0:
            progress("special check-ins", done, total)

    for n, (iin, pec) in enumerate(mobile):
        check_in(session, election, pec, iin, operator="scenario", client_id=f"mob-{n}",
                 mobile=True, at=next(times))  # fmt: skip
        tick()
    for n, (iin, number) in enumerate(used):
        answer = check_in(session, election, str(rng.choice(pecs)), iin, operator="scenario",
                          client_id=f"avc-{n}", avc=number, at=next(times))  # fmt: skip
        issued_avc += answer.outcome == ISSUE
        tick()
    sites = residents + unregistered
    for n, (iin, home) in enumerate(movers):
        away = [site for site in sites if site != home]
        if away:
            site = str(rng.choice(away))
            answer = check_in(session, election, site, iin, operator="scenario",
                              client_id=f"sup-{n}", supplementary=True,
                              at=next(times))  # fmt: skip
            added_here += answer.kind == "supplementary"
        tick()
    for n in range(newcomers):
        born = election.election_date - timedelta(days=int(rng.integers(18 * 366, 80 * 365)))
        person = _newcomer(born, n)
        answer = check_in(session, election, str(rng.choice(unregistered)), person[0],
                          operator="scenario", client_id=f"new-{n}", person=person[1],
                          at=next(times))  # fmt: skip
        added_here += answer.kind == "new"
        tick()
    progress("special check-ins", total, total)
    return issued_avc, added_here


def _newcomer(born: date, n: int) -> tuple[str, NewPerson]:
    sex = "female" if n % 2 else "male"
    number = None
    serial = 9000 + n
    while number is None:  # a serial whose check digits can be issued
        number = make_iin(born, sex, serial)
        serial += 1
    return number, NewPerson(f"Newcomer{n}", "Day", born, sex, f"shelter {n}")


def _station_ballots(
    session: Session,
    election: Election,
    scale: float,
    rng: np.random.Generator,
    progress: Progress,
) -> int:
    """Bulk ballots at each PEC, so that with the ones already issued there they make the
    protocol's ballots issued (times `scale`), drawn from voters on its list who have none yet;
    one per voter by construction. A PEC whose list ran short (voters moved away) gets what it
    has, and `saylau register reconcile` shows the difference, as it would a real one."""
    profile = profile_of(election)
    numbers = [line.no for line in profile.lines if line.code in profile.totals["voters"]]
    wanted = {
        pec: round(sum(v.get(n, 0) for n in numbers) * scale)
        for pec, v in current_pec_lines(session, election).items()
    }
    already = ballots_by_pec(session, election)
    rows = voters_without_ballot(session, election)
    if not rows:
        return 0
    pec_of = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    every = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    starts = np.r_[0, np.flatnonzero(np.diff(pec_of)) + 1, len(pec_of)]
    chosen: list[np.ndarray] = []
    for start, stop in itertools.pairwise(starts):
        pec = int(pec_of[start])
        need = max(0, wanted.get(pec, 0) - int(already.get(pec, 0)))
        chosen.append(rng.permutation(every[start:stop])[:need])
    ids = np.concatenate(chosen) if chosen else np.array([], dtype=np.int64)
    pec_of = np.repeat(pec_of[starts[:-1]], [len(c) for c in chosen])
    times = _polling_time(election, rng, len(ids))

    def tick(done: int, total: int) -> None:
        progress("election-day ballots", done, total)

    return issue_station_ballots(session, election, ids, pec_of, times, "scenario", tick)
