"""The public pages and open files, served from `SiteState` snapshots.

Handlers are async and answer from memory when the snapshot is fresh; database work (a head
check, a rebuild) and first renders run in the thread pool so the event loop never waits on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from saylau.domain.errors import NotFound
from saylau.web.i18n import LANGUAGES, negotiate
from saylau.web.render import Renderer, election_path, find_stations
from saylau.web.state import SiteState, Snapshot

STATIC_DIR = Path(__file__).parent / "static"
PAGE_MAX_AGE = 5

router = APIRouter(include_in_schema=False)
renderer = Renderer()


def site(request: Request) -> SiteState:
    state: SiteState = request.app.state.site
    return state


async def snapshot_of(request: Request, election: str) -> Snapshot:
    state = site(request)
    found = state.cached(election)
    if found is not None:
        return found
    try:
        return await run_in_threadpool(state.snapshot, election)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from exc


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise HTTPException(404, f"no language {lang!r}; languages: {', '.join(LANGUAGES)}")


def _answer(snap: Snapshot, key: tuple[str, ...], body: bytes, media: str) -> Response:
    """A public response, tagged with the snapshot's head (the fast path caches it by that)."""
    digest = hashlib.sha256("|".join(key).encode()).hexdigest()[:16]
    headers = {
        "ETag": f'"{snap.dataset.head_hash[:24]}-{digest}"',
        "Cache-Control": f"public, max-age={PAGE_MAX_AGE}",
        "X-Saylau-Head": str(snap.dataset.head_seq),
    }
    return Response(body, media_type=media, headers=headers)


async def _page(snap: Snapshot, key: tuple[str, ...], render: Callable[[], str]) -> Response:
    html = await run_in_threadpool(render)
    return _answer(snap, key, html.encode("utf-8"), "text/html; charset=utf-8")


@router.get("/")
async def root(request: Request) -> RedirectResponse:
    """To the browser's language, and straight to the election when there is only one."""
    state = site(request)
    if not state.is_fresh():
        await run_in_threadpool(state.refresh)
    lang = negotiate(request.headers.get("accept-language"))
    target = f"/{lang}/"
    if len(state.elections) == 1:
        target = election_path(lang, state.elections[0][0])
    return RedirectResponse(target, status_code=307, headers={"Vary": "Accept-Language"})


@router.get("/{lang}/")
async def elections(request: Request, lang: str) -> Response:
    _check_lang(lang)
    state = site(request)
    if not state.is_fresh():
        await run_in_threadpool(state.refresh)
    html = renderer.elections_page(lang, state.elections)
    return Response(html, media_type="text/html; charset=utf-8")


@router.get("/data/{election}/{name}")
async def data_file(request: Request, election: str, name: str) -> Response:
    snap = await snapshot_of(request, election)
    if name == "head.json":
        seq, head = site(request).head
        return Response(
            f'{{"seq": {seq}, "hash": "{head}"}}\n',
            media_type="application/json",
            headers={"Cache-Control": "no-cache"},
        )
    found = await run_in_threadpool(snap.file, name)
    if found is None:
        raise HTTPException(404, f"no file {name!r} for election {election}")
    return _answer(snap, ("data", name), found.content, found.media_type)


@router.get("/{lang}/{election}/")
async def national(request: Request, lang: str, election: str) -> Response:
    _check_lang(lang)
    snap = await snapshot_of(request, election)
    dataset = snap.dataset
    return await _page(
        snap,
        ("unit", lang, dataset.national.code),
        lambda: renderer.unit_page(dataset, lang, dataset.national),
    )


@router.get("/{lang}/{election}/search/")
async def search(request: Request, lang: str, election: str, q: str = "") -> Response:
    _check_lang(lang)
    snap = await snapshot_of(request, election)
    query = q.strip()[:100]
    if not query:
        return await _page(
            snap,
            ("search", lang),
            lambda: renderer.search_page(snap.dataset, lang, "", []),
        )
    hits = find_stations(snap.dataset, query)
    html = await run_in_threadpool(renderer.search_page, snap.dataset, lang, query, hits)
    return Response(html, media_type="text/html; charset=utf-8")


@router.get("/{lang}/{election}/downloads/")
async def downloads(request: Request, lang: str, election: str) -> Response:
    _check_lang(lang)
    snap = await snapshot_of(request, election)
    files = await run_in_threadpool(snap.downloads)
    return await _page(
        snap,
        ("downloads", lang),
        lambda: renderer.downloads_page(snap.dataset, lang, files),
    )


@router.get("/{lang}/{election}/{unit}/")
async def unit_page(request: Request, lang: str, election: str, unit: str) -> Response:
    _check_lang(lang)
    snap = await snapshot_of(request, election)
    found = snap.dataset.by_code(unit)
    if found is None:
        raise HTTPException(404, f"no unit {unit!r} in election {election}")
    return await _page(
        snap,
        ("unit", lang, found.code),
        lambda: renderer.unit_page(snap.dataset, lang, found),
    )
