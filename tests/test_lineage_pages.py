"""The lineage on the pages (AppTest on the 东昌府区 series): 单位 shows the inspection rounds as a timeline
and each problem's history, 总览 counts each problem once, 时限 marks moved deadlines, 问题清单 lists every
version on demand and its CSV carries the lineage id."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import open_issues
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
UNIT = "聊城市东昌府区"


@pytest.fixture()
def series_app(series_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = series_db
    monkeypatch.setenv("RECTIFY_DB", str(db))
    monkeypatch.setenv("RECTIFY_UPLOADS", str(tmp_path / "uploads"))
    return db


def run_page(page: str, query: dict[str, Any]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params = dict(query)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute(sql).fetchall()[0][0])


PROBLEMS = "SELECT count(DISTINCT lineage_id) FROM issue_lineage WHERE merged_into IS NULL"


def texts(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in [*at.markdown, *at.caption])


def test_unit_page_shows_the_rounds_as_a_timeline_and_each_problems_history(series_app: Path) -> None:
    at = run_page("views/unit.py", {"u": UNIT, "asof": "2026-01-01"})
    problems = count(series_app, PROBLEMS)
    assert {m.label: m.value for m in at.metric}["问题"] == str(problems)
    assert "通报与整改时间线" in [h.value for h in at.subheader]
    shown = texts(at)
    assert "第1轮巡视 · 省委第六巡视组 · 反馈 2023\\-03\\-23" in shown
    assert "第2轮巡视 · 省委第三巡视组" in shown
    # The follow-up: 41 problems continued, 1 new, 2 deadlines moved; the next round: one recurrence.
    assert "延续 41 ｜ 新问题 1 ｜ 时限调整 2" in shown
    assert "屡改屡犯线索 1" in shown
    assert len(at.get("plotly_chart")) >= 1
    # Issues at their latest version, each problem once (the page shows 50 per page).
    issue_expanders = [e for e in at.expander if "badge[" in e.label]
    assert len(issue_expanders) == min(problems, 50)
    reworded = [e for e in issue_expanders if "惠企政策兑现不及时" in e.label]
    assert len(reworded) == 1 and "时限已调整" in reworded[0].label
    assert not reworded[0].markdown  # closed: its content is drawn only when opened
    open_issues(at, lambda label: "惠企政策兑现不及时" in label)
    reworded = [e for e in at.expander if "badge[" in e.label and "惠企政策兑现不及时" in e.label]
    inside = "\n".join(str(m.value) for m in reworded[0].markdown)
    assert "历次通报" in inside and "3 个版本" in inside
    history = reworded[0].dataframe[0].value
    assert list(history["版本"]) == ["第1版", "第2版", "第3版"]
    assert list(history["整改状态"]) == ["阶段性完成", "阶段性完成", "完成"]


def test_overview_counts_each_problem_once(series_app: Path) -> None:
    at = run_page("views/overview.py", {"asof": "2026-01-01"})
    stored = count(series_app, "SELECT count(*) FROM issues")
    problems = count(series_app, PROBLEMS)
    assert stored > problems
    assert {m.label: m.value for m in at.metric}["问题"] == str(problems)


def test_deadlines_page_marks_moved_deadlines(series_app: Path) -> None:
    at = run_page("views/deadlines.py", {"asof": "2024-08-01"})
    assert {m.label: m.value for m in at.metric}["时限调整过"] == "2"
    overdue = next(d.value for d in at.dataframe if "逾期天数" in d.value.columns)  # the overdue table
    moved = overdue[overdue["时限调整"] != ""]
    assert list(moved["时限调整"]) == ["调整1次（最初2026-12-31）", "调整1次（最初2023-12-31）"]


@pytest.fixture()
def csv_downloads(monkeypatch: pytest.MonkeyPatch) -> list[Callable[[], Any]]:
    """The deferred CSV builders st.download_button registers (AppTest serves no files)."""
    captured: list[Callable[[], Any]] = []
    original = MediaFileManager.add_deferred

    def spy(self: MediaFileManager, data_callable: Callable[[], Any], *args: Any, **kwargs: Any) -> str:
        captured.append(data_callable)
        return original(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return captured


def test_issue_list_shows_every_version_on_demand_and_the_csv_carries_the_lineage_id(
    series_app: Path, csv_downloads: list[Callable[[], Any]]
) -> None:
    at = run_page("views/issues.py", {"asof": "2026-01-01"})
    problems = count(series_app, PROBLEMS)
    assert f"**共 {problems} 条**" in texts(at)
    at.toggle(key="all_versions").set_value(True).run()
    assert not at.exception
    assert "**共 96 条**" in texts(at)
    built = [b() for b in csv_downloads[::-1]]  # the page offers the CSV beside the Excel ledger (a zip)
    data = next(b for b in built if isinstance(b, bytes) and b.startswith(b"\xef\xbb\xbf"))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 96
    versions: dict[str, set[str]] = {}
    for row in rows:
        versions.setdefault(row["问题脉络编号"], set()).add(row["版本"])
    assert max(len(v) for v in versions.values()) == 3  # one problem printed by three reports
    assert sum(1 for v in versions.values() if v == {"1"}) > 0
