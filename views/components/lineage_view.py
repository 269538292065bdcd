"""How a problem changed over time, as the 单位 page draws it: the unit's inspection rounds as a timeline
of its reports, and one problem's history across them (queries.unit_timeline / issue_history)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from queries import DONE, UNKNOWN
from views.components.figures import plotly_chart
from views.components.labels import SOURCE_LABELS, STATUS_COLUMNS, part_label
from views.components.ui import escape_md, show_table, text_or


def _day(value: object) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d") if pd.notna(value) else "日期不详"


def timeline_frame(timeline: pd.DataFrame) -> pd.DataFrame:
    """The timeline with a label per report; `stated_rate` (the completion it states, percent) as a float
    column, NaN where it states none."""
    label = [f"{_day(r.published_on)} {text_or(r.title, '（无标题）')}" for r in timeline.itertuples()]
    return timeline.assign(label=label, stated_rate=pd.to_numeric(timeline["stated_rate"]).astype("float"))


def render_timeline(timeline: pd.DataFrame) -> None:
    """The unit's rounds of inspection, each a thread of reports in publication order, with the completion
    over time (parsed, and stated where the report states it) and what changed in each report."""
    data = timeline_frame(timeline)
    rounds = sorted(data["thread_round"].unique())
    st.caption(f"{len(data)} 份通报，{len(rounds)} 轮巡视。同一轮巡视的多份通报（集中整改进展、整改情况、"
               "回头看）按发布日期排列。折线：每份通报发布时，本轮全部问题按当时最新版本计的完成率；"
               "菱形：通报自述的完成率（如有）。上方数字中每个问题只按截至日期前最新一份通报计一次。")
    plotly_chart("completion_timeline", data, key="unit_timeline")
    for n in rounds:
        part = data[data["thread_round"] == n]
        first = part.iloc[0]
        teams = [t for t in part["team"].dropna().unique() if text_or(t)]
        feedback = part["feedback_on"].dropna()
        head = [f"第{int(n)}轮巡视"] + [str(t) for t in teams[:1]]
        if not feedback.empty:
            head.append(f"反馈 {_day(feedback.iloc[0])}")
        st.markdown(f"##### {escape_md(' · '.join(head))}")
        if int(n) > 1:
            st.caption("与上一轮巡视相似的已完成问题标为“屡改屡犯线索”，由监督人员核实。")
        for r in part.itertuples():
            _report_card(r, r.Index == first.name)


def _report_card(r: Any, first: bool) -> None:
    facts = [f"发布：{_day(r.published_on)}", f"列出问题 {int(r.issues)} 个",
             f"{DONE} {int(r.done)}（{r.done_rate:.0%}）",
             *(f"{label} {int(getattr(r, column))}" for column, label in STATUS_COLUMNS.items()
               if label not in (DONE, UNKNOWN))]
    if pd.notna(r.thread_problems) and int(r.thread_problems) != int(r.issues):
        facts.append(f"本轮问题累计 {int(r.thread_problems)} 个，完成 {r.thread_done_rate:.0%}")
    if pd.notna(r.stated_rate):
        facts.append(f"通报自述完成率 {r.stated_rate:.0f}%")
    if not first:
        facts += [f"延续 {int(r.continued)}", f"新问题 {int(r.new_problems)}"]
    if r.revised:
        facts.append(f"时限调整 {int(r.revised)}")
    if r.recurrences:
        facts.append(f"屡改屡犯线索 {int(r.recurrences)}")
    dates = "至".join(_day(d) for d in (r.inspection_start, r.inspection_end) if pd.notna(d))
    if dates:
        facts.append(f"巡视时间：{dates}")
    with st.container(border=True):
        st.markdown(f"**{escape_md(text_or(r.title, '（无标题）'))}** · {escape_md(part_label(r.part))}")
        st.caption(escape_md(" ｜ ".join(facts)))


def lineage_notes(i: Any) -> list[str]:
    """Markdown lines about an issue's place in its lineage: a carried correction, a moved deadline, a
    resemblance to a problem closed in an earlier round."""
    notes = []
    carried = text_or(i.carried_status)
    if carried and i.source == "carried":
        notes.append(f"**沿用更正**：上一版本被{escape_md(text_or(i.carried_author, '监督人员'))}更正为"
                     f"“{escape_md(carried)}”，本期通报未写明状态，沿用该更正（本期解析状态："
                     f"{escape_md(text_or(i.parsed_status, UNKNOWN))}）")
    elif carried:
        own = f"{SOURCE_LABELS.get(text_or(i.source), '')}“{escape_md(text_or(i.status, UNKNOWN))}”"
        notes.append(f"**上一版本的人工更正**：“{escape_md(carried)}”"
                     f"（{escape_md(text_or(i.carried_author, '监督人员'))}）；本期状态为{own}，以本期为准")
    if pd.notna(i.due_revisions) and int(i.due_revisions) > 0:
        before = f"，上次为 {_day(i.prev_due)}" if int(i.due_revisions) > 1 else ""
        notes.append(f"**时限已调整 {int(i.due_revisions)} 次**：最初 {_day(i.original_due)}{before}，"
                     f"现为 {_day(i.known_due)}")
    if text_or(i.recurrence_of):
        notes.append("**屡改屡犯线索**：与上一轮已报完成的问题相似"
                     f"（相似度 {i.recurrence_score:.2f}），请核实")
    return notes


_HISTORY_COLUMNS = ["published_on", "版本", "status", "source", "target_due", "变化", "label", "title"]


def render_history(history: pd.DataFrame) -> None:
    """One problem across reports: a row per version (and per problem merged into it), oldest first."""
    rows = []
    for h in history.itertuples():
        change = []
        if h.merged:
            change.append("并入后续通报的合并问题")
        elif int(h.version) == 1:
            change.append("首次出现")
        else:
            change.append(f"匹配度 {h.link_score:.2f}")
        if pd.notna(h.measures_added) and int(h.measures_added):
            change.append(f"新增措施 {int(h.measures_added)} 条")
        if text_or(h.recurrence_title):
            change.append(f"似上一轮问题“{text_or(h.recurrence_title)}”（{_day(h.recurrence_published_on)}）")
        rows.append({**h._asdict(), "版本": "并入" if h.merged else f"第{int(h.version)}版",
                     "变化": "；".join(change)})
    show_table(pd.DataFrame(rows), _HISTORY_COLUMNS)
