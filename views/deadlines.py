"""时限: deadlines on a timeline against the as-of date, the overdue list with aging, what falls due next."""

import pandas as pd
import streamlit as st

import queries
from views.components.data import query_many, setting
from views.components.derive import REVISED, mark_revised
from views.components.figures import plotly_chart
from views.components.filters import sidebar_filters
from views.components.labels import LIGHT_COLUMNS
from views.components.ledger import light_rule
from views.components.ui import capped_table, count_metric

f = sidebar_filters("deadlines")
cap = setting("table_cap")
st.title("时限")
st.caption(f"截至 {f.as_of:%Y-%m-%d}（可在左侧修改）。逾期：有时限早于截至日期、且状态不是“完成”的问题，"
           "逾期时长从它第一个已过的时限算起。同一问题在多份通报中出现时，按截至日期前最新一份通报的时限计；"
           "后续通报改过的时限在“时限调整”列标出。")

top_units = setting("top_units")
summary_row, points, lit, overdue, soon_90 = query_many(  # one connection for them all
    (queries.deadline_summary, f), (queries.deadline_points, f, top_units),  # the summary ages them too
    (queries.light_issues, f, cap),
    (queries.overdue_issues, f, cap),
    # One row more than shown: tells "more than cap" apart from "exactly cap".
    (queries.due_soon, f, 90, cap + 1),
)
# The 30-day list is the head of the 90-day one (soonest first, cut at cap + 1 rows: every row within 30 days
# precedes every later one), so it is not queried again (~0.1 s of a cold render at 10,000 files).
soon = (soon_90[soon_90["days_left"] <= 30], soon_90)
summary = summary_row.iloc[0]
buckets = pd.DataFrame({"bucket": list(queries.AGING_BUCKETS),
                        "n": [int(summary[f"aging_{n}"]) for n in range(len(queries.AGING_BUCKETS))]})
cols = st.columns(5)
count_metric(cols[0], "有时限的问题", summary["with_deadline"], help="至少有一个可识别日期的时限")
count_metric(cols[1], "已逾期", summary["overdue"])
count_metric(cols[2], "30天内到期", summary["due_30"], help="尚未完成、且有时限落在今后30天内的问题")
count_metric(cols[3], "90天内到期", summary["due_90"])
count_metric(cols[4], "时限调整过", summary["revised"],
             help="同一轮巡视的后续通报把这个问题的时限改到了别的日期（按最新版本计；表中“时限调整”列标出）")

st.subheader("红黄绿灯")
st.caption(light_rule() + "下表“剩余天数”为负数时即已逾期的天数，最紧急的在前。")
k = summary  # deadline_summary counts the lights too
light_cols = st.columns(4)
for cell, (column, name) in zip(light_cols, LIGHT_COLUMNS.items(), strict=False):
    count_metric(cell, name, k[column])
capped_table(lit, ["light", "days_left", "due_on", "unit", "title", "status"], cap, "红灯、黄灯问题",
             total=int(k["red"] + k["yellow"]))

st.subheader("时限分布")
st.caption(f"每个点是一个时限（时限很多时按月合并，点越大越多）；时限最多的 {top_units} 个单位单列，"
           "其余并入“其他”。红色虚线为截至日期。")
plotly_chart("deadline_timeline", points, f.as_of)

st.subheader("逾期问题")
left, _ = st.columns([2, 1])
with left:
    plotly_chart("aging_bars", buckets)
capped_table(mark_revised(overdue),
             ["unit", "days_overdue", "bucket", "due_on", "deadline", REVISED, "status", "title", "n_missed"],
             cap, "逾期问题", total=int(summary["overdue"]))

st.subheader("即将到期")
tabs = st.tabs(["30天内", "90天内"])
for tab, days, rows in zip(tabs, (30, 90), soon, strict=True):
    with tab:
        capped_table(mark_revised(rows),
                     ["due_on", "days_left", "unit", "title", "status", "deadline", REVISED],
                     cap, f"{days}天内到期的时限")
