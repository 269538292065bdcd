"""Every dashboard page through streamlit.testing.v1.AppTest, on databases built from the sample reports.

The app reads its database path from RECTIFY_DB (and keeps uploads under RECTIFY_UPLOADS), so each test
points it at a fresh copy in a temp folder. Expected numbers are counted with direct SQL, not via the app.
"""

from __future__ import annotations

import csv
import io
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import SAMPLES_DIR as SAMPLES
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from loaders.writer import overrides
from loaders.writer.ingest import ensure_database
from views.registry import PAGES as REGISTRY

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = [p.script for p in REGISTRY]  # the default page first
# The title each page prints (st.title): a page switch must land on the page asked for.
TITLES = {p.script: p.title for p in REGISTRY}
UNIT = "聊城市东昌府区"
AS_OF = "2024-06-30"
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module", autouse=True)
def report_timings() -> Iterator[None]:
    """Print the last AppTest run time of each page when the module is done (visible with -s)."""
    yield
    print(
        "\nAppTest page run times: " + ", ".join(f"{p.split('/')[-1]} {t:.2f}s" for p, t in TIMINGS.items())
    )


UNIT_ISSUES_SQL = "SELECT count(*) FROM issues JOIN reports USING (report_key) WHERE unit = ?"


def count(db: Path, sql: str, params: list[Any] | None = None) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute(sql, params or []).fetchall()[0][0])


def run_page(
    page: str | None = None, query: dict[str, Any] | None = None, at: AppTest | None = None
) -> AppTest:
    """Run `page` (default: the current one, or the overview) in `at` (default: a new session)."""
    if at is None:
        at = AppTest.from_file(APP, default_timeout=60)
        if query is not None:
            at.query_params = dict(query)
        if page not in (None, PAGES[0]):
            at.run()  # switch_page needs one run first, to learn the st.navigation pages
    if page is not None:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page is not None:
        assert [t.value for t in at.title] == [TITLES[page]], f"switched to {page}"
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


@pytest.fixture()
def csv_downloads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, Callable[[], Any]]]:
    """Capture the deferred CSV builders that st.download_button registers (AppTest serves no files)."""
    captured: list[tuple[str | None, Callable[[], Any]]] = []
    original = MediaFileManager.add_deferred

    def spy(
        self: MediaFileManager,
        data_callable: Callable[[], Any],
        mimetype: str | None,
        coordinates: str,
        file_name: str | None = None,
        **kwargs: Any,
    ) -> str:
        captured.append((file_name, data_callable))
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return captured


def last_download(
    captured: list[tuple[str | None, Callable[[], Any]]], suffix: str
) -> tuple[str | None, Callable[[], Any]]:
    """The last download button registered whose file name ends with `suffix` (a page offers several)."""
    return next(d for d in reversed(captured) if (d[0] or "").endswith(suffix))


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(app_db: Path, page: str) -> None:
    at = run_page()
    at.switch_page(page)
    started = time.perf_counter()
    at.run()  # timed: the page's first run in this session, on a database it has not cached yet
    TIMINGS[page] = time.perf_counter() - started
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [TITLES[page]]
    assert at.sidebar.multiselect(key="f_unit").label == "单位"


def test_overview_figures_equal_db_counts(app_db: Path) -> None:
    at = run_page(query={"asof": AS_OF})
    m = metrics(at)
    assert m["通报"] == str(count(app_db, "SELECT count(*) FROM reports"))
    assert m["单位"] == str(count(app_db, "SELECT count(DISTINCT unit) FROM reports"))
    assert m["问题"] == str(count(app_db, "SELECT count(*) FROM issues"))
    for label, status in (("完成", "完成"), ("阶段性完成", "阶段性完成"), ("未完成", "未完成")):
        assert m[label] == str(count(app_db, "SELECT count(*) FROM issues WHERE status = ?", [status]))
    assert m["未知"] == str(count(app_db, "SELECT count(*) FROM issues WHERE status IS NULL"))
    overdue = count(
        app_db,
        "SELECT count(*) FROM issues WHERE status IS DISTINCT FROM '完成' "
        "AND issue_key IN (SELECT issue_key FROM deadlines WHERE due_on < ?)",
        [AS_OF],
    )
    assert m["逾期"] == str(overdue)
    done = count(app_db, "SELECT count(*) FROM issues WHERE status = '完成'")
    assert m["完成率"] == f"{done / count(app_db, 'SELECT count(*) FROM issues'):.1%}"
    assert len(at.get("plotly_chart")) == 5


