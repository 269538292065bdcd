"""The dashboard's entry point: page config, the database on first start, and the navigation. Nothing else."""

import streamlit as st

from views.components.data import ensure_db

st.set_page_config(page_title="巡视整改进展", page_icon="📋", layout="wide")
ensure_db()
st.navigation(
    [
        st.Page("views/overview.py", title="总览", icon="📊", url_path="overview", default=True),
        st.Page("views/unit.py", title="单位", icon="🏛️", url_path="unit"),
        st.Page("views/deadlines.py", title="时限", icon="⏰", url_path="deadlines"),
        st.Page("views/issues.py", title="问题清单", icon="📋", url_path="issues"),
        st.Page("views/importer.py", title="导入", icon="📥", url_path="import"),
        st.Page("views/quality.py", title="数据质量", icon="🔍", url_path="quality"),
    ]
).run()
