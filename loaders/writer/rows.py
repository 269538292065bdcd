"""Parsed reports → rows of every data table → Arrow tables, ready for loaders/writer/store.py to insert in
bulk.

Pure Python and pyarrow (no database): the keys of reports and issues are decided here, repeated keys get a
deterministic suffix and a duplicate_report / duplicate_issue warning, and each report's row counts
(n_issues, n_categories, n_measures, n_warnings) are computed from the same rows that are written, as are
each issue's first_due (its earliest dated deadline) and title_clause (what 共性问题 compares).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from loaders.messages import Msg, warning
from loaders.models import Issue, ParseWarning, Report, stable_key
from loaders.similar import title_clause

# What DuckDB's trim() removes (Unicode space separators, category Zs): n_categories counts categories as
# count(DISTINCT NULLIF(trim(category), '')) does.
_TRIMMED = "\u0020\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"


def first_due(dates: Iterable[date | None]) -> date | None:
    """issues.first_due, its one definition: the earliest dated deadline of an issue, None when none is dated.
    Written with each issue here and by store's migration of a database made before the column; the read
    side only reads the column."""
    return min((d for d in dates if d is not None), default=None)


def report_counts(categories: Sequence[str | None], measures: Sequence[int], warnings: int) -> dict[str, int]:
    """reports.n_issues / n_categories / n_measures / n_warnings, their one definition, from a report's issues
    (their categories and how many measures each has) and its number of warnings: categories count distinct
    and non-blank as count(DISTINCT NULLIF(trim(category), '')) would. Written with each report here and by
    store's migration of a database made before the columns; the read side only reads them."""
    return {"n_issues": len(categories),
            "n_categories": len({c.strip(_TRIMMED) for c in categories if c is not None} - {""}),
            "n_measures": sum(measures), "n_warnings": warnings}


# Columns written per data table, in schema.sql's order, with their Arrow types (s string, i int32,
# l int64, f float64, d date, t timestamp, a list of strings). tests/test_store.py checks these match
# schema.sql.
_ARROW_TYPES = {"s": pa.string(), "i": pa.int32(), "l": pa.int64(), "f": pa.float64(), "d": pa.date32(),
                "t": pa.timestamp("us"), "a": pa.list_(pa.string())}
_COLUMNS = {
    "files": "file_sha:s path:s size_bytes:l ingested_at:t n_reports:i parser_version:s displaced_by:s",
    "reports": "report_key:s file_sha:s ordinal:i part:s parent_key:s title:s unit:s issuer:s province:s"
    " city:s county:s team:s inspection_start:d inspection_end:d feedback_on:d published_on:d source_url:s"
    " stated_json:s n_issues:i n_categories:i n_measures:i n_warnings:i published_on_source:s",
    "issues": "issue_key:s report_key:s seq:i label:s category:s title:s section:s status:s status_source:s"
    " evidence:s rule:s confidence:f first_due:d owner:s counter_evidence:s"
    " overdue_commitments:a title_clause:s report_unit:s report_province:s report_city:s"
    " report_published_on:d report_part:s shown_from:d hidden_from:d correction_status:s correction_source:s",
    "measures": "issue_key:s seq:i text:s",
    "deadlines": "issue_key:s seq:i text:s due_on:d",
    "figures": "report_key:s kind:s value:f unit:s evidence:s",
    "warnings": "report_key:s file_sha:s code:s message:s message_zh:s",
}
ARROW_SCHEMAS: dict[str, pa.Schema] = {
    table: pa.schema([(c.split(":")[0], _ARROW_TYPES[c.split(":")[1]]) for c in spec.split()])
    for table, spec in _COLUMNS.items()
}


@dataclass(frozen=True)
class FileVersion:
    """One file's parse, ready to be written: its identity and the reports found in it."""

    file_sha: str
    path: str
    size: int
    reports: Sequence[Report]
    parser_version: str = ""  # loaders/writer/fingerprint.py at parse time


class Rows:
    """Column-oriented rows for every data table, filled from Report objects, turned into Arrow tables."""

    def __init__(self) -> None:
        self.cols: dict[str, dict[str, list[Any]]] = {
            t: {name: [] for name in s.names} for t, s in ARROW_SCHEMAS.items()
        }

    def add(self, table: str, **row: Any) -> None:
        get = row.get
        for name, values in self.cols[table].items():
            values.append(get(name))

    def count(self, table: str) -> int:
        return len(next(iter(self.cols[table].values())))

    def arrow(self, table: str) -> pa.Table:
        return pa.Table.from_pydict(self.cols[table], schema=ARROW_SCHEMAS[table])


