"""单位: one unit at a time: its reports as a timeline of inspection rounds, issues by category (status,
evidence, history across reports), figures, deadlines."""

import dataclasses

import pandas as pd
import streamlit as st

import queries
from views.components.brief import DOCX_MIME, brief_bytes, brief_filename
from views.components.data import db_path, query, query_many, setting
from views.components.derive import REVISED, mark_overdue, mark_revised, unit_key_figures
from views.components.filters import matching_reports, page_choice, sidebar_filters
from views.components.labels import LIGHT_COLUMNS, STATUS_COLUMNS, figure_label
from views.components.ledger import completion_note, ledger_bytes, xlsx_max_rows
from views.components.lineage_view import render_timeline
from views.components.ui import (
    count_metric,
    escape_md,
    issue_open,
    page_window,
    render_issue,
    show_table,
    text_or,
)
from views.components.xlsx_export import XLSX_MIME, xlsx_filename


def render_by_category(shown: pd.DataFrame, history: pd.DataFrame) -> None:
    """The issues under one heading per category (in order of first appearance, as groupby(sort=False)
    groups them), in one pass over the rows: iterating a groupby per category cost as much as drawing."""
    first = shown.groupby("category", sort=False).ngroup()
    ordered = shown.assign(_group=first).sort_values("_group", kind="stable")
    sizes = ordered["category"].value_counts(sort=False)
    current = None
    versions = dict(tuple(history.groupby("lineage_id", sort=False))) if not history.empty else {}
    for issue in ordered.itertuples(index=False):
        if issue.category != current:
            current = issue.category
            # "（未分类）（35）" reads badly: the heading's count is set off with a dot instead.
            st.markdown(f"#### {escape_md(current)} · {sizes[current]} 个")
        render_issue(issue, versions.get(issue.lineage_id))


f = sidebar_filters("unit")
st.title("单位")
units = sorted(matching_reports(f)["unit"].dropna().unique().tolist())
if not units:
    st.info("没有符合筛选条件的单位。")
    st.stop()
unit = page_choice("u", "选择单位", units, key="unit_pick")
only_unit = dataclasses.replace(f, units=(unit,))
# Issues are drawn dashboard.unit_page_size at a time: each is an expander with its evidence (Streamlit spends
# ~0.5 ms per element, and a large unit's page of 200 issues cost ~0.15 s of a cold render at 10,000 reports).
page_size = setting("unit_page_size")
# The page of issues is fetched with the other queries, on one connection, at the page the pager shows now;
# it is fetched again below only when the pager moves it (the issue count shrank under a new filter).
guess = (max(1, int(st.session_state.get("unit_page", 1))) - 1) * page_size
timeline, figures, deadlines, prefetched, score = query_many(
    (queries.unit_timeline, only_unit, unit),
    (queries.unit_figures, only_unit, unit), (queries.deadline_rows, only_unit),
    (queries.unit_issues, only_unit, unit, page_size, guess),
    (queries.unit_scores, only_unit),
)
k = unit_key_figures(score)  # the unit's row of unit_scores counts what key_figures would
total = int(k["issues"])  # the unit's issues within the filters: what unit_issues lists, page by page
not_done = {column: label for column, label in STATUS_COLUMNS.items() if label != queries.DONE}
cols = st.columns(len(not_done) + 3)
count_metric(cols[0], "问题", k["issues"])
cols[1].metric("完成率", f"{k['done_rate']:.1%}", help="解析结果：状态为“完成”的问题占全部问题的比例")
for cell, (column, label) in zip(cols[2:], not_done.items(), strict=False):
    count_metric(cell, label, k[column])
count_metric(cols[-1], "逾期", k["overdue"], help=f"截至 {f.as_of:%Y-%m-%d}")
ledger_cols = st.columns(6)
stated = score["stated_rate"].iloc[0] if not score.empty else None
ledger_cols[0].metric("自报完成率", "—" if stated is None or pd.isna(stated) else f"{stated:.1f}%",
               help="通报自己写明的完成率（或“已完成X个”÷“X个问题”），取最新一份写明的通报")
_RED_HELP = "未完成、已逾期或距首个时限不超过红灯天数的问题"
for n, (column, name) in enumerate(LIGHT_COLUMNS.items()):  # red first: its rule as help
    count_metric(ledger_cols[1 + n], name, k[column], help=None if n else _RED_HELP)
if not score.empty:
    ledger_cols[4].metric("评级", text_or(score["grade"].iloc[0], "—"),
                          help="按解析完成率和逾期比例（见“评分”页）")
note = completion_note(score)
if note:
    st.warning(note)

label = unit
downloads = st.columns([1, 1, 3])
downloads[0].download_button(
    "整改台账 Excel", data=lambda: ledger_bytes(db_path(), only_unit), icon=":material/table_view:",
    on_click="ignore", mime=XLSX_MIME, file_name=xlsx_filename("整改台账", f.as_of, label),
    disabled=total == 0 or total > xlsx_max_rows(),
    help="该单位符合筛选条件的全部问题，一行一个（含“导出说明”工作表）",
)
downloads[1].download_button(
    "一页简报 Word", data=lambda: brief_bytes(db_path(), f, unit), icon=":material/description:",
    on_click="ignore", file_name=brief_filename(f.as_of, label),
    mime=DOCX_MIME,
    help="主要数字、各类问题完成情况、逾期问题、问责与追缴，可附在上报材料后",
)

st.subheader("通报与整改时间线")
render_timeline(timeline)

st.subheader(f"问题（{total} 个）")
if not total:
    st.info("该单位没有符合筛选条件的问题。")
else:
    offset, limit = page_window(total, page_size, "unit_page")
    # Only the page shown is fetched (a unit can hold thousands of issues, each with all its measures).
    shown = prefetched if offset == guess else query(queries.unit_issues, only_unit, unit, limit, offset)
    if total > limit:
        st.caption(f"显示第 {offset + 1}–{offset + len(shown)} 个，共 {total} 个")
    st.caption(f"每个问题显示截至 {f.as_of:%Y-%m-%d} 最新一份通报中的版本；展开可看它在历次通报中的变化。")
    # Every version of the problems opened on this page (and the problems merged into them), in one query;
    # a closed issue draws no content (ui.render_issue), so none is fetched for it.
    opened = tuple(sorted({i.lineage_id for i in shown.itertuples() if issue_open(i.issue_key)}))
    history = query(queries.issue_history, opened) if opened else pd.DataFrame()
    render_by_category(shown, history)

st.subheader("数字")
if figures.empty:
    st.info("该单位的通报没有列出问责、追缴等数字。")
else:
    show_table(figures.assign(kind=figures["kind"].map(figure_label)),
               ["published_on", "part", "kind", "value", "figure_unit", "evidence"])

st.subheader("时限")
if deadlines.empty:
    st.info("该单位的问题没有可识别日期的时限。")
else:
    show_table(mark_revised(mark_overdue(deadlines)),
               ["due_on", "是否逾期", REVISED, "status", "text", "title"])
