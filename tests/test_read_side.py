"""The read side apart (issue 14.3): queries/ and the pages only read, through read-only connections, and
never import the writer or the parser (but for the few write services listed); an old database is migrated
once when the app starts, with no fallback left on the read side; each derived value has one definition, so
the pages that show it agree."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_pages import PAGES, TITLES, run_page

import queries
from loaders import database
from loaders.vocab import vocab
from loaders.writer import overrides, store
from queries import Filters
from views.components import data

ROOT = Path(__file__).resolve().parent.parent
READ_SIDE = sorted((ROOT / "queries").glob("*.py"))
VIEWS = sorted((ROOT / "views").rglob("*.py"))
WRITER_OR_PARSER = ("loaders.writer", "loaders.parser")
# The dashboard's write services, the only view modules that may reach the writer or the parser: building and
# migrating the database at start, corrections, the 导入 preview and store (and its size limit).
WRITE_SERVICES = {"views/components/data.py", "views/components/corrections.py",
                  "views/components/imports.py", "views/importer.py"}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (`from loaders import writer` counts as loaders.writer)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def reaches(path: Path, packages: tuple[str, ...]) -> set[str]:
    return {m for m in imported_modules(path) if m.startswith(packages)}


def calls_named(path: Path, names: set[str]) -> list[str]:
    """Calls of a function or method with one of these names (`connect` also matches `duckdb.connect`)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
            if name in names:
                out.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return out


def test_the_read_side_imports_neither_the_writer_nor_the_parser() -> None:
    assert READ_SIDE
    offenders = {str(p.relative_to(ROOT)): reaches(p, WRITER_OR_PARSER) for p in READ_SIDE}
    assert not {k: v for k, v in offenders.items() if v}


def test_pages_reach_the_writer_or_the_parser_only_through_the_write_services() -> None:
    reaching = {str(p.relative_to(ROOT)) for p in VIEWS if reaches(p, WRITER_OR_PARSER)}
    assert reaching <= WRITE_SERVICES, reaching - WRITE_SERVICES


def test_the_read_side_opens_only_read_only_connections() -> None:
    # queries/ opens connections only through loaders.database.read_connection (read-only by construction);
    # no view module imports duckdb, and only the write services open a (read-write) store connection.
    for path in READ_SIDE:
        assert "duckdb" not in imported_modules(path), path
        assert not calls_named(path, {"connect", "open_connection"}), path
    assert any("loaders.database" in imported_modules(p) for p in READ_SIDE)
    for path in VIEWS:
        assert "duckdb" not in imported_modules(path), path
        if str(path.relative_to(ROOT)) not in WRITE_SERVICES:
            assert not calls_named(path, {"connect", "open_connection"}), path


def test_a_read_connection_cannot_write(sample_db: Path) -> None:
    with database.read_connection(sample_db) as con, pytest.raises(duckdb.Error, match="read-only"):
        con.execute("DELETE FROM overrides")


def test_first_due_and_report_counts_are_never_recomputed_on_the_read_side() -> None:
    earliest = re.compile(r"min\(\s*(\w+\.)?due_on")
    # The measures table is read for its text (a page's measures, the search), never counted.
    counted = re.compile(r"count\([^()]*\)[^;]{0,80}?FROM\s+measures", re.IGNORECASE)
    for path in [*READ_SIDE, *VIEWS]:
        text = path.read_text(encoding="utf-8")
        assert not earliest.search(text), f"{path}: first_due is issues.first_due (rows.first_due)"
        assert not counted.search(text), f"{path}: per-report counts are reports.n_* (rows.report_counts)"


# --- one definition of overdue ------------------------------------------------------------------------------


