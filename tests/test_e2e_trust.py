"""End to end (issue 8): supervisors' corrections on 数据质量 in real Chromium against the real server, each
checked against the rows stored in DuckDB; and an upload over the size limit refused in Chinese.

Two corrections in a row on one issue, a correction after a CLI ingest changed the issue list, two sessions
saving at once, and withdrawing a correction. Before the fix the picker remembered its choice by its display
text (which held the current status) in a list capped at 500, so the second save of a row, or a save after an
ingest, went to the first issue of the list.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_e2e import ROOT, TIMEOUT_MS, _settled, browser, server

from bench.corpus import generate
from loaders.writer import store

pytestmark = pytest.mark.e2e
__all__ = ["browser", "server"]  # module-scoped fixtures of test_e2e: a fresh server and database here
UNIT = "聊城市东昌府区"
SAMPLE = ROOT / "data" / "reports" / "000_f038d4f0310a0fb2.txt"


def _rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with store.read_connection(db, timeout=30) as con:  # retried while the server writes
        return con.execute(sql, params or []).fetchall()


def _wait_rows(db: Path, n: int, timeout: float = 60.0) -> None:
    """Until the overrides table holds n rows (a condition, not a sleep)."""
    deadline = time.monotonic() + timeout
    while _rows(db, "SELECT count(*) FROM overrides")[0][0] < n:
        assert time.monotonic() < deadline, f"fewer than {n} overrides after {timeout:g} s"
        time.sleep(0.2)


@pytest.fixture()
def new_page(browser: object) -> Iterator[object]:
    contexts = []

    def make() -> object:
        context = browser.new_context(viewport={"width": 1440, "height": 1400})  # type: ignore[attr-defined]
        contexts.append(context)
        p = context.new_page()
        p.set_default_timeout(TIMEOUT_MS)
        return p

    yield make
    for context in contexts:
        context.close()


def _open_quality(page: object, url: str) -> None:
    page.goto(url + "/quality")  # type: ignore[attr-defined]
    page.get_by_role("heading", name="数据质量", level=1).wait_for(timeout=120_000)  # type: ignore[attr-defined]
    _settled(page)


def _pick(page: object, key: str, title: str, search: bool = True) -> None:
    """Find an issue by part of its title in the search box (unless `search` is False: the issue is among
    the first listed), then choose it in the picker: the option naming its key (the same title can recur in
    other reports), or, in a picker that shows no keys, its title."""
    if search:
        box = page.get_by_label("查找问题", exact=False)  # type: ignore[attr-defined]
        box.fill(title[:12])
        box.press("Enter")
        _settled(page)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="选择问题").first  # type: ignore[attr-defined]
    box.click()
    page.keyboard.type(title[:12])  # type: ignore[attr-defined]
    options = page.get_by_role("option").filter(has_text=title[:12])  # type: ignore[attr-defined]
    options.first.wait_for()
    exact = options.filter(has_text=key)
    (exact if exact.count() else options).first.click()
    _settled(page)


def _fill_and_save(page: object, status: str, note: str, author: str) -> None:
    radio = page.locator('[data-testid="stRadio"]').filter(has_text="更正为")  # type: ignore[attr-defined]
    radio.get_by_text(status, exact=True).click()
    page.get_by_label("说明（必填", exact=False).fill(note)  # type: ignore[attr-defined]
    page.get_by_label("更正人（必填）").fill(author)  # type: ignore[attr-defined]
    page.get_by_role("button", name="保存更正").click()  # type: ignore[attr-defined]


def _saved(page: object) -> None:
    """The page's run after a save is over: its confirmation is shown (the form was emptied before it)."""
    page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="已保存").wait_for()  # type: ignore[attr-defined]
    _settled(page)


def _issue(db: Path, offset: int, unit: str | None = None, not_status: str | None = None) -> tuple[str, str]:
    """(key, title) of the issue at `offset` in the picker's order, optionally within one unit and with a
    current status other than `not_status`."""
    conds, params = ["TRUE"], []
    if unit:
        conds.append("r.unit = ?")
        params.append(unit)
    if not_status:
        conds.append("i.effective_status IS DISTINCT FROM ?")
        params.append(not_status)
    return _rows(db, "SELECT i.issue_key, i.title FROM issues_effective i JOIN reports r USING (report_key) "
                     f"WHERE {' AND '.join(conds)} "
                     "ORDER BY r.unit, r.published_on, r.part, i.seq, i.issue_key LIMIT 1 OFFSET ?",
                 [*params, offset])[0]


