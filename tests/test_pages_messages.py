"""The dashboard shows warnings and read errors in Chinese (AppTest), and empty cells for missing values."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import fixtures_make as fm
import pandas as pd
from conftest import open_issues
from streamlit.testing.v1 import AppTest

from loaders.writer import overrides

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
ENGLISH_000 = "The report states 38 problems"
CHINESE_000 = "通报称共有38个问题（14个方面、4大类），但解析出14个问题"


def run_page(page: str, at: AppTest | None = None) -> AppTest:
    if at is None:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()  # switch_page needs one run first, to learn the st.navigation pages
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found


def test_quality_page_lists_warnings_in_chinese(app_db: Path) -> None:
    at = run_page("views/quality.py")
    warnings = table_with(at, "类型")
    texts = warnings["说明"].tolist()
    assert any(t.startswith(CHINESE_000) for t in texts), texts
    assert not any(ENGLISH_000 in t for t in texts)
    assert all(not t.startswith(("The ", "Issue ")) for t in texts), texts
    assert "编号不连续" in warnings["类型"].tolist()  # 004's numbering gaps, labelled in Chinese
    gaps = warnings.loc[warnings["类型"] == "编号不连续", "说明"].tolist()
    assert any("从2跳到6" in g for g in gaps), gaps


def test_quality_page_falls_back_to_english_for_rows_stored_before_message_zh(app_db: Path) -> None:
    with duckdb.connect(str(app_db)) as con:
        con.execute("UPDATE warnings SET message_zh = NULL WHERE code = 'stated_count_mismatch'")
    texts = table_with(run_page("views/quality.py"), "类型")["说明"].tolist()
    assert any(ENGLISH_000 in t for t in texts) and all(isinstance(t, str) and t for t in texts)


def test_import_page_refuses_an_image_in_chinese(app_db: Path) -> None:
    at = run_page("views/importer.py")
    at.get("file_uploader")[0].upload("扫描件.txt", fm.png_bytes(), "text/plain")
    at = run_page("views/importer.py", at)
    error = at.error[0].value.replace("\\", "")  # markdown-escaped
    assert "扫描件.txt" in error and "不是文本文件（PNG图片）" in error, error
    assert "not a text document" not in error


def test_import_preview_lists_warnings_in_chinese(app_db: Path) -> None:
    at = run_page("views/importer.py")
    sample = fm.sample_path("004")
    at.get("file_uploader")[0].upload(sample.name, sample.read_bytes(), "text/plain")
    at = run_page("views/importer.py", at)
    texts = table_with(at, "说明")["说明"].tolist()
    assert len(texts) == 2 and all("跳到" in t for t in texts), texts


def test_issue_list_shows_no_deadline_as_an_empty_cell(app_db: Path) -> None:
    at = run_page("views/issues.py")
    (table,) = at.dataframe
    rows = table.value
    assert rows["时限"].isna().any() and rows["最早时限"].isna().any()  # some issues have no deadline
    assert not (rows["时限"].astype(str) == "None").any()
    # Streamlit draws a missing value as the text "None" unless the table sets a placeholder.
    assert table.proto.HasField("placeholder") and table.proto.placeholder == ""


def _shown_texts(at: AppTest) -> list[str]:
    """Every piece of text the page shows outside tables (markdown, captions, expander labels)."""
    texts = [e.value for e in (*at.markdown, *at.caption)]
    return texts + [e.label for e in at.expander]


def test_unit_page_shows_no_nan_for_missing_texts(app_db: Path) -> None:
    """A correction of an issue no rule could decide (no parsed status, no source, no note): the 单位 page
    names what is missing in Chinese instead of the pandas placeholder "nan"."""
    with duckdb.connect(str(app_db)) as con:
        # Every sample issue is decided now; leave one undecided, as a parse where no rule matches would.
        (key, unit), = con.execute("SELECT issue_key, unit FROM issues JOIN reports USING (report_key) "
                                   "WHERE status_source = 'inferred' ORDER BY issue_key LIMIT 1").fetchall()
        con.execute("UPDATE issues SET status = NULL, status_source = NULL, evidence = '', rule = 'none', "
                    "confidence = 0 WHERE issue_key = ?", [key])
    overrides.add_override(app_db, key, "完成", None, "测试员")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["u"] = unit
    at.run()
    at.switch_page("views/unit.py")
    at = open_issues(run_page("views/unit.py", at))
    texts = _shown_texts(at)
    corrected = [t for t in texts if "人工更正" in t]
    assert corrected and "原解析状态：未知" in corrected[0] and "（无说明）" in corrected[0], corrected
    assert not [t for t in texts if re.search(r"(?<![A-Za-z])(nan|None|NaT)(?![A-Za-z])", t)]
