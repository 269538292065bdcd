"""queries on a database built from the sample reports, checked against direct SQL counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from conftest import sample_text

import queries
from loaders.writer import overrides
from queries import Filters

AS_OF = dt.date(2024, 6, 30)
# The categories (（一）关于…方面问题) sample 004 prints (see test_parse_samples).
SAMPLE_004_CATEGORIES = {
    "贯彻落实党的路线方针政策、党中央重大决策部署以及省委工作要求有差距",
    "管党治党政治责任链条拧得不紧,贯彻落实全面从严治党战略方针有薄弱环节",
    "贯彻落实新时代党的组织路线存在不足",
    "巡视监督发现问题整改不到位",
}


def sql_value(db: Path, sql: str, params: list[object] | None = None) -> float:
    with duckdb.connect(str(db), read_only=True) as con:
        return float(con.execute(sql, params or []).fetchall()[0][0])


def sql_scalar(db: Path, sql: str, params: list[object] | None = None) -> int:
    return int(sql_value(db, sql, params))


def biggest_unit(db: Path) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return str(
            con.execute(
                "SELECT unit FROM issues JOIN reports USING (report_key) "
                "GROUP BY unit ORDER BY count(*) DESC LIMIT 1"
            ).fetchall()[0][0]
        )


def test_key_figures_match_direct_counts(sample_db: Path) -> None:
    k = queries.key_figures(sample_db, Filters(as_of=AS_OF)).iloc[0]
    assert (
        k["reports"] == sql_scalar(sample_db, "SELECT count(*) FROM reports") == 9
    )  # 000, 001 (main + 附件1-4), 002-004
    assert k["units"] == sql_scalar(sample_db, "SELECT count(DISTINCT unit) FROM reports")
    assert k["issues"] == sql_scalar(sample_db, "SELECT count(*) FROM issues")
    for col, status in (("done", "完成"), ("partial", "阶段性完成"), ("open", "未完成")):
        assert k[col] == sql_scalar(sample_db, "SELECT count(*) FROM issues WHERE status = ?", [status])
    assert k["unknown"] == sql_scalar(sample_db, "SELECT count(*) FROM issues WHERE status IS NULL")
    assert k["done"] + k["partial"] + k["open"] + k["unknown"] == k["issues"]
    assert k["done_rate"] == pytest.approx(k["done"] / k["issues"])
    overdue = sql_scalar(
        sample_db,
        "SELECT count(*) FROM issues WHERE status IS DISTINCT FROM '完成' AND issue_key IN "
        "(SELECT issue_key FROM deadlines WHERE due_on < ?)",
        [AS_OF],
    )
    assert k["overdue"] == overdue > 0


def test_unit_status_source_and_confidence_filters(sample_db: Path) -> None:
    unit = biggest_unit(sample_db)
    base = Filters(units=(unit,), as_of=AS_OF)
    n_unit = sql_scalar(
        sample_db, "SELECT count(*) FROM issues JOIN reports USING (report_key) WHERE unit = ?", [unit]
    )
    assert queries.issues_count(sample_db, base) == n_unit
    assert set(queries.issues_page(sample_db, base)["unit"]) == {unit}

    unknown = Filters(statuses=(queries.UNKNOWN,))
    assert queries.issues_count(sample_db, unknown) == sql_scalar(
        sample_db, "SELECT count(*) FROM issues WHERE status IS NULL"
    )
    explicit = Filters(sources=("explicit",))
    assert queries.issues_count(sample_db, explicit) == sql_scalar(
        sample_db, "SELECT count(*) FROM issues WHERE status_source = 'explicit'"
    )
    confident = Filters(min_confidence=0.8)
    assert queries.issues_count(sample_db, confident) == sql_scalar(
        sample_db, "SELECT count(*) FROM issues WHERE confidence >= 0.8"
    )


def test_region_filters_and_options(sample_db: Path) -> None:
    options = queries.report_options(sample_db)
    assert len(options) == 9
    zhejiang = Filters(provinces=("浙江省",))
    k = queries.key_figures(sample_db, zhejiang).iloc[0]
    in_zhejiang = "SELECT count(*) FROM reports WHERE province = '浙江省'"
    assert k["reports"] == sql_scalar(sample_db, in_zhejiang) == 2
    # Categories offered follow the region: exactly those of its reports. 004 (山东省) prints four;
    # 000 and 003 (浙江省) list issues without categories; 001 (湖南省) has the rest.
    shandong = queries.category_options(sample_db, Filters(provinces=("山东省",)))
    assert shandong == sorted(SAMPLE_004_CATEGORIES)
    assert queries.category_options(sample_db, zhejiang) == []
    hunan = queries.category_options(sample_db, Filters(provinces=("湖南省",)))
    in_hunan = ("SELECT count(DISTINCT category) FROM issues JOIN reports USING (report_key) "
                "WHERE province = '湖南省' AND category <> ''")
    assert len(hunan) == sql_scalar(sample_db, in_hunan) > 0
    assert queries.category_options(sample_db, Filters()) == sorted({*shandong, *hunan})


def test_search_is_literal_and_bound(sample_db: Path) -> None:
    total = queries.issues_count(sample_db, Filters())
    word = "拆迁"
    expected = sql_scalar(
        sample_db,
        "SELECT count(*) FROM issues WHERE title LIKE ? OR "
        "issue_key IN (SELECT issue_key FROM measures WHERE text LIKE ?)",
        [f"%{word}%", f"%{word}%"],
    )
    assert 0 < queries.issues_count(sample_db, Filters(), word) == expected < total
    # SQL and LIKE metacharacters are data, not syntax.
    assert queries.issues_count(sample_db, Filters(), "'; DROP TABLE issues; --") == 0
    assert queries.issues_count(sample_db, Filters(), "%") == sql_scalar(
        sample_db, "SELECT count(*) FROM issues WHERE contains(title, '%') OR "
        "issue_key IN (SELECT issue_key FROM measures WHERE contains(text, '%'))"
    )
    assert queries.issues_count(sample_db, Filters()) == total  # the table is still there
    assert queries.issues_count(sample_db, Filters(), "   ") == total  # blank search = no search


def test_pages_cover_all_rows_once(sample_db: Path) -> None:
    f = Filters()
    total = queries.issues_count(sample_db, f)
    keys: list[str] = []
    for offset in range(0, total, 50):
        keys += queries.issues_page(sample_db, f, limit=50, offset=offset)["issue_key"].tolist()
    assert len(keys) == len(set(keys)) == total
    assert keys == queries.issues_page(sample_db, f)["issue_key"].tolist()


def test_overdue_aging_and_due_soon(sample_db: Path) -> None:
    f = Filters(as_of=AS_OF)
    overdue = queries.overdue_issues(sample_db, f)
    assert len(overdue) == queries.key_figures(sample_db, f).iloc[0]["overdue"]
    assert (overdue["status"] != "完成").all()
    for row in overdue.itertuples():
        days = (AS_OF - row.due_on.date()).days
        assert row.days_overdue == days > 0
        bucket = (
            "≤30天" if days <= 30 else "31–90天" if days <= 90 else "91–365天" if days <= 365 else ">365天"
        )
        assert row.bucket == bucket
    soon = queries.due_soon(sample_db, f, 90)
    for row in soon.itertuples():
        assert 0 <= (row.due_on.date() - AS_OF).days <= 90 and row.status != "完成"
    window = ("SELECT count(*) FROM deadlines d JOIN issues i USING (issue_key) "
              "WHERE i.status IS DISTINCT FROM '完成' AND d.due_on BETWEEN ? AND ?::DATE + ?")
    assert len(soon) == sql_scalar(sample_db, window, [AS_OF, AS_OF, 90]) > 0
    soon_30 = queries.due_soon(sample_db, f, 30)
    assert len(soon_30) == sql_scalar(sample_db, window, [AS_OF, AS_OF, 30]) < len(soon)
    assert len(queries.deadline_rows(sample_db, f)) == sql_scalar(
        sample_db, "SELECT count(*) FROM deadlines WHERE due_on IS NOT NULL"
    )


def test_override_changes_every_count(sample_db: Path) -> None:
    f = Filters(as_of=AS_OF)
    before = queries.key_figures(sample_db, f).iloc[0]
    row = queries.issues_page(sample_db, Filters(statuses=("阶段性完成",)), limit=1).iloc[0]
    overrides.add_override(sample_db, row["issue_key"], "完成", "核实已完成", "测试员")
    after = queries.key_figures(sample_db, f).iloc[0]
    assert (after["done"], after["partial"]) == (before["done"] + 1, before["partial"] - 1)
    assert queries.issues_count(sample_db, Filters(sources=("override",))) == 1
    shown = queries.issues_page(sample_db, Filters(sources=("override",))).iloc[0]
    assert (shown["status"], shown["parsed_status"], shown["override_author"]) == (
        "完成",
        "阶段性完成",
        "测试员",
    )
    history = queries.issue_overrides_newest_first(sample_db, row["issue_key"])
    assert history["author"].tolist() == ["测试员"]
    assert len(queries.recent_overrides(sample_db)) == 1
    # An override counts whatever the parser's confidence was.
    assert row["issue_key"] in set(queries.issues_page(sample_db, Filters(min_confidence=1.0))["issue_key"])
    assert row["issue_key"] not in set(queries.weak_issues(sample_db, Filters(), 1.01)["issue_key"])


def test_quality_queries(sample_db: Path) -> None:
    f = Filters()
    counts = queries.report_counts(sample_db, f)
    assert counts["issues"].sum() == sql_scalar(sample_db, "SELECT count(*) FROM issues")
    assert counts["measures"].sum() == sql_scalar(sample_db, "SELECT count(*) FROM measures")
    assert len(queries.warnings_list(sample_db, f)) == sql_scalar(sample_db, "SELECT count(*) FROM warnings")
    stated = counts[[c for c in counts.columns if c.startswith("stated_")]]
    assert stated.notna().sum().sum() == sql_scalar(
        sample_db, "SELECT count(*) FROM figures WHERE kind LIKE 'stated.%'")
    weak = queries.weak_issues(sample_db, f, 0.6)
    weak_sql = "SELECT count(*) FROM issues WHERE status IS NULL OR confidence < 0.6"
    assert len(weak) == sql_scalar(sample_db, weak_sql)


def test_figures_by_unit_sums_per_unit(sample_db: Path) -> None:
    kinds = ("party_discipline", "money_refunded")
    df = queries.figures_by_unit(sample_db, Filters(), kinds)
    # The figures the samples print (test_figures reads them from the text): 000 and 003 state both kinds.
    got = {(r.unit, r.kind): r.value for r in df.itertuples()}
    assert got == pytest.approx({
        ("湖州市吴兴区", "party_discipline"): 38, ("湖州市吴兴区", "money_refunded"): 528.09,
        ("温州市鹿城区", "party_discipline"): 42, ("温州市鹿城区", "money_refunded"): 185.82,
    })
    assert len(df) == len(got)  # one row per unit and kind


def test_unit_queries(sample_db: Path) -> None:
    unit = biggest_unit(sample_db)
    f = Filters()
    issues = queries.unit_issues(sample_db, f, unit)
    assert len(issues) == queries.issues_count(sample_db, Filters(units=(unit,)))
    reports = queries.unit_reports(sample_db, f, unit)
    assert reports["issues"].sum() == len(issues)
    assert len(queries.issue_search(sample_db, Filters(units=(unit,)), limit=10**6)) == len(issues)


def test_deadline_summary_matches_the_lists(sample_db: Path) -> None:
    f = Filters(as_of=AS_OF)
    s = queries.deadline_summary(sample_db, f).iloc[0]
    assert s["with_deadline"] == sql_scalar(
        sample_db, "SELECT count(DISTINCT issue_key) FROM deadlines WHERE due_on IS NOT NULL"
    )
    assert s["overdue"] == len(queries.overdue_issues(sample_db, f))
    assert s["due_90"] == queries.due_soon(sample_db, f, 90)["issue_key"].nunique()
    assert s["due_30"] == queries.due_soon(sample_db, f, 30)["issue_key"].nunique()
    buckets = queries.overdue_buckets(sample_db, f)
    assert buckets["n"].sum() == s["overdue"]
    assert len(queries.overdue_issues(sample_db, f, limit=3)) == min(3, s["overdue"])


def test_deadline_points_top_units_and_monthly_merge(sample_db: Path) -> None:
    f = Filters()
    n_deadlines = sql_scalar(sample_db, "SELECT count(*) FROM deadlines WHERE due_on IS NOT NULL")
    points = queries.deadline_points(sample_db, f, top_units=2)
    assert points["n"].sum() == n_deadlines and (points["n"] == 1).all()  # few: one point per deadline
    assert points["unit"].nunique() <= 3 and queries.OTHER in set(points["unit"])
    merged = queries.deadline_points(sample_db, f, top_units=2, max_points=5)  # many: one point per month
    assert merged["n"].sum() == n_deadlines and len(merged) < len(points)
    assert (merged["due_on"].dt.day == 15).all()


def test_weak_issues_capped_and_counted(sample_db: Path) -> None:
    f = Filters()
    total = queries.weak_issues_count(sample_db, f, 0.6)
    weak_sql = "SELECT count(*) FROM issues WHERE status IS NULL OR confidence < 0.6"
    assert total == len(queries.weak_issues(sample_db, f, 0.6)) == sql_scalar(sample_db, weak_sql) > 5
    first = queries.weak_issues(sample_db, f, 0.6, limit=5)
    assert len(first) == min(5, total)
    assert first["confidence"].fillna(-1).is_monotonic_increasing  # the least certain first


def test_issue_search_by_unit_title_and_key(sample_db: Path) -> None:
    everything = queries.issue_search(sample_db, Filters(), limit=10)
    n_issues = sql_scalar(sample_db, "SELECT count(*) FROM issues")
    assert len(everything) == 10 and int(everything["total"].iloc[0]) == n_issues  # total beyond the page
    unit = biggest_unit(sample_db)
    by_unit = queries.issue_search(sample_db, Filters(), unit, limit=10**6)
    assert unit in set(by_unit["unit"]) and by_unit["unit"].str.contains(unit, regex=False).all()
    in_unit = "SELECT count(*) FROM issues JOIN reports USING (report_key) WHERE contains(unit, ?)"
    assert len(by_unit) == sql_scalar(sample_db, in_unit, [unit])
    title = queries.issue_search(sample_db, Filters(), f"{unit} 拆迁", limit=10**6)
    assert 0 < len(title) < len(by_unit) and title["title"].str.contains("拆迁").all()
    key = str(by_unit["issue_key"].iloc[-1])
    by_key = queries.issue_search(sample_db, Filters(), key[:10])
    assert by_key["issue_key"].tolist() == [key]
    detail = queries.issue_detail(sample_db, key).iloc[0]
    assert (detail["unit"], detail["title"]) == tuple(by_unit[["unit", "title"]].iloc[-1])
    assert queries.issue_detail(sample_db, "no-such-key").empty


def test_latin_search_ignores_case(sample_db: Path) -> None:
    expected = sql_scalar(
        sample_db,
        "SELECT count(*) FROM issues WHERE lower(title) LIKE '%app%' OR "
        "issue_key IN (SELECT issue_key FROM measures WHERE lower(text) LIKE '%app%')",
    )
    assert expected > 0  # the samples mention "APP"
    assert (
        queries.issues_count(sample_db, Filters(), "APP")
        == queries.issues_count(sample_db, Filters(), "app")
        == expected
    )


def test_figures_by_unit_counts_each_inspection_once(tmp_path: Path) -> None:
    """A later progress report on the same inspection restates the figures so far: only the newest counts.
    A report on another inspection (another team) adds to it."""
    from loaders.writer import ingest

    text = sample_text("000")
    assert "给予党纪处分38人" in text and "2024年2月22日" in text
    later = text.replace("给予党纪处分38人", "给予党纪处分45人").replace("2024年2月22日", "2024年8月22日")
    other = (text.replace("省委第八巡视组", "省委第三巡视组").replace("给予党纪处分38人", "给予党纪处分5人")
             .replace("2024年2月22日", "2021年2月22日"))
    folder = tmp_path / "rounds"
    folder.mkdir()
    for name, body in (("first.txt", text), ("later.txt", later), ("other.txt", other)):
        (folder / name).write_text(body, encoding="utf-8")
    db = tmp_path / "rounds.duckdb"
    assert ingest.ingest_paths([folder], db, workers=1, progress=False).failures == []
    assert sql_scalar(db, "SELECT count(*) FROM reports") == 3
    df = queries.figures_by_unit(db, Filters(), ("party_discipline",))
    assert df[["unit", "value"]].values.tolist() == [["湖州市吴兴区", 45 + 5]]
    # Filtered to the first report alone, its own figure is what counts.
    (key,) = [r[0] for r in duckdb.connect(str(db), read_only=True).execute(
        "SELECT report_key FROM reports WHERE published_on = DATE '2024-02-22'").fetchall()]
    first = Filters(reports=(key,))
    assert queries.figures_by_unit(db, first, ("party_discipline",))["value"].tolist() == [38]


@pytest.mark.parametrize("db_name", ["sample_db", "series_db"])
def test_the_unit_pages_key_figures_are_key_figures_of_the_unit(
    db_name: str, request: pytest.FixtureRequest
) -> None:
    """单位 reads its key figures from its unit_scores row (views/components/derive.unit_key_figures) rather
    than counting the issues again: for every unit, on several filters and as-of dates (the series: problems
    restated across reports), they equal queries.key_figures of that unit, the one definition 总览 shows."""
    import dataclasses

    from views.components.derive import unit_key_figures

    db: Path = request.getfixturevalue(db_name)
    units = [u for (u,) in duckdb.connect(str(db), read_only=True).execute(
        "SELECT DISTINCT unit FROM reports ORDER BY 1").fetchall()]
    filters = [Filters(as_of=AS_OF), Filters(as_of=dt.date(2023, 6, 30)),
               Filters(as_of=AS_OF, all_versions=True), Filters(as_of=AS_OF, statuses=(queries.DONE,)),
               Filters(as_of=AS_OF, min_confidence=0.8)]
    compared = 0
    for unit in units:
        for f in filters:
            only = dataclasses.replace(f, units=(unit,))
            k = queries.key_figures(db, only).iloc[0]
            mine = unit_key_figures(queries.unit_scores(db, only))
            for column in mine.index:
                assert mine[column] == pytest.approx(k[column]), (unit, f, column)
            compared += 1
    assert units and compared == len(units) * len(filters)
