"""A measure's text is stored once (the measures table): issues has no joined copy (measures_text) any more,
yet the pages read each issue's measures as before (one per line) and the search still finds words in them;
a database made with the copy loses it when migrated and reads the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from conftest import assert_reads_the_same, migrated_copy, sample_path

import queries
from loaders.parser.parse import parse_file
from loaders.writer import store

AS_OF = dt.date(2024, 6, 30)


def _columns(db: Path, table: str) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}


def _views(db: Path) -> list[object]:
    f = queries.Filters(as_of=AS_OF)
    word = "整改"
    return [queries.issues_page(db, f, limit=50), queries.issues_page(db, f, search=word, limit=50),
            queries.issues_count(db, f, word), queries.issues_count(db, f, "app"), queries.ledger_rows(db, f),
            queries.unit_issues(db, f, queries.issues_page(db, f, limit=1)["unit"].iloc[0])]


def test_each_issue_reads_its_measures_from_the_one_copy(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    reports = parse_file(sample_path("001"))
    with store.connect(db) as con:
        store.write_reports(con, "sha-a", "/r/001.txt", 1, reports)
    assert "measures_text" not in _columns(db, "issues")
    page = queries.issues_page(db, queries.Filters(as_of=AS_OF))  # every row (no limit: one pass)
    cut = queries.issues_page(db, queries.Filters(as_of=AS_OF), limit=10)  # a page (fetched by key)
    want = sorted((i.title, "\n".join(i.measures)) for r in reports for i in r.issues)
    assert sorted(zip(page["title"], page["measures_text"], strict=True)) == want
    assert set(zip(cut["title"], cut["measures_text"], strict=True)) <= set(want) and len(cut) == 10
    # a word of one issue's measures (not of its title) finds it
    issue = next(i for r in reports for i in r.issues
                 if len(i.measures) > 1 and i.measures[1][:6] not in i.title)
    word = issue.measures[1][:6]
    found = queries.issues_page(db, queries.Filters(as_of=AS_OF), search=word)
    assert issue.title in set(found["title"])
    assert len(found) == sum(word in i.title or any(word in m for m in i.measures) for r in reports
                             for i in r.issues)


def test_an_older_database_drops_the_copy_when_migrated_and_reads_the_same(
    sample_db: Path, tmp_path: Path
) -> None:
    expected = _views(sample_db)
    old = migrated_copy(  # as ingest wrote it before: every measure joined by line breaks
        sample_db, tmp_path, "ALTER TABLE issues ADD COLUMN measures_text VARCHAR",
        "UPDATE issues SET measures_text = COALESCE((SELECT string_agg(m.text, chr(10) ORDER BY m.seq) "
        "FROM measures m WHERE m.issue_key = issues.issue_key), '')")
    assert "measures_text" not in _columns(old, "issues") | _columns(old, "issues_current")
    assert_reads_the_same(_views(old), expected)
