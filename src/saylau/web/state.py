"""The served site's memory: one snapshot per election, rebuilt when the audit chain moves.

Reading a whole election takes about a second at kz-2022 scale; pages are rendered from the
snapshot and kept by `server.fastpath` until the head moves, so election-night traffic costs no
database work but a cheap "what is the chain head?" at most once per `check_every` seconds.
Every accepted or amended protocol appends to the chain, so a moved head is exactly
"something was published"; the new snapshot then replaces the old whole (pages are never a mix
of two heads). While one thread rebuilds, others go on serving the previous snapshot.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine

from saylau.administration.service import get_election, list_elections
from saylau.audit.service import peek_head
from saylau.publish.dataset import Dataset, load_dataset
from saylau.publish.downloads import Download, auxiliary_files, build_downloads
from saylau.publish.integrity import NAMES as INTEGRITY_NAMES
from saylau.publish.integrity import integrity_files
from saylau.store.db import session_scope

CHECK_EVERY = 1.0  # seconds between head checks: how stale a page may be on election night


@dataclass
class Snapshot:
    """One election's dataset at one head, with its open files once they are asked for."""

    dataset: Dataset
    _files: dict[str, Download] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _integrity: dict[str, Download] | None = None
    _integrity_lock: threading.Lock = field(default_factory=threading.Lock)

    def downloads(self) -> list[Download]:
        return [f for f in self._all().values() if f.description]

    def file(self, name: str) -> Download | None:
        if name in INTEGRITY_NAMES:
            return self._integrity_files().get(name)
        return self._all().get(name)

    def _integrity_files(self) -> dict[str, Download]:
        """The integrity report and flags, computed on first request (seconds, not
        milliseconds: kept apart so the downloads page never waits for them)."""
        with self._integrity_lock:
            if self._integrity is None:
                self._integrity = {f.name: f for f in integrity_files(self.dataset)}
            return self._integrity

    def _all(self) -> dict[str, Download]:
        with self._lock:
            if self._files is None:
                files = [*build_downloads(self.dataset), *auxiliary_files(self.dataset)]
                self._files = {f.name: f for f in files}
            return self._files


class SiteState:
    """Snapshots of every election in one database, kept current with the audit chain."""

    def __init__(self, engine: Engine, check_every: float = CHECK_EVERY) -> None:
        self.engine = engine
        self.check_every = check_every
        self.head: tuple[int, str] = (-1, "")
        self.checked_at = 0.0
        self.elections: list[tuple[str, str, str]] = []
        self.snapshots: dict[str, Snapshot] = {}
        self._lock = threading.Lock()

    def is_fresh(self) -> bool:
        return time.monotonic() - self.checked_at < self.check_every

    def invalidate(self) -> None:
        """Make the next request look at the chain head (after a write through this server)."""
        self.checked_at = 0.0

    def refresh(self) -> None:
        """Read the chain head (and, when it moved, the list of elections)."""
        with session_scope(self.engine) as session:
            head = peek_head(session)
            if head != self.head:
                self.elections = [
                    (e.code, e.name, e.election_date.isoformat()) for e in list_elections(session)
                ]
        self.head = head
        self.checked_at = time.monotonic()

    def _current(self, election: str) -> Snapshot | None:
        found = self.snapshots.get(election)
        return found if found is not None and found.dataset.head_seq >= self.head[0] else None

    def snapshot(self, election: str) -> Snapshot:
        """The current snapshot of `election` (NotFound for an unknown code)."""
        if not self.is_fresh():
            self.refresh()
        found = self._current(election)
        if found is not None:
            return found
        previous = self.snapshots.get(election)
        if previous is not None and not self._lock.acquire(blocking=False):
            return previous  # another thread is rebuilding: serve the previous head meanwhile
        if previous is None:
            self._lock.acquire()
        try:
            found = self._current(election)
            if found is None:
                with session_scope(self.engine) as session:
                    dataset = load_dataset(session, get_election(session, election))
                found = Snapshot(dataset)
                self.snapshots[election] = found
            return found
        finally:
            self._lock.release()

    def cached(self, election: str) -> Snapshot | None:
        """The snapshot when it can be served without any database work, else None."""
        return self._current(election) if self.is_fresh() else None
