"""The deadline and warning queries under filters (the paths that first limit the issues to the deadlines'
keys, and the warnings of a region), with overrides present, checked against direct SQL on the samples."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import queries
from loaders.writer import overrides
from queries import Filters

AS_OF = dt.date(2024, 6, 30)
# The status an issue shows: the latest override, else the parsed one (NULL = unknown).
EFFECTIVE = """(SELECT COALESCE((SELECT o.status FROM overrides o WHERE o.issue_key = i.issue_key
                                 ORDER BY o.override_id DESC LIMIT 1), i.status))"""


def rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture()
def db(sample_db: Path) -> Path:
    """The samples with two corrections of overdue issues: one marked 完成 (it leaves every overdue
    list), one marked 未完成 (it stays, with source override). The samples date only 阶段性完成 issues."""
    late = f"""SELECT i.issue_key FROM issues i JOIN deadlines d USING (issue_key)
               WHERE d.due_on < ? AND {EFFECTIVE} IS DISTINCT FROM '完成' ORDER BY i.issue_key"""
    (open_key,), = rows(sample_db, late + " LIMIT 1", [AS_OF])
    overrides.add_override(sample_db, open_key, "完成", "现场核实", "测试员")
    (other_key,), = rows(sample_db, late + " DESC LIMIT 1", [AS_OF])
    overrides.add_override(sample_db, other_key, "未完成", "复查未完成", "测试员")
    return sample_db


def plain(df: pd.DataFrame) -> list[list[object]]:
    """The cells as Python values, every missing value as None (whatever the column's dtype)."""
    return df.astype(object).where(df.notna(), None).values.tolist()


def filter_sets(db: Path) -> list[Filters]:
    (unit,), = rows(db, "SELECT unit FROM reports GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    (province,), = rows(db, "SELECT province FROM reports WHERE province IS NOT NULL "
                            "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    return [
        Filters(units=(unit,), as_of=AS_OF),
        Filters(provinces=(province,), statuses=("阶段性完成", "未完成", "未知"), as_of=AS_OF),
        Filters(sources=("override", "inferred"), as_of=AS_OF),
        Filters(min_confidence=0.7, as_of=AS_OF),
    ]


def matching_issues(db: Path, f: Filters) -> set[str]:
    """Issue keys the filters let through, written directly (not with the queries package's SQL)."""
    found = set()
    for key, unit, province, source, confidence, status in rows(db, f"""
            SELECT i.issue_key, r.unit, r.province,
                   CASE WHEN EXISTS (SELECT 1 FROM overrides o WHERE o.issue_key = i.issue_key)
                        THEN 'override' ELSE i.status_source END,
                   i.confidence, COALESCE({EFFECTIVE}, '未知')
            FROM issues i JOIN reports r USING (report_key)"""):
        if (f.units and unit not in f.units) or (f.provinces and province not in f.provinces):
            continue
        if (f.statuses and status not in f.statuses) or (f.sources and source not in f.sources):
            continue
        if f.min_confidence > 0 and source != "override" and (confidence or 0) < f.min_confidence:
            continue
        found.add(key)
    return found


def test_deadline_queries_under_filters_match_direct_sql(db: Path) -> None:
    for f in filter_sets(db):
        keys = matching_issues(db, f)
        not_done = {k for k, in rows(
            db, f"SELECT issue_key FROM issues i WHERE {EFFECTIVE} IS DISTINCT FROM '完成'")}
        late = {k for k, in rows(db, "SELECT issue_key FROM deadlines WHERE due_on < ?", [AS_OF])}
        overdue = keys & not_done & late
        assert set(queries.overdue_issues(db, f)["issue_key"]) == overdue, f
        assert queries.overdue_buckets(db, f)["n"].sum() == len(overdue), f
        window = {(k, d) for k, d in rows(
            db, "SELECT issue_key, due_on FROM deadlines WHERE due_on BETWEEN ? AND ?::DATE + 90",
            [AS_OF, AS_OF])}
        soon = queries.due_soon(db, f, 90)
        got = {(r.issue_key, r.due_on.date()) for r in soon.itertuples()}
        assert got == {(k, d) for k, d in window if k in keys & not_done}, f
        assert soon["due_on"].is_monotonic_increasing
        s = queries.deadline_summary(db, f).iloc[0]
        dated = {k for k, in rows(db, "SELECT issue_key FROM deadlines WHERE due_on IS NOT NULL")}
        assert s["with_deadline"] == len(keys & dated), f
        assert s["overdue"] == len(overdue), f
        assert s["due_90"] == soon["issue_key"].nunique(), f
        dated_rows = [(k, t, d) for k, t, d in rows(
            db, "SELECT issue_key, text, due_on FROM deadlines WHERE due_on IS NOT NULL") if k in keys]
        listed = queries.deadline_rows(db, f)
        got_rows = sorted((r.issue_key, r.text, r.due_on.date()) for r in listed.itertuples())
        assert got_rows == sorted(dated_rows), f
        assert queries.deadline_points(db, f, top_units=3)["n"].sum() == len(dated_rows), f


def test_overdue_issues_are_aged_from_their_first_missed_deadline(db: Path) -> None:
    """due_on, n_missed and the deadline's text of each overdue issue, against the deadlines table."""
    missed: dict[str, list[tuple[dt.date, str]]] = {}
    for key, due, text in rows(db, "SELECT issue_key, due_on, text FROM deadlines WHERE due_on < ?", [AS_OF]):
        missed.setdefault(key, []).append((due, text))
    for f in filter_sets(db):
        listed = queries.overdue_issues(db, f)
        assert len(listed), f
        for r in listed.itertuples():
            first = min(due for due, _ in missed[r.issue_key])
            assert r.due_on.date() == first and r.n_missed == len(missed[r.issue_key]), f
            assert r.deadline in {text for due, text in missed[r.issue_key] if due == first}, f
            assert r.days_overdue == (AS_OF - first).days, f


def test_corrections_move_issues_in_and_out_of_the_filtered_overdue_list(db: Path) -> None:
    (reopened,), = rows(db, "SELECT issue_key FROM overrides WHERE status = '未完成'")
    (closed,), = rows(db, "SELECT issue_key FROM overrides WHERE status = '完成'")
    listed = queries.overdue_issues(db, Filters(sources=("override",), as_of=AS_OF))
    assert listed["issue_key"].tolist() == [reopened]
    assert listed["status"].tolist() == ["未完成"] and listed["source"].tolist() == ["override"]
    unit_of = "SELECT unit FROM issues JOIN reports USING (report_key) WHERE issue_key = ?"
    (unit,), = rows(db, unit_of, [closed])
    in_unit = queries.overdue_issues(db, Filters(units=(unit,), as_of=AS_OF))
    assert len(in_unit) and closed not in set(in_unit["issue_key"])  # its unit still has overdue issues


def test_warnings_of_a_unit(db: Path) -> None:
    (unit,), = rows(db, "SELECT r.unit FROM warnings w JOIN reports r USING (report_key) "
                        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    f = Filters(units=(unit,))
    expected = rows(db, """
        SELECT w.code, w.message FROM warnings w LEFT JOIN reports r USING (report_key)
        WHERE r.unit = ?
           OR (w.report_key IS NULL AND (w.file_sha IN (SELECT file_sha FROM reports WHERE unit = ?)
                                         OR w.file_sha IS NULL
                                         OR w.file_sha NOT IN (SELECT file_sha FROM reports)))""",
        [unit, unit])
    got = queries.warnings_list(db, f)
    assert sorted(zip(got["code"], got["message"], strict=True)) == sorted(expected)
    assert set(got["unit"].dropna()) == {unit}
    # Each warning names its file: here the unit's own (every file of the unit carries a warning).
    own = {p for p, in rows(db, "SELECT DISTINCT path FROM files JOIN reports USING (file_sha) "
                                "WHERE unit = ?", [unit])}
    assert len(got) == len(expected) > 0 and set(got["file"]) == own
    assert len(queries.warnings_list(db, f, limit=1)) == min(1, len(expected))


def test_weak_issues_are_the_explorers_rows_of_the_least_certain_issues(db: Path) -> None:
    """weak_issues carries the explorer's columns except the measures and deadlines, with the same values."""
    compared = 0
    for f in filter_sets(db):
        weak = queries.weak_issues(db, f, 0.9)
        assert len(weak) == queries.weak_issues_count(db, f, 0.9)
        if weak.empty:
            continue
        compared += len(weak)
        rows_of = queries.issues_page(db, f).set_index("issue_key").loc[weak["issue_key"]].reset_index()
        # Same values; a column with no value at all comes back as objects (None), as DuckDB's .df() gives.
        assert plain(weak) == plain(rows_of[list(weak.columns)]), f
        assert not {"measures_text", "deadlines"} & set(weak.columns)
        assert ((weak["status"] == "未知") | (weak["confidence"].fillna(0) < 0.9)).all()
    assert compared  # some filters above have weak issues
