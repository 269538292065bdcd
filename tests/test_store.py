"""loaders/writer/store.py on real DuckDB files: transactional per-file writes, replacement, overrides,
checksums,
the schema's documentation, and short-lived connections that wait for locks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from loaders.models import Deadline, Figure, Issue, ParseWarning, Report, StatusDecision
from loaders.writer import overrides, rows, store

ROOT = Path(__file__).resolve().parent.parent


def make_report(unit: str = "湖州市吴兴区", n_issues: int = 3, part: str = "main", parent: str | None = None,
                published: date = date(2024, 2, 22), title_prefix: str = "问题") -> Report:
    """A small but complete Report, as the parser would build it."""
    issues = tuple(
        Issue(label=str(i + 1), category=f"类别{i % 2}", title=f"{unit}{title_prefix}{i + 1}",
              status=StatusDecision("阶段性完成", "inferred", "力争2024年7月前完成", "plan_marker", 0.6),
              measures=(f"一是措施{i}。", f"二是措施{i}。"),
              deadlines=(Deadline("力争2024年7月前", date(2024, 7, 31)),))
        for i in range(n_issues)
    )
    return Report(title=f"{unit}通报", unit=unit, published_on=published, issues=issues, part=part,
                  parent_part=parent, stated={"issues": n_issues},
                  figures=(Figure("party_discipline", 38, "人", "给予党纪处分38人"),),
                  warnings=(ParseWarning("numbering_gap", "编号3–5缺失"),))


def write(db: Path, sha: str, path: str, reports: list[Report]) -> store.WriteResult:
    with store.connect(db) as con:
        return store.write_reports(con, sha, path, 100, reports)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "t.duckdb"


def test_write_reports_stores_every_table(db: Path) -> None:
    main = make_report(n_issues=4)
    annex = make_report(n_issues=2, part="附件1", parent="main", title_prefix="附")
    res = write(db, "sha1", "/r/a.txt", [main, annex])
    assert (res.reports, res.issues, res.replaced_reports) == (2, 6, 0)
    counts = store.table_counts(db)
    assert counts == {"files": 1, "reports": 2, "issues": 6, "measures": 12, "deadlines": 6, "figures": 2,
                      "warnings": 2, "overrides": 0}
    with store.read_connection(db) as con:
        parent = con.execute("SELECT parent_key FROM reports WHERE part = '附件1'").fetchall()[0][0]
        keys = {r[0] for r in con.execute("SELECT issue_key FROM issues").fetchall()}
        due = con.execute("SELECT DISTINCT due_on FROM deadlines").fetchall()
    assert parent == main.key
    assert keys == {main.issue_key(i) for i in main.issues} | {annex.issue_key(i) for i in annex.issues}
    assert due == [(date(2024, 7, 31),)]


def test_new_version_of_a_path_replaces_the_old_rows(db: Path) -> None:
    write(db, "old", "/r/a.txt", [make_report(n_issues=5)])
    write(db, "other", "/r/b.txt", [make_report(unit="温州市鹿城区", n_issues=2)])
    res = write(db, "new", "/r/a.txt", [make_report(unit="湖州市南浔区", n_issues=1)])
    assert res.replaced_reports == 1
    with store.read_connection(db) as con:
        files = con.execute("SELECT file_sha, path FROM files ORDER BY path").fetchall()
        units = con.execute("SELECT unit FROM reports ORDER BY unit").fetchall()
        orphans = con.execute(
            "SELECT count(*) FROM measures WHERE issue_key NOT IN (SELECT issue_key FROM issues)").fetchall()
    assert files == [("new", "/r/a.txt"), ("other", "/r/b.txt")]
    assert units == [("温州市鹿城区",), ("湖州市南浔区",)]
    assert orphans == [(0,)]
    assert store.table_counts(db)["issues"] == 3


def test_same_report_key_from_another_file_replaces_it(db: Path) -> None:
    write(db, "s1", "/r/copy1.txt", [make_report(n_issues=5)])
    res = write(db, "s2", "/r/copy2.html", [make_report(n_issues=4)])
    assert res.replaced_reports == 1
    counts = store.table_counts(db)
    assert (counts["reports"], counts["issues"]) == (1, 4)


def test_failed_write_rolls_back_completely(db: Path) -> None:
    write(db, "s1", "/r/a.txt", [make_report(n_issues=3)])
    before = store.table_checksums(db)
    broken = make_report(unit=None, n_issues=2)  # type: ignore[arg-type]  # reports.unit is NOT NULL
    with store.connect(db) as con, pytest.raises(duckdb.ConstraintException):
        # same path: the delete of the old version ran inside the transaction and must be undone too
        store.write_reports(con, "s2", "/r/a.txt", 100, [broken])
    assert store.table_checksums(db) == before


def test_write_batch_isolates_a_bad_file(db: Path) -> None:
    good = [store.FileVersion(f"g{i}", f"/r/{i}.txt", 10, [make_report(unit=f"单位{i}")]) for i in range(3)]
    bad = store.FileVersion("bad", "/r/bad.txt", 10, [make_report(unit=None)])  # type: ignore[arg-type]
    with store.connect(db) as con:
        results = store.write_batch(con, [good[0], bad, good[1], good[2]])
    assert [isinstance(r, store.StoreError) for r in results] == [False, True, False, False]
    assert "could not be stored" in str(results[1])
    with store.read_connection(db) as con:
        shas = [r[0] for r in con.execute("SELECT file_sha FROM files ORDER BY file_sha").fetchall()]
    assert shas == ["g0", "g1", "g2"]


def test_duplicate_keys_inside_a_file_are_kept_apart_with_a_warning(db: Path) -> None:
    r = make_report(n_issues=2)
    dup = Report(title=r.title, unit=r.unit, published_on=r.published_on, issues=r.issues + r.issues[:1])
    write(db, "s", "/r/a.txt", [dup, make_report(n_issues=1)])  # two reports with the same key too
    with store.read_connection(db) as con:
        codes = sorted(c for (c,) in con.execute("SELECT code FROM warnings").fetchall())
        n_issues = con.execute("SELECT count(DISTINCT issue_key) FROM issues").fetchall()[0][0]
    assert codes.count("duplicate_issue") == 1 and codes.count("duplicate_report") == 1
    assert n_issues == 4


def test_override_is_append_only_and_validated(db: Path) -> None:
    r = make_report(n_issues=2)
    write(db, "s", "/r/a.txt", [r])
    key = r.issue_key(r.issues[0])
    with pytest.raises(overrides.OverrideError, match="author"):
        overrides.add_override(db, key, "完成", "note", "   ")
    with pytest.raises(overrides.OverrideError, match="Unknown status"):
        overrides.add_override(db, key, "已完成", None, "张三")
    with pytest.raises(overrides.OverrideError, match="No issue"):
        overrides.add_override(db, "nonexistent", "完成", None, "张三")
    first = overrides.add_override(db, key, "完成", "  现场核实  ", " 张三 ")
    second = overrides.add_override(db, key, "未完成", None, "李四")
    assert (first.author, first.note, second.override_id) == ("张三", "现场核实", first.override_id + 1)
    assert [o.status for o in overrides.overrides_oldest_first(db, key)] == ["完成", "未完成"]
    with store.read_connection(db) as con:
        eff = con.execute(
            "SELECT effective_status, effective_source, override_author FROM issues_effective "
            "WHERE issue_key = ?", [key]).fetchall()
        untouched = con.execute(
            "SELECT effective_status, effective_source FROM issues_effective WHERE issue_key = ?",
            [r.issue_key(r.issues[1])]).fetchall()
    assert eff == [("未完成", "override", "李四")]
    assert untouched == [("阶段性完成", "inferred")]


def test_overrides_survive_rewrites_and_orphans_are_listed(db: Path) -> None:
    r = make_report(n_issues=3)
    write(db, "v1", "/r/a.txt", [r])
    kept, lost = r.issue_key(r.issues[0]), r.issue_key(r.issues[2])
    overrides.add_override(db, kept, "完成", None, "张三")
    overrides.add_override(db, lost, "完成", None, "张三")
    write(db, "v2", "/r/a.txt", [make_report(n_issues=2)])  # issue 3 disappeared from the new version
    assert [o.issue_key for o in overrides.overrides_oldest_first(db)] == [kept, lost]
    assert [o.issue_key for o in overrides.orphaned_overrides(db)] == [lost]
    with store.read_connection(db) as con:
        status = con.execute(
            "SELECT effective_status FROM issues_effective WHERE issue_key = ?", [kept]).fetchall()
    assert status == [("完成",)]


def test_checksums_detect_any_change(db: Path) -> None:
    write(db, "s", "/r/a.txt", [make_report()])
    before = store.table_checksums(db)
    assert store.table_checksums(db) == before
    with store.connect(db) as con:
        con.execute("UPDATE measures SET text = text || '。' WHERE seq = 0 AND issue_key = "
                    "(SELECT min(issue_key) FROM measures)")
    after = store.table_checksums(db)
    assert after["measures"][0] == before["measures"][0] and after["measures"][1] != before["measures"][1]
    del after["measures"], before["measures"]
    assert after == before


def test_arrow_columns_match_schema_sql(db: Path) -> None:
    with store.connect(db) as con:
        for table, schema in rows.ARROW_SCHEMAS.items():
            cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            assert cols == schema.names, table


def test_override_errors_are_store_errors() -> None:
    # Callers that catch StoreError (the CLI, the import page) also catch a refused correction.
    assert issubclass(overrides.OverrideError, store.StoreError)


def test_every_schema_column_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    schema_section = readme.split("<!-- section: schema")[1].split("<!-- section:")[0]
    con = duckdb.connect()
    con.execute(store.SCHEMA_PATH.read_text(encoding="utf-8"))
    for table in store.ALL_TABLES:
        assert f"`{table}`" in schema_section, table
        for (col, *_rest) in con.execute(f"DESCRIBE {table}").fetchall():
            assert f"`{col}`" in schema_section, f"{table}.{col}"


def test_read_connection_on_missing_db_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(store.DatabaseMissingError, match="python -m loaders ingest"), \
            store.read_connection(tmp_path / "none.duckdb"):
        pass


def test_same_process_reader_and_writer_take_turns(db: Path) -> None:
    """DuckDB refuses RO and RW connections to one file at once in one process: connect() waits its turn."""
    write(db, "s", "/r/a.txt", [make_report()])
    key = make_report().issue_key(make_report().issues[0])
    release = threading.Event()

    def reader() -> None:
        with store.read_connection(db):
            release.wait(5)

    t = threading.Thread(target=reader)
    t.start()
    time.sleep(0.2)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    row = overrides.add_override(db, key, "完成", None, "张三")  # waits for the reader, then writes
    t.join()
    assert row.override_id == 1 and time.monotonic() - started >= 0.2


def test_writers_in_one_process_take_turns_and_give_up_plainly(db: Path) -> None:
    holding, release = threading.Event(), threading.Event()

    def long_writer() -> None:
        with store.connect(db):
            holding.set()
            release.wait(5)

    t = threading.Thread(target=long_writer)
    t.start()
    holding.wait(5)
    relative = Path(os.path.relpath(db))  # the same file named differently shares the same lock
    with pytest.raises(store.DatabaseBusyError, match=r"gave up after 0\.3 s"), \
            store.connect(relative, timeout=0.3):
        pass
    release.set()
    t.join()
    with store.connect(relative, timeout=2) as con:
        assert con.execute("SELECT count(*) FROM overrides").fetchall() == [(0,)]


def test_busy_database_gives_up_with_a_plain_error(db: Path) -> None:
    write(db, "s", "/r/a.txt", [make_report()])
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]);"
         " print('ok', flush=True); time.sleep(30)", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        started = time.monotonic()
        with pytest.raises(store.DatabaseBusyError, match="in use by another program"), \
                store.read_connection(db, timeout=0.5):
            pass
        assert 0.4 <= time.monotonic() - started < 3
    finally:
        holder.kill()
        holder.wait()
    with store.read_connection(db, timeout=5) as con:  # released once the other process is gone
        assert con.execute("SELECT count(*) FROM reports").fetchall() == [(1,)]
