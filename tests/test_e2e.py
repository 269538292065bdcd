"""End to end: the real Streamlit server on a fresh temp database, driven by headless Chromium.

Visits every page, filters by unit (URL and page follow, and survive a page switch and a copied link),
downloads the CSV, and saves a screenshot of each page under artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import duckdb
import pytest

from views.registry import PAGES as REGISTRY

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = [(p.slug, p.title, p.url_path) for p in REGISTRY]  # url_path "" is the default page at "/"
UNIT = "聊城市东昌府区"
TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            if resp.status == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout:g} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The dashboard on a free port; its database does not exist yet, so the app builds it on first start."""
    tmp = tmp_path_factory.mktemp("e2e")
    db = tmp / "rectification.duckdb"
    port = _free_port()
    env = {**os.environ, "RECTIFY_DB": str(db), "RECTIFY_UPLOADS": str(tmp / "uploads")}
    log = open(tmp / "server.log", "wb")  # noqa: SIM115 - closed in the teardown below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url, db
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)  # type: ignore[attr-defined]
    p = context.new_page()
    p.set_default_timeout(TIMEOUT_MS)
    try:
        yield p
    finally:
        context.close()


def _settled(page: object) -> None:
    """Wait until the script run is over and no element is stale (both are conditions, not sleeps)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => !document.querySelector('[data-stale=\"true\"]')", timeout=TIMEOUT_MS
    )


def _open_page(page: object, title: str) -> None:
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).first.click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name=title, level=1).wait_for()  # type: ignore[attr-defined]
    _settled(page)


def _charts_drawn(page: object) -> None:
    """Every plotly chart has drawn its SVG, and two animation frames have passed since (a condition)."""
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => [...document.querySelectorAll('.js-plotly-plot')].every(p => p._fullLayout && "
        "p.querySelector('.main-svg'))",
        timeout=TIMEOUT_MS,
    )
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")  # type: ignore[attr-defined]


def _shoot(page: object, name: str) -> None:
    """Screenshot the whole page: Streamlit scrolls inside its own container, so grow the viewport to fit."""
    size = page.viewport_size  # type: ignore[attr-defined]
    height = page.evaluate(  # type: ignore[attr-defined]
        "() => Math.max(...['stMain', 'stSidebarContent'].map(id =>"
        " document.querySelector(`[data-testid=${id}]`)?.scrollHeight || 0))"
    )
    page.set_viewport_size({"width": size["width"], "height": min(max(int(height), size["height"]), 8000)})  # type: ignore[attr-defined]
    _settled(page)
    _charts_drawn(page)  # plotly redraws at the new size
    page.screenshot(path=str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]
    page.set_viewport_size(size)  # type: ignore[attr-defined]


def _metric(page: object, label: str) -> str:
    box = (
        page.locator('[data-testid="stMetric"]')
        .filter(  # type: ignore[attr-defined]
            has=page.locator('[data-testid="stMetricLabel"]', has_text=label)  # type: ignore[attr-defined]
        )
        .first
    )
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _db_count(db: Path, sql: str, params: list[object]) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute(sql, params).fetchall()[0][0])


def _query(page: object) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)  # type: ignore[attr-defined]


def test_every_page_renders(server: tuple[str, Path], page: object) -> None:
    url, db = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(url + "/")  # type: ignore[attr-defined]
    page.get_by_role("heading", name="总览", level=1).wait_for(timeout=120_000)  # type: ignore[attr-defined]
    _settled(page)
    issues = _db_count(db, "SELECT count(*) FROM issues", [])
    assert _metric(page, "问题") == str(issues)
    for slug, title, url_path in PAGES:
        if url_path:
            _open_page(page, title)
        # the page asked for, by its URL and its own heading (the default page lives at "/")
        expected_path = f"/{url_path}" if url_path else ""
        assert urlparse(page.url).path.rstrip("/") == expected_path  # type: ignore[attr-defined]
        assert page.get_by_role("heading", name=title, level=1).count() == 1  # type: ignore[attr-defined]
        assert not page.locator('[data-testid="stException"]').count()  # type: ignore[attr-defined]
        _shoot(page, slug)


def _choose_unit(page: object, unit: str) -> None:
    box = (
        page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="单位").first
    )  # type: ignore[attr-defined]
    box.locator("input").click()
    page.get_by_role("option", name=unit, exact=True).click()  # type: ignore[attr-defined]
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "u => new URLSearchParams(location.search).getAll('unit').includes(u)", arg=unit, timeout=TIMEOUT_MS
    )
    _settled(page)


def test_unit_filter_url_page_switch_and_csv(server: tuple[str, Path], page: object) -> None:
    url, db = server
    page.goto(url + "/issues")  # type: ignore[attr-defined]
    page.get_by_role("heading", name="问题清单", level=1).wait_for(timeout=120_000)  # type: ignore[attr-defined]
    _settled(page)
    unit_issues = _db_count(  # the app built the database on its first page load
        db, "SELECT count(*) FROM issues JOIN reports USING (report_key) WHERE unit = ?", [UNIT]
    )
    assert unit_issues > 0
    _choose_unit(page, UNIT)
    assert _query(page)["unit"] == [UNIT]
    page.get_by_text(f"共 {unit_issues} 条").wait_for()  # type: ignore[attr-defined]

    # The CSV holds every matching row (not one page), with a BOM, and is named after the filter.
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="下载 CSV").click()  # type: ignore[attr-defined]
    download = info.value
    assert UNIT in download.suggested_filename and download.suggested_filename.endswith(".csv")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["单位", "编号", "问题"]
    assert len(rows) - 1 == unit_issues
    assert {r[0] for r in rows[1:]} == {UNIT}

    # Switching page through the navigation keeps the filter, in the page and in the URL.
    _open_page(page, "总览")
    assert _query(page)["unit"] == [UNIT]
    assert _metric(page, "单位") == "1"
    assert _metric(page, "问题") == str(unit_issues)
    _shoot(page, "overview_filtered")

    # A copied link opens the same view in a fresh session.
    fresh = page.context.new_page()  # type: ignore[attr-defined]
    fresh.goto(f"{url}/deadlines?unit={quote(UNIT)}&asof=2024-06-30")
    fresh.get_by_role("heading", name="时限", level=1).wait_for(timeout=TIMEOUT_MS)
    _settled(fresh)
    assert _query(fresh)["unit"] == [UNIT] and _query(fresh)["asof"] == ["2024-06-30"]
    assert fresh.get_by_text("截至 2024-06-30").count() > 0
    fresh.close()
