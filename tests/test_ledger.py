"""The supervisor's ledger on the sample database: the Excel 整改台账 read back with openpyxl, deadline lights
against direct SQL, the unit scorecard and self-reported completion, common-problem groups on titles known
to be alike, and the .docx brief read back with python-docx. Expected numbers come from SQL, not the app."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import random
import shutil
from pathlib import Path
from typing import Any

import docx
import duckdb
import openpyxl
import pandas as pd
import pytest
from conftest import migrated_copy

import queries
from loaders import similar
from loaders.config import section
from loaders.similar import GroupRules, group_labels, title_clause
from loaders.writer import overrides, store
from queries import Filters
from queries.base import light_days
from queries.scores import disagreement_pts, grade_bands
from views.components.brief import brief_bytes
from views.components.labels import LIGHT_COLORS, MONEY_FIGURES, PEOPLE_FIGURES, STATUS_COLORS
from views.components.ledger import ledger_bytes, stated_summary, stated_table
from views.components.xlsx_export import COLUMNS, ExportInfo, ledger_xlsx

AS_OF = dt.date(2024, 6, 30)
UNIT = "苏州市虎丘区"  # has overdue issues on AS_OF


def sql(db: Path, text: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(text, params or []).fetchall()


def one(db: Path, text: str, params: list[Any] | None = None) -> Any:
    return sql(db, text, params)[0][0]


# Direct SQL for the lights: an independent statement of the rule in config.yaml ledger.lights.
def light_sql() -> str:
    yellow, red = light_days()
    return f"""SELECT issue_key,
        CASE WHEN first_due IS NULL OR COALESCE(effective_status, '未知') = '完成' THEN NULL
             WHEN first_due - DATE '{AS_OF}' <= {red} THEN '红'
             WHEN first_due - DATE '{AS_OF}' <= {yellow} THEN '黄' ELSE '绿' END AS light
        FROM issues_effective"""


# --- lights -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2024, 12, 15), dt.date(2025, 12, 20)])
def test_light_counts_equal_direct_sql(sample_db: Path, as_of: dt.date) -> None:
    global AS_OF
    saved, AS_OF = AS_OF, as_of
    try:
        expected = dict(sql(sample_db, f"SELECT light, count(*) FROM ({light_sql()}) GROUP BY light"))
    finally:
        AS_OF = saved
    k = queries.key_figures(sample_db, Filters(as_of=as_of)).iloc[0]
    got = {"红": int(k["red"]), "黄": int(k["yellow"]), "绿": int(k["green"])}
    assert got == {x: expected.get(x, 0) for x in got}
    assert sum(got.values()) > 0  # the sample has dated open issues on each of these days
    summary = queries.deadline_summary(sample_db, Filters(as_of=as_of)).iloc[0]  # what 时限 shows
    assert {"红": int(summary["red"]), "黄": int(summary["yellow"]), "绿": int(summary["green"])} == got


def test_light_filter_keeps_exactly_the_lit_issues(sample_db: Path) -> None:
    lit = dict(sql(sample_db, light_sql()))
    for light in ("红", "绿"):
        rows = queries.issues_page(sample_db, Filters(as_of=AS_OF, lights=(light,)))
        assert set(rows["issue_key"]) == {k for k, v in lit.items() if v == light}
        assert (rows["light"] == light).all() and len(rows) > 0
    both = queries.issues_count(sample_db, Filters(as_of=AS_OF, lights=("红", "绿")))
    assert both == sum(1 for v in lit.values() if v in ("红", "绿"))


def test_a_correction_to_done_puts_the_light_out(sample_db: Path) -> None:
    key = next(k for k, v in sql(sample_db, light_sql()) if v == "红")
    overrides.add_override(sample_db, key, "完成", "现场核实", "张三")
    rows = queries.issues_page(sample_db, Filters(as_of=AS_OF))
    assert rows.loc[rows["issue_key"] == key, "light"].isna().all()


def test_light_issues_lists_red_and_yellow_most_urgent_first(sample_db: Path) -> None:
    rows = queries.light_issues(sample_db, Filters(as_of=AS_OF))
    red = one(sample_db, f"SELECT count(*) FROM ({light_sql()}) WHERE light IN ('红', '黄')")
    assert len(rows) == red > 0
    assert rows["days_left"].is_monotonic_increasing
    assert (rows["days_left"] == (rows["due_on"] - pd.Timestamp(AS_OF)).dt.days).all()


# --- Excel ledger -------------------------------------------------------------------------------------------


def test_ledger_xlsx_has_every_issue_with_status_colours_and_an_export_sheet(sample_db: Path) -> None:
    f = Filters(as_of=AS_OF, units=(UNIT,))
    wb = openpyxl.load_workbook(io.BytesIO(ledger_bytes(sample_db, f)))
    assert wb.sheetnames == ["整改台账", "导出说明"]
    ws = wb["整改台账"]
    header = [c.value for c in ws[1]]
    assert header == [c[0] for c in COLUMNS]
    assert header[:7] == ["序号", "单位", "问题类别", "反馈问题", "整改措施", "责任单位", "整改时限"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref is not None
    n = one(sample_db, "SELECT count(*) FROM issues JOIN reports USING (report_key) WHERE unit = ?", [UNIT])
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(rows) == n and [r[0] for r in rows] == list(range(1, n + 1))
    col = {h: k for k, h in enumerate(header)}
    assert {r[col["单位"]] for r in rows} == {UNIT}
    # statuses and keys against the database, and the status cell filled in its colour
    by_key = dict(sql(sample_db, "SELECT issue_key, COALESCE(status, '未知') FROM issues"))
    lit = dict(sql(sample_db, light_sql()))
    for k, r in enumerate(rows, start=2):
        key = r[col["问题编号"]]
        assert r[col["完成情况"]] == by_key[key]
        fill = ws.cell(k, col["完成情况"] + 1).fill.fgColor.rgb
        assert fill.upper().endswith(STATUS_COLORS[by_key[key]].lstrip("#").upper())
        light = lit[key]
        assert r[col["预警"]] == (f"{light}灯" if light else None)
        if light:
            fill = ws.cell(k, col["预警"] + 1).fill.fgColor.rgb
            assert fill.upper().endswith(LIGHT_COLORS[light].lstrip("#").upper())
    assert ws.column_dimensions["E"].width >= 40  # 整改措施 is wide enough to read
    assert ws.cell(2, col["整改措施"] + 1).alignment.wrap_text
    notes = {r[0].value: r[1].value for r in wb["导出说明"].iter_rows(min_row=2)}
    assert notes["截至日期"] == AS_OF.isoformat() and notes["筛选：单位"] == UNIT
    assert notes["问题数"] == str(n) and notes["数据库文件"] == str(sample_db)
    done = one(sample_db, "SELECT count(*) FROM issues JOIN reports USING (report_key) "
                          "WHERE unit = ? AND status = '完成'", [UNIT])
    assert notes["完成情况：完成"] == str(done)
    assert notes["预警：红灯"] == str(sum(1 for r in rows if r[col["预警"]] == "红灯"))
    assert dt.datetime.strptime(notes["导出时间"], "%Y-%m-%d %H:%M:%S")


def test_ledger_xlsx_neutralises_formulas_and_keeps_owner_and_corrections() -> None:
    rows = pd.DataFrame([{
        "unit": "=cmd|' /C calc'!A0", "category": "@SUM(1)", "title": '=HYPERLINK("http://x","y")',
        "measures_text": "+1+1", "owner": "-县财政局", "deadlines": "2024年底前（2024-12-31）",
        "first_due": pd.Timestamp("2024-12-31"), "light": "红", "status": "未完成", "parsed_status": "完成",
        "source": "override", "evidence": "已完成", "override_author": "张三", "override_note": "=1+2",
        "override_at": pd.Timestamp("2024-05-01 10:00"), "issue_key": "abc",
    }])
    wb = openpyxl.load_workbook(io.BytesIO(ledger_xlsx(rows, ExportInfo((("筛选", "=bad()"),)))))
    ws = wb["整改台账"]
    cells = {h.value: c for h, c in zip(ws[1], ws[2], strict=True)}
    assert cells["单位"].value == "'=cmd|' /C calc'!A0" and cells["单位"].data_type == "s"
    assert cells["问题类别"].value == "'@SUM(1)"
    assert cells["反馈问题"].value.startswith("'=HYPERLINK")
    assert cells["整改措施"].value == "'+1+1"
    assert cells["责任单位"].value == "'-县财政局"
    assert cells["整改时限"].value == "2024年底前（2024-12-31）"
    assert cells["状态来源"].value == "人工更正" and cells["预警"].value == "红灯"
    assert cells["备注"].value == "人工更正：张三 2024-05-01：=1+2（原解析状态：完成）"
    values = [c.value for row in ws.iter_rows() for c in row]
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert wb["导出说明"]["B2"].value == "'=bad()"


def test_the_ledger_carries_the_owner_an_issue_table_prints(tmp_path: Path) -> None:
    """责任单位 comes from the report itself: a web page whose problems sit in a table with that column."""
    from loaders.parser.parse import parse_file
    from loaders.writer.ingest import ingest_paths

    page = Path(__file__).resolve().parent / "realworld" / "full" / "01_html_table_bureau.html"
    db = tmp_path / "owners.duckdb"
    assert ingest_paths([page], db, workers=1, progress=False).failures == []
    printed = sorted(i.owner for r in parse_file(page) for i in r.issues if i.owner)
    assert printed  # the table has a 责任单位 column
    f = Filters(as_of=AS_OF)
    rows = queries.ledger_rows(db, f)
    assert sorted(rows["owner"].dropna()) == printed
    ws = openpyxl.load_workbook(io.BytesIO(ledger_bytes(db, f)))["整改台账"]
    header = [c.value for c in ws[1]]
    owners = sorted(r[header.index("责任单位")].value for r in ws.iter_rows(min_row=2)
                    if r[header.index("责任单位")].value)
    assert owners == printed


# --- scorecard and self-reported completion -----------------------------------------------------------


def _add_stated(db: Path, unit: str, **stated: float) -> None:
    with duckdb.connect(str(db)) as con:
        key = con.execute("SELECT report_key FROM reports WHERE unit = ? LIMIT 1", [unit]).fetchall()[0][0]
        for k, v in stated.items():
            con.execute("INSERT INTO figures VALUES (?, ?, ?, NULL, '通报原文')", [key, f"stated.{k}", v])


def _add_report_without_items(db: Path, unit: str, **stated: float) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO reports (report_key, file_sha, ordinal, part, unit, published_on, "
                    "stated_json) VALUES ('r-no-items', 'f-no-items', 0, 'main', ?, DATE '2024-03-01', '{}')",
                    [unit])
        for k, v in stated.items():
            con.execute("INSERT INTO figures VALUES ('r-no-items', ?, ?, NULL, '')", [f"stated.{k}", v])


def test_unit_scores_equal_direct_sql(sample_db: Path) -> None:
    scores = queries.unit_scores(sample_db, Filters(as_of=AS_OF), tuple(PEOPLE_FIGURES), tuple(MONEY_FIGURES))
    expected = sql(sample_db, f"""SELECT r.unit, count(*),
        count(*) FILTER (WHERE i.effective_status = '完成'),
        count(*) FILTER (WHERE i.effective_status = '阶段性完成'),
        count(*) FILTER (WHERE COALESCE(i.effective_status, '') <> '完成' AND i.first_due < DATE '{AS_OF}')
        FROM issues_effective i JOIN reports r USING (report_key) GROUP BY r.unit""")
    assert len(scores) == one(sample_db, "SELECT count(DISTINCT unit) FROM reports")
    got = scores.set_index("unit")
    for unit, n, done, partial, overdue in expected:
        row = got.loc[unit]
        assert (row["issues"], row["done"], row["partial"], row["overdue"]) == (n, done, partial, overdue)
        assert row["completion"] == pytest.approx(done / n)
        assert row["overdue_share"] == pytest.approx(overdue / n)
        assert row["partial_share"] == pytest.approx(partial / n)
    people = one(sample_db, "SELECT sum(g.value) FROM figures g JOIN reports r USING (report_key) "
                            "WHERE r.unit = ? AND list_contains(?, g.kind)",
                 ["湖州市吴兴区", list(PEOPLE_FIGURES)])
    assert got.loc["湖州市吴兴区", "people"] == people > 0
    assert list(scores["rank"]) == sorted(scores["rank"])


def test_grades_follow_the_configured_bands(sample_db: Path) -> None:
    scores = queries.unit_scores(sample_db, Filters(as_of=AS_OF))
    for row in scores.itertuples():
        band = next(b for b in grade_bands()
                    if row.completion >= b["min_completion"] and row.overdue_share <= b["max_overdue"])
        assert row.grade == band["grade"]
    order = [b["grade"] for b in grade_bands()]
    positions = [order.index(g) for g in scores.sort_values("rank")["grade"]]
    assert positions == sorted(positions)  # a better grade always ranks higher


def test_self_reported_completion_beside_parsed_and_flagged(sample_db: Path) -> None:
    _add_stated(sample_db, UNIT, issues=35, completed=34)  # 97 % said, 57 % parsed: flagged
    wx_done = one(sample_db, "SELECT count(*) FILTER (WHERE status = '完成') / count(*) FROM issues "
                             "JOIN reports USING (report_key) WHERE unit = '湖州市吴兴区'")
    said = round(100 * wx_done, 1) + 2  # said 2 points above what is parsed: within the tolerance, agrees
    _add_stated(sample_db, "湖州市吴兴区", completion_rate=said)
    _add_report_without_items(sample_db, "某县无清单单位", issues=20, completed=15, completion_rate=75)
    scores = queries.unit_scores(sample_db, Filters(as_of=AS_OF)).set_index("unit")
    done, n = one(sample_db, "SELECT count(*) FILTER (WHERE status = '完成') FROM issues JOIN reports "
                             "USING (report_key) WHERE unit = ?", [UNIT]), 35
    row = scores.loc[UNIT]
    assert row["stated_rate"] == pytest.approx(100 * 34 / 35) and row["stated_from"] == "completed/issues"
    assert row["rate_gap"] == pytest.approx(100 * 34 / 35 - 100 * done / n)
    assert abs(row["rate_gap"]) > disagreement_pts() and bool(row["disagrees"])
    assert scores.loc["湖州市吴兴区", "stated_rate"] == pytest.approx(said)
    assert not bool(scores.loc["湖州市吴兴区", "disagrees"])
    lone = scores.loc["某县无清单单位"]  # a report with no items but its counts stated: still listed
    assert lone["issues"] == 0 and lone["stated_rate"] == 75 and pd.isna(lone["grade"])
    only = queries.unit_scores(sample_db, Filters(as_of=AS_OF), stated_only=True).set_index("unit")
    assert set(only.index) == {UNIT, "湖州市吴兴区", "某县无清单单位"}
    for col in ("issues", "done", "stated_rate", "rate_gap", "disagrees"):
        pd.testing.assert_series_equal(only[col], scores.loc[only.index, col], check_names=False)
    table = stated_table(scores.reset_index())
    assert set(table["单位"]) == {UNIT, "湖州市吴兴区", "某县无清单单位"}
    assert table.iloc[0]["单位"] == UNIT and table.iloc[0]["是否不符"] == "不符"
    summary = stated_summary(scores.reset_index())
    assert summary.disagreeing == 1
    stated_issues = one(sample_db, "SELECT value FROM figures JOIN reports r USING (report_key) "
                                   "WHERE r.unit = '湖州市吴兴区' AND kind = 'stated.issues'")  # weights
    weighted = 34 + said / 100 * stated_issues + 0.75 * 20
    assert summary.rate == pytest.approx(weighted / (35 + stated_issues + 20))


# --- common problems ----------------------------------------------------------------------------------------

SIMILAR = [
    ["落实全面从严治党主体责任不到位", "落实全面从严治党主体责任不够到位",
     "落实全面从严治党主体责任还不到位"],
    ["意识形态工作责任制落实不到位", "意识形态工作责任制落实不够到位"],
    ["选人用人工作不规范", "选人用人工作还不够规范"],
]
UNRELATED = ["城市内涝时有发生", "检验检测产业缺少龙头企业支撑", "非公党建薄弱", "重点领域廉政风险依然较高"]


def test_group_labels_put_known_similar_titles_together() -> None:
    keys = [t for group in SIMILAR for t in group] + UNRELATED
    random.Random(7).shuffle(keys)
    labels = dict(zip(keys, group_labels(keys, GroupRules(similarity=80)), strict=True))
    for group in SIMILAR:
        assert len({labels[t] for t in group}) == 1, group
    distinct = {labels[g[0]] for g in SIMILAR} | {labels[t] for t in UNRELATED}
    assert len(distinct) == len(SIMILAR) + len(UNRELATED)


def test_grouping_a_large_set_compares_each_key_with_its_window_only(monkeypatch) -> None:
    # The speed figure lives in bench/; here the shape: O(n · window) pairs scored, not O(n²).
    rng = random.Random(1)
    alphabet = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家"
    keys = ["".join(rng.choice(alphabet) for _ in range(rng.randint(8, 30))) for _ in range(100_000)]
    keys += [k + "不到位" for k in keys[:1000]]
    scored: list[int] = []
    cpdist = similar.process.cpdist

    def counting(a: Any, b: Any, **kw: Any) -> Any:
        scored.append(len(a))
        return cpdist(a, b, **kw)

    monkeypatch.setattr(similar.process, "cpdist", counting)
    rules = GroupRules()
    labels = group_labels(keys, rules)
    assert 0 < sum(scored) <= len(keys) * rules.window * 2  # each ranking pass scores ≤ window pairs a key
    assert labels[100_000] == labels[0]  # a key and the same key with a suffix: one group


def test_common_groups_on_constructed_titles_across_units(sample_db: Path) -> None:
    with duckdb.connect(str(sample_db)) as con:
        picks = con.execute("""SELECT any_value(i.issue_key ORDER BY i.seq), r.unit FROM issues i
                               JOIN reports r USING (report_key) GROUP BY r.unit ORDER BY r.unit LIMIT 3"""
                            ).fetchall()
        for (key, _), title in zip(picks, SIMILAR[0], strict=True):
            full = f"{title}。具体表现为……"  # stored as ingest stores a title: with its clause
            con.execute("UPDATE issues SET title = ?, title_clause = ?, status = '未完成' "
                        "WHERE issue_key = ?", [full, title_clause(full), key])
    units = {u for _, u in picks}
    groups = queries.common_groups(sample_db, Filters(as_of=AS_OF), GroupRules(similarity=80))
    mine = {f"{t}。具体表现为……" for t in SIMILAR[0]}
    hit = groups[groups["titles"].map(lambda titles: bool(mine & set(titles)))]
    assert len(hit) == 1 and mine <= set(hit.iloc[0]["titles"])  # the three in one group
    g = hit.iloc[0]
    assert g["units"] >= 3 and g["open"] >= 3 and g["open_units"] >= 3
    assert units <= set(g["open_list"].split("、"))
    members = queries.common_members(sample_db, Filters(as_of=AS_OF), tuple(g["titles"]))
    assert units <= set(members["unit"]) and len(members) == g["issues"]
    assert (groups["units"] >= GroupRules.from_config().min_units).all()
    assert groups["units"].is_monotonic_decreasing


def test_stored_title_clause_is_its_titles_clause(sample_db: Path) -> None:
    """issues.title_clause is written at ingest by loaders.similar.title_clause, for every stored title."""
    stored = sql(sample_db, "SELECT DISTINCT title, title_clause FROM issues")
    assert len(stored) > 100 and all(clause == title_clause(title) for title, clause in stored)


def test_common_groups_read_the_same_before_and_after_the_title_clause_migration(
    sample_db: Path, tmp_path: Path
) -> None:
    f = Filters(as_of=AS_OF)
    before = queries.common_groups(sample_db, f)
    old = tmp_path / "old.duckdb"
    shutil.copy(sample_db, old)
    with duckdb.connect(str(old)) as con:  # as a database written before issues.title_clause existed
        con.execute("ALTER TABLE issues DROP COLUMN title_clause")
    with store.connect(old):  # a read-write connection migrates (as the app does once at start)
        pass
    pairs = dict(sql(old, "SELECT issue_key, title_clause FROM issues"))
    assert pairs == dict(sql(sample_db, "SELECT issue_key, title_clause FROM issues"))
    migrated = queries.common_groups(old, f)
    assert not before.empty
    pd.testing.assert_frame_equal(migrated, before)


# --- the brief ----------------------------------------------------------------------------------------------


def _tables(document: Any) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def test_unit_brief_holds_the_units_figures(sample_db: Path) -> None:
    document = docx.Document(io.BytesIO(brief_bytes(sample_db, Filters(as_of=AS_OF), UNIT)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"{UNIT}巡视整改进展简报" in text and AS_OF.isoformat() in text
    for heading in ("主要数字", "整改完成情况", "逾期问题", "问责与追缴"):
        assert heading in text
    key, chart, overdue = _tables(document)[:3]
    figures = dict(key[1:])
    n, done, late = sql(sample_db, f"""SELECT count(*), count(*) FILTER (WHERE status = '完成'),
        count(*) FILTER (WHERE COALESCE(status, '') <> '完成' AND first_due < DATE '{AS_OF}')
        FROM issues JOIN reports USING (report_key) WHERE unit = ?""", [UNIT])[0]
    assert figures["问题"] == str(n) and figures["完成"] == str(done) and figures["逾期"] == str(late)
    assert figures["完成率（解析）"] == f"{done / n:.1%}"
    assert chart[0] == ["问题类别", "完成 / 问题", "完成率", "完成进度"]
    assert sum(int(r[1].split(" / ")[1]) for r in chart[1:]) == n
    shown = section("ledger")["brief"]["overdue_rows"]
    assert len(overdue) - 1 == min(shown, late) and all(r[0] == UNIT for r in overdue[1:])


def test_brief_sizes_come_from_config(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ledger.brief's chart and overdue rows bound the brief's tables (no size of its own in the code)."""
    from views.components import brief

    ledger = {**section("ledger"), "brief": {"chart_rows": 2, "overdue_rows": 1}}
    monkeypatch.setattr(brief, "section", lambda name: ledger if name == "ledger" else section(name))
    document = docx.Document(io.BytesIO(brief_bytes(sample_db, Filters(as_of=AS_OF))))  # charted by unit
    _key, chart, overdue = _tables(document)[:3]
    assert len(chart) - 1 == 2 and len(overdue) - 1 == 1


