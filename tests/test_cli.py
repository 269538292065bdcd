"""`python -m loaders` in real subprocesses: exit codes, the closing summary, plain messages (never a
traceback), `parse --json` against the shape documented in README.md, and overrides."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES_DIR as SAMPLES
from conftest import sample_path

from loaders import __main__ as cli
from loaders.writer import store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_001 = sample_path("001")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "loaders", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    db = tmp_path_factory.mktemp("cli") / "cli.duckdb"
    return db, run("ingest", "--db", db)  # default PATH: data/reports, with the progress bar


Ingested = tuple[Path, subprocess.CompletedProcess[str]]


def test_ingest_samples_prints_summary_and_exits_0(ingested: Ingested) -> None:
    _, proc = ingested
    assert proc.returncode == 0, proc.stderr
    assert "Files: 5 seen, 5 new, 0 unchanged, 0 replaced, 0 failed" in proc.stdout
    assert "Stored by this run: 9 reports, 246 issues" in proc.stdout
    assert "now holds 5 files, 9 reports, 246 issues" in proc.stdout
    assert "5/5 files" in proc.stderr  # the progress bar goes to stderr, not into the summary


def test_second_ingest_reports_all_unchanged(ingested: Ingested) -> None:
    db, _ = ingested
    before = store.table_checksums(db)
    proc = run("ingest", SAMPLES, "--db", db, "--no-progress")
    assert proc.returncode == 0 and proc.stderr == ""
    assert "Files: 5 seen, 0 new, 5 unchanged, 0 replaced, 0 failed" in proc.stdout
    assert store.table_checksums(db) == before


def test_failed_files_give_exit_1_and_reasons(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(SAMPLE_001.read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.pdf").write_bytes(bytes(range(256)) * 8)
    db = tmp_path / "t.duckdb"
    proc = run("ingest", folder, "--db", db, "--no-progress", "--workers", "1")
    assert proc.returncode == 1
    assert "1 new, 0 unchanged, 0 replaced, 2 failed" in proc.stdout
    failed = dict(re.findall(r"^FAILED (\S+): (.+)$", proc.stdout, flags=re.M))
    assert {Path(p).name: reason for p, reason in failed.items()} == {
        "empty.txt": "empty.txt: the file is empty",
        "photo.pdf": "photo.pdf: not a valid PDF (no %PDF header: damaged file or wrong extension?)",
    }
    assert store.table_counts(db)["reports"] == 5


def test_missing_path_exits_2_with_a_plain_message(tmp_path: Path) -> None:
    proc = run("ingest", tmp_path / "nowhere", "--db", tmp_path / "t.duckdb")
    assert proc.returncode == 2
    assert "No such file or folder" in proc.stderr and not (tmp_path / "t.duckdb").exists()


def _documented_keys() -> tuple[set[str], set[str]]:
    """The keys in the README's two JSON tables: the report object's, then the issue object's."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cli = readme.split("<!-- section: cli")[1].split("<!-- section:")[0]
    report_part, issue_part = cli.split("Each object in `issues`:")
    def keys(text: str) -> set[str]:
        return set(re.findall(r"^\| `(\w+)` \|", text, flags=re.M))
    return keys(report_part), keys(issue_part)


def test_parse_json_has_the_documented_shape() -> None:
    proc = run("parse", SAMPLE_001, "--json")
    assert proc.returncode == 0, proc.stderr
    reports = json.loads(proc.stdout)
    report_keys, issue_keys = _documented_keys()
    assert len(reports) == 5 and sum(len(r["issues"]) for r in reports) == 141
    assert "巡视" in proc.stdout  # not ASCII-escaped
    for r in reports:
        assert set(r) == report_keys
        for issue in r["issues"]:
            assert set(issue) == issue_keys
            assert issue["status"] in ("完成", "阶段性完成", "未完成")
    assert [r["part"] for r in reports] == ["main", "附件1", "附件2", "附件3", "附件4"]


