"""The open datasets: per-PEC results as CSV and JSON, the NIST CDF, and their checksums.

One row per PEC (reported or not) with every protocol line and the codes and names of its
region and TEC, so anyone can re-sum any published total. Every file is built from one
`Dataset` and says which audit-chain head it was published at; its SHA-256 is listed beside it
(and in SHA256SUMS, for `sha256sum -c`). Bytes depend only on the data, never on the clock, so
the same head always gives the same checksums.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from saylau.publish.dataset import Dataset
from saylau.publish.nist import nist_report, nist_report_xml


@dataclass(frozen=True)
class Download:
    """One published file: its name, bytes, media type and what it holds."""

    name: str
    content: bytes
    media_type: str
    description: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def station_rows(dataset: Dataset) -> list[dict[str, Any]]:
    """Every PEC as one flat record (the CSV's rows, and the JSON's `stations`)."""
    rows = []
    for pec in dataset.pecs():
        region = dataset.region_of(pec)
        tec = dataset.units[pec.parent_id] if pec.parent_id is not None else None
        protocol = dataset.protocols.get(pec.id)
        version = protocol.current if protocol else None
        flags = [c.relation.code for c in protocol.checks if not c.holds] if protocol else []
        row: dict[str, Any] = {"election": dataset.election_code}
        for prefix, unit in (("region", region), ("tec", tec), ("pec", pec)):
            row[f"{prefix}_code"] = unit.code if unit else None
            for lang in ("en", "ru", "kk"):
                row[f"{prefix}_name_{lang}"] = unit.names[lang] if unit else None
        row |= {
            "pec_type": pec.subtype,
            "urban": pec.urban,
            "settlement": pec.settlement,
            "address": pec.address,
            "reported": version is not None,
            "protocol_version": version.number if version else None,
            "audit_seq": version.audit_seq if version else None,
            "audit_hash": version.audit_hash if version else None,
            "flags": " ".join(flags),
        }
        for line in dataset.profile.lines:
            row[line.code] = version.lines.get(line.code) if version else None
        rows.append(row)
    return rows


def _csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: ("true" if v is True else "false" if v is False else v) for k, v in row.items()}
        )
    return buffer.getvalue().encode("utf-8")


def published_at(dataset: Dataset) -> dict[str, Any]:
    return {
        "audit_seq": dataset.head_seq,
        "audit_hash": dataset.head_hash,
        "time": dataset.head_time,
    }


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def results_json(dataset: Dataset, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON download: what each line means, then every PEC with its lines."""
    profile = dataset.profile
    line_fields = [line.code for line in profile.lines]  # in form order, for stable bytes
    return {
        "election": {
            "code": dataset.election_code,
            "name": dataset.election_name,
            "date": dataset.election_date.isoformat(),
            "profile_sha256": dataset.profile_sha256,
        },
        "published_at": published_at(dataset),
        "lines": [
            {"number": line.no, "code": line.code, "kind": line.kind, "label": dict(line.label)}
            for line in profile.lines
        ],
        "candidates": [
            {"code": c.code, "name": c.name, "names": dict(c.names)} for c in profile.candidates
        ],
        "stations": [
            {k: v for k, v in row.items() if k not in line_fields}
            | {"lines": {code: row[code] for code in line_fields if row[code] is not None}}
            for row in rows
        ],
    }


def stations_index(dataset: Dataset) -> list[list[Any]]:
    """The compact list the static site's polling-station search reads in the browser."""
    return [
        [u.code, u.names["kk"], u.names["ru"], u.names["en"], u.settlement or "", u.address or ""]
        for u in dataset.pecs()
    ]


def head_document(dataset: Dataset) -> dict[str, Any]:
    return {"seq": dataset.head_seq, "hash": dataset.head_hash, "time": dataset.head_time}


def _whole_seconds(stamp: str) -> str:
    """The head's time to the second: what the CDF's GeneratedDate carries."""
    if not stamp:
        return datetime(1970, 1, 1, tzinfo=UTC).isoformat()
    return datetime.fromisoformat(stamp).replace(microsecond=0).isoformat()


def build_downloads(dataset: Dataset) -> list[Download]:
    """Every open file of one election, with SHA256SUMS last."""
    rows = station_rows(dataset)
    generated = _whole_seconds(dataset.head_time)
    files = [
        Download(
            "results-by-pec.csv",
            _csv_bytes(rows),
            "text/csv; charset=utf-8",
            "csv",
        ),
        Download(
            "results-by-pec.json",
            _json_bytes(results_json(dataset, rows)),
            "application/json",
            "json",
        ),
        Download(
            "nist-cdf.json",
            _json_bytes(nist_report(dataset, generated)),
            "application/json",
            "nist-json",
        ),
        Download(
            "nist-cdf.xml",
            nist_report_xml(dataset, generated),
            "application/xml",
            "nist-xml",
        ),
    ]
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in files).encode()
    return [*files, Download("SHA256SUMS", sums, "text/plain; charset=utf-8", "sums")]


def auxiliary_files(dataset: Dataset) -> list[Download]:
    """Files the site itself reads (search index, chain head); not listed as downloads."""
    return [
        Download("stations.json", _json_bytes(stations_index(dataset)), "application/json", ""),
        Download("head.json", _json_bytes(head_document(dataset)), "application/json", ""),
    ]