def test_filters_from_query_params_apply(app_db: Path) -> None:
    at = run_page(query={"unit": UNIT, "status": ["完成", "阶段性完成"], "asof": AS_OF})
    expected = count(
        app_db,
        "SELECT count(*) FROM issues JOIN reports USING (report_key) "
        "WHERE unit = ? AND status IN ('完成', '阶段性完成')",
        [UNIT],
    )
    m = metrics(at)
    assert (m["单位"], m["问题"], m["未完成"], m["未知"]) == ("1", str(expected), "0", "0")
    assert at.sidebar.multiselect(key="f_unit").value == [UNIT]
    # The URL still holds the filters (a copied link reproduces the view); the as-of date is always in it.
    assert at.query_params["unit"] == UNIT
    assert at.query_params["status"] == ["完成", "阶段性完成"]
    assert at.query_params["asof"] == AS_OF


def test_bad_query_params_are_ignored(app_db: Path) -> None:
    at = run_page(query={"unit": "不存在的单位", "conf": "abc", "asof": "not-a-date", "status": "完成"})
    assert metrics(at)["问题"] == str(count(app_db, "SELECT count(*) FROM issues WHERE status = '完成'"))
    assert "unit" not in at.query_params


def test_filters_survive_page_switch(app_db: Path) -> None:
    at = run_page()
    at.sidebar.multiselect(key="f_unit").set_value([UNIT])
    at.run()
    assert at.query_params["unit"] == UNIT
    at.query_params = {}  # the browser drops the query string when the navigation switches page
    at = run_page("views/issues.py", at=at)
    n_unit = count(app_db, UNIT_ISSUES_SQL, [UNIT])
    assert f"共 {n_unit} 条" in texts(at)
    assert at.query_params["unit"] == UNIT  # written back, so the URL can be copied on this page too


def test_explorer_rows_search_and_csv(
    app_db: Path, csv_downloads: list[tuple[str | None, Callable[[], Any]]]
) -> None:
    at = run_page("views/issues.py")
    total = count(app_db, "SELECT count(*) FROM issues")
    assert f"共 {total} 条" in texts(at)
    table = at.dataframe[0].value
    assert len(table) == min(total, 200) and "整改状态" in table.columns

    word = "拆迁"
    at.text_input(key="issue_search").input(word)
    at = run_page(at=at)
    found = count(
        app_db, "SELECT count(*) FROM issues WHERE contains(title, ?) OR "
        "issue_key IN (SELECT issue_key FROM measures WHERE contains(text, ?))",
        [word, word],
    )
    assert 0 < found < total
    assert f"共 {found} 条" in texts(at)
    assert len(at.dataframe[0].value) == found
    assert at.query_params["q"] == word

    name, build = last_download(csv_downloads, ".csv")
    assert name is not None and name.startswith("问题清单_") and name.endswith(f"_全部_{word}.csv")
    rows = csv_rows(build())
    assert rows[0][:3] == ["单位", "编号", "问题"]
    assert len(rows) - 1 == found  # every matching row, not one page


def test_csv_neutralises_cells_and_names_the_filter(
    app_db: Path, csv_downloads: list[tuple[str | None, Callable[[], Any]]]
) -> None:
    with duckdb.connect(str(app_db), read_only=True) as con:
        key = con.execute(
            "SELECT issue_key FROM issues JOIN reports USING (report_key) WHERE unit = ? "
            "ORDER BY seq LIMIT 1",
            [UNIT],
        ).fetchall()[0][0]
    overrides.add_override(app_db, key, "未完成", '=HYPERLINK("http://evil.example","点我")', "@张三")
    at = run_page("views/issues.py", query={"unit": UNIT, "src": "override", "asof": AS_OF})
    assert "共 1 条" in texts(at)
    name, build = last_download(csv_downloads, ".csv")
    assert name == f"问题清单_{AS_OF}_{UNIT}.csv"
    header, row = csv_rows(build())
    record = dict(zip(header, row, strict=True))
    assert record["更正说明"] == '\'=HYPERLINK("http://evil.example","点我")'
    assert record["更正人"] == "'@张三"
    assert record["状态来源"] == "人工更正" and record["整改状态"] == "未完成"
    assert record["单位"] == UNIT


