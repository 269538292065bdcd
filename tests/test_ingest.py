"""loaders/writer/ingest.py on real DuckDB files: the sample reports end to end, the hash skip (the parser is
not
called for unchanged files), replacement of a changed file, failing files that leave no trace, overrides
that survive re-ingestion, parallel parsing, ensure_database and a kill -9 in the middle of a batch."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import SAMPLES_DIR as SAMPLES
from conftest import sample_paths

from loaders.models import Issue, Report
from loaders.writer import accept, ingest, overrides, pool, store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_FILES = sample_paths()


class CountingParser:
    """A stand-in for loaders.parser.parse for ingestion logic tests: a tiny line format, and a call counter.

    Lines: `REPORT <unit> <YYYY-MM-DD> [part]` opens a report; `<category>|<title>` adds an issue to it;
    `BUG` raises an unexpected error; `NOUNIT` makes a report the database rejects (unit is NOT NULL);
    `CRASH` kills the worker process. Worker processes are forked, so they see this stand-in too.
    """

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.parent_pid = os.getpid()

    def __call__(self, path: str, data: bytes) -> list[Report]:
        self.calls.append(Path(path).name)
        if not data:
            raise ValueError(f"{Path(path).name}: the file is empty")
        if b"\x00" in data:
            raise ValueError(f"{Path(path).name}: not a text document (binary content)")
        reports: list[Report] = []
        for line in data.decode("utf-8").splitlines():
            if line == "BUG":
                raise RuntimeError("index out of range")
            if line == "CRASH" and os.getpid() != self.parent_pid:  # only ever inside a worker process
                os._exit(1)
            if line.startswith("REPORT "):
                unit, day, *part = line.split()[1:]
                unit = None if unit == "NOUNIT" else unit
                reports.append(Report(title=None, unit=unit, published_on=date.fromisoformat(day),  # type: ignore[arg-type]
                                      part=part[0] if part else "main"))
            elif "|" in line and reports:
                category, title = line.split("|", 1)
                last = reports.pop()
                issue = Issue(label=str(len(last.issues) + 1), category=category, title=title)
                reports.append(Report(title=None, unit=last.unit, published_on=last.published_on,
                                      part=last.part, issues=(*last.issues, issue)))
        return reports


@pytest.fixture
def parser(monkeypatch: pytest.MonkeyPatch) -> CountingParser:
    fake = CountingParser()
    monkeypatch.setattr(accept, "parse_file", fake)
    return fake


def report_text(unit: str, n: int, day: str = "2024-02-22") -> str:
    return "\n".join([f"REPORT {unit} {day}", *(f"类别{i % 2}|{unit}问题{i}" for i in range(n))]) + "\n"


def make_folder(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root


def test_folder_is_searched_recursively_for_report_files(tmp_path: Path, parser: CountingParser) -> None:
    folder = make_folder(tmp_path / "in", {
        "a.txt": report_text("甲区", 2), "sub/b.HTML": report_text("乙区", 1),
        "sub/deeper/c.htm": report_text("丙区", 1),
        "notes.md": "not a report", "~$lock.docx": b"x", ".hidden.txt": "x",
    })
    assert [p.name for p in ingest.collect_files([folder])] == ["a.txt", "b.HTML", "c.htm"]
    with pytest.raises(ingest.MissingPathError, match="No such file or folder"):
        ingest.collect_files([tmp_path / "nowhere"])


def test_second_run_skips_unchanged_files_without_parsing(tmp_path: Path, parser: CountingParser) -> None:
    folder = make_folder(tmp_path / "in", {f"{i}.txt": report_text(f"单位{i}", 3) for i in range(4)})
    db = tmp_path / "t.duckdb"
    first = ingest.ingest_paths([folder], db, workers=1, progress=False)
    assert (first.new, first.unchanged, first.reports, first.issues, first.failures) == (4, 0, 4, 12, [])
    before = store.table_checksums(db)
    parser.calls.clear()
    second = ingest.ingest_paths([folder], db, workers=1, progress=False)
    assert parser.calls == []
    assert (second.files_seen, second.new, second.unchanged, second.replaced) == (4, 0, 4, 0)
    assert second.reports == 0
    assert store.table_checksums(db) == before


def test_changed_rules_reparse_stored_files_and_keep_overrides(
    tmp_path: Path, parser: CountingParser, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, db, key = _ingested_with_a_correction(tmp_path, 3)
    parser.calls.clear()
    # A supervisor tuned config.yaml (or the parser code changed): the fingerprint differs.
    monkeypatch.setattr(accept, "parser_fingerprint", lambda: "tuned-rules")
    again = ingest.ingest_paths([folder], db, workers=1, progress=False)
    assert sorted(parser.calls) == ["0.txt", "1.txt", "2.txt"]
    assert (again.new, again.unchanged, again.replaced, again.failures) == (0, 0, 3, [])
    counts = store.table_counts(db)
    assert (counts["files"], counts["reports"], counts["issues"]) == (3, 3, 6)
    _assert_correction_kept_and_nothing_parsed_again(db, key, folder, parser, 3)


def _ingested_with_a_correction(tmp_path: Path, files: int) -> tuple[Path, Path, str]:
    """(folder, database, issue key): `files` reports of 2 issues ingested, the first issue corrected."""
    folder = make_folder(tmp_path / "in", {f"{i}.txt": report_text(f"单位{i}", 2) for i in range(files)})
    db = tmp_path / "t.duckdb"
    ingest.ingest_paths([folder], db, workers=1, progress=False)
    with store.read_connection(db) as con:
        key = con.execute("SELECT issue_key FROM issues ORDER BY issue_key LIMIT 1").fetchall()[0][0]
    overrides.add_override(db, key, "未完成", "核实后更正", "王督查")
    return folder, db, key


def _assert_correction_kept_and_nothing_parsed_again(
    db: Path, key: str, folder: Path, parser: CountingParser, files: int
) -> None:
    """The correction on `key` is still in force, and another ingest parses none of the `files`."""
    with store.read_connection(db) as con:
        row = con.execute("SELECT effective_status, effective_source FROM issues_effective "
                          "WHERE issue_key = ?", [key]).fetchall()
    assert row == [("未完成", "override")]
    parser.calls.clear()
    third = ingest.ingest_paths([folder], db, workers=1, progress=False)
    assert parser.calls == [] and third.unchanged == files


def test_a_database_from_before_parser_versions_is_migrated_then_parsed_again(
    tmp_path: Path, parser: CountingParser
) -> None:
    """ingest migrates an older database before it reads which files it holds (store.stored_versions reads
    the current columns only): files stored without a parser version are parsed again, the correction kept."""
    folder, db, key = _ingested_with_a_correction(tmp_path, 2)
    with store.duckdb.connect(str(db)) as con:  # as a database made before files.parser_version looked
        views = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        for (view,) in views:
            con.execute(f"DROP VIEW IF EXISTS {view}")
        con.execute("ALTER TABLE files DROP COLUMN parser_version")
        con.execute("ALTER TABLE files DROP COLUMN displaced_by")
        assert not store.schema_current(con)
    parser.calls.clear()
    again = ingest.ingest_paths([folder], db, workers=1, progress=False)
    assert sorted(parser.calls) == ["0.txt", "1.txt"]
    assert (again.new, again.unchanged, again.replaced, again.failures) == (0, 0, 2, [])
    with store.read_connection(db) as con:
        assert store.schema_current(con)
    _assert_correction_kept_and_nothing_parsed_again(db, key, folder, parser, 2)


def test_an_empty_database_file_is_given_the_schema_and_filled(
    tmp_path: Path, parser: CountingParser
) -> None:
    folder = make_folder(tmp_path / "in", {"0.txt": report_text("单位0", 2)})
    db = tmp_path / "r.duckdb"
    store.duckdb.connect(str(db)).close()  # a database file without our tables
    summary = ingest.ingest_paths([folder], db, workers=1, progress=False)
    assert summary.new == 1 and store.table_counts(db)["issues"] == 2


def test_changed_file_replaces_its_old_rows(tmp_path: Path, parser: CountingParser) -> None:
    folder = make_folder(tmp_path / "in", {"a.txt": report_text("甲区", 5), "b.txt": report_text("乙区", 2)})
    db = tmp_path / "t.duckdb"
    ingest.ingest_paths([folder], db, workers=1, progress=False)
    (folder / "a.txt").write_text(report_text("甲区", 3), encoding="utf-8")
    parser.calls.clear()
    summary = ingest.ingest_paths([folder], db, workers=1, progress=False)
    assert parser.calls == ["a.txt"]
    assert (summary.new, summary.unchanged, summary.replaced, summary.issues) == (0, 1, 1, 3)
    counts = store.table_counts(db)
    assert (counts["files"], counts["reports"], counts["issues"]) == (2, 2, 5)


def test_failing_files_leave_no_trace_and_the_rest_ingests(tmp_path: Path, parser: CountingParser) -> None:
    good = {f"good{i}.txt": report_text(f"单位{i}", 2) for i in range(3)}
    bad = {"empty.txt": b"", "binary.pdf": b"%PDF\x00\x01\x02", "none.txt": "no report here\n",
           "bug.txt": "REPORT 丁区 2024-01-01\nBUG\n", "rejected.txt": report_text("NOUNIT", 2)}
    db = tmp_path / "t.duckdb"
    ingest.ingest_paths([make_folder(tmp_path / "good", good)], db, workers=1, progress=False)
    expected = store.table_checksums(db)
    shutil.rmtree(tmp_path / "good")
    # the same good files again (unchanged) mixed with bad ones, all written in one batch
    folder = make_folder(tmp_path / "mixed", {**good, **bad})
    summary = ingest.ingest_paths([folder], tmp_path / "fresh.duckdb", workers=1, progress=False)
    reasons = {Path(p).name: m for p, m in summary.failures}
    assert set(reasons) == set(bad)
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.pdf"]
    assert reasons["none.txt"] == "no report found"
    assert reasons["bug.txt"] == "the parser failed (RuntimeError: index out of range)"
    assert reasons["rejected.txt"].startswith("could not be stored: ")
    assert all("Traceback" not in m and "\n" not in m for m in reasons.values())
    assert (summary.new, summary.reports, summary.issues) == (3, 3, 6)
    fresh = store.table_checksums(tmp_path / "fresh.duckdb")
    del fresh["files"], expected["files"]  # the same contents at other paths, ingested at another time
    assert fresh == expected


def test_rejected_new_version_keeps_the_old_one(tmp_path: Path, parser: CountingParser) -> None:
    db = tmp_path / "t.duckdb"
    folder = make_folder(tmp_path / "in", {"a.txt": report_text("甲区", 2)})
    ingest.ingest_paths([folder], db, workers=1, progress=False)
    before = store.table_checksums(db)
    (folder / "a.txt").write_text(report_text("NOUNIT", 4), encoding="utf-8")  # new version is rejected
    summary = ingest.ingest_paths([folder], db, workers=1, progress=False)
    assert summary.failed == 1 and store.table_checksums(db) == before  # the old version is still there


def test_override_survives_reingestion_of_a_modified_copy(tmp_path: Path, parser: CountingParser) -> None:
    db = tmp_path / "t.duckdb"
    folder = make_folder(tmp_path / "in", {"a.txt": report_text("甲区", 3)})
    ingest.ingest_paths([folder], db, workers=1, progress=False)
    with store.read_connection(db) as con:
        key = con.execute("SELECT issue_key FROM issues WHERE title = '甲区问题1'").fetchall()[0][0]
    overrides.add_override(db, key, "完成", "电话核实", "张三")
    (folder / "a.txt").write_text(report_text("甲区", 3) + "类别9|新增问题\n", encoding="utf-8")
    summary = ingest.ingest_paths([folder], db, workers=1, progress=False)
    assert summary.replaced == 1
    with store.read_connection(db) as con:
        rows = con.execute("SELECT title, effective_status, override_author FROM issues_effective "
                           "WHERE effective_source = 'override'").fetchall()
        n = con.execute("SELECT count(*) FROM issues").fetchall()[0][0]
    assert rows == [("甲区问题1", "完成", "张三")] and n == 4
    assert overrides.orphaned_overrides(db) == []


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ingest.IngestSummary]:
    db = tmp_path_factory.mktemp("samples") / "s.duckdb"
    return db, ingest.ingest_paths([SAMPLES], db, progress=False)


def test_samples_ingest_to_9_reports_and_246_issues(samples_db: tuple[Path, ingest.IngestSummary]) -> None:
    db, summary = samples_db
    assert (summary.files_seen, summary.new, summary.failures) == (5, 5, [])
    assert (summary.reports, summary.issues) == (9, 246)
    with store.read_connection(db) as con:
        per_file = dict(con.execute("SELECT f.path, count(r.report_key) FROM files f "
                                    "JOIN reports r USING (file_sha) GROUP BY f.path").fetchall())
        parts = con.execute("SELECT part, parent_key IS NOT NULL FROM reports WHERE part <> 'main' "
                            "ORDER BY part").fetchall()
    assert {Path(p).name[:3]: n for p, n in per_file.items()} == {
        "000": 1, "001": 5, "002": 1, "003": 1, "004": 1}
    assert parts == [(f"附件{i}", True) for i in range(1, 5)]
    assert store.table_counts(db)["issues"] == 246


def test_samples_reingest_is_unchanged(samples_db: tuple[Path, ingest.IngestSummary]) -> None:
    db, _ = samples_db
    before = store.table_checksums(db)
    again = ingest.ingest_paths([SAMPLES], db, progress=False)
    assert (again.unchanged, again.new, again.replaced, again.failures) == (5, 0, 0, [])
    assert store.table_checksums(db) == before


def test_override_survives_reingestion_of_an_edited_real_report(tmp_path: Path) -> None:
    src = SAMPLES / "000_f038d4f0310a0fb2.txt"
    copy = tmp_path / "in" / src.name
    copy.parent.mkdir()
    copy.write_bytes(src.read_bytes())
    db = tmp_path / "t.duckdb"
    ingest.ingest_paths([copy], db, progress=False)
    with store.read_connection(db) as con:
        key, title = con.execute("SELECT issue_key, title FROM issues ORDER BY seq LIMIT 1").fetchall()[0]
        n_before = con.execute("SELECT count(*) FROM issues").fetchall()[0][0]
    overrides.add_override(db, key, "未完成", "抽查发现仍有问题", "王五")
    # an edited republication: a line of prose added to the introduction changes the file, not the issues
    text = copy.read_text(encoding="utf-8").splitlines()
    copy.write_text("\n".join([*text[:3], "全区上下持续巩固整改成果。", *text[3:]]) + "\n", encoding="utf-8")
    summary = ingest.ingest_paths([copy], db, progress=False)
    assert (summary.replaced, summary.failures) == (1, [])
    with store.read_connection(db) as con:
        rows = con.execute("SELECT issue_key, title, effective_status, effective_source, override_author "
                           "FROM issues_effective WHERE effective_source = 'override'").fetchall()
        n_after = con.execute("SELECT count(*) FROM issues").fetchall()[0][0]
    assert rows == [(key, title, "未完成", "override", "王五")] and n_after == n_before == 14
    assert overrides.orphaned_overrides(db) == []


def test_parallel_parse_matches_in_process_parse(tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    for i in range(pool.PARALLEL_MIN_FILES):  # distinct content, same reports: later copies replace earlier
        src = SAMPLE_FILES[i % len(SAMPLE_FILES)]
        (folder / f"{i:02d}_{src.name}").write_bytes(src.read_bytes() + f"\n\n{i}\n".encode())
    par = ingest.ingest_paths([folder], tmp_path / "par.duckdb", workers=2, progress=False)
    seq = ingest.ingest_paths([folder], tmp_path / "seq.duckdb", workers=1, progress=False)
    assert par.failures == [] and (par.reports, par.issues) == (seq.reports, seq.issues)
    strip = ("files", "reports", "warnings")  # these hold paths / shas / times that differ between the runs
    pc, sc = store.table_checksums(tmp_path / "par.duckdb"), store.table_checksums(tmp_path / "seq.duckdb")
    assert {t: v for t, v in pc.items() if t not in strip} == {t: v for t, v in sc.items() if t not in strip}
    assert store.table_counts(tmp_path / "par.duckdb")["issues"] == 246


def test_fake_parser_runs_in_forked_workers(tmp_path: Path, parser: CountingParser) -> None:
    n = pool.PARALLEL_MIN_FILES + 2
    folder = make_folder(tmp_path / "in", {f"{i:02d}.txt": report_text(f"单位{i}", 2) for i in range(n)})
    summary = ingest.ingest_paths([folder], tmp_path / "t.duckdb", workers=2, progress=False)
    assert parser.calls == []  # parsed in the worker processes, not here
    assert (summary.new, summary.reports, summary.issues, summary.failures) == (n, n, 2 * n, [])


def test_a_crashing_worker_fails_files_plainly(tmp_path: Path, parser: CountingParser) -> None:
    files = {f"{i:02d}.txt": report_text(f"单位{i}", 1) for i in range(pool.PARALLEL_MIN_FILES + 2)}
    files["05.txt"] = "REPORT 戊区 2024-01-01\nCRASH\n类别0|戊区问题0\n"  # in process: one issue, stored
    db = tmp_path / "t.duckdb"
    summary = ingest.ingest_paths([make_folder(tmp_path / "in", files)], db, workers=2, progress=False)
    assert summary.failed >= 1 and summary.new + summary.failed == len(files)
    assert {m for _, m in summary.failures} == {pool.POOL_BROKEN}
    counts = store.table_counts(db) if db.exists() else {"files": 0}
    assert counts["files"] == summary.new
    again = ingest.ingest_paths([db.parent / "in"], db, workers=1, progress=False)  # in-process: no crash
    assert again.unchanged == summary.new and again.new == len(files) - summary.new


def test_ensure_database_builds_once_and_atomically(tmp_path: Path, parser: CountingParser) -> None:
    folder = make_folder(tmp_path / "in", {f"{i}.txt": report_text(f"单位{i}", 2) for i in range(3)})
    db = tmp_path / "sub" / "r.duckdb"
    results: list[ingest.IngestSummary | None] = []
    threads = [threading.Thread(target=lambda: results.append(ingest.ensure_database(db, folder, workers=1)))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    built = [r for r in results if r is not None]
    assert len(built) == 1 and built[0].reports == 3
    assert sorted(p.name for p in db.parent.iterdir()) == ["r.duckdb"]  # no .tmp, no .wal left behind
    assert store.table_counts(db)["reports"] == 3
    assert ingest.ensure_database(db, folder) is None


def test_ensure_database_without_reports_makes_an_empty_schema(tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    summary = ingest.ensure_database(db, tmp_path / "missing")
    assert summary is not None and summary.files_seen == 0
    assert set(store.table_counts(db).values()) == {0}


def many_copies(folder: Path, n: int) -> Path:
    """n distinct files (a line number appended) cycling through the five samples."""
    folder.mkdir()
    for i in range(n):
        src = SAMPLE_FILES[i % len(SAMPLE_FILES)]
        (folder / f"{i:03d}.txt").write_bytes(src.read_bytes() + f"\n{i}\n".encode())
    return folder


class ParsingClock:
    """ingest's view of time, advanced only by parsing: each parsed file takes `per_file` seconds."""

    def __init__(self, per_file: float) -> None:
        self.now, self.per_file = 0.0, per_file

    def monotonic(self) -> float:
        return self.now

    def perf_counter(self) -> float:
        return self.now


