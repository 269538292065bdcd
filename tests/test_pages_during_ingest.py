"""Issue 8.2: every dashboard page keeps working while the CLI ingests, with the CLI's DEFAULT settings.

A real `python -m loaders ingest` (default workers, default batches) writes 1,000 generated files
(bench/corpus.py: real sample layouts with other units and dates) into a copy of the samples database, while
every page is rendered again and again through AppTest on the same file. Before the fix a default batch of
500 files held the database for longer than the readers' 10 s wait, and pages showed Streamlit's error page.
Also: write transactions are bounded by time (ingest.WritePace), and a page that still finds the database
busy says so in Chinese instead of failing.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from bench.corpus import corpus_files, generate
from loaders import database
from loaders.writer import ingest, store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = ["views/overview.py", "views/unit.py", "views/deadlines.py", "views/issues.py", "views/importer.py",
         "views/quality.py"]
N_FILES = 1000


def _page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(page)
    return at


@pytest.mark.slow
def test_every_page_runs_while_the_cli_ingests_1000_files_with_default_settings(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    corpus = tmp_path / "corpus"
    generate(N_FILES, corpus)
    assert len(corpus_files(corpus)) == N_FILES
    monkeypatch.setenv("RECTIFY_DB", str(sample_db))
    monkeypatch.setenv("RECTIFY_UPLOADS", str(tmp_path / "uploads"))
    before = store.table_counts(sample_db)["files"]
    sessions = {page: _page(page) for page in PAGES}
    proc = subprocess.Popen([sys.executable, "-m", "loaders", "ingest", str(corpus), "--db", str(sample_db),
                             "--no-progress"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    problems: list[str] = []
    busy, runs, mid_ingest = 0, 0, 0
    waits: list[float] = []  # how long a reader waited to open the database, measured all along
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            started = time.monotonic()
            with store.read_connection(sample_db, timeout=60):
                waits.append(time.monotonic() - started)
            time.sleep(0.05)

    watcher = threading.Thread(target=reader, daemon=True)
    watcher.start()
    try:
        while proc.poll() is None:
            for page, at in sessions.items():
                at.run()
                runs += 1
                mid_ingest += proc.poll() is None
                problems += [f"{page}: exception {e.value}" for e in at.exception]
                problems += [f"{page}: error {e.value}" for e in at.error]
                busy += sum("数据库正在被写入" in w.value for w in at.warning)
        out, err = proc.communicate(timeout=60)
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        watcher.join(timeout=70)
    assert proc.returncode == 0, out + err
    assert store.table_counts(sample_db)["files"] >= before + N_FILES
    assert mid_ingest >= len(PAGES), f"only {mid_ingest} page runs landed during the ingest"
    assert problems == [], problems[:5]
    print(f"\n{runs} page runs, {mid_ingest} during the ingest, {busy} showed the busy message; "
          f"{len(waits)} reader opens, longest wait {max(waits):.2f} s")
    # Far below the readers' 10 s patience (each write holds the file about ingest.WRITE_SECONDS; generous
    # for a loaded machine).
    assert max(waits) < 6.0, sorted(waits)[-5:]


def test_write_transactions_are_bounded_by_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big batch is written in several transactions, each holding the database for about WRITE_SECONDS
    (learnt from the writes before it), with the file free for readers in between."""
    generate(120, tmp_path / "corpus")
    monkeypatch.setattr(ingest, "WRITE_SECONDS", 0.3)
    monkeypatch.setattr(ingest, "BATCH_SECONDS", 1000.0)  # one batch of everything: only the pace splits it
    held: list[tuple[int, float]] = []
    write_batch = store.write_batch

    def timed(con: object, versions: list[store.FileVersion], prepared: object = None) -> list[object]:
        started = time.monotonic()
        out = write_batch(con, versions, prepared)  # type: ignore[arg-type]
        # Each file costs at least 10 ms, as on a slow or loaded machine: the pace must split 120 files into
        # several writes whatever this machine's speed (an idle one wrote them all in three).
        time.sleep(0.01 * len(versions))
        held.append((len(versions), time.monotonic() - started))
        return out  # type: ignore[return-value]

    monkeypatch.setattr(store, "write_batch", timed)
    summary = ingest.ingest_paths([tmp_path / "corpus"], tmp_path / "db.duckdb", workers=1, progress=False)
    assert (summary.new, summary.failures) == (120, [])
    assert len(held) > 3 and held[0][0] == ingest.WRITE_FIRST_FILES  # split, starting small
    assert sum(n for n, _ in held) == 120
    # Generous bound (a loaded machine): never anywhere near the readers' 10 s wait.
    assert max(seconds for _, seconds in held[1:]) < 10 * ingest.WRITE_SECONDS, held


def test_a_busy_database_gives_a_chinese_message_not_an_error_page(
    app_db: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def busy(*_: object, **__: object) -> None:
        raise store.DatabaseBusyError("The database is in use by another program")

    for page in PAGES:
        at = _page(page)
        st.cache_data.clear()  # nothing cached: every query reaches the (busy) database
        with monkeypatch.context() as m:
            m.setattr(database, "read_connection", busy)  # the read side's one way in
            at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert any("数据库正在被写入" in w.value for w in at.warning), page
