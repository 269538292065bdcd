"""Faults with real processes: `kill -9` of the CLI in the middle of a large ingestion, and the dashboard
reading (real reader processes: queries, and the app itself through AppTest) while the CLI ingests.

The corpus is the deterministic generator of bench/corpus.py (distinct units and dates, so every file holds
distinct reports). A clean CLI run of the same corpus gives the expected rows of every file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from conftest import SAMPLES_DIR as SAMPLES

from bench.corpus import corpus_files, generate
from loaders.writer import ingest, store

ROOT = Path(__file__).resolve().parent.parent
N_FILES = 150  # ~7.4 MB: the generator's reports grew to real size (31 KB), 240 files were 12 MB
SMALL_BATCH = 8  # files per write transaction in the killed runs (the CLI default is 100 or 1 s)
# Pause after each batch of a killed run, so the kill lands mid-ingest on any machine: a fast one (CI) once
# finished all 240 files before the poller saw the first 24. 30 batches x 0.3 s >= 9 s per run.
BATCH_PAUSE = 0.3

# Per file: rows it owns in every data table. A committed file must have exactly its clean-run counts.
PER_FILE_SQL = """
WITH r AS (SELECT report_key, file_sha FROM reports),
     i AS (SELECT issue_key, r.file_sha FROM issues JOIN r USING (report_key))
SELECT f.path, f.n_reports,
       (SELECT count(*) FROM r WHERE r.file_sha = f.file_sha),
       (SELECT count(*) FROM i WHERE i.file_sha = f.file_sha),
       (SELECT count(*) FROM measures m JOIN i USING (issue_key) WHERE i.file_sha = f.file_sha),
       (SELECT count(*) FROM deadlines d JOIN i USING (issue_key) WHERE i.file_sha = f.file_sha),
       (SELECT count(*) FROM figures g JOIN r USING (report_key) WHERE r.file_sha = f.file_sha),
       (SELECT count(*) FROM warnings w WHERE w.file_sha = f.file_sha)
FROM files f"""
# Rows that belong to no committed file: must never exist.
ORPHAN_SQL = {
    "reports": "SELECT count(*) FROM reports WHERE file_sha NOT IN (SELECT file_sha FROM files)",
    "issues": "SELECT count(*) FROM issues WHERE report_key NOT IN (SELECT report_key FROM reports)",
    "measures": "SELECT count(*) FROM measures WHERE issue_key NOT IN (SELECT issue_key FROM issues)",
    "deadlines": "SELECT count(*) FROM deadlines WHERE issue_key NOT IN (SELECT issue_key FROM issues)",
    "figures": "SELECT count(*) FROM figures WHERE report_key NOT IN (SELECT report_key FROM reports)",
    "warnings": "SELECT count(*) FROM warnings WHERE file_sha NOT IN (SELECT file_sha FROM files)",
}
# Table contents without the run-dependent ingestion time: equal for two complete runs of the same corpus.
CONTENT_SQL = {
    "files": "SELECT file_sha, path, size_bytes, n_reports FROM files",
    **{t: f"SELECT * FROM {t}" for t in store.DATA_TABLES if t != "files"},
}

Counts = dict[str, tuple[int, ...]]
# Wall time of the clean run, per database: the yardstick for runs with readers (a shared machine under load
# makes any absolute bound either loose or flaky).
CLEAN_SECONDS: dict[Path, float] = {}


def per_file(db: Path) -> Counts:
    with store.read_connection(db) as con:
        rows = con.execute(PER_FILE_SQL).fetchall()
    return {Path(row[0]).name: tuple(int(v) for v in row[1:]) for row in rows}


def orphans(db: Path) -> dict[str, int]:
    with store.read_connection(db) as con:
        return {t: int(con.execute(sql).fetchall()[0][0]) for t, sql in ORPHAN_SQL.items()}


def contents(db: Path) -> dict[str, tuple[int, str]]:
    out = {}
    with store.read_connection(db) as con:
        for table, sql in CONTENT_SQL.items():
            row = con.execute(f"SELECT count(*), md5(COALESCE(string_agg(j, chr(10) ORDER BY j), '')) "
                              f"FROM (SELECT to_json(t)::VARCHAR AS j FROM ({sql}) t)").fetchall()[0]
            out[table] = (int(row[0]), str(row[1]))
    return out


def stored_files(db: Path) -> int:
    """Files committed so far, as a reader sees them (0 while the file is missing or locked)."""
    try:
        with store.read_connection(db, timeout=0.5) as con:
            return int(con.execute("SELECT count(*) FROM files").fetchall()[0][0])
    except (store.StoreError, Exception):  # missing, locked, or schema not created yet
        return 0


def cli(folder: Path, db: Path, batch: int | None = None, pause: float = 0.0) -> list[str]:
    """The real `python -m loaders ingest` command line (optionally with small write batches, each followed
    by a pause: the writes themselves are unchanged, only spread out in time)."""
    if batch is None:
        return [sys.executable, "-m", "loaders", "ingest", str(folder), "--db", str(db), "--no-progress"]
    code = ("import runpy, sys, time; from loaders.writer import ingest; "
            f"ingest.BATCH_FILES = {batch}; flush = ingest._flush; "
            f"ingest._flush = lambda *a: (flush(*a), time.sleep({pause})); "
            "sys.argv = ['loaders', *sys.argv[1:]]; "
            "runpy.run_module('loaders', run_name='__main__', alter_sys=True)")
    return [sys.executable, "-c", code, "ingest", str(folder), "--db", str(db), "--no-progress"]


def summary_numbers(stdout: str) -> dict[str, int]:
    m = re.search(r"Files: (\d+) seen, (\d+) new, (\d+) unchanged, (\d+) replaced, (\d+) failed", stdout)
    assert m, stdout
    return dict(zip(("seen", "new", "unchanged", "replaced", "failed"), map(int, m.groups()), strict=True))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "c"
    generate(N_FILES, out, shapes=("plain", "chrome"))  # pages the parser here reads: every file stores
    assert len(corpus_files(out)) == N_FILES
    return out


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus ingested in one uninterrupted CLI run: the reference."""
    db = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    started = time.monotonic()
    proc = subprocess.run(cli(corpus, db), cwd=ROOT, capture_output=True, text=True, timeout=300)
    CLEAN_SECONDS[db] = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert summary_numbers(proc.stdout)["new"] == N_FILES
    return db