def batches_written(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, n_files: int, per_file: float,
                    **policy: float) -> list[tuple[float, int]]:
    """Ingest n one-issue files in-process on a clock moved only by parsing; (clock, size) of each batch."""
    clock, inner = ParsingClock(per_file), CountingParser()

    def timed_parse(path: str, data: bytes) -> list[Report]:
        clock.now += clock.per_file
        return inner(path, data)

    written: list[tuple[float, int]] = []
    flush = ingest._flush
    monkeypatch.setattr(accept, "parse_file", timed_parse)
    monkeypatch.setattr(ingest, "time", clock)
    monkeypatch.setattr(ingest, "_flush", lambda db, batch, *a: (written.append((clock.now, len(batch))),
                                                                  flush(db, batch, *a)))
    for name, value in policy.items():
        monkeypatch.setattr(ingest, name, value)
    files = {f"{i:03d}.txt": report_text(f"单位{i}", 1) for i in range(n_files)}
    folder = make_folder(tmp_path / "in", files)
    summary = ingest.ingest_paths([folder], tmp_path / "t.duckdb", workers=1, progress=False)
    assert (summary.new, summary.failures) == (n_files, [])
    assert sum(size for _, size in written) == n_files
    return written


def test_write_batches_start_small_and_grow_to_the_cap(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # 0.25 s of parsing per file, windows of 1 s doubling up to 4 s: readers see the first files after ~1 s.
    written = batches_written(monkeypatch, tmp_path, 60, 0.25, BATCH_FILES=500, BATCH_SECONDS=1.0,
                              BATCH_MAX_SECONDS=4.0)
    sizes = [size for _, size in written]
    assert written[0][0] <= 1.25 + 1e-9 and sizes[0] <= 5  # the first batch goes after about 1 s
    assert sizes[1] > sizes[0] and sizes[2] > sizes[1]  # then the windows grow ...
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(written)]
    assert max(gaps) <= 4.0 + 0.25 + 1e-9  # ... but a reader never waits much longer than the cap


