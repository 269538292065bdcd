"""时限: deadlines on a timeline against the as-of date, the overdue list with aging, what falls due next."""

import streamlit as st

from loaders import queries
from views.components import charts
from views.components.data import query, setting
from views.components.filters import sidebar_filters
from views.components.ui import capped_table

f = sidebar_filters("deadlines")
cap = setting("table_cap", 500)
st.title("时限")
st.caption(f"截至 {f.as_of:%Y-%m-%d}（可在左侧修改）。逾期：有时限早于截至日期、且状态不是“完成”的问题，"
           "逾期时长从它第一个已过的时限算起。")

rows = query(queries.deadline_rows, f)
overdue = query(queries.overdue_issues, f)
soon = {days: query(queries.due_soon, f, days) for days in (30, 90)}

cols = st.columns(4)
cols[0].metric("有时限的问题", rows["issue_key"].nunique())
cols[1].metric("已逾期", len(overdue))
cols[2].metric("30天内到期", soon[30]["issue_key"].nunique(), help="未完成的问题中，时限在今后30天内的")
cols[3].metric("90天内到期", soon[90]["issue_key"].nunique())

st.subheader("时限分布")
top_units = setting("top_units", 15)
st.caption(f"每个点是一个时限；问题最多的 {top_units} 个单位单列，其余并入“其他”。红色虚线为截至日期。")
st.plotly_chart(charts.deadline_timeline(rows, f.as_of, top_units))

st.subheader("逾期问题")
left, _ = st.columns([2, 1])
with left:
    st.plotly_chart(charts.aging_bars(overdue))
capped_table(overdue, ["unit", "days_overdue", "bucket", "due_on", "deadline", "status", "title", "n_missed"],
             cap, "逾期问题")

st.subheader("即将到期")
tabs = st.tabs(["30天内", "90天内"])
for tab, days in zip(tabs, (30, 90), strict=True):
    with tab:
        capped_table(soon[days], ["due_on", "days_left", "unit", "title", "status", "deadline"], cap,
                     f"{days}天内到期的时限")
