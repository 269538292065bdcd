"""What the ledger exports record about themselves (filters, as-of date, time, database, counts), and the
builders the download buttons call on click (plain queries, every matching row, not one page)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from loaders import queries
from loaders.queries import LIGHTS, STATUS_LABELS, Filters
from loaders.queries.base import light_days
from views.components.labels import SOURCE_LABELS
from views.components.xlsx_export import ExportInfo, ledger_xlsx


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


def ledger_bytes(db: Path, f: Filters, search: str = "") -> bytes:
    """The 整改台账 workbook of every issue matching the filters (and search)."""
    rows = queries.ledger_rows(db, f, search)
    return ledger_xlsx(rows, export_info(f, search, rows, db, "整改台账（每个问题一行）"))