def add_file(rows: Rows, fv: FileVersion, now: datetime) -> None:
    """Add one file's rows (the file, its reports and everything in them) with their final keys."""
    rows.add("files", file_sha=fv.file_sha, path=fv.path, size_bytes=fv.size, ingested_at=now,
             n_reports=len(fv.reports), parser_version=fv.parser_version)
    keys = _report_keys(fv.reports, fv.file_sha)
    by_part = {r.part: k for r, k in zip(fv.reports, keys, strict=True)}
    first_report, first_warning = rows.count("reports"), rows.count("warnings")
    for ordinal, (report, rkey) in enumerate(zip(fv.reports, keys, strict=True)):
        _add_report(rows, fv.file_sha, ordinal, report, rkey, by_part.get(report.parent_part or ""))
    for report, rkey in zip(fv.reports, keys, strict=True):
        if rkey != _base_key(report, fv.file_sha):
            part = Msg(report.part, "主报告" if report.part == "main" else report.part)
            _add_warning(rows, rkey, fv.file_sha, warning("duplicate_report", part=part))
    # Every warning of these reports is written by now (a report's rows only ever come from its own file).
    owners = rows.cols["warnings"]["report_key"][first_warning:]
    columns = rows.cols["reports"]
    for n, (report, rkey) in enumerate(zip(fv.reports, keys, strict=True), first_report):
        counts = report_counts([i.category for i in report.issues], [len(i.measures) for i in report.issues],
                               owners.count(rkey))
        for name, value in counts.items():
            columns[name][n] = value


def _base_key(r: Report, file_sha: str) -> str:
    """Report.key, or for a report with no unit or no date (an excerpt without title or signature) the key
    with the file's sha in it: Report.key alone would be the same for all of them, and each such file would
    silently replace the previous one."""
    if r.unit and r.published_on is not None:
        return r.key
    return stable_key(r.key, "file", file_sha)


def _report_keys(reports: Sequence[Report], file_sha: str) -> list[str]:
    """_base_key, made unique within the file: a repeated key gets a deterministic suffix (and a warning)."""
    seen: dict[str, int] = {}
    keys = []
    for r in reports:
        base = _base_key(r, file_sha)
        n = seen.get(base, 0)
        seen[base] = n + 1
        keys.append(base if n == 0 else stable_key(base, "duplicate", n))
    return keys


def _add_report(rows: Rows, sha: str, ordinal: int, r: Report, rkey: str, parent_key: str | None) -> None:
    rows.add("reports", report_key=rkey, file_sha=sha, ordinal=ordinal, part=r.part,
             parent_key=parent_key if r.parent_part else None, title=r.title, unit=r.unit, issuer=r.issuer,
             province=r.region.province, city=r.region.city, county=r.region.county, team=r.inspection.team,
             inspection_start=r.inspection.start, inspection_end=r.inspection.end,
             feedback_on=r.inspection.feedback_on, published_on=r.published_on, source_url=r.source_url,
             stated_json=json.dumps(r.stated, ensure_ascii=False, sort_keys=True),
             published_on_source=r.published_on_source)  # n_issues … n_warnings: counted in add_file
    for f in r.figures:
        rows.add("figures", report_key=rkey, kind=f.kind, value=float(f.value), unit=f.unit,
                 evidence=f.evidence)
    for w in r.warnings:
        _add_warning(rows, rkey, sha, w)
    seen: dict[str, int] = {}
    for seq, issue in enumerate(r.issues):
        # r.issue_key(issue) when rkey is r.key (it hashes r.key the same way), without re-hashing r.key
        base = stable_key(rkey, issue.category, issue.title)
        n = seen.get(base, 0)
        seen[base] = n + 1
        ikey = base if n == 0 else stable_key(base, "duplicate", n)
        if n:
            _add_warning(rows, rkey, sha, warning("duplicate_issue", label=issue.label))
        _add_issue(rows, rkey, seq, issue, ikey, r)


def _add_warning(rows: Rows, rkey: str, sha: str, w: ParseWarning) -> None:
    rows.add("warnings", report_key=rkey, file_sha=sha, code=w.code, message=w.message,
             message_zh=w.message_zh or None)


def _add_issue(rows: Rows, rkey: str, seq: int, i: Issue, ikey: str, r: Report) -> None:
    st = i.status
    rows.add("issues", issue_key=ikey, report_key=rkey, seq=seq, label=i.label, category=i.category,
             title=i.title, section=i.section, status=st.status, status_source=st.source,
             evidence=st.evidence, rule=st.rule, confidence=float(st.confidence),
             first_due=first_due(d.due_on for d in i.deadlines),
             owner=i.owner, counter_evidence=st.counter_evidence or None,
             overdue_commitments=list(st.overdue) or None, title_clause=title_clause(i.title),
             # the report's columns every filter reads (schema.sql); shown_from / hidden_from / correction_*:
             # by the store
             report_unit=r.unit, report_province=r.region.province, report_city=r.region.city,
             report_published_on=r.published_on, report_part=r.part)
    for n, text in enumerate(i.measures):
        rows.add("measures", issue_key=ikey, seq=n, text=text)
    for n, d in enumerate(i.deadlines):
        rows.add("deadlines", issue_key=ikey, seq=n, text=d.text, due_on=d.due_on)
