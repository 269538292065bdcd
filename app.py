"""The dashboard's entry point: page config, the database on first start, and the navigation. Nothing else."""

import streamlit as st

from views.components.data import ensure_db
from views.registry import PAGES

st.set_page_config(page_title="巡视整改进展", page_icon=":material/fact_check:", layout="wide")
ensure_db()
# Page scripts live in views/, not pages/: a pages/ folder next to app.py switches Streamlit to its old
# folder-based navigation until app.py has run once in the process, so a copied deep link opened first on a
# fresh server would bypass this file (no page config, no database check, the wrong page list).
st.navigation(
    [
        st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path or None, default=p.default)
        for p in PAGES
    ]
).run()