def test_two_corrections_in_a_row_land_on_the_chosen_issue(
    server: tuple[str, Path], new_page: object,
) -> None:
    url, db = server
    page = new_page()  # type: ignore[operator]
    _open_quality(page, url)
    # Not the first issue (a fallback to the first would show), and one the first save changes.
    key, title = _issue(db, 1, not_status="完成")
    n = _rows(db, "SELECT count(*) FROM overrides")[0][0]
    _pick(page, key, title, search=False)  # the whole list: a fallback has other issues to go to
    _fill_and_save(page, "完成", "第一次：台账显示已销号", "李督查")
    _wait_rows(db, n + 1)
    _saved(page)
    _fill_and_save(page, "未完成", "第二次：现场核查仍未完工", "李督查")
    _wait_rows(db, n + 2)
    stored = _rows(db, "SELECT issue_key, status, note FROM overrides ORDER BY override_id")[n:]
    assert stored == [(key, "完成", "第一次：台账显示已销号"), (key, "未完成", "第二次：现场核查仍未完工")]
    effective = "SELECT effective_status FROM issues_effective WHERE issue_key = ?"
    assert _rows(db, effective, [key]) == [("未完成",)]


def test_a_correction_after_an_ingest_lands_on_the_chosen_issue(
    server: tuple[str, Path], new_page: object, tmp_path: Path,
) -> None:
    url, db = server
    page = new_page()  # type: ignore[operator]
    _open_quality(page, url)
    # A common word: the chosen issue is among the first 50 found before the ingest, and far down after it.
    word = "不"
    key, title = _rows(db, "SELECT i.issue_key, i.title FROM issues i JOIN reports r USING (report_key) "
                           "WHERE contains(i.title, ?) "
                           "ORDER BY r.unit, r.published_on, r.part, i.seq, i.issue_key LIMIT 1 OFFSET 40",
                       [word])[0]
    search = page.get_by_label("查找问题", exact=False)  # type: ignore[attr-defined]
    search.fill(word)
    search.press("Enter")
    _settled(page)
    _pick(page, key, title, search=False)
    # Meanwhile the CLI adds reports of many other units: the chosen issue moves far down the list.
    generate(150, tmp_path / "corpus")
    command = [sys.executable, "-m", "loaders", "ingest", str(tmp_path / "corpus"), "--db", str(db),
               "--no-progress"]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    unit = _rows(db, "SELECT r.unit FROM issues i JOIN reports r USING (report_key) WHERE i.issue_key = ?",
                 [key])[0][0]
    ahead = _rows(db, "SELECT count(*) FROM issues i JOIN reports r USING (report_key) WHERE r.unit < ? "
                      "AND (contains(i.title, ?) OR i.issue_key IN "
                      "(SELECT issue_key FROM measures WHERE contains(text, ?)))", [unit, word, word])[0][0]
    assert ahead > 500  # beyond the old picker's 500 and the new one's 50
    n = _rows(db, "SELECT count(*) FROM overrides")[0][0]
    _fill_and_save(page, "完成", "导入后更正", "王巡视")
    _wait_rows(db, n + 1)
    assert _rows(db, "SELECT issue_key, author FROM overrides ORDER BY override_id")[n:] == [(key, "王巡视")]


def test_two_sessions_saving_at_once_each_land_on_their_own_issue(
    server: tuple[str, Path], new_page: object,
) -> None:
    url, db = server
    first, second = new_page(), new_page()  # type: ignore[operator]
    (key_a, title_a), (key_b, title_b) = _issue(db, 5, UNIT), _issue(db, 6, UNIT)
    for page, key, title in ((first, key_a, title_a), (second, key_b, title_b)):
        _open_quality(page, url)
        _pick(page, key, title)
    n = _rows(db, "SELECT count(*) FROM overrides")[0][0]
    # Both forms filled, then both saved without waiting for either.
    for page, author in ((first, "甲督查"), (second, "乙督查")):
        radio = page.locator('[data-testid="stRadio"]').filter(has_text="更正为")  # type: ignore[attr-defined]
        radio.get_by_text("未完成", exact=True).click()
        page.get_by_label("说明（必填", exact=False).fill(f"{author}的核查结论")  # type: ignore[attr-defined]
        page.get_by_label("更正人（必填）").fill(author)  # type: ignore[attr-defined]
    first.get_by_role("button", name="保存更正").click()  # type: ignore[attr-defined]
    second.get_by_role("button", name="保存更正").click()  # type: ignore[attr-defined]
    _wait_rows(db, n + 2)
    stored = sorted(_rows(db, "SELECT issue_key, author, note FROM overrides ORDER BY override_id")[n:])
    assert stored == sorted([(key_a, "甲督查", "甲督查的核查结论"), (key_b, "乙督查", "乙督查的核查结论")])


