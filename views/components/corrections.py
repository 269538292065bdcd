"""The status-correction form of the 数据质量 page: find an issue, see exactly which one it is, correct it,
and withdraw a mistaken correction.

The chosen issue is remembered by its key (`ov_key` in the session), set only when the supervisor picks an
issue: never by the picker's position or display text, which change when a save changes the status, an ingest
changes the list, or a search narrows it. A save goes to the issue shown on screen when 保存更正 was clicked
(`ov_shown`), and is refused when that issue has gone from the database.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

import queries
from loaders.models import STATUSES
from loaders.writer import overrides, store
from queries import Filters
from views.components.data import db_path, query, setting
from views.components.labels import part_label
from views.components.ui import escape_md, source_badge, status_badge, text_or

KIND_LABELS = {"correction": "更正", "carry": "沿用（通报重新发布后自动对应）", "withdrawal": "撤回"}


def _choice_label(row: Any) -> str:
    """The picker's text for one search result: what identifies the issue, never its (changing) status."""
    label = text_or(row.label, str(row.seq))
    unit = text_or(row.unit, "（未识别单位）")
    return f"{unit}｜{label} {text_or(row.title)[:60]}｜编号 {row.issue_key}"


def _picked() -> None:
    """The picker's on_change: the only place (with a fresh search result) where the chosen key changes."""
    choice = st.session_state.get("ov_issue")
    if choice:
        st.session_state["ov_key"] = choice


def _picker(f: Filters) -> None:
    ss = st.session_state
    search = st.text_input("查找问题（单位、问题标题中的文字，或问题编号；多个词用空格分开）",
                           key="ov_search", placeholder="例如：东昌府区 拆迁")
    limit = setting("choice_cap")
    found = query(queries.issue_search, f, search, limit)
    if found.empty:
        st.info("没有符合筛选条件和查找文字的问题。")
        return
    total = int(found["total"].iloc[0])
    if total > len(found):
        st.caption(f"找到 {total:,} 个问题，下面列出前 {len(found)} 个："
                   "请输入更多文字（单位、标题或编号）缩小范围。")
    else:
        st.caption(f"找到 {total:,} 个问题。")
    options = found["issue_key"].tolist()
    # The picker shows the chosen issue when it is among the results, and nothing otherwise (never the first
    # result by default: an unnoticed default would be saved).
    ss["ov_issue"] = ss.get("ov_key") if ss.get("ov_key") in options else None
    labels = {row.issue_key: _choice_label(row) for row in found.itertuples(index=False)}
    st.selectbox("选择问题", options, format_func=lambda k: labels.get(k, ""), key="ov_issue",
                 on_change=_picked, placeholder="从查找结果中选择一个问题")


def _show_issue(issue: pd.Series) -> None:
    """Exactly which issue a save will change."""
    published = issue["published_on"]
    date = published.strftime("%Y-%m-%d") if pd.notna(published) else "日期不详"
    report = f"{text_or(issue['report_title'], '（无标题）')}（{date}，{part_label(issue['part'])}）"
    with st.container(border=True):
        st.markdown("**将要更正的问题**")
        st.markdown(
            f"单位：{escape_md(text_or(issue['unit'], '（未识别单位）'))}  \n"
            f"通报：{escape_md(report)}  \n"
            f"类别：{escape_md(issue['category'])}  \n"
            f"问题：**{escape_md(text_or(issue['label']))}** {escape_md(issue['title'])}  \n"
            f"当前状态：{status_badge(issue['status'])} {source_badge(issue['source'])}  \n"
            f"问题编号：`{issue['issue_key']}`"
        )


def correction_form(f: Filters) -> str | None:
    """Find and pick an issue, show it, then the form; a valid correction is stored with
    overrides.add_override on the issue shown. Returns the chosen issue key (None: none chosen, or gone)."""
    ss = st.session_state
    if ss.pop("ov_clear", False):
        ss.pop("ov_note", None)
    if "override_done" in ss:
        st.success(ss.pop("override_done"))
    _picker(f)
    key = ss.get("ov_key")
    shown_before, ss["ov_shown"] = ss.get("ov_shown"), key
    if not key:
        st.caption("请先查找并选择要更正的问题。")
        return None
    found = query(queries.issue_detail, key)
    if found.empty:
        st.warning(f"所选问题（编号 {escape_md(key)}）已不在数据库中（它的通报可能已重新导入），"
                   "不能再更正；请重新查找。")
        return None
    issue = found.iloc[0]
    _show_issue(issue)
    limit = overrides.MAX_NOTE_CHARS
    with st.form("override_form"):
        status = st.radio("更正为", list(STATUSES), horizontal=True, key="ov_status")
        # No max_chars: the browser would cut a longer paste silently; a longer note is refused at save with
        # a message and stays in the box.
        note = st.text_area(f"说明（必填：为什么这样更正、依据是什么；不超过 {limit:,} 字）", key="ov_note")
        author = st.text_input("更正人（必填）", key="ov_author", max_chars=overrides.MAX_AUTHOR_CHARS)
        title = text_or(issue["title"])
        st.caption(f"保存后记录在：{escape_md(text_or(issue['unit']))}｜{escape_md(title[:40])}"
                   f"（编号 {escape_md(key)}）")
        submitted = st.form_submit_button("保存更正", type="primary")
    if submitted:
        if shown_before != key:
            st.error("所选问题刚刚改变：请核对上面显示的问题，再点“保存更正”。")
        else:
            _save(key, status, note, author, title)
    return key


