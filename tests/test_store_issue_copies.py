"""issues' copies that let every list and count filter issues alone (schema.sql): their report's unit,
province, city, published_on and part, written with them; and their lineage's limits (shown_from /
hidden_from), kept equal to issue_lineage whenever a unit's lineage is rebuilt (a write, a re-ingest that
removes a version) and filled when an older database is migrated. The lists read the same as before, on
every date; a supervisor's correction shows at once in every list and count."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
from conftest import SERIES_DIR, assert_reads_the_same, migrated_copy

import queries
from loaders.writer import overrides
from loaders.writer.ingest import ingest_paths

UNIT = "聊城市东昌府区"
# Dates around the series' four reports (2023-09-26, 2023-12-28, 2025-06-20, 2025-09-15).
DATES = (dt.date(2023, 1, 1), dt.date(2023, 10, 1), dt.date(2023, 12, 28), dt.date(2024, 6, 1),
         dt.date(2025, 7, 1), dt.date(2026, 1, 1))
COPIES = ("unit", "province", "city", "published_on", "part")
# The definition the queries used before the copies: the issues hidden on a date (a join of the lineage).
HIDDEN = """SELECT issue_key FROM issue_lineage
            WHERE (superseded AND (successor_on IS NULL OR successor_on <= ?))
               OR (version > 1 AND published_on > ?)"""


def rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def assert_copies_true(db: Path) -> None:
    """Every issue's copies equal its report's columns, and the issues counted on each date are exactly
    those the lineage does not hide."""
    cols = ", ".join(f"i.report_{c} IS NOT DISTINCT FROM r.{c}" for c in COPIES)
    checks = rows(db, f"SELECT {cols} FROM issues i JOIN reports r USING (report_key)")
    assert checks and all(all(c) for c in checks)
    every = {k for (k,) in rows(db, "SELECT issue_key FROM issues")}
    for day in DATES:
        hidden = {k for (k,) in rows(db, HIDDEN, [day, day])}
        shown = {k for (k,) in rows(db, "SELECT issue_key FROM issues WHERE (shown_from IS NULL OR "
                                        "shown_from <= ?) AND (hidden_from IS NULL OR hidden_from > ?)",
                                    [day, day])}
        assert shown == every - hidden, day


def _lists(db: Path) -> list[pd.DataFrame]:
    out = []
    for day in DATES:
        f = queries.Filters(units=(UNIT,), as_of=day)
        counts = queries.overview_counts(db, f)  # GROUP BY: rows in no particular order
        out += [counts.sort_values(list(counts.columns)).reset_index(drop=True),
                queries.issues_page(db, f, limit=500),
                queries.deadline_rows(db, f), queries.unit_issues(db, f, UNIT)]
    return out


def test_the_series_copies_hold_on_every_date(series_db: Path) -> None:
    assert_copies_true(series_db)
    hidden_somewhere = rows(series_db, "SELECT count(*) FROM issues WHERE hidden_from IS NOT NULL")[0][0]
    later = rows(series_db, "SELECT count(*) FROM issues WHERE shown_from IS NOT NULL")[0][0]
    assert hidden_somewhere > 0 and later > 0  # the series restates problems: both limits are exercised
    # counted on a date: one per problem, as the lineage says
    for day in DATES[1:]:
        f = queries.Filters(units=(UNIT,), as_of=day)
        hidden = len(rows(series_db, HIDDEN, [day, day]))
        assert queries.issues_count(series_db, f) == 96 - hidden


def test_a_re_ingest_that_removes_a_version_refreshes_the_limits(tmp_path: Path) -> None:
    folder = tmp_path / "series"
    shutil.copytree(SERIES_DIR, folder)
    db = tmp_path / "db.duckdb"
    ingest_paths([folder], db, workers=1, progress=False)
    before = rows(db, "SELECT count(*) FROM issues WHERE hidden_from IS NOT NULL")[0][0]
    # The follow-up is replaced by a file without its issues: what it superseded counts again.
    follow = folder / "2_followup_2023-12-28.txt"
    text = follow.read_text(encoding="utf-8")
    follow.write_text(text[: len(text) // 8], encoding="utf-8")
    ingest_paths([folder], db, workers=1, progress=False)
    assert_copies_true(db)
    assert rows(db, "SELECT count(*) FROM issues WHERE hidden_from IS NOT NULL")[0][0] != before


def test_an_older_database_gets_the_copies_when_migrated_and_reads_the_same(
    series_db: Path, tmp_path: Path
) -> None:
    expected = _lists(series_db)
    old = migrated_copy(series_db, tmp_path, *(  # as a database made before the copies
        f"ALTER TABLE issues DROP COLUMN {column}"
        for column in (*(f"report_{c}" for c in COPIES), "shown_from", "hidden_from")))
    assert_copies_true(old)
    assert_reads_the_same(_lists(old), expected)


def test_a_correction_shows_at_once_in_every_list_and_count(series_db: Path) -> None:
    day = dt.date(2026, 1, 1)
    f = queries.Filters(units=(UNIT,), as_of=day)
    page = queries.issues_page(series_db, f, limit=500)
    target = page[page["status"] != "完成"].iloc[0]
    done = queries.Filters(units=(UNIT,), statuses=("完成",), as_of=day)
    n_done = queries.issues_count(series_db, done)
    done_before = queries.key_figures(series_db, f).iloc[0]["done"]
    overrides.add_override(series_db, target["issue_key"], "完成", "现场核实", "测试员")
    assert queries.issues_count(series_db, done) == n_done + 1
    assert queries.key_figures(series_db, f).iloc[0]["done"] == done_before + 1
    row = queries.issues_page(series_db, f, limit=500).set_index("issue_key").loc[target["issue_key"]]
    assert (row["status"], row["source"]) == ("完成", "override")
    assert target["issue_key"] in set(queries.issues_page(series_db, done, limit=500)["issue_key"])
    listed = queries.deadline_rows(series_db, f)
    assert set(listed.loc[listed["issue_key"] == target["issue_key"], "status"]) <= {"完成"}
    assert target["issue_key"] not in set(queries.overdue_issues(series_db, f)["issue_key"])