# --- kill -9 ---------------------------------------------------------------------------------------------


def kill_mid_ingest(corpus: Path, db: Path, at_least: int, linger: float = 0.0) -> tuple[int, list[int]]:
    """Start the CLI in its own process group and SIGKILL its main process (what `kill -9 <pid>` or the OOM
    killer does) once `at_least` files are committed. Returns the committed count seen just before the kill,
    and the pids of its other processes (parser workers) still running `linger` seconds after it died."""
    proc = subprocess.Popen(cli(corpus, db, SMALL_BATCH, BATCH_PAUSE), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        seen = 0
        while proc.poll() is None and time.monotonic() < deadline:
            seen = stored_files(db)
            if seen >= at_least:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the ingestion finished before the kill: raise N_FILES"
        group = [p for p in psutil.process_iter() if _pgid(p.pid) == proc.pid and p.pid != proc.pid]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        _, alive = psutil.wait_procs(group, timeout=linger) if linger else ([], group)
        return seen, [p.pid for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    finally:
        _kill_group(proc.pid)  # whatever is left of this run: nothing may outlive the test


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _kill_group(pgid: int) -> None:
    """Clean-up of the process group this test started (only ours: its id is our child's pid)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def assert_whole_files_only(db: Path, clean_counts: Counts) -> int:
    got = per_file(db)
    for name, counts in got.items():
        assert counts == clean_counts[name], f"{name}: partial or different rows after the kill"
    assert orphans(db) == dict.fromkeys(ORPHAN_SQL, 0)
    return len(got)


@pytest.mark.slow
def test_kill_9_mid_ingest_keeps_exactly_the_committed_files(corpus: Path, clean: Path,
                                                             tmp_path: Path) -> None:
    db = tmp_path / "killed.duckdb"
    clean_counts = per_file(clean)
    committed = 0
    for round_ in range(2):  # killed twice: a half-finished database is also a valid start
        seen, _ = kill_mid_ingest(corpus, db, at_least=committed + 3 * SMALL_BATCH)
        # The database opens (read-write too: the WAL of the killed writer is replayed) ...
        with store.connect(db) as con:
            con.execute("SELECT 1").fetchall()
        # ... and holds whole files only, at least those a reader saw committed before the kill.
        now = assert_whole_files_only(db, clean_counts)
        assert seen <= now < N_FILES, (round_, seen, now)
        committed = now
    proc = subprocess.run(cli(corpus, db), cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    numbers = summary_numbers(proc.stdout)
    assert numbers["unchanged"] == committed and numbers["new"] == N_FILES - committed, numbers
    assert numbers["failed"] == numbers["replaced"] == 0
    # The re-run finished the job: the same rows as one clean run.
    assert per_file(db) == clean_counts
    assert contents(db) == contents(clean)


def test_kill_9_leaves_no_orphan_parser_processes(corpus: Path, tmp_path: Path) -> None:
    _, alive = kill_mid_ingest(corpus, tmp_path / "orphans.duckdb", at_least=SMALL_BATCH, linger=5.0)
    assert alive == [], f"parser processes still running 5 s after the CLI was killed: {alive}"


# --- readers while the CLI ingests -----------------------------------------------------------------------

READER = textwrap.dedent('''
    """A dashboard-like reader: loops over queries and a per-file consistency query until stopped."""
    import json, sys, time
    from pathlib import Path
    import queries
    from loaders.writer import store

    db, expected_path, stop_file = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    limit = float(sys.argv[4])
    expected = json.loads(Path(expected_path).read_text())
    per_file_sql = """SELECT f.path, f.n_reports,
        (SELECT count(*) FROM reports r WHERE r.file_sha = f.file_sha),
        (SELECT count(*) FROM issues i JOIN reports r USING (report_key) WHERE r.file_sha = f.file_sha)
        FROM files f"""
    f = queries.Filters()
    started = time.monotonic()
    while not stop_file.exists() and time.monotonic() - started < limit:
        row = {"t": round(time.monotonic() - started, 3), "error": None}
        try:
            with store.read_connection(db) as con:  # one snapshot: every visible file must be whole
                files = con.execute(per_file_sql).fetchall()
            partial = [p for p, n, r, i in files if [n, r, i] != expected[Path(p).name][:3]]
            kf = queries.key_figures(db, f).iloc[0]
            row.update(files=len(files), partial=partial[:3], issues=int(kf["issues"]),
                       statuses=int(kf["done"] + kf["partial"] + kf["open"] + kf["unknown"]),
                       searched=queries.issues_count(db, f, "整改"),
                       page=len(queries.issues_page(db, f, "", 50, 0)),
                       overdue=len(queries.overdue_issues(db, f)),
                       units=len(queries.status_by_unit(db, f)))
        except store.DatabaseMissingError:
            row["missing"] = True
        except store.DatabaseBusyError as exc:
            row["busy"] = str(exc)
        except Exception as exc:  # anything else is a failure of the reliability contract
            row["error"] = f"{type(exc).__name__}: {exc}"
        print(json.dumps(row), flush=True)
        time.sleep(0.02)
''')

APP_READER = textwrap.dedent('''
    """The dashboard itself (AppTest of app.py: overview and issue list) rendering while the CLI ingests."""
    import json, sys, time
    from pathlib import Path
    from streamlit.testing.v1 import AppTest

    app, stop_file, limit = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    started = time.monotonic()
    while not stop_file.exists() and time.monotonic() - started < limit:
        for page in ("views/overview.py", "views/issues.py"):
            row = {"t": round(time.monotonic() - started, 3), "page": page}
            try:
                at = AppTest.from_file(app, default_timeout=60)
                at.run()
                if page != "views/overview.py":
                    at.switch_page(page)
                    at.run()
                row["exceptions"] = [e.message for e in at.exception]
                row["errors"] = [e.value for e in at.error]
            except Exception as exc:
                row["exceptions"] = [f"{type(exc).__name__}: {exc}"]
            print(json.dumps(row, ensure_ascii=False), flush=True)
''')


@pytest.mark.slow
def test_readers_during_ingestion_see_whole_files_and_growing_counts(corpus: Path, clean: Path,
                                                                     tmp_path: Path) -> None:
    db = tmp_path / "live.duckdb"
    # The dashboard is open on an existing database (the samples) while a supervisor ingests a corpus.
    assert ingest.ingest_paths([SAMPLES], db, workers=1, progress=False).failures == []
    before = per_file(db)
    expected = tmp_path / "expected.json"
    expected.write_text(json.dumps({**before, **per_file(clean)}))
    stop = tmp_path / "stop"
    (tmp_path / "reader.py").write_text(READER)
    (tmp_path / "app_reader.py").write_text(APP_READER)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RECTIFY_DB": str(db),
           "RECTIFY_UPLOADS": str(tmp_path / "uploads"), "RECTIFY_REPORTS": str(tmp_path / "no_reports")}
    readers = [
        subprocess.Popen([sys.executable, str(tmp_path / "reader.py"), str(db), str(expected), str(stop),
                          "300"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for _ in range(2)
    ]
    app_reader = subprocess.Popen([sys.executable, str(tmp_path / "app_reader.py"), str(ROOT / "app.py"),
                                   str(stop), "300"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
    # The readers stop at the stop file; their own 300 s limit only guards against a hung test, and lies
    # beyond the writer's timeout so that a slow ingest is not cut short by it.
    time.sleep(1.0)  # the readers are up and reading before the writer starts
    started = time.monotonic()
    try:
        # Small write batches: with the default (100 files or 1 s) a fast parser commits the whole corpus in
        # two or three transactions, and whether a read falls between them becomes a matter of luck.
        writer = subprocess.run(cli(corpus, db, batch=SMALL_BATCH, pause=0.1), cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=280)
        ingest_seconds = time.monotonic() - started
        time.sleep(1.0)  # a last read of the final state
    finally:
        stop.touch()
    outputs = [r.communicate(timeout=60) for r in readers]
    app_out, app_err = app_reader.communicate(timeout=120)
    assert writer.returncode == 0, writer.stdout + writer.stderr
    assert summary_numbers(writer.stdout)["new"] == N_FILES
    # Readers must not hold the writer up (a writer stuck behind them waits lock timeouts over and over). The
    # bound scales with the clean run of the same corpus: with three readers, 30 small batches and their
    # pauses on a 2-core machine shared with other jobs, 8x the clean run was seen; an absolute 60 s failed.
    allowed = 10 * CLEAN_SECONDS[clean] + 30
    assert ingest_seconds < allowed, f"ingestion with 3 readers took {ingest_seconds:.1f} s (> {allowed:.1f})"
    assert per_file(db) == {**before, **per_file(clean)}

    final_issues = sum(c[2] for c in per_file(db).values())
    mid_reads = 0
    for out, err in outputs:
        assert "Traceback" not in err, err
        rows = [json.loads(line) for line in out.splitlines()]
        errors = [r["error"] for r in rows if r["error"]]
        assert not errors, errors[:3]
        assert not [r for r in rows if "busy" in r], "a reader gave up waiting for the database"
        assert not [r for r in rows if "missing" in r], "the database vanished during the ingest"
        reads = [r for r in rows if "files" in r]
        assert len(reads) >= 3, f"only {len(reads)} reads"
        assert not [r["partial"] for r in reads if r["partial"]], "a reader saw a partly written file"
        mid_reads += len([r for r in reads if len(before) < r["files"] < len(before) + N_FILES])
        for key in ("files", "issues"):
            seq = [r[key] for r in reads]
            assert seq == sorted(seq), f"{key} decreased during ingestion: {seq}"
        assert all(r["statuses"] == r["issues"] for r in reads)
        assert reads[-1]["files"] == len(before) + N_FILES and reads[-1]["issues"] == final_issues
    assert mid_reads, "no read landed mid-ingest"

    assert "Traceback" not in app_err, app_err[-2000:]
    renders = [json.loads(line) for line in app_out.splitlines()]
    assert renders, app_err[-2000:]
    failed = [r for r in renders if r["exceptions"]]
    assert not failed, failed[:2]
    shown_errors = [r for r in renders if r["errors"]]  # st.error on a page: not a crash, still a failure
    assert not shown_errors, shown_errors[:2]
    assert {r["page"] for r in renders} == {"views/overview.py", "views/issues.py"}


# Per page: its title and what it says of an empty database (a zero count or a Chinese "nothing here" note).
EMPTY_STATES = {
    "views/overview.py": ("总览", ("metric", "问题", "0")),
    "views/unit.py": ("单位", ("info", "没有符合筛选条件的单位。")),
    "views/deadlines.py": ("时限", ("metric", "已逾期", "0")),
    "views/issues.py": ("问题清单", ("info", "没有符合条件的问题。可以放宽左侧筛选或修改搜索词。")),
    "views/quality.py": ("数据质量", ("info", "没有通报。")),
}


@pytest.mark.parametrize("page", list(EMPTY_STATES))
def test_dashboard_pages_run_on_an_empty_database(page: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The state before the first ingestion (or after ensure_database found no reports): every page must
    render its empty state, not an error."""
    from streamlit.testing.v1 import AppTest

    db = tmp_path / "empty.duckdb"
    with store.connect(db):  # the schema, no rows
        pass
    monkeypatch.setenv("RECTIFY_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    if page != "views/overview.py":
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    title, (kind, *shown) = EMPTY_STATES[page]
    assert [t.value for t in at.title] == [title]
    if kind == "metric":
        label, value = shown
        assert {m.label: m.value for m in at.metric}[label] == value
    else:
        assert shown[0] in [i.value for i in at.info]