def test_write_batches_never_exceed_batch_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = batches_written(monkeypatch, tmp_path, 40, 0.25, BATCH_FILES=6, BATCH_SECONDS=100.0)
    assert [size for _, size in written] == [6] * 6 + [4]


@pytest.mark.slow
def test_readers_get_in_while_the_cli_ingests(tmp_path: Path) -> None:
    folder, db = many_copies(tmp_path / "many", 30), tmp_path / "c.duckdb"
    with store.connect(db):  # an empty database the reader can open from the start
        pass
    # A pause after each batch keeps the run long enough for a read to land mid-ingest on a fast machine.
    cmd = [sys.executable, "-c", "import sys, time; from loaders.writer import ingest; "
           "ingest.BATCH_FILES = 5; flush = ingest._flush; "
           "ingest._flush = lambda *a: (flush(*a), time.sleep(0.3)); "
           "ingest.ingest_paths([sys.argv[1]], sys.argv[2], workers=1, progress=False)", str(folder), str(db)]
    proc = subprocess.Popen(cmd, cwd=ROOT)
    seen: list[int] = []
    while proc.poll() is None:
        with store.read_connection(db) as con:  # default 10 s patience: must never give up
            seen.append(int(con.execute("SELECT count(*) FROM files").fetchall()[0][0]))
        time.sleep(0.02)
    assert proc.returncode == 0
    assert store.table_counts(db)["files"] == 30, "the writer gave up on a batch"
    assert seen == sorted(seen) and any(0 < k < 30 for k in seen), seen  # progress visible mid-ingest


def _stored_files(db: Path) -> int:
    try:
        with store.read_connection(db, timeout=0.2) as con:
            return int(con.execute("SELECT count(*) FROM files").fetchall()[0][0])
    except store.StoreError:  # not created yet, or the writer holds it right now
        return 0


def test_ingest_writes_leave_duckdbs_memory_uncapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write's connection keeps DuckDB's default memory limit: a lower cap made writes into a
    100,000-report database fail with Out of Memory, and DuckDB then refuses the database for the rest of
    the process (every later file of the ingest failed)."""
    seen: list[str] = []
    real = accept.store_verdicts

    def spy(con: store.Connection, *args: object, **kwargs: object) -> object:
        seen.append(con.cursor().execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return real(con, *args, **kwargs)

    monkeypatch.setattr(accept, "store_verdicts", spy)
    summary = ingest.ingest_paths(sample_paths()[:2], tmp_path / "db.duckdb", workers=1, progress=False)
    assert summary.failed == 0 and summary.reports > 0
    with store.duckdb.connect(":memory:") as con:
        default = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert seen and set(seen) == {default}
