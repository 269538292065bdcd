"""Issue 8.3: the 导入 preview is what gets stored. The preview's counts (reports, issues per status,
warnings) equal the rows 确认导入 writes, for every sample and for a large file full of repeated items
(duplicate-issue warnings are added when rows are keyed, after parsing); a report that replaces one from
another file is announced before storing; and the displaced file's `files` row says so, so the CLI never
calls it unchanged and, given that file alone, parses it again and restores its report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from loaders.writer import accept, ingest, store
from views.components.imports import (
    ImportProblem,
    parse_upload,
    preview_replaced,
    preview_reports,
    preview_warnings,
    store_upload,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "data" / "reports").glob("*.txt"))
STATUS_COLUMNS = ["完成", "阶段性完成", "未完成", "未知"]


def stored_counts(db: Path, file_sha: str) -> dict[str, object]:
    """What the database holds for one file, counted with SQL."""
    with store.read_connection(db) as con:
        reports = con.execute("SELECT count(*) FROM reports WHERE file_sha = ?", [file_sha]).fetchall()[0][0]
        issues = dict(con.execute(
            "SELECT COALESCE(i.status, '未知'), count(*) FROM issues i JOIN reports r USING (report_key) "
            "WHERE r.file_sha = ? GROUP BY 1", [file_sha]).fetchall())
        warnings = con.execute("SELECT count(*) FROM warnings WHERE file_sha = ?",
                               [file_sha]).fetchall()[0][0]
    return {"reports": reports, "issues": {s: issues.get(s, 0) for s in STATUS_COLUMNS}, "warnings": warnings}


def preview_counts(parsed: object) -> dict[str, object]:
    reports = preview_reports(parsed)  # type: ignore[arg-type]
    return {"reports": len(reports), "issues": {s: int(reports[s].sum()) for s in STATUS_COLUMNS},
            "warnings": len(preview_warnings(parsed))}  # type: ignore[arg-type]


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name[:3] for p in SAMPLES])
def test_preview_counts_equal_the_stored_rows(sample: Path, tmp_path: Path) -> None:
    parsed = parse_upload(sample.name, sample.read_bytes(), 20)
    preview = preview_counts(parsed)
    assert preview["reports"] > 0 and sum(preview["issues"].values()) > 0  # type: ignore[union-attr]
    result = store_upload(parsed, tmp_path / "uploads", tmp_path / "db.duckdb")
    assert stored_counts(tmp_path / "db.duckdb", parsed.sha) == preview
    assert (result.reports, result.warnings) == (preview["reports"], preview["warnings"])


def test_preview_of_a_large_file_counts_every_warning_it_will_store(tmp_path: Path) -> None:
    """A report repeated many times: every repetition of an issue gets a duplicate_issue warning when rows
    are keyed. The preview used to count only the parser's warnings (1) while 12,002 were stored."""
    text = SAMPLES[0].read_text(encoding="utf-8")
    data = ("\n".join([text] * 120)).encode("utf-8")
    assert len(data) > 2 * 2**20
    parsed = parse_upload("big.txt", data, 20)
    preview = preview_counts(parsed)
    assert preview["warnings"] > 1000  # type: ignore[operator]
    store_upload(parsed, tmp_path / "uploads", tmp_path / "db.duckdb")
    assert stored_counts(tmp_path / "db.duckdb", parsed.sha) == preview


def test_upload_refusals_are_the_ingest_refusals(tmp_path: Path) -> None:
    news = "本市今日天气晴，最高气温25度。\n市民出行请注意防晒。\n".encode() * 20
    path = tmp_path / "news.txt"
    path.write_bytes(news)
    ingest_says = accept.judge_path(str(path))
    assert ingest_says.reports is None and ingest_says.reason is not None
    with pytest.raises(ImportProblem) as info:
        parse_upload("news.txt", news, 20)
    assert str(info.value).rstrip("。") == ingest_says.reason.zh.rstrip("。")


def test_replacement_is_announced_and_the_displaced_file_can_be_restored(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    original = tmp_path / "reports" / SAMPLES[0].name
    original.parent.mkdir()
    original.write_bytes(SAMPLES[0].read_bytes())
    ingest.ingest_paths([original], db, progress=False)
    # A corrected copy of the same report (same unit, date and part: the same report key), uploaded.
    edited = original.read_text(encoding="utf-8").replace("。", "。 ", 1).encode("utf-8")
    parsed = parse_upload("republished.txt", edited, 20)
    replaced = preview_replaced(parsed, tmp_path / "uploads", db)
    assert replaced["来自文件"].tolist() == [original.name] and not replaced["same_file"].any()
    result = store_upload(parsed, tmp_path / "uploads", db)
    assert result.replaced_reports == 1 and result.displaced == (str(original),)
    with store.read_connection(db) as con:
        marked = con.execute("SELECT displaced_by FROM files WHERE path = ?", [str(original)]).fetchall()
    assert marked == [(parsed.sha,)]  # its row says another file took its report
    run = [sys.executable, "-m", "loaders", "ingest", "--db", str(db), "--no-progress"]
    both = subprocess.run([*run, str(original), str(tmp_path / "uploads")], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert both.returncode == 0, both.stderr
    # With the file holding its report in the same run: neither "unchanged" nor parsed back and forth.
    assert "1 unchanged" in both.stdout and "Displaced: 1 stored files" in both.stdout
    proc = subprocess.run([*run, str(original)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "0 unchanged" in proc.stdout and "1 replaced" in proc.stdout  # alone: parsed again, restored
    assert f"DISPLACED {tmp_path / 'uploads'}" in proc.stdout  # the upload's copy gave way in turn
    with store.read_connection(db) as con:
        holder = con.execute("SELECT f.path FROM reports r JOIN files f USING (file_sha)").fetchall()
    assert holder == [(str(original),)]  # restored from the original file
