"""The dashboard's entry point: page config, the database on first start, and the navigation. Nothing else."""

import streamlit as st

from views.components.data import ensure_db

st.set_page_config(page_title="巡视整改进展", page_icon=":material/fact_check:", layout="wide")
ensure_db()
# Page scripts live in views/, not pages/: a pages/ folder next to app.py switches Streamlit to its old
# folder-based navigation until app.py has run once in the process, so a copied deep link opened first on a
# fresh server would bypass this file (no page config, no database check, the wrong page list).
st.navigation(
    [
        # The default page lives at "/" (a url_path here would only make "/overview" a "page not found").
        st.Page("views/overview.py", title="总览", icon=":material/dashboard:", default=True),
        st.Page("views/unit.py", title="单位", icon=":material/account_balance:", url_path="unit"),
        st.Page("views/deadlines.py", title="时限", icon=":material/schedule:", url_path="deadlines"),
        st.Page("views/issues.py", title="问题清单", icon=":material/list_alt:", url_path="issues"),
        st.Page("views/scores.py", title="评分", icon=":material/leaderboard:", url_path="scores"),
        st.Page("views/common.py", title="共性问题", icon=":material/hub:", url_path="common"),
        st.Page("views/importer.py", title="导入", icon=":material/upload_file:", url_path="import"),
        st.Page("views/quality.py", title="数据质量", icon=":material/rule:", url_path="quality"),
    ]
).run()