def test_filter_brief_sums_accountability_over_units(sample_db: Path) -> None:
    f = Filters(as_of=AS_OF, provinces=("浙江省",))
    document = docx.Document(io.BytesIO(brief_bytes(sample_db, f)))
    figures = dict(_tables(document)[-1][1:])
    total = one(sample_db, "SELECT sum(value) FROM figures JOIN reports USING (report_key) "
                           "WHERE province = '浙江省' AND kind = 'party_discipline'")
    assert figures["党纪处分"] == f"{total:,.0f} 人"
    chart = _tables(document)[1]
    assert chart[0][0] == "单位" and {r[0] for r in chart[1:]} == {"湖州市吴兴区", "温州市鹿城区"}
    bars = [r[3] for r in chart[1:]]
    assert all(len(b) == 20 and set(b) <= {"█", "░"} for b in bars)


def test_brief_of_an_empty_selection_says_so(sample_db: Path) -> None:
    f = dataclasses.replace(Filters(as_of=AS_OF), units=("没有这个单位",))
    document = docx.Document(io.BytesIO(brief_bytes(sample_db, f)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "没有问题。" in text and "没有逾期问题。" in text


def test_lights_read_the_same_on_a_database_made_before_first_due_once_migrated(
    sample_db: Path, tmp_path: Path
) -> None:
    f = Filters(as_of=AS_OF)
    before = (queries.key_figures(sample_db, f), queries.issues_page(sample_db, f),
              queries.unit_scores(sample_db, f), queries.light_issues(sample_db, f))
    # as a database written before issues.first_due existed
    old = migrated_copy(sample_db, tmp_path, "ALTER TABLE issues DROP COLUMN first_due")
    after = (queries.key_figures(old, f), queries.issues_page(old, f), queries.unit_scores(old, f),
             queries.light_issues(old, f))
    assert after[0][["red", "yellow", "green"]].equals(before[0][["red", "yellow", "green"]])
    assert list(after[1]["light"].fillna("")) == list(before[1]["light"].fillna(""))
    assert list(after[2]["red"]) == list(before[2]["red"]) and len(after[3]) == len(before[3])
