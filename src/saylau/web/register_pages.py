"""The register's pages: the public "where do I vote" lookup and the PEC operators' check-in.

Both exist on the served site only. The lookup reads the voter register, so it can be neither
cached nor exported as a static file (`saylau publish site` writes a page that says so and
points to the station search instead); the check-in page is a form for PEC operators that talks
to the check-in API with their token, and is not published at all.

The lookup works without JavaScript: the form posts the IIN and date of birth in the body (never
in the URL, which access logs keep) and the answer is rendered on the server. It is rate-limited
per client address with the API's limit (counted by the server before this page runs), shares
its neutral "not found" answer, and never shows back what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from saylau.administration.service import get_election
from saylau.domain.errors import NotFound
from saylau.domain.iin import IinError
from saylau.publish.dataset import Dataset
from saylau.register.lookup import PollingStation, polling_station_for
from saylau.store.db import session_scope
from saylau.web.i18n import LANGUAGES
from saylau.web.render import election_path
from saylau.web.routes import renderer, snapshot_of

router = APIRouter(include_in_schema=False)

# Where the server's rate limit (`server.ratelimit.LookupLimit`) leaves the seconds this client
# must wait, when it is over the limit; the page then says so instead of looking up.
LOOKUP_WAIT = "lookup_retry_after"
MAX_FORM_BYTES = 4096  # an IIN and a date: anything longer is not this form
NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class Answer:
    """What the lookup page shows under the form. kind: found | not_found | bad_iin |
    bad_date | limited; `station` for found, `wait` (seconds) for limited."""

    kind: str
    station: PollingStation | None = None
    wait: int | None = None


def lookup_path(lang: str, election: str) -> str:
    return election_path(lang, election) + "where-to-vote/"


def checkin_path(lang: str, election: str) -> str:
    return election_path(lang, election) + "checkin/"


def _context(dataset: Dataset, lang: str, here: str) -> dict[str, Any]:
    """The election pages' common context (navigation, languages, footer), without the
    election-night "new results" poll, which means nothing on these pages."""
    context = renderer._common(dataset, lang, here)
    context.pop("head_url", None)
    return context


def where_to_vote_page(
    dataset: Dataset, lang: str, *, served: bool, answer: Answer | None = None
) -> str:
    """The lookup page; `served` False is the static site's copy, which cannot look up."""
    here = lookup_path(lang, dataset.election_code)
    context = _context(dataset, lang, here)
    station_url = None
    if answer is not None and answer.station is not None:
        station_url = election_path(lang, dataset.election_code) + answer.station.code + "/"
    return renderer.render(
        lang,
        "where_to_vote.html",
        served=served,
        answer=answer,
        lookup_url=here,
        station_url=station_url,
        **context,
    )


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise HTTPException(404, f"no language {lang!r}; languages: {', '.join(LANGUAGES)}")


def _html(html: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        html,
        status_code=status,
        media_type="text/html; charset=utf-8",
        headers={**NO_STORE, **(headers or {})},
    )


@router.get("/{lang}/{election}/where-to-vote/")
async def where_to_vote_form(request: Request, lang: str, election: str) -> Response:
    _check_lang(lang)
    snap = await snapshot_of(request, election)
    html = await run_in_threadpool(where_to_vote_page, snap.dataset, lang, served=True)
    return _html(html)


def _look_up(request: Request, election: str, fields: dict[str, list[str]]) -> Answer:
    """Check the form's two fields and ask the register (in a worker thread)."""
    iin = (fields.get("iin") or [""])[0].strip()
    try:
        born = date.fromisoformat((fields.get("birth_date") or [""])[0].strip())
    except ValueError:
        return Answer("bad_date")
    with session_scope(request.app.state.engine) as session:
        try:
            station = polling_station_for(session, get_election(session, election), iin, born)
        except IinError:
            return Answer("bad_iin")
    return Answer("found", station) if station is not None else Answer("not_found")


async def _small_body(request: Request) -> bytes:
    """The form's body, refused (413) as soon as it outgrows any real lookup form."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, f"the lookup form is at most {MAX_FORM_BYTES} bytes")
    return body


@router.post("/{lang}/{election}/where-to-vote/")
async def where_to_vote_answer(request: Request, lang: str, election: str) -> Response:
    """The answer, under the form again (the IIN is not put back in it)."""
    _check_lang(lang)
    snap = await snapshot_of(request, election)
    wait: int | None = getattr(request.state, LOOKUP_WAIT, None)
    if wait is not None:
        html = where_to_vote_page(
            snap.dataset, lang, served=True, answer=Answer("limited", wait=wait)
        )
        return _html(html, 429, {"Retry-After": str(wait)})
    fields = parse_qs((await _small_body(request)).decode("utf-8", errors="replace"))
    try:
        answer = await run_in_threadpool(_look_up, request, election, fields)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    html = await run_in_threadpool(
        where_to_vote_page, snap.dataset, lang, served=True, answer=answer
    )
    return _html(html)


@router.get("/{lang}/{election}/checkin/")
async def checkin_page(request: Request, lang: str, election: str) -> Response:
    """The PEC operators' check-in form; everything it does goes through the check-in API."""
    _check_lang(lang)
    snap = await snapshot_of(request, election)
    dataset = snap.dataset
    context = _context(dataset, lang, checkin_path(lang, dataset.election_code))
    html = await run_in_threadpool(
        renderer.render,
        lang,
        "checkin.html",
        api=f"/api/v1/elections/{dataset.election_code}/checkins",
        **context,
    )
    return _html(html)
