"""共性问题: problems many units share — similar issue titles grouped across units (loaders/similar.py),
named by their most frequent title, with how many units share each, their statuses and the units where it
is still open; a group opens to its members."""

import streamlit as st

import queries
from loaders.similar import GroupRules
from views.components.data import query, setting
from views.components.filters import sidebar_filters
from views.components.labels import STATUS_COLUMNS
from views.components.ui import show_table

f = sidebar_filters("common")
rules = GroupRules.from_config()
st.title("共性问题")
st.caption(f"把不同单位相似的问题标题归为一组（比较每个标题的第一个分句，相似度 ≥ {rules.similarity:g}，"
           f"可在 config.yaml 的 ledger.common 调整），列出至少 {rules.min_units} 个单位都有的问题，"
           "涉及单位最多的在前；组名取组内最常见的标题。")

groups = query(queries.common_groups, f, rules)
if groups.empty:
    st.info("所选范围内没有多个单位共有的问题。")
    st.stop()
shown = groups.head(setting("table_cap"))
table = shown.rename(columns={"name": "共性问题", "units": "单位数", "issues": "问题数", **STATUS_COLUMNS,
                              "open_units": "未完成单位数", "open_list": "尚未完成的单位"})
table = table[["共性问题", "单位数", "未完成单位数", "尚未完成的单位", "问题数", *STATUS_COLUMNS.values()]]
table.insert(0, "序号", range(1, len(table) + 1))
st.caption(f"共 {len(groups)} 组" + (f"，显示前 {len(shown)} 组" if len(shown) < len(groups) else "")
           + "。选中一行可查看该组的全部问题。")
picked = st.dataframe(table, hide_index=True, placeholder="", on_select="rerun", selection_mode="single-row",
                      key="common_table",
                      column_config={"共性问题": st.column_config.TextColumn(width="large")})
rows = picked.selection.rows if picked else []
row = rows[0] if rows else 0
group = shown.iloc[row]
st.subheader(f"“{group['name']}”：{group['units']} 个单位")
members = query(queries.common_members, f, tuple(group["titles"]))
show_table(members, ["unit", "title", "status", "light", "first_due", "source", "published_on"])
