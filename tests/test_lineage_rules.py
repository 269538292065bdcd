"""loaders/writer/lineage.py on small hand-made inputs: how inspection threads tolerate the way reports print
their team and dates, and the stated completion rate the 单位 timeline draws beside the parsed one (its one
definition, queries.base._stated, is tested in test_read_side.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from loaders.writer import lineage
from views.components import charts

D = dt.date


def rep(key: str, published: dt.date, team: str | None = None, start: dt.date | None = None,
        feedback: dt.date | None = None) -> lineage.ReportIn:
    return lineage.ReportIn(key, "某区", published, team, start, None, feedback)


def issue(key: str, report: str, title: str, measures: tuple[str, ...] = ()) -> lineage.IssueIn:
    return lineage.IssueIn(key, report, 0, title, "1", "", measures)


def keys(threads: list[list[lineage.ReportIn]]) -> list[list[str]]:
    return [[r.report_key for r in t] for t in threads]


def test_team_names_compare_without_session_and_with_digits_as_numerals() -> None:
    r = lineage.rules()
    assert lineage.team_key("十二届省委第六巡视组", r) == lineage.team_key("省委第6巡视组", r)
    assert lineage.team_key("省委第六巡视组", r) != lineage.team_key("省委第三巡视组", r)
    assert lineage.team_key("省委巡视组", r) is None  # names no team: says nothing


def test_reports_of_one_inspection_share_a_thread_however_they_print_it() -> None:
    reports = [
        rep("a", D(2023, 9, 26), "省委第六巡视组", D(2022, 11, 14), D(2023, 3, 23)),
        rep("b", D(2023, 12, 28), "十二届省委第6巡视组", None, D(2023, 3, 24)),  # a day off, no period
        rep("c", D(2025, 6, 20), "省委第六巡视组", D(2024, 10, 9), D(2025, 2, 26)),  # same team, next round
        rep("d", D(2024, 3, 1), None, None, D(2023, 3, 23)),  # only the feedback date
    ]
    assert keys(lineage.group_threads(reports, [])) == [["a", "b", "d"], ["c"]]


def test_a_report_printing_nothing_joins_the_thread_whose_problems_it_continues() -> None:
    reports = [rep("a", D(2023, 9, 1), "省委第六巡视组", feedback=D(2023, 3, 1)),
               rep("c", D(2025, 6, 1), "省委第三巡视组", feedback=D(2025, 2, 1)),
               rep("x", D(2025, 9, 1))]  # after round 2 began, but it continues round 1's problems
    issues = [issue("a1", "a", "关于拆迁安置问题矛盾突出的问题",
                    ("一是加快回迁安置房建设,力争2026年底全部交付。",)),
              issue("c1", "c", "关于年轻干部培养选拔力度不够的问题", ("一是建立优秀年轻干部库。",)),
              issue("x1", "x", "关于拆迁安置问题矛盾突出的问题", ("一是加快回迁安置房建设,已交付24个。",))]
    assert keys(lineage.group_threads(reports, issues)) == [["a", "x"], ["c"]]
    built = lineage.build(reports, issues)
    by_key = {row.issue_key: row for row in built.lineage}
    assert by_key["x1"].prev_issue_key == "a1" and by_key["c1"].prev_issue_key is None


def test_no_match_below_the_threshold_and_the_score_is_kept() -> None:
    reports = [rep("a", D(2023, 9, 1), "省委第六巡视组"), rep("b", D(2023, 12, 1), "省委第六巡视组")]
    issues = [issue("a1", "a", "关于违规兼职问题清理走过场的问题", ("一是开展兼职清理专项行动。",)),
              issue("b1", "b", "关于粮食储备规模不达标的问题", ("一是完成地方储备粮90天储备要求。",)),
              issue("b2", "b", "关于违规兼职问题清理走过场的问题",
                    ("一是开展兼职清理专项行动。", "二是对顶风违纪、屡教不改的从严查处。"))]
    rows = {r.issue_key: r for r in lineage.build(reports, issues).lineage}
    assert rows["b1"].prev_issue_key is None and rows["b1"].score is None and rows["b1"].version == 1
    assert rows["b2"].prev_issue_key == "a1" and rows["b2"].score >= lineage.rules().threshold
    assert rows["b2"].measures_added == 1  # the second measure is new, the first restated
    assert rows["a1"].superseded and rows["a1"].successor_on == D(2023, 12, 1)


def test_completion_timeline_draws_one_line_per_round_and_the_stated_rate_beside_it() -> None:
    df = pd.DataFrame({
        "published_on": pd.to_datetime(["2023-09-26", "2023-12-28", "2025-06-20"]),
        "thread_round": [1, 1, 2], "thread_done_rate": [0.7, 0.8, 0.6], "done_rate": [0.7, 0.8, 0.6],
        "thread_done": [7, 8, 3], "thread_problems": [10, 10, 5], "done": [7, 8, 3], "issues": [10, 10, 5],
        "stated_rate": [float("nan"), 95.0, float("nan")], "label": ["a", "b", "c"]})
    fig = charts.completion_timeline(df)
    names = [t.name for t in fig.data]
    assert names == ["第1轮 · 解析完成率", "第1轮 · 通报自述完成率", "第2轮 · 解析完成率"]
    assert list(fig.data[0].y) == [70.0, 80.0] and list(fig.data[1].y) == [95.0]
