"""`saylau publish site`: the whole public site and open data as static files.

The files are rendered by the same renderer as the served site and laid out so that any static
host (nginx, a CDN, `python -m http.server`) serves them under the same paths: a directory per
page with its `index.html`. The search page, which has no server behind it here, searches the
published `stations.json` in the browser.

Nothing personal from the voter register is published: the "where do I vote" lookup reads it,
so its page here only says that the lookup needs the served site and points to the station
search, and the operators' check-in page is not written at all. Turnout from check-ins, which
is counts only, is written where the API would serve it (`publish.turnout`).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import cache
from pathlib import Path

from saylau.publish.dataset import Dataset
from saylau.publish.downloads import auxiliary_files, build_downloads
from saylau.publish.integrity import integrity_files
from saylau.publish.turnout import PublishedTurnout, turnout_files
from saylau.web.i18n import LANGUAGES
from saylau.web.register_pages import lookup_path, where_to_vote_page
from saylau.web.render import Renderer, data_path, election_path, unit_path
from saylau.web.routes import STATIC_DIR

Progress = Callable[[str, int, int], None]
CHUNK = 250  # unit pages per task: small enough for a smooth progress bar


def _write(out: Path, url_path: str, content: bytes) -> None:
    """Write the file a static host serves for `url_path` (a directory path gets index.html)."""
    target = out / url_path.lstrip("/")
    if url_path.endswith("/"):
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


# The dataset being published, for worker processes forked from the publishing one: they read it
# from memory (copy-on-write) instead of receiving it pickled.
_SHARED: dict[str, Dataset] = {}


def _render_chunk(code: str, lang: str, unit_ids: Sequence[int], out: str) -> int:
    """Render and write the pages of `unit_ids` in `lang` (runs in a worker process)."""
    dataset = _SHARED[code]
    renderer = _renderer()
    for unit_id in unit_ids:
        unit = dataset.units[unit_id]
        html = renderer.unit_page(dataset, lang, unit)
        _write(Path(out), unit_path(lang, code, unit), html.encode())
    return len(unit_ids)


@cache
def _renderer() -> Renderer:
    return Renderer()


def write_site(
    datasets: Sequence[Dataset],
    out: Path,
    progress: Progress | None = None,
    workers: int | None = None,
    turnouts: Mapping[str, PublishedTurnout | None] | None = None,
) -> int:
    """Render every page and file of every election into `out`; returns the number of files.

    `turnouts` (by election code, from `publish.turnout.load_turnout`): turnout from check-ins
    to publish with each election, if any.

    Unit pages (three per commission) are most of the work: they are rendered by `workers`
    forked processes (default: one per CPU), in chunks, with progress reported per chunk.
    """
    renderer = _renderer()
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(STATIC_DIR, out / "static", dirs_exist_ok=True)
    written = 1
    elections = [(d.election_code, d.election_name, d.election_date.isoformat()) for d in datasets]
    first = datasets[0].election_code if len(datasets) == 1 else None
    _write(out, "/", renderer.root_page(first).encode())
    for lang in LANGUAGES:
        _write(out, f"/{lang}/", renderer.elections_page(lang, elections).encode())
        written += 1
    for dataset in datasets:
        written += _write_election(dataset, out, renderer, progress, workers or os.cpu_count() or 1)
        turnout = (turnouts or {}).get(dataset.election_code)
        if turnout is not None:
            for url_path, content in turnout_files(dataset.election_code, turnout):
                _write(out, url_path, content)
                written += 1
    return written


def _write_election(
    dataset: Dataset, out: Path, renderer: Renderer, progress: Progress | None, workers: int
) -> int:
    code = dataset.election_code
    files = build_downloads(dataset)
    written = 0
    if progress:
        progress(f"integrity {code}", 0, 1)
    integrity = integrity_files(dataset)
    if progress:
        progress(f"integrity {code}", 1, 1)
    for file in [*files, *auxiliary_files(dataset), *integrity]:
        _write(out, data_path(code, file.name), file.content)
        written += 1
    for lang in LANGUAGES:
        home = election_path(lang, code)
        _write(out, home + "search/", renderer.search_page(dataset, lang, None, None).encode())
        _write(out, home + "downloads/", renderer.downloads_page(dataset, lang, files).encode())
        lookup = where_to_vote_page(dataset, lang, served=False).encode()
        _write(out, lookup_path(lang, code), lookup)
        written += 3
    ids = sorted(dataset.units)
    chunks = [(lang, ids[i : i + CHUNK]) for lang in LANGUAGES for i in range(0, len(ids), CHUNK)]
    total = len(ids) * len(LANGUAGES)
    done = 0
    if progress:
        progress(f"pages {code}", 0, total)
    _SHARED[code] = dataset
    try:
        if workers <= 1:
            results = (_render_chunk(code, lang, chunk, str(out)) for lang, chunk in chunks)
            for count in results:
                done += count
                if progress:
                    progress(f"pages {code}", done, total)
        else:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                futures = [
                    pool.submit(_render_chunk, code, lang, chunk, str(out))
                    for lang, chunk in chunks
                ]
                for future in as_completed(futures):
                    done += future.result()
                    if progress:
                        progress(f"pages {code}", done, total)
    finally:
        _SHARED.pop(code, None)
    return written + done
