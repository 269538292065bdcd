"""The status engine's counter-evidence and overdue commitments, stored and shown: issues.counter_evidence and
issues.overdue_commitments equal what parse_file decides, an older database gets the columns (NULL until its
files are parsed again), and 单位, 数据质量 and the Excel 台账 show them. Every expected text is read from the
parse, never written here: the engine's phrasing may change."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from conftest import SAMPLES_DIR, migrated_copy, open_issues, sample_path
from streamlit.testing.v1 import AppTest

import queries
from loaders.models import Issue
from loaders.parser.parse import parse_file
from loaders.writer.ingest import ingest_paths
from views.components.ui import escape_md
from views.components.xlsx_export import COLUMNS, ExportInfo, ledger_xlsx

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
STORED_SQL = """SELECT f.path, r.ordinal, i.seq, i.counter_evidence, i.overdue_commitments
                FROM issues i JOIN reports r USING (report_key) JOIN files f ON f.file_sha = r.file_sha"""


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def parsed(paths: list[Path]) -> dict[tuple[str, int, int], tuple[str | None, list[str] | None]]:
    """(path, report ordinal, issue seq) → (counter_evidence, overdue) as the store should hold them."""
    out = {}
    for path in paths:
        for ordinal, report in enumerate(parse_file(path)):
            for seq, issue in enumerate(report.issues):
                st = issue.status
                key = (str(path.resolve()), ordinal, seq)
                out[key] = (st.counter_evidence or None, list(st.overdue) or None)
    return out


def stored(db: Path) -> dict[tuple[str, int, int], tuple[str | None, list[str] | None]]:
    return {(str(Path(p).resolve()), o, s): (c, list(d) if d is not None else None)
            for p, o, s, c, d in rows(db, STORED_SQL)}


@pytest.fixture(scope="module")
def overdue_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample 004 with a commitment dated half a year before its own publication, with no result, added
    to the first inferred issue (as a report that lets a deadline pass unremarked reads)."""
    path = sample_path("004")
    (report,) = [r for r in parse_file(path) if r.part == "main"]
    assert report.published_on is not None
    lines = path.read_text(encoding="utf-8").split("\n")
    issue = next(i for i in report.issues if i.status.source == "inferred" and i.title
                 and sum(i.title in ln for ln in lines) == 1)
    k = next(n for n, ln in enumerate(lines) if issue.title in ln)
    passed = report.published_on - dt.timedelta(days=183)
    lines[k + 1] += f"力争{passed.year}年{passed.month}月底前完成全部整改。"
    out = tmp_path_factory.mktemp("overdue") / "004_overdue.txt"
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def overdue_db(overdue_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("overdue_db") / "overdue.duckdb"
    ingest_paths([overdue_file], db, workers=1, progress=False)
    return db


def _issue_with(paths: list[Path], want: str) -> tuple[Any, Issue]:
    """The first (report, issue) of the parse of `paths` with counter-evidence ('counter') or an overdue
    commitment ('overdue') and, for 'counter', a decision below dashboard.low_confidence (待核)."""
    for path in paths:
        for report in parse_file(path):
            for issue in report.issues:
                st = issue.status
                if want == "overdue" and st.overdue:
                    return report, issue
                if want == "counter" and st.counter_evidence and st.confidence < 0.6:
                    return report, issue
    raise AssertionError(f"no issue with {want} in {paths}")


# --- stored equals parsed ----------------------------------------------------------------------------------


def test_stored_counter_evidence_and_overdue_equal_the_parse_of_every_sample(sample_db: Path) -> None:
    want = parsed(sorted(SAMPLES_DIR.glob("*.txt")))
    got = stored(sample_db)
    assert got == want
    assert sum(c is not None for c, _ in got.values()) >= 10  # the samples do have counter-evidence


def test_stored_overdue_commitments_equal_the_parse(overdue_file: Path, overdue_db: Path) -> None:
    want = parsed([overdue_file])
    assert stored(overdue_db) == want
    assert any(d for _, d in want.values())  # the added commitment is read as overdue
    assert rows(overdue_db, "SELECT typeof(overdue_commitments) FROM issues LIMIT 1") == [("VARCHAR[]",)]


# --- an older database --------------------------------------------------------------------------------------


def _views(db: Path) -> list[Any]:
    f = queries.Filters()
    return [queries.issues_page(db, f, limit=20), queries.issues_page(db, f), queries.weak_issues(db, f, 0.6),
            queries.ledger_rows(db, f), queries.unit_issues(db, f, "聊城市东昌府区", 10, 0)]


def test_an_older_database_gets_the_columns_when_migrated_null_until_parsed_again(
    sample_db: Path, tmp_path: Path
) -> None:
    old = migrated_copy(sample_db, tmp_path, "ALTER TABLE issues DROP COLUMN counter_evidence",
                        "ALTER TABLE issues DROP COLUMN overdue_commitments")
    for frame in _views(old):  # every list reads the columns as empty
        assert len(frame)
        assert frame["counter_evidence"].isna().all() and frame["overdue_commitments"].isna().all()
    cols = {r[0]: r[1] for r in rows(old, "DESCRIBE issues")}
    assert (cols["counter_evidence"], cols["overdue_commitments"]) == ("VARCHAR", "VARCHAR[]")
    assert all(c is None and d is None for c, d in stored(old).values())  # NULL until parsed again
    # Stored by an earlier parser (the fingerprint of rows.py changed with the columns): ingest parses again.
    with duckdb.connect(str(old)) as con:
        con.execute("UPDATE files SET parser_version = 'before-counter-evidence'")
    ingest_paths([SAMPLES_DIR], old, workers=1, progress=False)
    assert stored(old) == stored(sample_db)


# --- pages and the ledger -----------------------------------------------------------------------------------


@pytest.fixture()
def overdue_app(overdue_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "app.duckdb"
    shutil.copy(overdue_db, db)
    monkeypatch.setenv("RECTIFY_DB", str(db))
    monkeypatch.setenv("RECTIFY_UPLOADS", str(tmp_path / "uploads"))
    return db


def _run(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if query:
        at.query_params = dict(query)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_unit_expander_shows_counter_evidence_and_overdue_commitments(overdue_file: Path,
                                                                      overdue_app: Path) -> None:
    report, late = _issue_with([overdue_file], "overdue")
    _, doubted = _issue_with([overdue_file], "counter")
    at = open_issues(_run("views/unit.py", {"u": report.unit}))
    shown = [str(m.value) for e in at.expander if "badge[" in e.label for m in e.markdown]
    assert f"**相反迹象**：{escape_md(doubted.status.counter_evidence)}" in shown
    overdue = [s for s in shown if s.startswith("**已过承诺时限**")]
    assert any(escape_md("；".join(late.status.overdue)) in s for s in overdue), overdue
    # Shown only where the engine found something: every counter-evidence line is one of the parse's.
    against = {f"**相反迹象**：{escape_md(i.status.counter_evidence)}" for r in parse_file(overdue_file)
               for i in r.issues if i.status.counter_evidence}
    assert {s for s in shown if s.startswith("**相反迹象**")} <= against


def test_quality_lists_doubtful_statuses_with_evidence_and_counter_evidence_side_by_side(
    overdue_file: Path, overdue_app: Path
) -> None:
    _, doubted = _issue_with([overdue_file], "counter")
    at = _run("views/quality.py")
    (table,) = [d.value for d in at.dataframe if "相反迹象" in d.value.columns]
    row = table[table["相反迹象"] == doubted.status.counter_evidence]
    assert len(row) == 1
    assert row["判定依据"].iloc[0] == doubted.status.evidence and row["问题"].iloc[0] == doubted.title
    cols = list(table.columns)
    assert cols.index("相反迹象") == cols.index("判定依据") + 1  # side by side


def test_ledger_basis_cell_holds_evidence_and_counter_evidence(overdue_file: Path, overdue_db: Path) -> None:
    _, doubted = _issue_with([overdue_file], "counter")
    _, late = _issue_with([overdue_file], "overdue")
    ledger = queries.ledger_rows(overdue_db, queries.Filters())
    ws = openpyxl.load_workbook(io.BytesIO(ledger_xlsx(ledger, ExportInfo(()))))["整改台账"]
    col = [c[0] for c in COLUMNS].index("依据")
    title_col = [c[0] for c in COLUMNS].index("反馈问题")
    cells = {r[title_col]: r[col] for r in ws.iter_rows(min_row=2, values_only=True)}
    st = doubted.status
    assert cells[doubted.title].startswith(f"依据：{st.evidence} ／ 相反：{st.counter_evidence}")
    assert f"已过时限：{'；'.join(late.status.overdue)}" in cells[late.title]
    # An issue with nothing against it keeps its evidence alone.
    plain = next(i for r in parse_file(overdue_file) for i in r.issues
                 if i.status.evidence and not i.status.counter_evidence and not i.status.overdue)
    assert cells[plain.title] == plain.status.evidence


def test_basis_of_a_row_without_counter_evidence_is_the_evidence() -> None:
    from views.components.xlsx_export import basis

    @dataclasses.dataclass
    class Row:
        evidence: Any = "已出台办法"
        counter_evidence: Any = None
        overdue_commitments: Any = float("nan")  # a missing text as pandas gives it

    assert basis(Row()) == "已出台办法"
    assert basis(Row(counter_evidence="正在推进")) == "依据：已出台办法 ／ 相反：正在推进"
    assert basis(Row(evidence=None, overdue_commitments="6月底前")) == "依据：— ／ 已过时限：6月底前"
