"""Small rendering helpers shared by the pages: escaped markdown, status badges, tables, pagination."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import streamlit as st

from queries import UNKNOWN
from views.components.labels import (
    COLUMN_LABELS,
    LIGHT_BADGE,
    LIGHT_NAMES,
    SOURCE_BADGE,
    SOURCE_LABELS,
    STATUS_BADGE,
    part_label,
)

# Characters with a meaning in Streamlit markdown (incl. :color[...] directives and $math$).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$:~<>&])")


def text_or(value: object, default: str = "") -> str:
    """A text cell, or `default` where it is missing. Query results mark a missing text as NaN (pandas), which
    is truthy, so `value or default` would show the word "nan"."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return default
    return str(value) or default


def escape_md(text: object) -> str:
    """Report text rendered as literal text through st.markdown (never as markup, never as HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", text_or(text)).replace("\n", "  \n")


def status_badge(status: object) -> str:
    label = text_or(status, UNKNOWN)
    return f":{STATUS_BADGE.get(label, 'gray')}-badge[{escape_md(label)}]"


def source_badge(source: object) -> str:
    source = text_or(source)
    if not source:
        return ""
    return f":{SOURCE_BADGE.get(source, 'gray')}-badge[{SOURCE_LABELS.get(source, escape_md(source))}]"


def light_badge(light: object) -> str:
    """The deadline light as a badge (红灯 / 黄灯 / 绿灯); empty for an issue without one."""
    light = text_or(light)
    return f":{LIGHT_BADGE[light]}-badge[{LIGHT_NAMES[light]}]" if light in LIGHT_BADGE else ""


def display_frame(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The chosen columns with Chinese titles and Chinese status-source and light labels."""
    out = df[columns].copy()
    if "light" in out:
        out["light"] = out["light"].map(lambda x: LIGHT_NAMES.get(x, "") if isinstance(x, str) else "")
    if "part" in out:
        out["part"] = out["part"].map(part_label)
    if "file" in out:
        out["file"] = out["file"].map(lambda p: Path(p).name if isinstance(p, str) else p)
    if "source" in out:
        out["source"] = out["source"].map(lambda s: SOURCE_LABELS.get(s, "—") if isinstance(s, str) else "—")
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.date
    return out.rename(columns=COLUMN_LABELS)


def show_table(df: pd.DataFrame, columns: list[str], height: int | Literal["auto"] = "auto",
               **config: Any) -> None:
    # placeholder="": a missing value (no deadline, no unit) is an empty cell, not the word "None".
    st.dataframe(display_frame(df, columns), hide_index=True, height=height, column_config=config or None,
                 placeholder="")


def capped_table(df: pd.DataFrame, columns: list[str], cap: int, what: str, total: int | None = None,
                 **config: Any) -> None:
    """A table of at most `cap` rows, with a visible count (scale: never ship unbounded tables). `total` is
    the full count when the query already stopped at `cap` rows; `config`: show_table's column settings."""
    if df.empty:
        st.info(f"没有{what}。")
        return
    shown = df.head(cap)
    if total is None and len(df) > cap:
        note = f"超过 {cap} 条{what}，显示前 {cap} 条（可用左侧筛选缩小范围）"
    else:
        total = len(df) if total is None else total
        note = f"共 {total} 条{what}" + (f"，显示前 {len(shown)} 条" if total > len(shown) else "")
    st.caption(note)
    show_table(shown, columns, **config)


def page_window(total: int, page_size: int, key: str) -> tuple[int, int]:
    """Pagination control; returns (offset, limit) and shows which rows are on screen."""
    pages = max(1, math.ceil(total / page_size))
    if not 1 <= int(st.session_state.get(key, 1)) <= pages:
        st.session_state[key] = 1  # the row count shrank (new filter or search): back to the first page
    page = st.pagination(pages, key=key) if pages > 1 else 1
    page = min(max(1, int(page)), pages)
    offset = (page - 1) * page_size
    return offset, page_size


def _when(value: object) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M") if pd.notna(value) else "时间不详"


def issue_box_key(issue_key: str) -> str:
    """The widget key of an issue's expander (render_issue): session_state holds whether it is open."""
    return f"issue_open_{issue_key}"


def issue_open(issue_key: str) -> bool:
    """Whether the user opened this issue's expander (known before the page draws it)."""
    return bool(st.session_state.get(issue_box_key(issue_key)))


def render_issue(issue: object, history: pd.DataFrame | None = None) -> None:
    """One issue: status and source badges, its title, and (on demand) the evidence, measures, deadlines,
    and its history across the unit's reports (`history`: queries.issue_history rows of its lineage).

    The expander is lazy: its content is drawn only while it is open (opening it reruns the page). A page of
    50 issues drew ~400 elements and 50 history tables that nobody had opened: ~0.3 s of every rerun of 单位
    at 10,000 files, most of the page."""
    from views.components.lineage_view import lineage_notes, render_history  # lineage_view imports this

    i: Any = issue  # a row of queries.unit_issues (itertuples)
    badges = f"{status_badge(i.status)} {source_badge(i.source)} {light_badge(getattr(i, 'light', None))}"
    marks = ""
    if getattr(i, "due_revisions", 0) and int(i.due_revisions) > 0:
        marks += " :orange-badge[时限已调整]"
    if text_or(getattr(i, "recurrence_of", None)):
        marks += " :red-badge[屡改屡犯线索]"
    box = st.expander(f"{badges}{marks} **{escape_md(i.label)}** {escape_md(i.title)}",
                      key=issue_box_key(i.issue_key), on_change="rerun")
    if not box.open:
        return
    with box:
        st.markdown(f"**判定依据**：{escape_md(text_or(i.evidence, '—'))}")
        against = text_or(getattr(i, "counter_evidence", None))
        if against:  # the strongest sentence against the decision: the supervisor weighs both
            st.markdown(f"**相反迹象**：{escape_md(against)}")
        overdue = text_or(getattr(i, "overdue_commitments", None))
        if overdue:
            st.markdown(f"**已过承诺时限**（通报发布前已到期、未写明结果）：{escape_md(overdue)}")
        conf = f"{i.confidence:.2f}" if pd.notna(i.confidence) else "—"
        st.caption(f"规则：{escape_md(text_or(i.rule, '—'))} ｜ 置信度：{conf}")
        if i.source == "override":
            note = escape_md(text_or(i.override_note, "（无说明）"))
            st.markdown(
                f"**人工更正**：{escape_md(i.override_author)}，{_when(i.override_at)}：{note}"
                f"（原解析状态：{escape_md(text_or(i.parsed_status, UNKNOWN))}）"
            )
        if hasattr(i, "lineage_id"):
            for note in lineage_notes(i):
                st.markdown(note)
        if text_or(i.deadlines):
            st.markdown(f"**时限**：{escape_md(i.deadlines)}")
        st.markdown(f"**整改措施**：  \n{escape_md(text_or(i.measures_text, '—'))}")
        if history is not None and len(history) > 1:
            st.markdown(f"**历次通报**（{len(history)} 个版本）")
            render_history(history)


def count_metric(container: Any, label: str, value: object, help: str | None = None) -> None:
    """A count as a metric, shown with thousands separators (258,412), kept an int for tests and copying."""
    container.metric(label, int(value), help=help, format="localized")  # type: ignore[call-overload]