def test_parse_errors_exit_1_with_a_message(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for target in (empty, tmp_path / "missing.txt"):
        proc = run("parse", target, "--json")
        assert proc.returncode == 1 and target.name in proc.stderr


def test_override_commands(ingested: Ingested, tmp_path: Path) -> None:
    src_db, _ = ingested
    db = tmp_path / "o.duckdb"
    db.write_bytes(src_db.read_bytes())  # a copy: this test writes
    with store.read_connection(db) as con:
        key = con.execute("SELECT issue_key FROM issues ORDER BY issue_key LIMIT 1").fetchall()[0][0]
    # (a missing or blank --author: test_security.test_cli_override_needs_an_author_and_appends)
    bad = run("override", key, "done", "--author", "张三", "--db", db)
    assert bad.returncode == 1 and "完成, 阶段性完成, 未完成" in bad.stderr
    ok = run("override", key, "未完成", "--author", "张三", "--note", "现场核实", "--db", db)
    assert ok.returncode == 0 and "#1" in ok.stdout and "未完成" in ok.stdout
    listing = json.loads(run("overrides", "--json", "--db", db).stdout)
    assert [(o["issue_key"], o["status"], o["author"], o["note"], o["orphaned"]) for o in listing] == [
        (key, "未完成", "张三", "现场核实", False)]
    assert store.table_counts(db)["overrides"] == 1


def test_help_texts_are_plain_english(capsys: pytest.CaptureFixture[str]) -> None:
    proc = run("--help")  # once through a real process, the rest in-process (argparse exits after help)
    assert proc.returncode == 0 and "ingest" in proc.stdout and "override" in proc.stdout
    for command in ("ingest", "parse", "override", "overrides"):
        with pytest.raises(SystemExit) as exited:
            cli.main([command, "--help"])
        out = capsys.readouterr().out
        assert exited.value.code == 0 and out.startswith(f"usage: python -m loaders {command}")
        assert len(out.split()) > 30


# --- issue 8.5: smaller defects ---------------------------------------------------------------------------


def test_parse_refuses_an_oversized_file_from_its_size_with_a_readable_size(tmp_path: Path) -> None:
    from loaders.parser.read.base import max_file_mb

    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as fh:  # sparse: 3 GB that cost no disk; reading it would take minutes and 3 GB
        fh.truncate(3070 * 2**20)
    assert huge.stat().st_size > max_file_mb() * 2**20
    script = ("import resource, sys; from loaders.__main__ import main; code = main(sys.argv[1:]); "
              "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
              "sys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", script, "parse", str(huge), "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and proc.stdout.strip() == "[]"
    assert "the file is 3,070 MB (3.0 GB), over the 50 MB limit" in proc.stderr, proc.stderr
    assert "e+" not in proc.stderr
    rss_mb = int(re.search(r"MAXRSS (\d+)", proc.stderr).group(1)) / 1024  # type: ignore[union-attr]
    assert rss_mb < 500, f"peak memory {rss_mb:.0f} MB: the file was read before being refused"


def test_parse_exits_1_on_what_ingest_refuses_and_0_on_a_report(tmp_path: Path) -> None:
    news = tmp_path / "news.txt"
    news.write_text("本市今日天气晴，最高气温25度。\n市民出行请注意防晒。\n" * 5, encoding="utf-8")
    refused = run("parse", news, "--json")
    assert refused.returncode == 1 and "ingest would not store it" in refused.stderr
    assert isinstance(json.loads(refused.stdout), list)  # what was found is printed all the same
    ok = run("parse", SAMPLE_001, "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)[0]["issues"]


def test_first_start_build_leaves_no_lock_file_behind(tmp_path: Path) -> None:
    import hashlib
    import tempfile

    from loaders.writer import ingest

    db = tmp_path / "first.duckdb"
    ingest.ensure_database(db, SAMPLES, workers=1)
    assert db.exists() and not ingest.build_lock_path(db).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.duckdb"]
    # The old lock, one per database in the system's temp folder, is not made any more.
    name = hashlib.sha1(str(db.resolve()).encode()).hexdigest()[:16]
    old = Path(tempfile.gettempdir()) / f"rectification-build-{name}.lock"
    assert not old.exists()


def test_a_title_holding_a_web_address_is_kept(tmp_path: Path) -> None:
    """Issue 8.5: a colon ended a title, so `关于"http://x"…的通报` was shown as 无标题."""
    text = (SAMPLES / "000_f038d4f0310a0fb2.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    title = '中共湖州市吴兴区委关于"http://x"巡视整改进展情况的通报'
    path = tmp_path / "url_title.txt"
    path.write_text(f"{title}\n{text}", encoding="utf-8")
    proc = run("parse", path, "--json")
    assert proc.returncode == 0, proc.stderr
    assert "http://x" in json.loads(proc.stdout)[0]["title"]
