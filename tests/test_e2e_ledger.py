"""End to end in real Chromium: filter by deadline light from the sidebar (kept in the URL), download the
Excel 整改台账 and the one-page brief and read them back, and screenshot the ledger's views."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

import docx
import openpyxl
import pytest
import test_e2e as e2e
from test_e2e import SHOTS, TIMEOUT_MS, _db_count, _metric, _query, _settled, _shoot
from test_ledger import AS_OF, UNIT, light_sql

pytestmark = pytest.mark.e2e
# test_e2e's fixtures, registered here too: the server on a fresh database, Chromium, a page per test.
server, browser, page = e2e.server, e2e.browser, e2e.page


def _choose_light(page: object, light: str) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(  # type: ignore[attr-defined]
        has_text="预警灯").first
    option = page.get_by_role("option", name=f"{light}灯", exact=True)  # type: ignore[attr-defined]
    # The filter sits low in a long sidebar: on a loaded machine a click can land while the sidebar is still
    # being redrawn and the list does not open. Open it again (a condition with a bound, not a sleep).
    for attempt in range(3):
        box.scroll_into_view_if_needed()
        box.locator("input").click()
        try:
            option.wait_for(timeout=10_000)
            break
        except Exception:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")  # type: ignore[attr-defined]
            _settled(page)
    option.click()
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "x => new URLSearchParams(location.search).getAll('light').includes(x)", arg=light, timeout=TIMEOUT_MS
    )
    _settled(page)


def test_light_filter_and_ledger_download(server: tuple[str, Path], page: object) -> None:
    url, db = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{url}/issues?asof={AS_OF}")  # type: ignore[attr-defined]
    page.get_by_role("heading", name="问题清单", level=1).wait_for(timeout=120_000)  # type: ignore[attr-defined]
    _settled(page)
    red = _db_count(db, f"SELECT count(*) FROM ({light_sql()}) WHERE light = '红'", [])
    assert red > 0
    _choose_light(page, "红")
    assert _query(page)["light"] == ["红"]
    page.get_by_text(f"共 {red} 条").wait_for()  # type: ignore[attr-defined]
    _shoot(page, "issues_red_light")

    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="下载整改台账 Excel").click()  # type: ignore[attr-defined]
    download = info.value
    name = download.suggested_filename
    assert name.startswith("整改台账_") and name.endswith(".xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    rows = list(wb["整改台账"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == red and {r[7] for r in rows} == {"红灯"}
    notes = {r[0]: r[1] for r in wb["导出说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["筛选：预警灯"] == "红灯" and notes["截至日期"] == AS_OF.isoformat()


def test_unit_brief_download_and_ledger_views(server: tuple[str, Path], page: object) -> None:
    url, db = server
    page.goto(f"{url}/unit?u={quote(UNIT)}&asof={AS_OF}")  # type: ignore[attr-defined]
    page.get_by_role("heading", name="单位", level=1).wait_for(timeout=120_000)  # type: ignore[attr-defined]
    _settled(page)
    red = _db_count(db, f"""SELECT count(*) FROM ({light_sql()}) l JOIN issues USING (issue_key)
                            JOIN reports USING (report_key) WHERE unit = ? AND light = '红'""", [UNIT])
    assert _metric(page, "红灯") == str(red)
    _shoot(page, "unit_ledger")
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="一页简报 Word").click()  # type: ignore[attr-defined]
    download = info.value
    assert download.suggested_filename == f"整改简报_{AS_OF}_{UNIT}.docx"
    document = docx.Document(io.BytesIO(Path(download.path()).read_bytes()))
    assert document.paragraphs[0].text == f"{UNIT}巡视整改进展简报"
    figures = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    n = _db_count(db, "SELECT count(*) FROM issues JOIN reports USING (report_key) WHERE unit = ?", [UNIT])
    assert figures["问题"] == str(n)

    for slug, title in (("scores", "评分"), ("common", "共性问题"), ("deadlines", "时限"), ("", "总览")):
        page.goto(f"{url}/{slug}?asof={AS_OF}")  # type: ignore[attr-defined]
        page.get_by_role("heading", name=title, level=1).wait_for(timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
        _settled(page)
        assert not page.locator('[data-testid="stException"]').count()  # type: ignore[attr-defined]
        _shoot(page, f"ledger_{slug or 'overview'}")
