"""问题清单: the searchable, filterable, paginated issue table and its CSV export (all matching rows)."""

import dataclasses

import streamlit as st

import queries
from views.components.csv_export import csv_filename, to_csv_bytes
from views.components.data import db_path, query, setting
from views.components.filters import filter_label, page_text, sidebar_filters
from views.components.ledger import ledger_bytes, with_unit_rates, xlsx_max_rows
from views.components.ui import display_frame, page_window
from views.components.xlsx_export import XLSX_MIME, xlsx_filename

COLUMNS = ["unit", "label", "title", "status", "light", "source", "first_due", "deadlines", "category",
           "published_on", "part", "rule", "confidence", "evidence", "counter_evidence",
           "overdue_commitments", "override_author", "override_note"]
# The lineage columns let a spreadsheet group the versions of one problem (lineage_id) across reports.
CSV_COLUMNS = [*COLUMNS, "measures_text", "issue_key", "unit_stated_rate", "unit_parsed_rate", "lineage_id",
               "version", "link_score", "due_revisions", "original_due", "known_due", "carried_status",
               "carried_author", "recurrence_of", "recurrence_score"]

f = sidebar_filters("issues")
st.title("问题清单")
# By default each problem once, at its latest version by the as-of date (as 总览 counts); on demand every
# version of it, one row per report that printed it.
if st.toggle("显示同一问题在历次通报中的所有版本", key="all_versions",
             help="默认每个问题只列截至日期前最新一份通报中的版本；打开后列出每份通报中的每一版（同一“问题脉络编号”）。"):
    f = dataclasses.replace(f, all_versions=True)
search = page_text("q", "搜索问题标题和整改措施全文", key="issue_search",
                   placeholder="例如：招商、拆迁、2024年")
total = query(queries.issues_count, f, search)
page_size = setting("page_size")

top = st.columns([3, 2])
with top[0]:
    offset, limit = page_window(total, page_size, "issue_page")
    rows = query(queries.issues_page, f, search, limit, offset)
    scope = "筛选与搜索" if search.strip() else "筛选"
    shown = f"，当前显示第 {offset + 1}–{offset + len(rows)} 条（每页 {page_size} 条）" if total else ""
    st.markdown(f"**共 {total} 条**符合{scope}条件的问题{shown}。")


def _csv() -> bytes:
    # Built on click, outside the script run: plain query (no st.cache), every matching row, not one page.
    # Each row carries its unit's self-reported and parsed completion (the same for all of a unit's rows).
    rows = with_unit_rates(db_path(), f, queries.issues_page(db_path(), f, search))
    return to_csv_bytes(display_frame(rows, CSV_COLUMNS))


def _xlsx() -> bytes:
    return ledger_bytes(db_path(), f, search)


label = filter_label(f) + (f"_{search.strip()}" if search.strip() else "")
with top[1]:
    st.download_button(
        f"下载 CSV（全部 {total} 条，不只是本页）", data=_csv, icon=":material/download:",
        on_click="ignore", mime="text/csv",
        file_name=csv_filename("问题清单", f.as_of, label), disabled=total == 0,
        help="导出当前筛选和搜索下的全部问题（不只是本页）；UTF-8 带 BOM，可直接用 Excel 打开。",
    )
    too_many = total > xlsx_max_rows()
    st.download_button(
        f"下载整改台账 Excel（{total} 条）", data=_xlsx, icon=":material/table_view:", on_click="ignore",
        mime=XLSX_MIME, file_name=xlsx_filename("整改台账", f.as_of, label), disabled=total == 0 or too_many,
        help=(f"超过 {xlsx_max_rows()} 条：请先用左侧筛选缩小范围，或下载 CSV。" if too_many else
              "整改台账：序号、单位、问题类别、反馈问题、整改措施、责任单位、整改时限、预警、完成情况、状态来源、"
              "依据、备注；第二个工作表“导出说明”记录筛选条件、截至日期、导出时间和数量。"),
    )

if total:
    st.dataframe(
        # Tall enough for the rows shown (a short result gets no empty box), at most 600 px with a scroll bar.
        display_frame(rows, COLUMNS), hide_index=True, height=min(600, 36 + 35 * len(rows)),
        placeholder="",  # no deadline: an empty cell
        column_config={"问题": st.column_config.TextColumn(width="large"),
                       "置信度": st.column_config.NumberColumn(format="%.2f")},
    )
else:
    st.info("没有符合条件的问题。可以放宽左侧筛选或修改搜索词。")