def _save(issue_key: str, status: str, note: str, author: str, title: str) -> None:
    if not author.strip() or not note.strip():
        st.error("请填写说明和更正人姓名后再保存。")
        return
    if len(note.strip()) > overrides.MAX_NOTE_CHARS:
        st.error(f"说明有 {len(note.strip()):,} 字，超过 {overrides.MAX_NOTE_CHARS:,} 字的上限，未保存："
                 "请精简后再保存（已输入的文字仍在框中）。")
        return
    try:
        overrides.add_override(db_path(), issue_key, status, note, author)
    except store.DatabaseBusyError:
        st.error("数据库正被其他程序使用（例如正在导入），未保存：请稍后再点“保存更正”。")
        return
    except overrides.OverrideError:
        st.error(f"未保存：编号为 {escape_md(issue_key)} 的问题已不在数据库中（通报可能刚被重新导入），"
                 "请重新查找该问题。")
        return
    except store.StoreError as exc:
        st.error(f"保存失败，未做任何更改（{escape_md(exc)}）。")
        return
    who = escape_md(author.strip())
    done = f"已保存：“{escape_md(title[:40])}”更正为“{status}”（{who}）。各页面已按新状态统计。"
    st.session_state["override_done"] = done
    st.session_state["ov_clear"] = True  # empty the note on the next run (a widget's state can't change now)
    st.rerun()


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """An issue's correction rows for display: number, time, kind, status, note, author, withdrawn or not."""
    out = pd.DataFrame({
        "记录号": history["override_id"].map(lambda n: f"#{n}"),
        "时间": history["created_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
        "类型": [KIND_LABELS.get(k, k) + (f"（撤回 #{r}）" if k == "withdrawal" else "")
                 for k, r in zip(history["kind"], history["ref_id"], strict=True)],
        "整改状态": history["status"].map(lambda s: text_or(s, "—")),
        "说明": history["note"].map(lambda s: text_or(s)),
        "更正人": history["author"],
        "已撤回": history["withdrawn_by"].map(lambda w: f"已由 #{w} 撤回" if pd.notna(w) else ""),
    })
    return out


def withdraw_form(history: pd.DataFrame) -> None:
    """Withdraw one of the issue's active corrections: a new row that supersedes it (nothing is deleted)."""
    active = history[(history["kind"] != "withdrawal") & history["withdrawn_by"].isna()]
    if st.session_state.pop("wd_clear", False):
        st.session_state.pop("wd_note", None)
    if active.empty:
        return
    with st.expander("撤回错误的更正"):
        st.caption("撤回会新增一条记录，原更正保留在历史中；该问题的状态回到上一条未撤回的更正，"
                   "没有则回到解析结果。")
        labels = {int(r.override_id): f"#{r.override_id} {text_or(r.status, '—')}｜{r.author}｜"
                  f"{r.created_at:%Y-%m-%d %H:%M}｜{text_or(r.note)[:30]}" for r in active.itertuples()}
        with st.form("withdraw_form"):
            target = st.selectbox("要撤回的更正", list(labels), format_func=lambda k: labels.get(k, ""),
                                  key="wd_target")
            note = st.text_area("撤回原因（必填）", key="wd_note")
            author = st.text_input("撤回人（必填）", key="wd_author", max_chars=overrides.MAX_AUTHOR_CHARS)
            submitted = st.form_submit_button("撤回所选更正")
    if submitted:
        if target is None or not note.strip() or not author.strip():
            st.error("请选择要撤回的更正，并填写撤回原因和撤回人姓名。")
            return
        try:
            overrides.withdraw_override(db_path(), int(target), note, author)
        except store.DatabaseBusyError:
            st.error("数据库正被其他程序使用（例如正在导入），未撤回：请稍后再试。")
            return
        except store.StoreError as exc:
            st.error(f"未撤回（{escape_md(exc)}）。")
            return
        st.session_state["override_done"] = f"已撤回更正 #{target}（{escape_md(author.strip())}）。"
        st.session_state["wd_clear"] = True  # empty the reason on the next run
        st.rerun()
