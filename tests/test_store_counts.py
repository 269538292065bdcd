"""The per-report counts stored with each report (reports.n_issues … n_warnings) equal the rows they count,
on ingest, after a re-ingest, and after migrating a database made before them; report_counts reads the same
either way."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from conftest import migrated_copy, sample_path

import queries
from loaders.parser.parse import parse_file
from loaders.writer import store

# Each report's rows counted from the tables themselves (what report_counts computed before the columns).
COUNTED = """
SELECT r.report_key,
       (SELECT count(*) FROM issues i WHERE i.report_key = r.report_key) AS n_issues,
       (SELECT count(DISTINCT NULLIF(trim(i.category), '')) FROM issues i
         WHERE i.report_key = r.report_key) AS n_categories,
       (SELECT count(*) FROM measures m JOIN issues i USING (issue_key)
         WHERE i.report_key = r.report_key) AS n_measures,
       (SELECT count(*) FROM warnings w WHERE w.report_key = r.report_key) AS n_warnings
FROM reports r ORDER BY r.report_key"""
STORED = f"SELECT report_key, {', '.join(store.REPORT_COUNTS)} FROM reports ORDER BY report_key"


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_stored_counts_equal_the_rows_of_every_sample(sample_db: Path) -> None:
    counted = rows(sample_db, COUNTED)
    assert len(counted) == 9 and any(n_measures > 100 for _, _, _, n_measures, _ in counted)
    # the samples' 246 issues; their warnings: 000/002/003 stated-count mismatches, 004 two gaps (every
    # sample item now decides a status, so no unknown-status warning)
    assert sum(n_issues for _, n_issues, *_ in counted) == 246
    assert sum(n_warnings for *_, n_warnings in counted) == 5
    assert rows(sample_db, STORED) == counted


def test_counts_follow_a_re_ingest_and_include_duplicate_warnings(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    reports = parse_file(sample_path("001"))
    with store.connect(db) as con:
        store.write_reports(con, "sha-a", "/r/001.txt", 1, reports)
        # the same file again under another name: its reports replace the first ones (same keys)
        store.write_reports(con, "sha-b", "/r/001-copy.txt", 1, [*reports, reports[0]])
    counted = rows(db, COUNTED)
    assert rows(db, STORED) == counted
    assert max(n_warnings for *_, n_warnings in counted) >= 1  # the repeated report's duplicate_report


def test_an_older_database_is_counted_when_migrated_and_reads_the_same(
    sample_db: Path, tmp_path: Path
) -> None:
    expected = queries.report_counts(sample_db, queries.Filters())
    old = migrated_copy(sample_db, tmp_path,  # as a database made before the columns existed
                        *(f"ALTER TABLE reports DROP COLUMN {name}" for name in store.REPORT_COUNTS))
    assert rows(old, STORED) == rows(old, COUNTED)
    pd.testing.assert_frame_equal(queries.report_counts(old, queries.Filters()), expected)
