"""评分: the unit scorecard and ranking — parsed and self-reported completion, overdue and partly-done
shares, deadline lights, accountability and money figures, a grade (config.yaml ledger.grades) and a rank;
sortable in the table, exported as CSV or Excel."""

import streamlit as st

import queries
from queries.scores import grade_bands
from views.components.csv_export import csv_filename, to_csv_bytes
from views.components.data import query, setting
from views.components.filters import filter_label, sidebar_filters
from views.components.labels import MONEY_FIGURES, PEOPLE_FIGURES
from views.components.ledger import score_frame, scores_xlsx
from views.components.ui import count_metric
from views.components.xlsx_export import XLSX_MIME, xlsx_filename

f = sidebar_filters("scores")
st.title("评分")
bands = "；".join(f"{b['grade']}：完成率 ≥ {b['min_completion']:.0%} 且逾期比例 ≤ {b['max_overdue']:.0%}"
                  for b in grade_bands())
st.caption(f"截至 {f.as_of:%Y-%m-%d}，按左侧筛选。评级按解析完成率和逾期比例，依次套用：{bands}"
           "（可在 config.yaml 的 ledger.grades 调整）。排名先按评级，再按完成率从高到低、逾期比例从低到高；"
           "没有解析出问题的单位不评级。点击表头可按任一列排序。")

scores = query(queries.unit_scores, f, tuple(PEOPLE_FIGURES), tuple(MONEY_FIGURES))
table = score_frame(scores)
graded = scores["grade"].value_counts()
cols = st.columns(len(grade_bands()) + 1)
count_metric(cols[0], "单位", len(scores))
for col, band in zip(cols[1:], grade_bands(), strict=True):
    count_metric(col, f"评级“{band['grade']}”", int(graded.get(band["grade"], 0)))

label = filter_label(f)
left, right, _ = st.columns([1, 1, 3])
left.download_button("下载排名 CSV", data=lambda: to_csv_bytes(table), icon=":material/download:",
                     on_click="ignore", mime="text/csv", file_name=csv_filename("单位评分", f.as_of, label),
                     disabled=scores.empty)
right.download_button("下载排名 Excel", data=lambda: scores_xlsx(table, f), icon=":material/table_view:",
                      on_click="ignore", mime=XLSX_MIME, file_name=xlsx_filename("单位评分", f.as_of, label),
                      disabled=scores.empty)
if scores.empty:
    st.info("没有符合筛选条件的单位。")
    st.stop()
cap = setting("score_rows")
if len(table) > cap:
    st.caption(f"共 {len(table)} 个单位，表中显示排名前 {cap} 个；下载可得全部。")
st.dataframe(
    table.head(cap), hide_index=True, placeholder="", height=min(700, 36 + 35 * min(len(table), cap)),
    column_config={c: st.column_config.NumberColumn(format="%.1f") for c in table.columns if "（%）" in c},
)
