"""issues.first_due (each issue's earliest dated deadline, which the overdue queries read instead of joining
deadlines) equals min(deadlines.due_on) per issue: on ingest, after a re-ingest of a changed file, and after
migrating a database made before the column; the queries read the same on an old database, migrated or not."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
from conftest import assert_reads_the_same, migrated_copy, sample_path

import queries
from loaders.models import Deadline
from loaders.parser.parse import parse_file
from loaders.writer import overrides, store

AS_OF = dt.date(2024, 6, 30)
# Per issue: the stored first_due beside the earliest dated deadline, counted from the deadlines table.
PAIRS = """
SELECT i.issue_key, i.first_due, (SELECT min(d.due_on) FROM deadlines d WHERE d.issue_key = i.issue_key)
FROM issues i ORDER BY i.issue_key"""


def rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def assert_first_due_is_the_earliest_deadline(db: Path) -> list[tuple]:
    pairs = rows(db, PAIRS)
    assert pairs and all(stored == counted for _, stored, counted in pairs)
    return pairs


def test_ingest_stores_each_issues_earliest_deadline(sample_db: Path) -> None:
    pairs = assert_first_due_is_the_earliest_deadline(sample_db)
    dated = [key for key, first, _ in pairs if first is not None]
    assert dated and len(dated) < len(pairs)  # the samples have issues with and without a dated deadline
    # an issue with several deadlines stores the earliest, wherever it stands in the text
    (several,) = rows(sample_db, "SELECT count(*) FROM (SELECT issue_key FROM deadlines "
                                 "WHERE due_on IS NOT NULL GROUP BY 1 HAVING count(DISTINCT due_on) > 1)")[0]
    assert several > 0


def test_a_changed_file_re_ingested_updates_first_due(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    reports = parse_file(sample_path("001"))
    with store.connect(db) as con:
        store.write_reports(con, "sha-a", "/r/001.txt", 1, reports)
    assert_first_due_is_the_earliest_deadline(db)
    main = reports[0]
    dated = [n for n, i in enumerate(main.issues) if any(d.due_on for d in i.deadlines)]
    assert len(dated) >= 2
    earlier, undated = dated[0], dated[1]
    issues = list(main.issues)
    # one issue gets an earlier deadline written last; another keeps only an unresolved one (NULL first_due)
    added = Deadline("力争2020年底前", dt.date(2020, 12, 31))
    issues[earlier] = dataclasses.replace(issues[earlier], deadlines=(*issues[earlier].deadlines, added))
    issues[undated] = dataclasses.replace(issues[undated], deadlines=(Deadline("尽快", None),))
    changed = [dataclasses.replace(main, issues=tuple(issues)), *reports[1:]]
    with store.connect(db) as con:  # the same path with new content replaces the previous version
        store.write_reports(con, "sha-b", "/r/001.txt", 1, changed)
    pairs = {key: first for key, first, _ in assert_first_due_is_the_earliest_deadline(db)}
    key_of = {title: key for key, title in rows(db, "SELECT issue_key, title FROM issues")}
    assert pairs[key_of[issues[earlier].title]] == dt.date(2020, 12, 31)
    assert pairs[key_of[issues[undated].title]] is None


def _overdue_views(db: Path) -> list[pd.DataFrame]:
    f = queries.Filters(as_of=AS_OF)
    narrowed = queries.Filters(statuses=("阶段性完成", "未完成"), as_of=AS_OF)
    return [queries.key_figures(db, f), queries.overdue_issues(db, f), queries.overdue_buckets(db, f),
            queries.deadline_summary(db, f), queries.deadline_summary(db, narrowed),
            queries.overdue_issues(db, narrowed, limit=5)]


def test_an_older_database_gets_first_due_when_migrated_and_reads_the_same(
    sample_db: Path, tmp_path: Path
) -> None:
    (key,), = rows(sample_db, "SELECT issue_key FROM issues WHERE first_due < ? ORDER BY 1 LIMIT 1", [AS_OF])
    overrides.add_override(sample_db, key, "完成", "现场核实", "测试员")  # the view's overrides still apply
    expected = _overdue_views(sample_db)
    assert expected[0].iloc[0]["overdue"] > 0
    # as a database made before the column existed
    old = migrated_copy(sample_db, tmp_path, "ALTER TABLE issues DROP COLUMN first_due")
    assert_first_due_is_the_earliest_deadline(old)
    assert "first_due" in {r[0] for r in rows(old, "DESCRIBE issues_effective")}
    assert_reads_the_same(_overdue_views(old), expected)
