"""The public pages over an election night in progress, through the real application."""

from __future__ import annotations

import csv
import hashlib
import io
import re

from saylau.web.i18n import negotiate
from tests.night import REPORTED, STATIONS, Night


def digits(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def field(html: str, name: str) -> str:
    found = re.search(rf'data-field="{name}">([^<]+)<', html)
    assert found, name
    return found.group(1)


def test_national_page_shows_the_api_figures_and_progress(night: Night) -> None:
    api = night.client.get("/api/v1/elections/kz-2022/results").json()
    html = night.client.get("/en/kz-2022/").text
    for name in ("registered", "voters", "valid", "invalid", "avc", "mobile"):
        assert digits(field(html, name)) == api[name], name
    reported = round(STATIONS * REPORTED)
    assert f"{reported} of {STATIONS} polling stations reported" in html
    assert "No outcome yet" in html
    for candidate in api["candidates"]:
        row = re.search(rf'data-candidate="{candidate["name"]}">.*?</tr>', html, re.S)
        assert row and f"{candidate['votes']:,}" in row.group(0)
        assert f"{candidate['pct']:.2f}%" in row.group(0)


def test_a_new_protocol_shows_on_the_pages_at_once(night: Night) -> None:
    reported = round(STATIONS * REPORTED)
    pec, item = sorted(night.waiting.items())[0]
    token = night.token("op", "pec-operator", pec)
    assert f'data-reported="{reported}"' in night.client.get("/en/kz-2022/").text
    assert "has not been received yet" in night.client.get(f"/en/kz-2022/{pec}/").text
    answer = night.client.post(
        "/api/v1/elections/kz-2022/protocols",
        json={"pec": pec, "lines": dict(item.lines)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201
    assert f'data-reported="{reported + 1}"' in night.client.get("/en/kz-2022/").text
    page = night.client.get(f"/en/kz-2022/{pec}/").text
    assert answer.json()["audit_hash"] in page
    assert int(night.client.get("/data/kz-2022/head.json").json()["seq"]) > 0


def test_pec_page_shows_protocol_checks_and_amendment_history(night: Night) -> None:
    pec = night.reported[0]
    tec = night.client.get(f"/api/v1/elections/kz-2022/units/{pec}").json()["parent"]
    token = night.token("Aigerim", "tec-operator", tec)
    current = night.client.get(f"/api/v1/elections/kz-2022/protocols/{pec}").json()
    night.client.post(
        f"/api/v1/elections/kz-2022/protocols/{pec}/amendments",
        json={
            "version": 1,
            "lines": current["lines"],
            "explanations": current["explanations"],
            "decision": "Decision 4/11",
            "reason": "recount on request of candidate's proxy",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    html = night.client.get(f"/en/kz-2022/{pec}/").text
    for line, value in current["lines"].items():
        row = re.search(rf'data-line="{line}">.*?data-field="value">([^<]+)<', html, re.S)
        assert row and digits(row.group(1)) == value, line
    assert html.count('data-relation="') == 6
    assert "№9 = №11 + №10" in html or "№9 = №10 + №11" in html
    assert "Decision 4/11" in html and "recount on request" in html and "Aigerim" in html
    history = night.client.get(f"/api/v1/elections/kz-2022/protocols/{pec}/history").json()
    assert all(v["audit_hash"] in html for v in history)


def test_search_by_number_settlement_and_address(night: Night) -> None:
    pecs = night.client.get(
        "/api/v1/elections/kz-2022/units", params={"kind": "pec", "limit": 1}
    ).json()["items"]
    pec = pecs[0]
    for query in (pec["code"], pec["address"].split(",")[1].upper(), pec["name_kk"].lower()):
        html = night.client.get("/en/kz-2022/search/", params={"q": query}).text
        assert f'href="/en/kz-2022/{pec["code"]}/"' in html, query
    html = night.client.get("/en/kz-2022/search/", params={"q": "no such place anywhere"}).text
    assert "No polling station matches." in html


def test_downloads_carry_their_checksums_and_re_sum_to_the_national_page(night: Night) -> None:
    page = night.client.get("/en/kz-2022/downloads/").text
    listed = dict(re.findall(r'data-file="([^"]+)">.*?data-sha256>([0-9a-f]{64})<', page, re.S))
    assert set(listed) == {
        "results-by-pec.csv",
        "results-by-pec.json",
        "nist-cdf.json",
        "nist-cdf.xml",
        "SHA256SUMS",
    }
    files = {name: night.client.get(f"/data/kz-2022/{name}").content for name in listed}
    for name, content in files.items():
        assert hashlib.sha256(content).hexdigest() == listed[name], name
    sums = dict(line.split("  ")[::-1] for line in files["SHA256SUMS"].decode().splitlines())
    assert all(sums[name] == listed[name] for name in sums)
    rows = list(csv.DictReader(io.StringIO(files["results-by-pec.csv"].decode())))
    assert len(rows) == STATIONS
    api = night.client.get("/api/v1/elections/kz-2022/results").json()
    reported = [r for r in rows if r["reported"] == "true"]
    assert len(reported) == api["pecs_reported"]
    assert sum(int(r["valid"]) for r in reported) == api["valid"]
    tokayev = sum(int(r["tokayev"]) for r in reported)
    assert tokayev == next(c["votes"] for c in api["candidates"] if "Tokayev" in c["name"])


def test_languages_negotiation_and_number_formats(night: Night) -> None:
    root = night.client.get(
        "/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"}, follow_redirects=False
    )
    assert root.status_code == 307 and root.headers["location"] == "/ru/kz-2022/"
    assert negotiate("de-DE,de;q=0.9") == "en"
    assert negotiate(None) == "kk"
    assert negotiate("en;q=0.5, kk") == "kk"
    api = night.client.get("/api/v1/elections/kz-2022/results").json()
    ru = night.client.get("/ru/kz-2022/").text
    assert '<html lang="ru">' in ru
    assert field(ru, "registered") == f"{api['registered']:,}".replace(",", "\u00a0")
    assert field(ru, "turnout_pct") == f"{api['turnout_pct']:.2f}%".replace(".", ",")
    assert night.client.get("/de/kz-2022/").status_code == 404
    assert night.client.get("/en/kz-2022/XX-99/").status_code == 404


def test_page_etags_revalidate(night: Night) -> None:
    first = night.client.get("/en/kz-2022/")
    again = night.client.get("/en/kz-2022/", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_the_integrity_report_of_the_published_results(night: Night) -> None:
    page = night.client.get("/ru/kz-2022/downloads/").text
    assert "Анализ достоверности" in page
    assert 'href="/data/kz-2022/integrity-report.html"' in page
    report = night.client.get("/data/kz-2022/integrity-report.html")
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/html")
    head = night.client.get("/api/v1/audit/head").json()
    # Computed from the snapshot the pages show, which it names.
    assert head["hash"] in report.text
    # Only the stations that have reported are analysed.
    reported = round(STATIONS * REPORTED)
    assert f"<dt>Polling stations</dt><dd>{reported}</dd>" in report.text
    flags = night.client.get("/data/kz-2022/integrity-flags.csv").text
    assert flags.splitlines()[0] == (
        "station,region,district,score,turnout,leader_share,reasons,explanations"
    )