def _submit_button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def test_correction_changes_overview(app_db: Path) -> None:
    before = metrics(run_page())
    with duckdb.connect(str(app_db), read_only=True) as con:
        key, title = con.execute(
            "SELECT issue_key, title FROM issues WHERE status = '阶段性完成' LIMIT 1"
        ).fetchall()[0]

    at = run_page("views/quality.py")
    at.text_input(key="ov_search").input(key).run()
    at.selectbox(key="ov_issue").set_value(key)
    at.run()
    at.radio(key="ov_status").set_value("完成")
    at.text_area(key="ov_note").input("")
    at.text_input(key="ov_author").input("")
    _submit_button(at, "保存更正").click()
    at = run_page(at=at)
    assert any("说明和更正人" in e.value for e in at.error)  # both required: nothing stored
    assert count(app_db, "SELECT count(*) FROM overrides") == 0

    at.radio(key="ov_status").set_value("完成")
    at.text_area(key="ov_note").input("整改台账显示已销号")
    at.text_input(key="ov_author").input("李督查")
    _submit_button(at, "保存更正").click()
    at = run_page(at=at)
    assert any("已保存" in s.value for s in at.success)
    by_li = "SELECT count(*) FROM overrides WHERE issue_key = ? AND author = '李督查'"
    assert count(app_db, by_li, [key]) == 1
    assert "李督查" in at.dataframe[-2].value.to_string()  # the issue's history

    after = metrics(run_page("views/overview.py", at=at))
    assert int(after["完成"]) == int(before["完成"]) + 1
    assert int(after["阶段性完成"]) == int(before["阶段性完成"]) - 1
    # The one stored correction is on the issue picked in the form, none other.
    with duckdb.connect(str(app_db), read_only=True) as con:
        stored = con.execute("SELECT i.title, o.status, o.note FROM overrides o "
                             "JOIN issues i USING (issue_key)").fetchall()
    assert stored == [(title, "完成", "整改台账显示已销号")]


def _save_correction(at: AppTest, status: str, note: str, author: str) -> AppTest:
    at.radio(key="ov_status").set_value(status)
    at.text_area(key="ov_note").input(note)
    at.text_input(key="ov_author").input(author)
    _submit_button(at, "保存更正").click()
    return run_page(at=at)


def test_a_correction_whose_issue_vanished_is_refused(app_db: Path) -> None:
    with duckdb.connect(str(app_db), read_only=True) as con:
        (key,) = con.execute("SELECT issue_key FROM issues ORDER BY issue_key LIMIT 1").fetchall()[0]
    at = run_page("views/quality.py")
    at.text_input(key="ov_search").input(key).run()
    at.selectbox(key="ov_issue").set_value(key)
    at = run_page(at=at)
    with duckdb.connect(str(app_db)) as con:  # a re-ingest removed the issue meanwhile
        con.execute("DELETE FROM issues WHERE issue_key = ?", [key])
    at = _save_correction(at, "完成", "核实", "李督查")
    assert any("已不在数据库中" in w.value for w in [*at.warning, *at.error])
    assert count(app_db, "SELECT count(*) FROM overrides") == 0


def test_a_note_over_the_limit_is_kept_and_refused_with_a_message(app_db: Path) -> None:
    with duckdb.connect(str(app_db), read_only=True) as con:
        (key,) = con.execute("SELECT issue_key FROM issues ORDER BY issue_key LIMIT 1").fetchall()[0]
    at = run_page("views/quality.py")
    at.text_input(key="ov_search").input(key).run()
    at.selectbox(key="ov_issue").set_value(key)
    at = run_page(at=at)
    long_note = "核" * (overrides.MAX_NOTE_CHARS + 1)
    at = _save_correction(at, "完成", long_note, "李督查")
    assert any("超过" in e.value and "5,000" in e.value for e in at.error)
    assert at.text_area(key="ov_note").value == long_note  # nothing was cut or thrown away
    assert count(app_db, "SELECT count(*) FROM overrides") == 0


def test_withdrawing_a_correction_falls_back_to_the_previous_one(app_db: Path) -> None:
    with duckdb.connect(str(app_db), read_only=True) as con:
        key, parsed = con.execute(
            "SELECT issue_key, status FROM issues WHERE status = '阶段性完成' ORDER BY issue_key LIMIT 1"
        ).fetchall()[0]
    first = overrides.add_override(app_db, key, "完成", "台账显示已销号", "李督查")
    second = overrides.add_override(app_db, key, "未完成", "误点", "李督查")
    at = run_page("views/quality.py")
    at.text_input(key="ov_search").input(key).run()
    at.selectbox(key="ov_issue").set_value(key)
    at = run_page(at=at)
    at.selectbox(key="wd_target").set_value(second.override_id)
    at.text_area(key="wd_note").input("选错了状态")
    at.text_input(key="wd_author").input("王巡视")
    _submit_button(at, "撤回所选更正").click()
    at = run_page(at=at)
    assert any("已撤回" in s.value for s in at.success)
    effective = "SELECT effective_status FROM issues_effective WHERE issue_key = ?"
    with duckdb.connect(str(app_db), read_only=True) as con:
        rows = con.execute(
            "SELECT override_id, kind, ref_id, author FROM overrides ORDER BY override_id").fetchall()
        status = con.execute(effective, [key]).fetchall()[0][0]
    assert rows[-1][1:] == ("withdrawal", second.override_id, "王巡视") and len(rows) == 3
    assert status == "完成"  # back to the first correction
    overrides.withdraw_override(app_db, first.override_id, "也不对", "王巡视")
    with duckdb.connect(str(app_db), read_only=True) as con:
        assert con.execute(effective, [key]).fetchall()[0][0] == parsed  # back to the parsed status


