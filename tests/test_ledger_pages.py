"""The ledger on the dashboard's pages (AppTest on a copy of the sample database): the light filter kept in
the URL, light counts on 总览 and 时限, self-reported completion on 总览 / 单位 / 数据质量, the ranking on
评分, groups on 共性问题, and the downloads of 问题清单 and 单位 read back."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import duckdb
import openpyxl
import pytest
from test_ledger import AS_OF, UNIT, light_sql, one
from test_pages import (
    csv_downloads,  # noqa: F401 - the fixture `downloads` wraps
    csv_rows,
    last_download,
    metrics,
    run_page,
    texts,
)

Captured = list[tuple[str | None, Callable[[], Any]]]


@pytest.fixture()
def downloads(csv_downloads: Captured) -> Captured:  # noqa: F811 - test_pages' fixture, imported above
    """The download builders the pages register (test_pages.csv_downloads: CSV, xlsx and docx alike)."""
    return csv_downloads


def test_light_filter_from_the_url_narrows_every_page(app_db: Path) -> None:
    red = one(app_db, f"SELECT count(*) FROM ({light_sql()}) WHERE light = '红'")
    at = run_page("views/issues.py", query={"light": "红", "asof": AS_OF.isoformat()})
    assert at.sidebar.multiselect(key="f_light").value == ["红"]
    assert f"共 {red} 条" in texts(at)
    assert set(at.dataframe[0].value["预警灯"]) == {"红灯"}
    assert at.query_params["light"] == "红"
    at = run_page("views/overview.py", at=at)
    assert metrics(at)["红灯"] == str(red) and metrics(at)["问题"] == str(red)


def test_overview_and_deadlines_count_the_lights(app_db: Path) -> None:
    counts = dict(duckdb.connect(str(app_db), read_only=True).execute(
        f"SELECT light, count(*) FROM ({light_sql()}) GROUP BY light").fetchall())
    at = run_page(query={"asof": AS_OF.isoformat()})
    m = metrics(at)
    assert (m["红灯"], m["黄灯"], m["绿灯"]) == tuple(str(counts.get(x, 0)) for x in ("红", "黄", "绿"))
    at = run_page("views/deadlines.py", at=at)
    m = metrics(at)
    assert m["红灯"] == str(counts.get("红", 0)) and m["绿灯"] == str(counts.get("绿", 0))


def _state_completion(db: Path, unit: str, completed: int, issues: int) -> None:
    with duckdb.connect(str(db)) as con:
        key = con.execute("SELECT report_key FROM reports WHERE unit = ? LIMIT 1", [unit]).fetchall()[0][0]
        con.execute("INSERT INTO figures VALUES (?, 'stated.completed', ?, '个', ''), "
                    "(?, 'stated.issues', ?, '个', '')", [key, completed, key, issues])


def test_self_reported_completion_on_overview_unit_and_quality(app_db: Path, downloads: Captured) -> None:
    _state_completion(app_db, UNIT, 34, 35)
    at = run_page(query={"asof": AS_OF.isoformat()})
    assert metrics(at)["自报完成率"] == "97.1%"
    assert metrics(at)["自报与解析不符的单位"] == "1"
    at = run_page("views/unit.py", query={"u": UNIT, "asof": AS_OF.isoformat()})
    assert metrics(at)["自报完成率"] == "97.1%"
    assert any("97.1%" in w.value and "解析完成率" in w.value for w in at.warning)
    at = run_page("views/quality.py", at=at)
    tables = [d.value for d in at.dataframe if "自报完成率（%）" in d.value.columns]
    assert tables and tables[0].iloc[0]["单位"] == UNIT and tables[0].iloc[0]["是否不符"] == "不符"
    at = run_page("views/issues.py", at=at)
    _, build = last_download(downloads, ".csv")
    header, *rows = csv_rows(build())
    col = header.index("单位自报完成率（%）")
    mine = [r for r in rows if r[0] == UNIT]
    assert mine and {r[col] for r in mine} == {"97.1"}
    done = one(app_db, "SELECT 100.0 * count(*) FILTER (WHERE status = '完成') / count(*) FROM issues "
                       "JOIN reports USING (report_key) WHERE unit = ?", [UNIT])
    assert {r[header.index("单位解析完成率（%）")] for r in mine} == {f"{done:.1f}"}


def test_issue_page_offers_the_ledger_beside_the_csv(app_db: Path, downloads: Captured) -> None:
    run_page("views/issues.py", query={"unit": UNIT, "asof": AS_OF.isoformat()})
    name, build = last_download(downloads, ".xlsx")
    assert name == f"整改台账_{AS_OF}_{UNIT}.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(build()))
    n = one(app_db, "SELECT count(*) FROM issues JOIN reports USING (report_key) WHERE unit = ?", [UNIT])
    assert wb["整改台账"].max_row - 1 == n


def test_unit_page_downloads_its_ledger_and_brief(app_db: Path, downloads: Captured) -> None:
    at = run_page("views/unit.py", query={"u": UNIT, "asof": AS_OF.isoformat()})
    red = one(app_db, f"""SELECT count(*) FROM ({light_sql()}) l JOIN issues USING (issue_key)
                          JOIN reports USING (report_key) WHERE unit = ? AND light = '红'""", [UNIT])
    assert metrics(at)["红灯"] == str(red)
    name, build = last_download(downloads, ".xlsx")
    assert UNIT in (name or "")
    sheet = openpyxl.load_workbook(io.BytesIO(build()))["整改台账"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in rows} == {UNIT}
    name, build = last_download(downloads, ".docx")
    assert name == f"整改简报_{AS_OF}_{UNIT}.docx"
    assert f"{UNIT}巡视整改进展简报" in docx.Document(io.BytesIO(build())).paragraphs[0].text


def test_scores_page_ranks_every_unit(app_db: Path, downloads: Captured) -> None:
    at = run_page("views/scores.py", query={"asof": AS_OF.isoformat()})
    table = at.dataframe[0].value
    assert len(table) == one(app_db, "SELECT count(DISTINCT unit) FROM reports")
    assert list(table["排名"]) == sorted(table["排名"]) and table["排名"].iloc[0] == 1
    assert metrics(at)["单位"] == str(len(table))
    _, build = last_download(downloads, ".csv")
    header, *rows = csv_rows(build())
    assert header[:3] == ["排名", "评级", "单位"] and len(rows) == len(table)
    _, build = last_download(downloads, ".xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(build()))
    assert wb.sheetnames == ["单位评分", "导出说明"] and wb["单位评分"].max_row - 1 == len(table)


def test_common_page_lists_groups_and_opens_one(app_db: Path) -> None:
    at = run_page("views/common.py", query={"asof": AS_OF.isoformat()})
    groups = at.dataframe[0].value
    assert len(groups) > 0 and (groups["单位数"] >= 2).all()
    members = at.dataframe[1].value
    assert len(members) == groups.iloc[0]["问题数"]
    assert members["单位"].nunique() == groups.iloc[0]["单位数"]


def test_overview_offers_the_brief_of_the_current_filter(app_db: Path, downloads: Captured) -> None:
    run_page(query={"prov": "浙江省", "asof": AS_OF.isoformat()})
    name, build = last_download(downloads, ".docx")
    assert name == f"整改简报_{AS_OF}_浙江省.docx"
    document = docx.Document(io.BytesIO(build()))
    figures = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    n = one(app_db, "SELECT count(*) FROM issues JOIN reports USING (report_key) WHERE province = '浙江省'")
    assert figures["问题"] == str(n) and figures["单位"] == "2"


def test_ledger_beyond_the_row_cap_is_not_offered(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import views.components.ledger as ledger

    monkeypatch.setattr(ledger, "section", lambda name: {"xlsx_max_rows": 10} if name == "ledger" else {})
    at = run_page("views/issues.py", query={"asof": AS_OF.isoformat()})
    button = next(b for b in at.get("download_button") if "整改台账" in b.proto.label)
    assert button.proto.disabled and "超过 10 条" in button.proto.help
