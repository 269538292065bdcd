"""总览: key figures, completion by unit and by category, the status split, accountability figures."""

import streamlit as st

import queries
from queries.overview import overview_parts
from queries.scores import disagreement_pts
from views.components.brief import DOCX_MIME, brief_bytes, brief_filename
from views.components.data import db_path, query_many, setting
from views.components.figures import plotly_chart
from views.components.filters import filter_label, sidebar_filters
from views.components.labels import LIGHT_COLUMNS, MONEY_FIGURES, PEOPLE_FIGURES, STATUS_COLUMNS
from views.components.ledger import light_rule, stated_summary, stated_table
from views.components.ui import count_metric, show_table

f = sidebar_filters("overview")
top_units = setting("top_units")
st.title("总览")
st.caption(f"截至 {f.as_of:%Y-%m-%d}。所有数字都按左侧筛选条件计算；“逾期”指已过时限但尚未完成的问题。"
           "同一问题出现在一个单位的多份通报中（进展、整改情况、回头看）时只计一次，按截至日期前最新一份通报。")
st.download_button(
    "一页简报 Word（当前筛选）", data=lambda: brief_bytes(db_path(), f), icon=":material/description:",
    on_click="ignore", file_name=brief_filename(f.as_of, filter_label(f)), mime=DOCX_MIME,
    help="主要数字、各单位完成情况、逾期最久的问题、问责与追缴，可附在上报材料后",
)

kinds = tuple(PEOPLE_FIGURES) + tuple(MONEY_FIGURES)
counts, figures, scores = query_many(  # one connection for them all
    (queries.overview_counts, f), (queries.figures_by_unit, f, kinds),
    (queries.unit_scores, f, (), (), True),  # only the units that state a completion
)
# The key figures and the three status splits come from one count of the issues.
key_figures, by_unit, split, by_category = overview_parts(counts)
k = key_figures.iloc[0]
row1 = st.columns(5)
count_metric(row1[0], "通报", k["reports"], help="符合地区/单位/通报筛选的通报数（附件各算一份）")
count_metric(row1[1], "单位", k["units"])
count_metric(row1[2], "问题", k["issues"])
row1[3].metric("完成率", f"{k['done_rate']:.1%}", help="状态为“完成”的问题占全部问题的比例")
count_metric(row1[4], "逾期", k["overdue"], help="有时限早于截至日期、且状态不是“完成”的问题")
row2 = st.columns(len(STATUS_COLUMNS) + 1)
for cell, (column, label) in zip(row2, STATUS_COLUMNS.items(), strict=False):
    count_metric(cell, label, k[column],
                 help="解析无法判定状态、也未人工更正的问题" if label == queries.UNKNOWN else None)
stated = stated_summary(scores)
row2[-1].metric("自报完成率", "—" if stated.rate is None else f"{stated.rate:.1%}",
               help="写明完成情况的单位，按其最新通报自报的完成率（或已完成数÷问题数），以自报问题数加权；"
                    f"同一批单位的解析完成率为 {stated.parsed_text}")
row3 = st.columns(5)
for cell, (column, name) in zip(row3, LIGHT_COLUMNS.items(), strict=False):
    count_metric(cell, name, k[column], help=light_rule())
count_metric(row3[len(LIGHT_COLUMNS)], "自报与解析不符的单位", stated.disagreeing,
             help=f"自报完成率与解析完成率相差超过 {disagreement_pts():g} 个百分点")

# Every chart has a key: on an empty database several are the same empty figure, which Streamlit would
# otherwise reject as duplicate elements.
left, right = st.columns([3, 2])
with left:
    st.subheader("各单位整改完成情况")
    st.caption(f"按完成率排序；问题最多的 {top_units} 个单位单列，其余并入“其他”。")
    plotly_chart("completion_bars", by_unit, "unit", top_units, key="by_unit")
with right:
    st.subheader("整改状态构成")
    plotly_chart("status_donut", split, key="status_split")

st.subheader("各类问题整改完成情况")
plotly_chart("completion_bars", by_category, "category", setting("top_categories"), 24, key="by_category")

st.subheader("问责与追缴")
st.caption("各单位各轮巡视的数字相加；同一轮巡视的多份进展通报是累计数，只计最新一份。")
people, money = st.columns(2)
with people:
    st.caption("处分与问责（人）")
    plotly_chart("figure_bars", figures, PEOPLE_FIGURES, top_units, "人", key="people_figures")
with money:
    st.caption("清退与挽回（万元）")
    plotly_chart("figure_bars", figures, MONEY_FIGURES, top_units, "万元", key="money_figures")

st.subheader("自报完成率与解析完成率")
st.caption("通报自己写明的完成率（“整改完成率76%”，或“已完成19个”÷“25个问题”）与按问题逐条解析的完成率；"
           f"相差超过 {disagreement_pts():g} 个百分点的单位标为“不符”，差距最大的在前。")
compared = stated_table(scores)
if compared.empty:
    st.info("所选范围内没有通报写明完成情况。")
else:
    show_table(compared.head(setting("table_cap")), list(compared.columns))
