"""总览 counts each problem once, at its latest version as of the chosen date (tests/series/dongchangfu:
a progress report, its December follow-up, a 回头看 of the same inspection and the next round's report)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

import queries

UNIT = "聊城市东昌府区"


def parsed(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_overview_counts_each_problem_once_at_its_latest_version(series_db: Path) -> None:
    f = queries.Filters(units=(UNIT,), as_of=dt.date(2026, 1, 1))
    k = queries.key_figures(series_db, f).iloc[0]
    stored = parsed(series_db, "SELECT count(*) FROM issues")[0][0]
    problems = parsed(series_db, "SELECT count(DISTINCT lineage_id) FROM issue_lineage "
                                 "WHERE merged_into IS NULL")[0][0]
    assert stored == 96 and problems < stored  # several reports restate the same problems
    assert k["issues"] == problems
    # Each problem's status is its latest report's: sum over the statuses of the last versions only.
    last = parsed(series_db, "SELECT COALESCE(status, '未知'), count(*) FROM issues JOIN issue_lineage "
                             "USING (issue_key) WHERE NOT superseded GROUP BY 1")
    assert dict(last) == {s: n for s, n in zip(("完成", "阶段性完成", "未完成", "未知"),
                                                 (k["done"], k["partial"], k["open"], k["unknown"]),
                                                 strict=True) if n}
    split = queries.status_split(series_db, f)
    assert split["n"].sum() == problems
    by_unit = queries.status_by_unit(series_db, f)
    assert by_unit["n"].sum() == problems
    by_category = queries.status_by_category(series_db, f)
    assert by_category["n"].sum() == problems
