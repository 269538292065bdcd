"""The one-page brief (.docx, python-docx) for one unit or for the current filter, to attach to a report
upward: key figures, the completion chart (a table of bars drawn with block characters: no image
renderer is needed), the longest-overdue items, and the accountability figures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

import queries
from loaders.config import section
from queries import DONE, Filters
from queries.overview import overview_parts
from views.components.csv_export import safe_filename_part
from views.components.labels import LIGHT_COLUMNS, MONEY_FIGURES, PEOPLE_FIGURES, STATUS_COLUMNS
from views.components.ledger import describe_filters, light_rule
from views.components.ui import text_or

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BAR_CELLS = 20  # a full bar is this many block characters
_FONT = "SimSun"


@dataclass(frozen=True)
class BriefData:
    """What the brief shows, fetched by brief_data."""

    heading: str
    scope: list[tuple[str, str]]
    as_of: dt.date
    key: dict[str, float]
    chart_by: str  # 单位 or 问题类别
    chart: pd.DataFrame  # label, done, total
    overdue: pd.DataFrame  # queries.overdue_issues
    figures: pd.DataFrame  # kind label, value, figure_unit (人, 万元…)
    stated_rate: float | None  # a unit's self-reported completion (percent)


def _completion(long: pd.DataFrame, key: str) -> pd.DataFrame:
    """label, done, total from (key, status, n) rows; the ledger.brief.chart_rows largest, by completion."""
    if long.empty:
        return pd.DataFrame({"label": [], "done": [], "total": []})
    total = long.groupby(key)["n"].sum()
    done = long[long["status"] == DONE].groupby(key)["n"].sum().reindex(total.index, fill_value=0)
    out = pd.DataFrame({"label": total.index, "done": done.to_numpy(), "total": total.to_numpy()})
    out = out.nlargest(int(section("ledger")["brief"]["chart_rows"]), "total")
    out = out.assign(rate=out["done"] / out["total"])
    return out.sort_values("rate", ascending=False).drop(columns="rate")


def brief_data(db: Path, f: Filters, unit: str | None = None) -> BriefData:
    """Everything the brief needs, on one read connection: for `unit` (within the filters), else for
    the filters."""
    scope_f = dataclasses.replace(f, units=(unit,)) if unit else f
    kinds = tuple(PEOPLE_FIGURES) + tuple(MONEY_FIGURES)
    with queries.Reader.open(db) as reader:
        key_figures, by_unit, _, by_category = overview_parts(queries.overview_counts(reader, scope_f))
        key = key_figures.iloc[0]
        long = by_category if unit else by_unit
        overdue = queries.overdue_issues(reader, scope_f, int(section("ledger")["brief"]["overdue_rows"]))
        figures = queries.figures_by_unit(reader, scope_f, kinds)
        scores = queries.unit_scores(reader, scope_f) if unit else None
    labels = {**PEOPLE_FIGURES, **MONEY_FIGURES}
    summed = figures
    if not figures.empty:
        summed = figures.groupby("kind", as_index=False).agg(value=("value", "sum"),
                                                             figure_unit=("figure_unit", "first"))
    if not summed.empty:
        order = {k: n for n, k in enumerate(labels)}
        summed = summed.assign(_o=summed["kind"].map(order)).sort_values("_o").drop(columns="_o")
        summed["kind"] = summed["kind"].map(labels)
    stated = None
    if scores is not None and not scores.empty and pd.notna(scores["stated_rate"].iloc[0]):
        stated = float(scores["stated_rate"].iloc[0])
    heading = f"{unit}巡视整改进展简报" if unit else "巡视整改进展简报"
    return BriefData(
        heading=heading, scope=describe_filters(scope_f), as_of=f.as_of,
        key={k: float(v) for k, v in key.items()},
        chart_by="问题类别" if unit else "单位",
        chart=_completion(long, "category" if unit else "unit"), overdue=overdue, figures=summed,
        stated_rate=stated,
    )


def bar(done: float, total: float) -> str:
    """A completion bar of BAR_CELLS block characters: █ done, ░ the rest."""
    full = round(BAR_CELLS * done / total) if total else 0
    return "█" * full + "░" * (BAR_CELLS - full)


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text


def _n(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def brief_docx(data: BriefData) -> bytes:
    """The brief as .docx bytes."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = _FONT
    style.font.size = Pt(10.5)
    title = doc.add_heading(data.heading, level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    chosen = "；".join(f"{k}：{v}" for k, v in data.scope if v not in ("全部", "无", "不限"))
    doc.add_paragraph(f"截至 {data.as_of:%Y-%m-%d}。范围：{chosen or '全部通报'}。")

    k = data.key
    doc.add_heading("一、主要数字", level=2)
    rate = k["done"] / k["issues"] if k["issues"] else 0.0
    figures = [
        ["通报", _n(k["reports"])], ["单位", _n(k["units"])], ["问题", _n(k["issues"])],
        *([label, _n(k[column])] for column, label in STATUS_COLUMNS.items()),
        ["完成率（解析）", f"{rate:.1%}"], ["逾期", _n(k["overdue"])],
        [" / ".join(LIGHT_COLUMNS.values()), " / ".join(_n(k[column]) for column in LIGHT_COLUMNS)],
    ]
    if data.stated_rate is not None:
        figures.append(["完成率（通报自报）", f"{data.stated_rate:.1f}%"])
    _table(doc, ["指标", "数值"], figures)
    doc.add_paragraph(light_rule()).runs[0].font.size = Pt(8)

    doc.add_heading(f"二、各{data.chart_by}整改完成情况", level=2)
    if data.chart.empty:
        doc.add_paragraph("没有问题。")
    else:
        _table(doc, [data.chart_by, "完成 / 问题", "完成率", "完成进度"], [
            [text_or(r.label), f"{int(r.done)} / {int(r.total)}", f"{r.done / r.total:.0%}",
             bar(r.done, r.total)]
            for r in data.chart.itertuples(index=False)
        ])

    doc.add_heading("三、逾期问题（逾期最久的）", level=2)
    if data.overdue.empty:
        doc.add_paragraph("没有逾期问题。")
    else:
        _table(doc, ["单位", "问题", "首个时限", "逾期天数", "状态"], [
            [text_or(r.unit), text_or(r.title), f"{pd.Timestamp(r.due_on):%Y-%m-%d}",
             str(int(r.days_overdue)), text_or(r.status)]
            for r in data.overdue.itertuples(index=False)
        ])

    doc.add_heading("四、问责与追缴", level=2)
    if data.figures.empty:
        doc.add_paragraph("通报没有列出问责、追缴数字。")
    else:
        _table(doc, ["指标", "数值"], [
            [text_or(r.kind), f"{_n(r.value)} {text_or(r.figure_unit)}"]
            for r in data.figures.itertuples(index=False)
        ])
    foot = doc.add_paragraph(f"由巡视整改进展 dashboard 生成于 {dt.datetime.now():%Y-%m-%d %H:%M}。")
    foot.runs[0].font.size = Pt(8)
    foot.runs[0].font.color.rgb = RGBColor(0x80, 0x80, 0x80)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def brief_filename(as_of: dt.date, label: str) -> str:
    """E.g. 整改简报_2024-06-30_湖州市吴兴区.docx."""
    return f"整改简报_{as_of.isoformat()}_{safe_filename_part(label)}.docx"


def brief_bytes(db: Path, f: Filters, unit: str | None = None) -> bytes:
    """The brief for `unit` (within the filters), else for the filters."""
    return brief_docx(brief_data(db, f, unit))
