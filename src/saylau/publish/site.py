"""`saylau publish site`: the whole public site and open data as static files.

The files are rendered by the same renderer as the served site and laid out so that any static
host (nginx, a CDN, `python -m http.server`) serves them under the same paths: a directory per
page with its `index.html`. The search page, which has no server behind it here, searches the
published `stations.json` in the browser.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from saylau.publish.dataset import Dataset
from saylau.publish.downloads import auxiliary_files, build_downloads
from saylau.web.i18n import LANGUAGES
from saylau.web.render import Renderer, data_path, election_path, unit_path
from saylau.web.routes import STATIC_DIR

Progress = Callable[[str, int, int], None]


def _write(out: Path, url_path: str, content: bytes) -> None:
    """Write the file a static host serves for `url_path` (a directory path gets index.html)."""
    target = out / url_path.lstrip("/")
    if url_path.endswith("/"):
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


def write_site(datasets: Sequence[Dataset], out: Path, progress: Progress | None = None) -> int:
    """Render every page and file of every election into `out`; returns the number of files."""
    renderer = Renderer()
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(STATIC_DIR, out / "static", dirs_exist_ok=True)
    written = 0
    elections = [(d.election_code, d.election_name, d.election_date.isoformat()) for d in datasets]
    first = datasets[0].election_code if len(datasets) == 1 else None
    _write(out, "/", renderer.root_page(first).encode())
    for lang in LANGUAGES:
        _write(out, f"/{lang}/", renderer.elections_page(lang, elections).encode())
        written += 1
    for dataset in datasets:
        code = dataset.election_code
        files = build_downloads(dataset)
        for file in [*files, *auxiliary_files(dataset)]:
            _write(out, data_path(code, file.name), file.content)
            written += 1
        units = list(dataset.units.values())
        total = len(units) * len(LANGUAGES)
        done = 0
        for lang in LANGUAGES:
            home = election_path(lang, code)
            _write(out, home + "search/", renderer.search_page(dataset, lang, None, None).encode())
            _write(out, home + "downloads/", renderer.downloads_page(dataset, lang, files).encode())
            written += 2
            for unit in units:
                html = renderer.unit_page(dataset, lang, unit)
                _write(out, unit_path(lang, code, unit), html.encode())
                written += 1
                done += 1
                if progress and (done % 500 == 0 or done == total):
                    progress(f"pages {code}", done, total)
    return written + 1
