"""数据质量: stated versus parsed counts, every warning, doubtful statuses, and status corrections."""

import streamlit as st

import queries
from queries.scores import disagreement_pts
from views.components.corrections import correction_form, history_table, withdraw_form
from views.components.data import query, query_many, setting
from views.components.derive import stated_vs_parsed
from views.components.filters import sidebar_filters
from views.components.labels import warning_label, warning_texts
from views.components.ledger import stated_table
from views.components.ui import capped_table, show_table

f = sidebar_filters("quality")
cap = setting("table_cap")
threshold = setting("low_confidence")
st.title("数据质量")
counts, warnings, weak, recent, scores = query_many(  # one connection
    (queries.report_counts, f),
    (queries.warnings_list, f, cap + 1),  # one row more than shown: "more than cap" or not
    (queries.weak_issues, f, threshold, cap, True),  # with their total
    (queries.recent_overrides, setting("recent_overrides")),
    (queries.unit_scores, f, (), (), True),  # the units that state a completion
)
weak_total = int(weak["total"].iloc[0]) if not weak.empty else 0
# No override row at all (the recent list is empty): no orphaned correction either, and the view that finds
# them (every correction against every issue) is not read.
orphans = recent.head(0) if recent.empty else query(queries.orphaned_overrides)

st.subheader("通报声明的数字与解析结果")
st.caption("通报正文常写明“X个问题、Y条整改措施”；差异不为 0 说明解析可能漏了或多了，请对照原文核查。"
           "差异最大的通报排在前面。")
compared = stated_vs_parsed(counts)
capped_table(compared, list(compared.columns), cap, "通报")

st.subheader("自报完成率与解析完成率")
st.caption("各单位最新一份写明完成情况的通报所自报的完成率，与逐条解析的完成率对照；相差超过 "
           f"{disagreement_pts():g} 个百分点标为“不符”（可能漏解析了状态，或通报口径不同），差距最大的在前。"
           "没有列出问题、只写明数字的单位也在此列出。")
self_reported = stated_table(scores)
capped_table(self_reported, list(self_reported.columns), cap, "写明完成情况的单位")

st.subheader("解析警告")
capped_table(warnings.assign(code=warnings["code"].map(warning_label), message=warning_texts(warnings)),
             ["unit", "part", "published_on", "code", "message", "file"], cap, "警告")

st.subheader("待核查的问题")
st.caption(f"状态未知，或解析置信度低于 {threshold:g} 且尚未人工更正的问题。"
           "“判定依据”是支持该状态最有力的一句，“相反迹象”是与之相反最有力的一句，两者对照即可判断；"
           "“已过承诺时限”是通报发布前已到期、却未写明结果的承诺。")
# The two sentences a supervisor weighs, side by side and both in view on a laptop screen.
sentence = st.column_config.TextColumn(width=250)
capped_table(weak, ["unit", "label", "title", "status", "confidence", "evidence", "counter_evidence",
                    "overdue_commitments", "source", "rule"], cap, "待核查的问题", total=weak_total,
             问题=st.column_config.TextColumn(width=160), 判定依据=sentence, 相反迹象=sentence,
             置信度=st.column_config.NumberColumn(format="%.2f"))

st.subheader("更正问题状态")
st.caption("更正会记录时间、更正人和说明，之后各页面都按更正后的状态统计（来源显示为“人工更正”）；"
           "重新导入同一通报时更正仍然保留。错误的更正可以撤回（新增一条撤回记录，历史不删除）。")
issue_key = correction_form(f)
if issue_key:
    st.markdown("**该问题的更正记录**")
    # No correction at all in the database (the recent list is empty): no history to fetch either.
    history = recent.head(0) if recent.empty else query(queries.issue_overrides_newest_first, issue_key)
    if history.empty:
        st.caption("尚无人工更正。")
    else:
        st.dataframe(history_table(history), hide_index=True, placeholder="")
        withdraw_form(history)

if not orphans.empty:
    st.subheader("未能对应到问题的人工更正")
    st.warning(f"有 {len(orphans)} 条人工更正的问题已不在数据库中（通报重新发布后问题被删除或改写，"
               "且无法确定对应的新问题）。这些更正仍然保存，但不计入统计；请核对后对新问题重新更正。"
               "命令行：python -m loaders overrides --orphaned")
    show_table(orphans.assign(override_id=orphans["override_id"].map(lambda n: f"#{n}")),
               ["override_id", "created_at", "unit", "title", "issue_key", "status", "note", "author"])

st.subheader("最近的人工更正")
if recent.empty:
    st.caption("尚无人工更正。")
else:
    kinds = recent["kind"].map(lambda k: {"carry": "沿用", "withdrawal": "撤回"}.get(k, "更正"))
    show_table(recent.assign(override_id=recent["override_id"].map(lambda n: f"#{n}"), row_kind=kinds),
               ["override_id", "created_at", "row_kind", "unit", "title", "parsed_status", "status", "note",
                "author"])
