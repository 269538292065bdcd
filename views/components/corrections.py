"""The status-correction form of the 数据质量 page: pick an issue, set a status, a note and a name."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from loaders import overrides, queries, store
from loaders.models import STATUSES
from loaders.queries import Filters
from views.components.data import db_path, query, setting
from views.components.ui import escape_md, source_badge, status_badge, text_or


def _choice_label(row: Any) -> str:
    """The picker's text for one row of queries.issue_choices (an itertuples row: cheaper than iterrows,
    which builds a Series per row, for up to 500 rows on every run of the page)."""
    label = text_or(row.label, str(row.seq))
    unit, status = text_or(row.unit, "（未识别单位）"), text_or(row.status, "未知")
    return f"{unit}｜{label} {text_or(row.title)[:50]}（当前：{status}）"


def choice_query(f: Filters) -> tuple:
    """The query correction_form will run for its issue list, as a `query_many` call (so a page can run it
    with its other queries, on one connection); the search is the one the form's text box holds."""
    return queries.issue_choices, f, st.session_state.get("ov_search", ""), setting("choice_cap", 500) + 1


def correction_form(f: Filters, prefetched: pd.DataFrame | None = None) -> str | None:
    """Pick an issue (among the filtered ones, narrowed by a search), then the form; a valid correction is
    stored with overrides.add_override. Returns the chosen issue key. `prefetched`: the result of
    choice_query(f), fetched before the form was drawn (used when the search is still the same)."""
    ss = st.session_state
    if ss.pop("ov_clear", False):
        ss.pop("ov_note", None)
    if "override_done" in ss:
        st.success(ss.pop("override_done"))
    expected = choice_query(f)
    search = st.text_input("查找问题（标题或整改措施中的文字）", key="ov_search")
    limit = setting("choice_cap", 500)
    same = prefetched is not None and expected[2] == search
    choices = prefetched if same else query(queries.issue_choices, f, search, limit + 1)
    if choices.empty:
        st.info("没有符合筛选条件的问题可更正。")
        return None
    if len(choices) > limit:
        st.caption(f"符合条件的问题超过 {limit} 个，下拉框只列出前 {limit} 个："
                   "请用左侧筛选或上面的查找缩小范围。")
        choices = choices.head(limit)
    table = choices.set_index("issue_key")
    labels = {row.issue_key: _choice_label(row) for row in choices.itertuples(index=False)}
    issue_key = st.selectbox("选择问题（可输入文字查找）", list(labels), format_func=labels.get,
                             key="ov_issue")
    current = table.loc[issue_key]
    st.markdown(f"当前状态：{status_badge(current['status'])} {source_badge(current['source'])} "
                f"{escape_md(current['title'])}")
    with st.form("override_form"):
        status = st.radio("更正为", list(STATUSES), horizontal=True, key="ov_status")
        note = st.text_area("说明（必填：为什么这样更正、依据是什么）", key="ov_note",
                            max_chars=overrides.MAX_NOTE_CHARS)
        author = st.text_input("更正人（必填）", key="ov_author", max_chars=overrides.MAX_AUTHOR_CHARS)
        submitted = st.form_submit_button("保存更正", type="primary")
    if submitted:
        _save(issue_key, status, note, author, str(current["title"]))
    return issue_key


def _save(issue_key: str, status: str, note: str, author: str, title: str) -> None:
    if not author.strip() or not note.strip():
        st.error("请填写说明和更正人姓名后再保存。")
        return
    try:
        overrides.add_override(db_path(), issue_key, status, note, author)
    except store.DatabaseBusyError:
        st.error("数据库正被其他程序使用（例如正在导入），请稍后再保存。")
        return
    except store.StoreError as exc:  # e.g. the issue vanished in a re-ingestion meanwhile
        st.error(f"保存失败，未做任何更改（{escape_md(exc)}）。")
        return
    who = escape_md(author.strip())
    done = f"已保存：“{escape_md(title[:40])}”更正为“{status}”（{who}）。各页面已按新状态统计。"
    st.session_state["override_done"] = done
    st.session_state["ov_clear"] = True  # empty the note on the next run (a widget's state can't change now)
    st.rerun()