def _withdraw(page: object, db: Path, rows_after: int, note: str, author: str) -> None:
    """Open 撤回错误的更正, fill it and submit, until the withdrawal row is stored. On a loaded machine a
    click can land while the page is still redrawn after the save (the expander closes again and the form is
    never sent); another attempt is made only when no row was written, so nothing is withdrawn twice."""
    for attempt in range(3):
        _settled(page)
        expander = page.get_by_text("撤回错误的更正")  # type: ignore[attr-defined]
        reason = page.get_by_label("撤回原因（必填）")  # type: ignore[attr-defined]
        if not reason.is_visible():
            expander.click()
        reason.wait_for()
        reason.fill(note)
        page.get_by_label("撤回人（必填）").fill(author)  # type: ignore[attr-defined]
        page.get_by_role("button", name="撤回所选更正").click()  # type: ignore[attr-defined]
        try:
            _wait_rows(db, rows_after, timeout=30.0)
            return
        except AssertionError:
            alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()  # type: ignore[attr-defined]
            if attempt == 2:
                raise AssertionError(f"no withdrawal stored; the page says: {alerts}") from None


def test_withdrawing_a_correction_in_the_browser(server: tuple[str, Path], new_page: object) -> None:
    url, db = server
    page = new_page()  # type: ignore[operator]
    _open_quality(page, url)
    key, title = _issue(db, 8, UNIT)
    parsed = _rows(db, "SELECT status FROM issues WHERE issue_key = ?", [key])[0][0]
    n = _rows(db, "SELECT count(*) FROM overrides")[0][0]
    _pick(page, key, title)
    _fill_and_save(page, "未完成", "误判：选错了状态", "李督查")
    _wait_rows(db, n + 1)
    (wrong,) = _rows(db, "SELECT override_id FROM overrides WHERE issue_key = ?", [key])[0]
    _saved(page)
    _withdraw(page, db, n + 2, "状态选错，撤回", "李督查")
    stored = _rows(db, "SELECT issue_key, status, kind, ref_id, author FROM overrides ORDER BY override_id")
    assert stored[n:] == [(key, "未完成", "correction", None, "李督查"),
                          (key, None, "withdrawal", wrong, "李督查")]
    effective = _rows(db, "SELECT effective_status, effective_source FROM issues_effective "
                          "WHERE issue_key = ?", [key])[0]
    assert effective[1] != "override" and effective[0] == parsed  # back to the parsed status
    page.get_by_text(f"已撤回更正 #{wrong}").wait_for()  # type: ignore[attr-defined]


def test_an_upload_over_the_limit_is_refused_with_a_chinese_message(
    server: tuple[str, Path], new_page: object, tmp_path: Path,
) -> None:
    """Issue 8.5: the browser refused a 21 MB upload with only an icon (and an English tooltip)."""
    url, db = server
    page = new_page()  # type: ignore[operator]
    page.goto(url + "/import")  # type: ignore[attr-defined]
    page.get_by_role("heading", name="导入", level=1).wait_for(timeout=120_000)  # type: ignore[attr-defined]
    _settled(page)
    big = tmp_path / "big_report.txt"
    big.write_bytes(SAMPLE.read_bytes() * (21 * 2**20 // len(SAMPLE.read_bytes()) + 1))
    assert 21 * 2**20 <= big.stat().st_size < 22 * 2**20
    files = _rows(db, "SELECT count(*) FROM files")[0][0]
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(big))  # type: ignore[attr-defined]
    alert = page.locator('[data-testid="stAlertContentError"]')  # type: ignore[attr-defined]
    alert.filter(has_text="超过 20 MB 的上限").wait_for(timeout=120_000)
    assert "big_report.txt" in alert.inner_text() and "无法导入" in alert.inner_text()
    assert _rows(db, "SELECT count(*) FROM files")[0][0] == files  # nothing stored