def _busiest_first_due(db: Path) -> dt.date:
    """The first deadline most not-完成 issues share: an as-of date on it tells `<` from `<=`."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"""SELECT first_due FROM issues_counted
            WHERE first_due IS NOT NULL AND COALESCE(effective_status, '') <> '{queries.DONE}'
            GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""").fetchall()[0][0]


def _overdue_by_unit(db: Path, as_of: dt.date) -> dict[str, int]:
    """The reference count: each problem once (its version as of as_of), not 完成, first deadline before."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(f"""SELECT r.unit, count(*) FROM issues_counted i JOIN reports r USING (report_key)
            WHERE COALESCE(i.effective_status, '') <> '{queries.DONE}' AND i.first_due < $as_of
              AND i.issue_key NOT IN (SELECT issue_key FROM issue_lineage
                  WHERE (superseded AND (successor_on IS NULL OR successor_on <= $as_of))
                     OR (version > 1 AND published_on > $as_of))
            GROUP BY 1""", {"as_of": as_of}).fetchall()
    return dict(rows)


@pytest.mark.parametrize("shift", [0, 1])
def test_overdue_is_counted_alike_on_every_page(sample_db: Path, shift: int) -> None:
    as_of = _busiest_first_due(sample_db) + dt.timedelta(days=shift)
    expected = _overdue_by_unit(sample_db, as_of)
    total = sum(expected.values())
    assert total > 0 or shift == 0
    f = Filters(as_of=as_of)
    assert int(queries.key_figures(sample_db, f).iloc[0]["overdue"]) == total  # 总览
    assert int(queries.deadline_summary(sample_db, f).iloc[0]["overdue"]) == total  # 时限
    assert len(queries.overdue_issues(sample_db, f)) == total
    assert int(queries.overdue_buckets(sample_db, f)["n"].sum()) == total
    scores = queries.unit_scores(sample_db, f).set_index("unit")["overdue"]  # 评分, 单位
    assert {u: int(n) for u, n in scores.items() if n} == expected
    ledger = queries.ledger_rows(sample_db, f)  # the ledger: its red light covers every overdue issue
    late = ledger[pd.to_datetime(ledger["first_due"]) < pd.Timestamp(as_of)]
    assert int((late["status"] != queries.DONE).sum()) == total
    assert set(late.loc[late["status"] != queries.DONE, "light"]) <= {queries.LIGHTS[0]}
    for unit, n in expected.items():  # 单位's deadline list marks each overdue issue's passed deadlines
        rows = queries.deadline_rows(sample_db, Filters(units=(unit,), as_of=as_of))
        assert rows.loc[rows["overdue"], "issue_key"].nunique() == n


# --- one stored form of the stated totals -------------------------------------------------------------------


def test_the_stated_totals_read_are_the_ones_stored(sample_db: Path) -> None:
    counts = queries.report_counts(sample_db, Filters()).set_index("report_key")
    with duckdb.connect(str(sample_db), read_only=True) as con:
        stored = dict(con.execute("SELECT report_key, stated_json FROM reports").fetchall())
    keys = [s.key for s in vocab().stated]
    stating = 0
    for rkey, text in stored.items():
        read = {k: float(counts.loc[rkey, f"stated_{k}"]) for k in keys
                if pd.notna(counts.loc[rkey, f"stated_{k}"])}
        assert read == {k: float(v) for k, v in json.loads(text or "{}").items()}, rkey
        stating += bool(read)
    assert stating  # the samples state their totals


def test_the_stated_completion_has_one_definition(sample_db: Path) -> None:
    with duckdb.connect(str(sample_db)) as con:
        unit, rkey = con.execute("SELECT unit, any_value(report_key) FROM reports GROUP BY unit "
                                 "HAVING count(*) = 1 ORDER BY unit LIMIT 1").fetchall()[0]
        con.execute("DELETE FROM figures WHERE report_key = ? AND kind LIKE 'stated.%'", [rkey])
        for kind, value in (("issues", 40), ("completed", 30), ("measures", 120)):
            con.execute("INSERT INTO figures VALUES (?, ?, ?, NULL, '')", [rkey, f"stated.{kind}", value])
    f = Filters(units=(unit,))

    def rates() -> tuple[float, float]:
        timeline = queries.unit_timeline(sample_db, f, unit)
        scores = queries.unit_scores(sample_db, f)
        return float(timeline["stated_rate"].iloc[0]), float(scores["stated_rate"].iloc[0])

    assert rates() == (75.0, 75.0)  # completed / issues
    with duckdb.connect(str(sample_db)) as con:
        con.execute("INSERT INTO figures VALUES (?, 'stated.completion_rate', 88.5, '%', '')", [rkey])
    assert rates() == (88.5, 88.5)  # its own rate wins


# --- migrated once at start ---------------------------------------------------------------------------------

# What a database made before the columns, views and tables added since looked like.
_DROPPED = {"issues": ("first_due", "owner", "counter_evidence", "overdue_commitments"),
            "reports": ("n_issues", "n_categories", "n_measures", "n_warnings", "published_on_source"),
            "warnings": ("message_zh",), "files": ("parser_version", "displaced_by")}
_OLD_OVERRIDES = ("override_id", "issue_key", "status", "note", "author", "created_at")


def _make_old(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        for view in ("issues_current", "issues_counted", "issues_effective", "overrides_orphaned",
                     "overrides_active"):
            con.execute(f"DROP VIEW IF EXISTS {view}")
        con.execute("DROP TABLE issue_lineage; DROP TABLE report_threads")
        for table, columns in _DROPPED.items():
            for column in columns:
                con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        con.execute(f"CREATE TABLE old_overrides AS SELECT {', '.join(_OLD_OVERRIDES)} FROM overrides")
        con.execute("DROP TABLE overrides")
        con.execute("CREATE TABLE overrides (override_id BIGINT PRIMARY KEY, issue_key VARCHAR NOT NULL, "
                    "status VARCHAR NOT NULL, note VARCHAR, author VARCHAR NOT NULL, "
                    "created_at TIMESTAMP NOT NULL)")
        con.execute("INSERT INTO overrides SELECT * FROM old_overrides; DROP TABLE old_overrides")


def _old_rows(db: Path) -> dict[str, list[tuple]]:
    """Every stored row, in the columns the old database has."""
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table in store.ALL_TABLES:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position", [table]).fetchall()
                if c not in _DROPPED.get(table, ()) and (table != "overrides" or c in _OLD_OVERRIDES)]
            names = ", ".join(columns)
            out[table] = con.execute(f"SELECT {names} FROM {table} ORDER BY {names}").fetchall()
    return out


@pytest.fixture()
def old_app_db(app_db: Path) -> Path:
    with duckdb.connect(str(app_db), read_only=True) as con:
        key = con.execute("SELECT issue_key FROM issues ORDER BY issue_key LIMIT 1").fetchall()[0][0]
    overrides.add_override(app_db, key, "未完成", "旧库里的更正", "赵六")
    _make_old(app_db)
    return app_db


def test_an_old_database_is_migrated_once_at_start_and_every_page_renders(
    old_app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _old_rows(old_app_db)
    assert before["overrides"]
    with duckdb.connect(str(old_app_db), read_only=True) as con:
        assert not store.schema_current(con)
    migrations: list[bool] = []
    migrate = store.migrate

    def counted(db: Path, **kw: float) -> bool:
        migrations.append(migrate(db, **kw))
        return migrations[-1]

    monkeypatch.setattr(store, "migrate", counted)
    at = run_page()
    for page in PAGES[1:]:
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert [t.value for t in at.title] == [TITLES[page]]
    assert migrations.count(True) == 1  # once, at the first page
    with duckdb.connect(str(old_app_db), read_only=True) as con:
        assert store.schema_current(con)
    assert _old_rows(old_app_db) == before  # nothing stored changed, the correction included
    assert not store.migrate(old_app_db)
    history = queries.issue_overrides_newest_first(old_app_db, before["overrides"][0][1])
    assert history["note"].tolist() == ["旧库里的更正"]


@pytest.mark.parametrize("error, message", [
    (database.DatabaseBusyError("busy"), data.MIGRATE_BUSY_MESSAGE),
    (database.StoreError("Cannot open the database: read-only file system"), data.MIGRATE_FAILED_MESSAGE),
])
def test_a_database_that_cannot_be_migrated_is_said_plainly_and_nothing_is_read(
    old_app_db: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, message: str
) -> None:
    def refuse(db: Path, **kw: object) -> bool:
        raise error

    read: list[str] = []
    monkeypatch.setattr(store, "migrate", refuse)
    monkeypatch.setattr(data, "_cached_many", lambda *a: read.append("many") or [])
    monkeypatch.setattr(data, "_cached", lambda *a: read.append("one"))
    at = run_page()
    assert [w.value for w in [*at.warning, *at.error]] == [message]
    assert not at.title and not read
