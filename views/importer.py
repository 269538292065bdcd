"""导入: upload a report file, preview what was parsed, and store it only on 确认导入."""

import streamlit as st

from views.components.data import db_path, setting, uploads_dir
from views.components.filters import sidebar_filters
from views.components.imports import (
    ALLOWED_SUFFIXES,
    ImportProblem,
    parse_upload,
    preview_reports,
    preview_warnings,
    store_upload,
)
from views.components.ui import escape_md

sidebar_filters("import")
limit_mb = setting("upload_limit_mb", 20)
st.title("导入")
st.markdown(
    f"上传一份整改进展通报（{' / '.join(ALLOWED_SUFFIXES)}，**不超过 {limit_mb} MB**）。"
    "先显示解析结果供核对，点击“确认导入”后才写入数据库；同一文件再次导入会替换旧版本，人工更正保留。"
)

ss = st.session_state
if "import_done" in ss:
    st.success(ss.pop("import_done"))
upload = st.file_uploader(
    "选择文件", type=[s.lstrip(".") for s in ALLOWED_SUFFIXES], max_upload_size=limit_mb,
    key=f"upload_{ss.get('upload_round', 0)}",
)
if upload is None:
    st.stop()

data = upload.getvalue()
memo = ss.get("import_parsed")
if memo is not None and memo.data == data:
    parsed = memo  # the same upload on a rerun (e.g. the click on 确认导入): not parsed again
else:
    try:
        parsed = parse_upload(upload.name, data, limit_mb)
    except ImportProblem as problem:
        st.error(f"“{escape_md(upload.name)}”无法导入：{escape_md(problem)}")
        st.stop()
    ss["import_parsed"] = parsed

reports = preview_reports(parsed)
st.subheader("解析结果（尚未保存）")
n_issues = int(reports["问题"].sum())
st.markdown(f"在“{escape_md(parsed.name)}”中找到 **{len(reports)} 份通报**、**{n_issues} 个问题**：")
st.dataframe(reports, hide_index=True, placeholder="")
warnings = preview_warnings(parsed)
if warnings.empty:
    st.caption("没有警告。")
else:
    st.warning(f"解析时有 {len(warnings)} 条警告，请核对：")
    st.dataframe(warnings, hide_index=True, placeholder="")

if st.button("确认导入", type="primary"):
    try:
        result = store_upload(parsed, uploads_dir(), db_path())
    except ImportProblem as problem:
        st.error(f"导入失败：{escape_md(problem)}")
        st.stop()
    replaced = f"（替换了 {result.replaced_reports} 份旧版本）" if result.replaced_reports else ""
    counts = f"{result.reports} 份通报、{result.issues} 个问题"
    ss["import_done"] = f"已导入“{escape_md(parsed.name)}”：{counts}{replaced}。"
    ss["upload_round"] = ss.get("upload_round", 0) + 1  # a fresh, empty uploader
    ss.pop("import_parsed", None)
    st.rerun()
