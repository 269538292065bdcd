"""Bad input end to end: what supervisors find on the web, fed to the real CLI (`python -m loaders ingest`
in a subprocess) and to `ingest.ingest_paths`, mixed with the real sample reports.

For every file that cannot be a report (empty, blank, an image, an archive, a broken .docx or .pdf, a news
article, a file over `read.max_file_mb`): a plain message that names the file and the reason (never a
traceback), the database left exactly as it was (`store.table_checksums`), and the rest of the batch stored.
Files that are odd but readable (GB18030, UTF-16, mixed line endings, a web page declaring the wrong
charset) are stored with the same issues as the clean sample; a report cut off mid-item keeps what is there
and says it is incomplete.
"""

from __future__ import annotations

import base64
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import fixtures_make as fm
import pytest
from conftest import SAMPLES_DIR as SAMPLES
from conftest import sample_paths

from loaders.parser.parse import parse_file
from loaders.parser.read.base import max_file_mb
from loaders.writer import ingest, store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_NAMES = [p.name for p in sample_paths()]

# A realistic local news item: no inspection, no rectification, nothing a report parser should store.
NEWS_WEATHER = (
    "本报讯(记者 王磊 通讯员 陈晓)3月12日,市气象台发布消息称,受强冷空气影响,本周后期我市将迎来一次明显"
    "降温过程,过程降温幅度可达8℃至10℃,最低气温降至2℃左右。\n"
    "气象专家提醒,市民朋友要及时添衣保暖,做好防寒准备;设施农业要加固大棚,防范低温对蔬菜和果树造成不利影响。\n"
    "据了解,今年入春以来,我市平均气温较常年同期偏高1.5℃,降水偏少三成。市农业农村局表示,将继续做好春耕春播"
    "技术指导服务,组织农技人员下沉一线,确保全年粮食生产稳定。\n"
    "(责任编辑:李娜)\n"
)
# News ABOUT an inspection: it says 巡视 many times but lists no problems and no rectification progress.
NEWS_INSPECTION = """省委第三巡视组进驻青山县开展常规巡视
4月8日,省委第三巡视组进驻青山县开展常规巡视,巡视工作动员会当天召开。巡视组组长张建国作动员讲话,县委书记李明主持会议并作表态发言。
根据省委统一部署,省委第三巡视组将对青山县开展为期两个月左右的常规巡视。巡视期间,巡视组设专门值班电话0571-12345678,专门邮政信箱:青山县A001号邮政信箱。
巡视组主要受理反映青山县领导班子及其成员、下一级党组织主要负责人和重要岗位领导干部问题的来信来电来访。
"""


def _over_limit_text_bytes() -> bytes:
    """A real report repeated with junk lines, one byte over read.max_file_mb."""
    return _sized_report(int(max_file_mb() * 2**20) + 1)


