"""What the ledger exports record about themselves (filters, as-of date, time, database, counts), and the
builders the download buttons call on click (plain queries, every matching row, not one page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import queries
from loaders.config import section
from queries import LIGHTS, STATUS_LABELS, Filters
from queries.base import light_days
from queries.scores import disagreement_pts
from views.components.labels import LIGHT_COLUMNS, SOURCE_LABELS, STATUS_COLUMNS
from views.components.xlsx_export import ExportInfo, ledger_xlsx, table_xlsx


def xlsx_max_rows() -> int:
    """config.yaml ledger.xlsx_max_rows: the largest ledger offered as .xlsx."""
    return int(section("ledger")["xlsx_max_rows"])


def light_rule() -> str:
    """The light thresholds in words (config.yaml ledger.lights)."""
    yellow, red = light_days()
    return (f"红灯：已逾期或距首个时限不超过 {red} 天；黄灯：{red + 1}–{yellow} 天；绿灯：{yellow} 天以上。"
            "已完成或没有可识别日期的问题不亮灯。")


def describe_filters(f: Filters, search: str = "") -> list[tuple[str, str]]:
    """The filters in words, one (label, value) per filter; "全部" where nothing is chosen."""
    def many(values: tuple[str, ...]) -> str:
        return "、".join(values) if values else "全部"

    return [
        ("省份", many(f.provinces)), ("城市", many(f.cities)), ("单位", many(f.units)),
        ("通报", many(f.reports)), ("问题类别", many(f.categories)), ("整改状态", many(f.statuses)),
        ("状态来源", many(tuple(SOURCE_LABELS.get(s, s) for s in f.sources))),
        ("预警灯", many(tuple(f"{x}灯" for x in f.lights))),
        ("最低置信度", f"{f.min_confidence:g}" if f.min_confidence else "不限"),
        ("搜索", search.strip() or "无"),
    ]


def export_info(f: Filters, search: str, rows: pd.DataFrame, db: Path, what: str) -> ExportInfo:
    """The 导出说明 sheet: what, which filters, as of when, exported when, from which file, how many."""
    status = rows["status"].value_counts() if not rows.empty else pd.Series(dtype=int)
    lights = rows["light"].value_counts() if not rows.empty else pd.Series(dtype=int)
    lines = [
        ("导出内容", what),
        *((f"筛选：{label}", value) for label, value in describe_filters(f, search)),
        ("截至日期", f.as_of.isoformat()),
        ("导出时间", dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")),
        ("数据库文件", str(db)),
        ("问题数", str(len(rows))),
        ("单位数", str(rows["unit"].nunique() if not rows.empty else 0)),
        *((f"完成情况：{s}", str(int(status.get(s, 0)))) for s in STATUS_LABELS),
        *((f"预警：{x}灯", str(int(lights.get(x, 0)))) for x in LIGHTS),
        ("预警规则", light_rule()),
        ("责任单位", "通报列明责任单位时填写；未列明的留空。"),
        ("公式防护", "以 = + - @、制表符或回车开头的文字前加了 '，打开时不会当作公式执行。"),
    ]
    return ExportInfo(tuple(lines))


_STATED_FROM = {"completion_rate": "完成率", "completed/issues": "已完成÷问题数"}


@dataclass(frozen=True)
class StatedSummary:
    """Self-reported completion over the units that state one, and the parsed one of the same units."""

    rate: float | None  # 0-1, weighted by the stated (else parsed) issue counts
    parsed: float | None  # 0-1, the parsed completion of those units
    disagreeing: int  # units flagged by unit_scores.disagrees

    @property
    def parsed_text(self) -> str:
        return "—" if self.parsed is None else f"{self.parsed:.1%}"


def stated_summary(scores: pd.DataFrame) -> StatedSummary:
    """StatedSummary of unit_scores rows (vectorised: no loop over units)."""
    said = scores[scores["stated_rate"].notna()] if not scores.empty else scores
    if said.empty:
        return StatedSummary(None, None, 0)
    weight = said["stated_issues"].fillna(said["issues"]).astype(float)
    weight = weight.where(weight > 0, 1.0)
    rate = float((said["stated_rate"] * weight).sum() / weight.sum() / 100)
    parsed_issues = said["issues"].sum()
    parsed = float(said["done"].sum() / parsed_issues) if parsed_issues else None
    return StatedSummary(rate, parsed, int(scores["disagrees"].fillna(False).sum()))


def stated_table(scores: pd.DataFrame) -> pd.DataFrame:
    """The units that state a completion: stated beside parsed, the gap, the flag; the largest gap first."""
    said = scores[scores["stated_rate"].notna()] if not scores.empty else scores
    if said.empty:
        return pd.DataFrame()
    out = pd.DataFrame({
        "单位": said["unit"], "自报完成率（%）": said["stated_rate"].round(1),
        "自报依据": said["stated_from"].map(_STATED_FROM),
        "自报问题数": said["stated_issues"], "自报已完成": said["stated_completed"],
        "解析问题数": said["issues"], "解析完成率（%）": (100 * said["completion"]).round(1),
        "差（百分点）": said["rate_gap"].round(1),
        "是否不符": said["disagrees"].map({True: "不符", False: ""}).fillna("无解析问题"),
    })
    # The largest gap first; units with no parsed issue (stated figures only) after them.
    order = said["rate_gap"].abs().fillna(-1.0).sort_values(ascending=False, kind="stable").index
    return out.loc[order].reset_index(drop=True)


def completion_note(score: pd.DataFrame) -> str:
    """A warning when a unit's self-reported completion and the parsed one disagree (one unit_scores
    row), else ""."""
    if score.empty or not bool(score["disagrees"].fillna(False).iloc[0]):
        return ""
    r = score.iloc[0]
    return (f"通报自报完成率 {r['stated_rate']:.1f}% 与解析完成率 {100 * r['completion']:.1f}% 相差 "
            f"{abs(r['rate_gap']):.1f} 个百分点（超过 {disagreement_pts():g}）：请对照原文核对状态。")


def with_unit_rates(db: Path, f: Filters, rows: pd.DataFrame) -> pd.DataFrame:
    """`rows` (issue rows with a unit column) with their unit's self-reported completion (`unit_stated_rate`,
    percent) and parsed completion (`unit_parsed_rate`, percent, within the filters), from unit_scores."""
    scores = queries.unit_scores(db, f)
    rates = pd.DataFrame({"unit": scores["unit"], "unit_stated_rate": scores["stated_rate"].round(1),
                          "unit_parsed_rate": (100 * scores["completion"]).round(1)})
    return rows.merge(rates, on="unit", how="left")


def ledger_bytes(db: Path, f: Filters, search: str = "") -> bytes:
    """The 整改台账 workbook of every issue matching the filters (and search)."""
    rows = queries.ledger_rows(db, f, search)
    return ledger_xlsx(rows, export_info(f, search, rows, db, "整改台账（每个问题一行）"))


_SCORE_COLUMNS = {
    "rank": "排名", "grade": "评级", "unit": "单位", "province": "省份", "city": "城市", "reports": "通报",
    "issues": "问题", **STATUS_COLUMNS,
    "completion_pct": "解析完成率（%）", "stated_rate": "自报完成率（%）", "rate_gap": "差（百分点）",
    "disagrees": "自报与解析不符", "overdue": "逾期", "overdue_pct": "逾期比例（%）",
    "partial_pct": "阶段性完成比例（%）", **LIGHT_COLUMNS,
    "people": "处分问责（人）", "money": "清退挽回（万元）",
}


def score_frame(scores: pd.DataFrame) -> pd.DataFrame:
    """unit_scores as the ranking table (Chinese headers, shares in percent), in rank order."""
    out = scores.assign(
        completion_pct=(100 * scores["completion"]).round(1),
        overdue_pct=(100 * scores["overdue_share"]).round(1),
        partial_pct=(100 * scores["partial_share"]).round(1), stated_rate=scores["stated_rate"].round(1),
        rate_gap=scores["rate_gap"].round(1), disagrees=scores["disagrees"].map({True: "不符", False: ""}),
        money=scores["money"].round(2),
    )
    return out[list(_SCORE_COLUMNS)].rename(columns=_SCORE_COLUMNS)


def scores_xlsx(table: pd.DataFrame, f: Filters) -> bytes:
    """The ranking table as a workbook with its 导出说明 sheet."""
    info = ExportInfo((
        ("导出内容", "单位评分与排名"), *((f"筛选：{k}", v) for k, v in describe_filters(f)),
        ("截至日期", f.as_of.isoformat()), ("导出时间", dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")),
        ("单位数", str(len(table))),
    ))
    return table_xlsx(table, "单位评分", info)
