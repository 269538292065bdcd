"""导入: upload a report file, preview what was parsed, and store it only on 确认导入."""

import streamlit as st

from loaders.writer.accept import transfer_limit_mb
from views.components.data import db_path, setting, uploads_dir
from views.components.filters import sidebar_filters
from views.components.imports import (
    ALLOWED_SUFFIXES,
    ImportProblem,
    parse_upload,
    preview_replaced,
    preview_reports,
    preview_warnings,
    store_upload,
)
from views.components.ui import escape_md

sidebar_filters("import")
limit_mb = setting("upload_limit_mb")
transfer_mb = transfer_limit_mb(limit_mb)
st.title("导入")
st.markdown(
    f"上传一份整改进展通报（{' / '.join(ALLOWED_SUFFIXES)}，**不超过 {limit_mb} MB**）。"
    "先显示解析结果供核对，点击“确认导入”后才写入数据库；同一文件再次导入会替换旧版本，人工更正保留。"
)

ss = st.session_state
if "import_done" in ss:
    st.success(ss.pop("import_done"))
# The widget lets files up to the read limit through (server.maxUploadSize): a file over upload_limit_mb is
# then refused here with a Chinese message (accept.judge, through parse_upload). The browser's own refusal
# is only an icon and an English tooltip, so it is kept for files too big to transfer at all.
upload = st.file_uploader(
    "选择文件", type=[s.lstrip(".") for s in ALLOWED_SUFFIXES], max_upload_size=transfer_mb,
    key=f"upload_{ss.get('upload_round', 0)}",
)
if upload is None:
    st.stop()

data = upload.getvalue()
memo = ss.get("import_preview")
if memo is not None and memo.data == data:
    preview = memo  # the same upload on a rerun (e.g. the click on 确认导入): not judged again
else:
    try:
        preview = parse_upload(upload.name, data, limit_mb)
    except ImportProblem as problem:
        st.error(f"“{escape_md(upload.name)}”无法导入：{escape_md(problem)}")
        st.stop()
    ss["import_preview"] = preview

reports = preview_reports(preview)
st.subheader("解析结果（尚未保存）")
n_issues = int(reports["问题"].sum())
st.markdown(f"在“{escape_md(preview.name)}”中找到 **{len(reports)} 份通报**、**{n_issues} 个问题**：")
st.dataframe(reports, hide_index=True, placeholder="")
warnings = preview_warnings(preview)
if warnings.empty:
    st.caption("没有警告。")
else:
    st.warning(f"导入后将记录 {len(warnings):,} 条警告，请核对：")
    st.dataframe(warnings, hide_index=True, placeholder="")
replaced = preview_replaced(preview, uploads_dir(), db_path())
if not replaced.empty:
    again = bool(replaced["same_file"].all())
    st.warning(f"确认导入将替换数据库中已有的 {len(replaced)} 份通报"
               + ("（同一文件之前导入过）" if again else "（同一通报已从其他文件导入；人工更正保留）") + "：")
    st.dataframe(replaced.drop(columns="same_file"), hide_index=True, placeholder="")

if st.button("确认导入", type="primary"):
    try:
        result = store_upload(preview, uploads_dir(), db_path())
    except ImportProblem as problem:
        st.error(f"导入失败：{escape_md(problem)}")
        st.stop()
    replaced = f"（替换了 {result.replaced_reports} 份旧版本）" if result.replaced_reports else ""
    counts = f"{result.reports} 份通报、{result.issues} 个问题、{result.warnings} 条警告"
    notes = ""
    if result.carried:
        notes += f"{len(result.carried)} 条人工更正已沿用到新版本中对应的问题。"
    if result.orphaned:
        notes += (f"注意：{len(result.orphaned)} 条人工更正的问题在新版本中找不到对应，已列在“数据质量”页，"
                  "请核对后重新更正。")
    ss["import_done"] = f"已导入“{escape_md(preview.name)}”：{counts}{replaced}。{notes}"
    ss["upload_round"] = ss.get("upload_round", 0) + 1  # a fresh, empty uploader
    ss.pop("import_preview", None)
    st.rerun()