def _sized_report(size: int) -> bytes:
    junk = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(997)) + "\n"
    unit = (fm.sample_text("000") + "\n" + junk).encode("utf-8")
    return (unit * (size // len(unit) + 1))[:size]


@dataclass(frozen=True)
class Case:
    name: str  # the file name (its extension matters: folders are searched for report extensions only)
    build: Callable[[], bytes]
    reason: str  # regex the failure message must match, after the file name


NOT_A_REPORT = "(?:not|does not look like) a rectification(?:-progress)? report|no issues"
BAD_CASES = [
    Case("empty.txt", lambda: b"", r"the file is empty"),
    Case("blank.txt", lambda: " \r\n\t \n\u3000\u3000\n".encode(), r"the file is empty \(only whitespace\)"),
    Case("scan.png", fm.png_bytes, r"not a text document \(PNG image\)"),
    # (other bytes than scan.png: a second copy of the same bytes is a separate case, see below)
    Case("photo_named_report.txt", lambda: fm.png_bytes() + b"\x00" * 16,
         r"not a text document \(PNG image\)"),
    Case("reports.zip", fm.zip_bytes, r"not a text document \(ZIP archive"),
    Case("zip_named_report.docx", lambda: fm.zip_bytes() + b"\x00" * 16,
         r"\.docx file is damaged \(word/document\.xml is missing\)"),
    Case("broken.docx", lambda: fm.corrupt_docx(fm.sample_text("000")), r"the \.docx file is damaged"),
    Case("broken.pdf", lambda: fm.corrupt_pdf(fm.sample_text("003")), r"the PDF is damaged"),
    Case("news_weather.txt", lambda: NEWS_WEATHER.encode("utf-8"), NOT_A_REPORT),
    Case("news_inspection.html", lambda: fm.gov_html_page(NEWS_INSPECTION), NOT_A_REPORT),
    Case("huge.txt", _over_limit_text_bytes, r"over the 50 MB limit \(read\.max_file_mb\)"),
]
BAD_PARAMS = [pytest.param(c, id=c.name) for c in BAD_CASES]


@dataclass(frozen=True)
class Odd:
    """A readable file in an awkward form: it must be stored with the same issues as its clean sample."""

    name: str
    sample: str
    build: Callable[[str], bytes]
    days: int = 1  # published this many days before the sample (see redated)


def redated(text: str, days: int = 1) -> str:
    """The sample published `days` days earlier (same month): a distinct report (its key is unit + date +
    part), so storing it does not replace the sample itself."""

    def earlier(m: re.Match[str]) -> str:
        return f"{m.group(1)}{int(m.group(2)) - days}{m.group(3)}"

    text = re.sub(r"^(\s*\d{4}年\d{1,2}月)(\d{1,2})(日\s*)$", earlier, text, flags=re.M)
    chrome_date = r"(发布日期:\d{4}-\d{2}-)(\d{2})"
    return re.sub(chrome_date, lambda m: f"{m.group(1)}{int(m.group(2)) - days:02d}", text)


ODD_CASES = [
    Odd("gb18030.txt", "003", lambda t: fm.encoded_copy(t, "gb18030")),
    Odd("utf16_bom.txt", "004", lambda t: fm.encoded_copy(t, "utf-16-le", bom=True, newline="\r\n")),
    Odd("utf16be_bom.txt", "000", lambda t: fm.encoded_copy(t, "utf-16-be", bom=True)),
    Odd("mixed_endings.txt", "001", fm.mixed_line_endings),
    Odd("declared_utf8_is_gbk.html", "002",
        lambda t: fm.gov_html_page(t, charset="gb18030", declared="utf-8")),
    Odd("declared_gbk_is_utf8.html", "000", lambda t: fm.gov_html_page(t, charset="utf-8", declared="gbk"),
        days=2),
]


# --- helpers ---------------------------------------------------------------------------------------------


def run_cli(*args: str | Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loaders", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def failed_lines(stdout: str) -> dict[str, str]:
    """File name → message of every `FAILED <path>: <message>` line of the CLI summary."""
    out = {}
    for line in stdout.splitlines():
        m = re.match(r"^FAILED (.+?): (.*)$", line)
        if m:
            out[Path(m.group(1)).name] = m.group(2)
    return out


def per_file(db: Path) -> dict[str, tuple[int, int, int, int]]:
    """File name → (reports, issues, measures, deadlines) stored for it."""
    sql = """
        SELECT f.path, count(DISTINCT r.report_key), count(DISTINCT i.issue_key),
               (SELECT count(*) FROM measures m JOIN issues i2 USING (issue_key) JOIN reports r2
                  USING (report_key) WHERE r2.file_sha = f.file_sha),
               (SELECT count(*) FROM deadlines d JOIN issues i3 USING (issue_key) JOIN reports r3
                  USING (report_key) WHERE r3.file_sha = f.file_sha)
        FROM files f LEFT JOIN reports r USING (file_sha) LEFT JOIN issues i USING (report_key)
        GROUP BY f.path, f.file_sha"""
    with store.read_connection(db) as con:
        rows = con.execute(sql).fetchall()
    return {Path(p).name: (int(a), int(b), int(c), int(d)) for p, a, b, c, d in rows}


def issue_titles(reports: list) -> list[list[str]]:
    return [[i.title for i in r.issues] for r in reports]


# --- fixtures --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding exactly the five samples (clean run, in process)."""
    db = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    summary = ingest.ingest_paths([SAMPLES], db, workers=1, progress=False)
    assert summary.failures == [] and summary.new == len(SAMPLE_NAMES)
    return db


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every bad and odd file written once to a folder (name → path)."""
    folder = tmp_path_factory.mktemp("inputs")
    out = {}
    for c in BAD_CASES:
        out[c.name] = folder / c.name
        out[c.name].write_bytes(c.build())
    for o in ODD_CASES:
        out[o.name] = folder / o.name
        out[o.name].write_bytes(o.build(redated(fm.sample_text(o.sample), o.days)))
    return out


@dataclass(frozen=True)
class Batch:
    db: Path
    proc: subprocess.CompletedProcess[str]
    seconds: float


@pytest.fixture(scope="module")
def cli_batch(tmp_path_factory: pytest.TempPathFactory, inputs: dict[str, Path]) -> Batch:
    """One real CLI run over the samples folder, the odd files and the bad files (given by path)."""
    db = tmp_path_factory.mktemp("batch") / "batch.duckdb"
    started = time.perf_counter()
    proc = run_cli("ingest", SAMPLES, *inputs.values(), "--db", db, "--no-progress")
    return Batch(db, proc, time.perf_counter() - started)


# --- the CLI batch ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", BAD_PARAMS)
def test_cli_names_each_bad_file_and_its_reason(cli_batch: Batch, case: Case) -> None:
    failed = failed_lines(cli_batch.proc.stdout)
    assert case.name in failed, f"{case.name} was not reported as failed:\n{cli_batch.proc.stdout}"
    message = failed[case.name]
    # The message repeats the file's name, then says why in plain English.
    assert message.startswith(f"{case.name}: "), message
    assert re.search(case.reason, message), message
    assert case.name not in per_file(cli_batch.db), f"{case.name} was stored although it failed"


def test_cli_batch_stores_everything_else_and_never_shows_a_traceback(cli_batch: Batch, samples_db: Path,
                                                                      inputs: dict[str, Path]) -> None:
    proc = cli_batch.proc
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 1, "a batch with failed files exits 1"
    stored = per_file(cli_batch.db)
    clean = per_file(samples_db)
    # Every sample is stored exactly as in a clean run of the samples alone: bad neighbours change nothing.
    for name in SAMPLE_NAMES:
        assert stored[name] == clean[name], name
    for odd in ODD_CASES:
        assert odd.name in stored, f"{odd.name} should be stored: {failed_lines(proc.stdout).get(odd.name)}"
    assert set(failed_lines(proc.stdout)) == {c.name for c in BAD_CASES}
    m = re.search(r"Files: (\d+) seen, (\d+) new, 0 unchanged, 0 replaced, (\d+) failed", proc.stdout)
    assert m, proc.stdout
    seen, new, failed = map(int, m.groups())
    assert seen == len(SAMPLE_NAMES) + len(inputs)
    assert failed == len(BAD_CASES)
    assert new == len(stored) == seen - failed
    assert cli_batch.seconds < 90, f"the batch took {cli_batch.seconds:.1f} s"


def test_rerunning_the_batch_changes_nothing_and_fails_the_same_files(cli_batch: Batch,
                                                                     inputs: dict[str, Path]) -> None:
    before = store.table_checksums(cli_batch.db)
    proc = run_cli("ingest", SAMPLES, *inputs.values(), "--db", cli_batch.db, "--no-progress")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert failed_lines(proc.stdout) == failed_lines(cli_batch.proc.stdout)
    assert store.table_checksums(cli_batch.db) == before


def test_same_bad_bytes_under_two_names_are_both_reported(tmp_path: Path) -> None:
    for name in ("scan.txt", "copy_of_scan.txt"):
        (tmp_path / name).write_bytes(fm.png_bytes())
    files = [tmp_path / "scan.txt", tmp_path / "copy_of_scan.txt"]
    summary = ingest.ingest_paths(files, tmp_path / "db.duckdb", workers=1, progress=False)
    assert summary.unchanged == 0
    reasons = {Path(p).name: m for p, m in summary.failures}
    assert reasons == {"scan.txt": "scan.txt: not a text document (PNG image)",
                       "copy_of_scan.txt": "copy_of_scan.txt: same content as scan.txt: not a text document "
                                           "(PNG image)"}
    # A copy of a good file is still just "unchanged" (stored once, under the first name).
    good = [tmp_path / "a.txt", tmp_path / "copy_of_a.txt"]
    for path in good:
        path.write_bytes(fm.sample_path("003").read_bytes())
    summary = ingest.ingest_paths(good, tmp_path / "db2.duckdb", workers=1, progress=False)
    assert (summary.new, summary.unchanged, summary.failures) == (1, 1, [])


def _excerpt(prefix: str) -> str:
    """Only the problem list of a sample (what people copy from a page): no title, no signature, no date."""
    _, body, _ = fm.split_report(fm.sample_text(prefix))
    body = [ln for ln in body if not re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", ln)]
    start = next(k for k, ln in enumerate(body) if re.match(r"^[一二三四五六七八九十]+、", ln))
    return "\n".join(body[start:]) + "\n"


def test_two_different_reports_without_unit_or_date_are_both_kept(tmp_path: Path) -> None:
    for prefix in ("000", "003"):
        (tmp_path / f"excerpt_{prefix}.txt").write_text(_excerpt(prefix), encoding="utf-8")
    parsed = {p: parse_file(tmp_path / f"excerpt_{p}.txt") for p in ("000", "003")}
    # No date; the unit is at best a guess (the first place the text names), and said so.
    assert all(r.published_on is None and (r.unit == "" or "unit_guessed" in {w.code for w in r.warnings})
               for rs in parsed.values() for r in rs)
    db = tmp_path / "db.duckdb"
    summary = ingest.ingest_paths([tmp_path], db, workers=1, progress=False)
    assert (summary.new, summary.replaced, summary.failures) == (2, 0, [])
    stored = per_file(db)
    for prefix, reports in parsed.items():
        assert stored[f"excerpt_{prefix}.txt"][1] == sum(len(r.issues) for r in reports), stored
    with store.read_connection(db) as con:
        codes = {c for (c,) in con.execute("SELECT code FROM warnings").fetchall()}
    assert "duplicate_report" not in codes
    assert ingest.ingest_paths([tmp_path], db, workers=1, progress=False).unchanged == 2


# --- ingest_paths, one bad file at a time ----------------------------------------------------------------


@pytest.mark.parametrize("case", BAD_PARAMS)
def test_bad_file_leaves_the_database_unchanged(case: Case, samples_db: Path, inputs: dict[str, Path],
                                                tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    shutil.copy(samples_db, db)
    before = store.table_checksums(db)
    summary = ingest.ingest_paths([inputs[case.name]], db, workers=1, progress=False)
    assert store.table_checksums(db) == before
    assert summary.new == summary.replaced == 0
    assert len(summary.failures) == 1
    path, message = summary.failures[0]
    assert Path(path).name == case.name
    assert message.startswith(f"{case.name}: ") and re.search(case.reason, message), message


def test_a_batch_of_bad_files_beside_good_ones_stores_only_the_good(samples_db: Path, inputs: dict[str, Path],
                                                                   tmp_path: Path) -> None:
    """Through the parallel path (8+ files use worker processes) with small write batches."""
    db = tmp_path / "db.duckdb"
    bad = [inputs[c.name] for c in BAD_CASES if not c.name.startswith(("news", "huge"))]
    summary = ingest.ingest_paths([SAMPLES, *bad], db, workers=2, progress=False)
    assert {Path(p).name for p, _ in summary.failures} == {p.name for p in bad}
    assert per_file(db) == per_file(samples_db)


# --- odd but readable ------------------------------------------------------------------------------------


@pytest.mark.parametrize("odd", ODD_CASES, ids=[o.name for o in ODD_CASES])
def test_odd_encodings_and_line_endings_give_the_clean_samples_issues(odd: Odd,
                                                                     inputs: dict[str, Path]) -> None:
    clean = parse_file(fm.sample_path(odd.sample))
    got = parse_file(inputs[odd.name])
    assert issue_titles(got) == issue_titles(clean)
    statuses = [[i.status.status for i in r.issues] for r in got]
    assert statuses == [[i.status.status for i in r.issues] for r in clean]
    codes = {w.code for r in got for w in r.warnings}
    if "declared" in odd.name:
        assert "wrong_charset" in codes, "a page that lies about its charset is read, with a warning"


# --- a report cut off mid-item ---------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["000", "002", "004"])
def test_report_cut_mid_item_keeps_the_whole_items_before_the_cut(prefix: str, tmp_path: Path) -> None:
    text = fm.sample_text(prefix)
    full = parse_file(fm.sample_path(prefix))[0]
    path = tmp_path / f"cut_{prefix}.txt"
    path.write_text(text[: len(text) * 3 // 5], encoding="utf-8")  # cuts mid-sentence inside an issue
    summary = ingest.ingest_paths([path], tmp_path / "db.duckdb", workers=1, progress=False)
    assert summary.failures == [] and summary.new == 1
    cut = parse_file(path)[0]
    assert 0 < len(cut.issues) < len(full.issues)
    # Every issue but the last (which lost its end) is exactly the one in the complete report.
    assert [i.title for i in cut.issues[:-1]] == [i.title for i in full.issues[: len(cut.issues) - 1]]
    assert [i.measures for i in cut.issues[:-1]] == [i.measures for i in full.issues[: len(cut.issues) - 1]]


@pytest.mark.parametrize("prefix", ["000", "002", "004"])
def test_report_cut_mid_item_is_flagged_as_truncated(prefix: str, tmp_path: Path) -> None:
    text = fm.sample_text(prefix)
    path = tmp_path / f"cut_{prefix}.txt"
    path.write_text(text[: len(text) * 3 // 5], encoding="utf-8")
    db = tmp_path / "db.duckdb"
    ingest.ingest_paths([path], db, workers=1, progress=False)
    # The warning is stored with the report, so the dashboard's 数据质量 page shows which file is incomplete.
    with store.read_connection(db) as con:
        stored = con.execute(
            "SELECT w.code, w.message FROM warnings w JOIN files f USING (file_sha)").fetchall()
    truncated = [m for code, m in stored if code == "truncated"]
    assert truncated and re.search(r"cut off|ends mid-sentence", truncated[0]), stored
    assert "truncated" not in {w.code for r in parse_file(fm.sample_path(prefix)) for w in r.warnings}


# --- size limit: at and over read.max_file_mb ------------------------------------------------------------

# Peak memory of the CLI process itself: VmHWM is per address space, whereas ru_maxrss also counts the pytest
# process this child was forked from (Linux keeps the high-water mark across exec).
_MEASURED = (
    "import re, resource, runpy, sys\n"
    "sys.argv = ['loaders', *sys.argv[1:]]\n"
    "code = 0\n"
    "try:\n"
    "    runpy.run_module('loaders', run_name='__main__', alter_sys=True)\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "try:\n"
    "    kb = int(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1))\n"
    "except OSError:\n"
    "    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "sys.stderr.write(f'MAXRSS_MB={kb / 1024:.0f}\\n')\n"
    "sys.exit(code)\n"
)


def run_measured(*args: str | Path, timeout: float = 180
                 ) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """The CLI in one process (give --workers 1), with its wall time and peak resident memory in MB."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _MEASURED, *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    seconds = time.perf_counter() - started
    m = re.search(r"MAXRSS_MB=(\d+)", proc.stderr)
    assert m, proc.stderr
    return proc, seconds, float(m.group(1))


def test_config_limit_is_50_mb() -> None:
    # The other tests in this section build files around this boundary.
    assert max_file_mb() == 50


def test_huge_file_is_refused_without_being_read_into_memory(samples_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    shutil.copy(samples_db, db)
    huge = tmp_path / "huge_dump.txt"
    with open(huge, "wb") as fh:  # sparse: 300 MB on paper, nothing on disk
        fh.truncate(300 * 2**20)
    before = store.table_checksums(db)
    proc, _, rss_mb = run_measured("ingest", huge, "--db", db, "--no-progress", "--workers", "1")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert failed_lines(proc.stdout) == {"huge_dump.txt": "huge_dump.txt: the file is 300 MB, over the 50 MB "
                                                          "limit (read.max_file_mb)"}
    assert store.table_checksums(db) == before
    assert rss_mb < 200, f"peak memory {rss_mb:.0f} MB: the file was read before being refused"


def test_one_byte_over_the_limit_is_refused_quickly(inputs: dict[str, Path], tmp_path: Path) -> None:
    huge = inputs["huge.txt"]
    assert huge.stat().st_size == max_file_mb() * 2**20 + 1
    proc, seconds, _ = run_measured("ingest", huge, "--db", tmp_path / "db.duckdb", "--no-progress",
                                    "--workers", "1")
    message = failed_lines(proc.stdout)["huge.txt"]
    assert message.startswith("huge.txt: the file is 50.0 MB, over the 50 MB limit"), message
    assert proc.returncode == 1 and "Nothing was stored" in proc.stdout
    assert seconds < 15, f"refusing the file took {seconds:.1f} s"


def test_web_page_exactly_at_the_limit_is_parsed_in_bounded_time_and_memory(tmp_path: Path) -> None:
    """A common big file: a report page with a scanned image inlined as base64, exactly read.max_file_mb."""
    limit = int(max_file_mb() * 2**20)
    img = '<p><img alt="扫描件" src="data:image/png;base64,{}"></p>'
    text = fm.sample_text("000")
    pad = limit - len(fm.gov_html_page(text, extra_content_html=img.format("")))
    blob = base64.b64encode(random.Random(7).randbytes(pad * 3 // 4 + 3))[:pad].decode()
    path = tmp_path / "page_with_scan.html"
    path.write_bytes(fm.gov_html_page(text, extra_content_html=img.format(blob)))
    assert path.stat().st_size == limit
    db = tmp_path / "db.duckdb"
    proc, seconds, rss_mb = run_measured("ingest", path, "--db", db, "--no-progress", "--workers", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert per_file(db)["page_with_scan.html"][1] == len(parse_file(fm.sample_path("000"))[0].issues)
    assert seconds < 30, f"a page at the size limit took {seconds:.1f} s"
    assert rss_mb < 1000, f"a page at the size limit took {rss_mb:.0f} MB of memory"


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("RELIABILITY_SLOW") != "1",
                    reason="~30 s: the worst case at the size limit; run with RELIABILITY_SLOW=1")
def test_file_exactly_at_the_limit_is_parsed_in_bounded_time_and_memory(tmp_path: Path) -> None:
    """The worst accepted text file: 50 MB of a real report repeated with junk lines (~28k issues)."""
    path = tmp_path / "at_limit.txt"
    path.write_bytes(_sized_report(int(max_file_mb() * 2**20)))
    db = tmp_path / "db.duckdb"
    proc, seconds, rss_mb = run_measured("ingest", path, "--db", db, "--no-progress", "--workers", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Files: 1 seen, 1 new" in proc.stdout
    counts = store.table_counts(db)
    assert counts["reports"] >= 1 and counts["issues"] > 10_000
    assert seconds < 80, f"a file at the size limit took {seconds:.1f} s"
    assert rss_mb < 1500, f"a file at the size limit took {rss_mb:.0f} MB of memory"