def test_unit_page_lists_the_units_issues(app_db: Path) -> None:
    at = run_page("views/unit.py", query={"u": UNIT})
    assert at.selectbox(key="unit_pick").value == UNIT
    n_unit = count(app_db, UNIT_ISSUES_SQL, [UNIT])
    issue_expanders = [e for e in at.expander if "badge[" in e.label]
    assert len(issue_expanders) == n_unit
    assert f"问题（{n_unit} 个）" in [h.value for h in at.subheader]


def test_deadlines_page_counts(app_db: Path) -> None:
    at = run_page("views/deadlines.py", query={"asof": AS_OF})
    overdue = count(
        app_db,
        "SELECT count(*) FROM issues WHERE status IS DISTINCT FROM '完成' "
        "AND issue_key IN (SELECT issue_key FROM deadlines WHERE due_on < ?)",
        [AS_OF],
    )
    assert metrics(at)["已逾期"] == str(overdue)
    assert len(at.get("plotly_chart")) == 2


@pytest.fixture()
def partial_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A database of samples 000-003 only, so importing 004 through the page adds something."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for sample in sorted(SAMPLES.glob("00[0-3]_*.txt")):
        shutil.copy(sample, folder / sample.name)
    db = tmp_path / "partial.duckdb"
    ensure_database(db, folder, workers=1)
    monkeypatch.setenv("RECTIFY_DB", str(db))
    monkeypatch.setenv("RECTIFY_UPLOADS", str(tmp_path / "uploads"))
    yield db


def test_import_previews_then_stores(partial_db: Path, tmp_path: Path) -> None:
    sample = next(SAMPLES.glob("004_*.txt"))
    issues_before = count(partial_db, "SELECT count(*) FROM issues")
    at = run_page("views/importer.py")
    at.get("file_uploader")[0].upload(sample.name, sample.read_bytes(), "text/plain")
    at = run_page(at=at)
    assert "解析结果（尚未保存）" in [h.value for h in at.subheader]
    preview = at.dataframe[0].value
    assert preview["单位"].tolist() == [UNIT] and preview["问题"].tolist() == [43]
    assert count(partial_db, "SELECT count(*) FROM issues") == issues_before  # nothing stored yet
    assert not (tmp_path / "uploads").exists()

    _submit_button(at, "确认导入").click()
    at = run_page(at=at)
    assert any("已导入" in s.value for s in at.success)
    assert count(partial_db, "SELECT count(*) FROM issues") == issues_before + 43
    kept = list((tmp_path / "uploads").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == sample.read_bytes()


def test_import_refuses_bad_files_plainly(partial_db: Path, tmp_path: Path) -> None:
    files_before = count(partial_db, "SELECT count(*) FROM files")
    for name, data in (("fake.pdf", "这不是PDF".encode()), ("notes.txt", "今天天气很好。".encode())):
        at = run_page("views/importer.py")
        at.get("file_uploader")[0].upload(name, data, "application/octet-stream")
        at = run_page(at=at)
        assert at.error and name in at.error[0].value.replace("\\", "")  # markdown-escaped
        assert not [b for b in at.button if b.label == "确认导入"]
    assert count(partial_db, "SELECT count(*) FROM files") == files_before
    assert not (tmp_path / "uploads").exists()


def test_cache_key_changes_when_the_database_is_written(app_db: Path) -> None:
    """Cached query results are keyed on the file's version: a correction must change it."""
    from views.components.data import db_version

    before = db_version(app_db)
    with duckdb.connect(str(app_db), read_only=True) as con:
        key = con.execute("SELECT issue_key FROM issues LIMIT 1").fetchall()[0][0]
    overrides.add_override(app_db, key, "完成", "核实", "测试员")
    assert db_version(app_db) != before
