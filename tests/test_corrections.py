"""Supervisors' corrections across republished reports and mistakes (issue 8.1 and 8.4), on real DuckDB
files and the real CLI: a correction follows its issue when a new version of the report edits the title
slightly (a `carry` row), is reported as orphaned when no match is certain, can be withdrawn (a
`withdrawal` row; the status falls back), and an older database is migrated without losing any row."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import queries
from loaders.writer import carry, ingest, overrides, store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "reports" / "000_f038d4f0310a0fb2.txt"


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "loaders", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


def rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with store.read_connection(db) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture()
def corrected(tmp_path: Path) -> tuple[Path, Path, str, str, int]:
    """Sample 000 ingested from a copy, its third issue corrected: (db, copy, key, title, seq)."""
    copy = tmp_path / "in" / SAMPLE.name
    copy.parent.mkdir()
    copy.write_bytes(SAMPLE.read_bytes())
    db = tmp_path / "t.duckdb"
    ingest.ingest_paths([copy], db, progress=False)
    key, title, seq = rows(db, "SELECT issue_key, title, seq FROM issues ORDER BY seq LIMIT 1 OFFSET 2")[0]
    overrides.add_override(db, key, "未完成", "抽查发现仍有问题", "王五")
    return db, copy, key, title, seq


def _republish(copy: Path, old_title: str, new_title: str) -> None:
    text = copy.read_text(encoding="utf-8")
    assert text.count(old_title) == 1
    copy.write_text(text.replace(old_title, new_title), encoding="utf-8")


def test_a_one_character_title_edit_carries_the_correction(
    corrected: tuple[Path, Path, str, str, int],
) -> None:
    db, copy, key, title, seq = corrected
    edited = title[:-1] + "。" if not title.endswith("。") else title[:-1]
    _republish(copy, title, edited)
    proc = cli("ingest", copy, "--db", db, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    new_key, new_title = rows(db, "SELECT issue_key, title FROM issues WHERE seq = ?", [seq])[0]
    assert new_key != key and new_title != title  # the edit re-keyed the issue
    assert rows(db, "SELECT effective_status, effective_source, override_author FROM issues_effective "
                    "WHERE issue_key = ?", [new_key]) == [("未完成", "override", "王五")]
    history = rows(db, "SELECT override_id, issue_key, status, kind, ref_id FROM overrides "
                       "ORDER BY override_id")
    assert history == [(1, key, "未完成", "correction", None), (2, new_key, "未完成", "carry", 1)]
    assert f"CARRIED override #1 -> #2 on issue {new_key}" in proc.stdout
    assert "1 carried" in proc.stdout and "0 orphaned" in proc.stdout
    assert overrides.orphaned_overrides(db) == []
    assert queries.orphaned_overrides(db).empty


def test_a_rewritten_title_leaves_the_correction_orphaned_and_says_so(
    corrected: tuple[Path, Path, str, str, int],
) -> None:
    db, copy, key, title, _ = corrected
    _republish(copy, title, "完全不同的另一个问题表述，与原问题没有共同之处")
    proc = cli("ingest", copy, "--db", db, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "0 carried" in proc.stdout and "1 orphaned" in proc.stdout
    assert f"ORPHANED override #1 (未完成, by 王五) on issue {key}" in proc.stdout
    assert rows(db, "SELECT count(*) FROM overrides") == [(1,)]  # nothing carried, nothing lost
    assert [o.override_id for o in overrides.orphaned_overrides(db)] == [1]
    shown = queries.orphaned_overrides(db)
    columns = ["override_id", "title", "status", "author"]
    assert shown[columns].values.tolist() == [[1, title, "未完成", "王五"]]
    listing = json.loads(cli("overrides", "--orphaned", "--json", "--db", db).stdout)
    assert [(o["override_id"], o["orphaned"]) for o in listing] == [(1, True)]


def test_the_carry_threshold_comes_from_config() -> None:
    assert 0 < carry.min_similarity() <= 100
    assert carry.similarity("某园区未按规定收取租金", "某园区未按规定收取租金。") >= carry.min_similarity()
    assert carry.similarity("某园区未按规定收取租金", "干部作风不实问题突出") < carry.min_similarity()


def test_withdrawal_falls_back_and_keeps_history(corrected: tuple[Path, Path, str, str, int]) -> None:
    db, _, key, _, _ = corrected
    parsed = rows(db, "SELECT status FROM issues WHERE issue_key = ?", [key])[0][0]
    second = cli("override", key, "完成", "--author", "张三", "--note", "误判", "--db", db)
    assert second.returncode == 0 and "#2" in second.stdout
    effective = "SELECT effective_status FROM issues_effective WHERE issue_key = ?"
    assert rows(db, effective, [key]) == [("完成",)]
    no_note = cli("withdraw", "2", "--author", "张三", "--db", db)
    assert no_note.returncode == 2  # argparse: --note is required
    done = cli("withdraw", "2", "--author", "张三", "--note", "选错了问题", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "withdrawal #3 of override #2" in done.stdout
    assert rows(db, effective, [key]) == [("未完成",)]  # back to the first correction
    again = cli("withdraw", "2", "--author", "张三", "--note", "再来一次", "--db", db)
    assert again.returncode == 1 and "already withdrawn by #3" in again.stderr
    missing = cli("withdraw", "99", "--author", "张三", "--note", "x", "--db", db)
    assert missing.returncode == 1 and "No override #99" in missing.stderr
    assert cli("withdraw", "1", "--author", "李四", "--note", "也不对", "--db", db).returncode == 0
    assert rows(db, effective, [key]) == [(parsed,)]  # no correction left: the parsed status
    listing = json.loads(cli("overrides", "--issue", key, "--json", "--db", db).stdout)
    assert [(o["override_id"], o["kind"], o["ref_id"], o["withdrawn_by"]) for o in listing] == [
        (1, "correction", None, 4), (2, "correction", None, 3), (3, "withdrawal", 2, None),
        (4, "withdrawal", 1, None)]


def test_an_older_database_is_migrated_without_losing_a_correction(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    ingest.ingest_paths([SAMPLE], db, progress=False)
    key = rows(db, "SELECT issue_key FROM issues ORDER BY seq LIMIT 1")[0][0]
    with duckdb.connect(str(db)) as con:  # the overrides table as it was before kinds existed
        con.execute("DROP VIEW issues_effective")
        con.execute("DROP VIEW overrides_active")
        con.execute("DROP TABLE overrides")
        con.execute("CREATE TABLE overrides (override_id BIGINT PRIMARY KEY, issue_key VARCHAR NOT NULL, "
                    "status VARCHAR NOT NULL, note VARCHAR, author VARCHAR NOT NULL, "
                    "created_at TIMESTAMP NOT NULL)")
        con.execute("INSERT INTO overrides VALUES (1, ?, '完成', '旧库的更正', '赵六', now())", [key])
        con.execute("""CREATE VIEW issues_effective AS
            SELECT i.*, COALESCE(o.status, i.status) AS effective_status,
            CASE WHEN o.issue_key IS NOT NULL THEN 'override' ELSE i.status_source END AS effective_source,
            o.author AS override_author, o.note AS override_note, o.created_at AS override_at
            FROM issues i LEFT JOIN (SELECT * FROM overrides QUALIFY row_number() OVER
            (PARTITION BY issue_key ORDER BY override_id DESC) = 1) o USING (issue_key)""")
    assert store.migrate(db)  # what the dashboard does once at start; the correction is kept
    assert queries.issue_overrides_newest_first(db, key)["kind"].tolist() == ["correction"]
    assert queries.recent_overrides(db)["author"].tolist() == ["赵六"]
    assert queries.orphaned_overrides(db).empty
    overrides.withdraw_override(db, 1, "迁移后撤回", "赵六")
    assert rows(db, "SELECT override_id, status, kind, ref_id FROM overrides ORDER BY override_id") == [
        (1, "完成", None, None), (2, None, "withdrawal", 1)]
    source = rows(db, "SELECT effective_source FROM issues_effective WHERE issue_key = ?", [key])[0][0]
    assert source != "override"  # the withdrawn correction no longer counts
