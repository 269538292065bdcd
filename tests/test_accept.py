"""Issue 14.2: one write service. The same bytes get the same decision and the same reason, in English and in
Chinese, through `ingest`, `parse` and 导入 (all three ask loaders/writer/accept.py); whatever stores a file
stamps it with the parser fingerprint; and no other module decides a refusal or writes a file, so a fourth
path cannot appear silently."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import fixtures_make as fm
import pytest
from conftest import ROOT, sample_path

from loaders import __main__ as cli
from loaders.messages import REFUSALS
from loaders.writer import accept, ingest, store
from loaders.writer.fingerprint import parser_fingerprint
from views.components.imports import ImportProblem, parse_upload, store_upload

UPLOAD_LIMIT_MB = 20.0  # config.yaml dashboard.upload_limit_mb
NEWS = "本市今日天气晴，最高气温25度。\n市民出行请注意防晒。\n" * 5
NOTICE = "关于巡视整改工作的说明\n我们将认真开展巡视整改工作，切实抓好落实。\n" * 3


def _oversized() -> bytes:
    """One byte over read.max_file_mb: every entry point refuses it before parsing."""
    return b"x" * (int(accept.max_file_mb() * 2**20) + 1)


# name, bytes, the reason's key (None: stored)
CASES = {
    "good sample": (sample_path("001").name, lambda: sample_path("001").read_bytes(), None),
    "oversized": ("big.txt", _oversized, "too_large"),
    "binary": ("scan.txt", fm.png_bytes, "unreadable"),
    "empty": ("empty.txt", lambda: b"", "empty"),
    "whitespace only": ("blank.txt", lambda: b" \r\n\t\n", "empty"),
    "news page": ("news.txt", NEWS.encode, "not_a_report"),
    "no issues": ("notice.txt", NOTICE.encode, "no_issues"),
}


def _through_ingest(path: Path, db: Path) -> tuple[bool, str | None]:
    summary = ingest.ingest_paths([path], db, workers=1, progress=False)
    assert summary.new + summary.failed == 1
    return (summary.new == 1, summary.failures[0][1] if summary.failures else None)


def _through_parse(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["parse", str(path), "--json"])
    return code, capsys.readouterr().err


def _through_import(name: str, data: bytes, tmp: Path) -> tuple[bool, str | None]:
    try:
        preview = parse_upload(name, data, UPLOAD_LIMIT_MB)
    except ImportProblem as problem:
        return False, str(problem)
    written = store_upload(preview, tmp / "uploads", tmp / "upload.duckdb")  # raises when nothing was stored
    return written.reports > 0, None


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_same_bytes_get_the_same_decision_and_reason_everywhere(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, make, code = CASES[case]
    data = make()
    path = tmp_path / name
    path.write_bytes(data)
    verdict = accept.judge(name, data)  # the service itself, pure
    assert verdict.code == code and verdict.accepted == (code is None)
    if code is not None:
        assert verdict.reason is not None and verdict.reason.en
        assert re.search(r"[\u4e00-\u9fff]", verdict.reason.zh), verdict.reason
    # The ingest workers judge the file on disk; 导入 judges the upload's bytes with its own limits too.
    assert accept.judge_path(str(path)).reason == verdict.reason
    assert accept.judge(name, data, upload_limit_mb=UPLOAD_LIMIT_MB).reason == verdict.reason

    stored, failure = _through_ingest(path, tmp_path / "ingest.duckdb")
    assert stored == verdict.accepted
    assert failure == (verdict.reason.en if verdict.reason else None)  # the closing summary's FAILED line

    exit_code, stderr = _through_parse(path, capsys)
    assert exit_code == (0 if verdict.accepted else 1), stderr
    if verdict.reason is not None:
        assert verdict.reason.en.removeprefix(f"{name}: ") in stderr
    else:
        assert stderr == ""

    imported, problem = _through_import(name, data, tmp_path)
    assert imported == verdict.accepted
    assert problem == (f"{verdict.reason.zh}。" if verdict.reason else None)  # shown after “…”无法导入：


def test_only_uploads_have_the_upload_rules_and_they_are_the_service_s() -> None:
    """导入 is stricter, by its own settings only: a report file's extension, content matching it, at most
    dashboard.upload_limit_mb. Everything else is the shared policy."""
    report = sample_path("001").read_bytes()
    assert accept.judge("report.exe", report).accepted
    refused = accept.judge("report.exe", report, upload_limit_mb=UPLOAD_LIMIT_MB)
    assert refused.code == "unsupported_type" and "不支持“.exe”文件" in refused.reason.zh  # type: ignore[union-attr]
    pdf = accept.judge("fake.pdf", report, upload_limit_mb=UPLOAD_LIMIT_MB)
    assert pdf.code == "not_pdf" and pdf.reason.zh == REFUSALS["not_pdf"].zh  # type: ignore[union-attr]
    big = accept.judge("big.txt", report, upload_limit_mb=len(report) / 2**20 / 2)
    assert big.code == "upload_too_large" and "的上限" in big.reason.zh  # type: ignore[union-attr]


def _stored_versions(db: Path) -> set[str]:
    with store.read_connection(db) as con:
        return {v for (v,) in con.execute("SELECT parser_version FROM files").fetchall()}


def test_every_entry_point_stores_the_parser_fingerprint(tmp_path: Path) -> None:
    sample = sample_path("003")
    preview = parse_upload(sample.name, sample.read_bytes(), UPLOAD_LIMIT_MB)
    store_upload(preview, tmp_path / "uploads", tmp_path / "upload.duckdb")
    assert _stored_versions(tmp_path / "upload.duckdb") == {parser_fingerprint()}

    ingest.ingest_paths([sample], tmp_path / "ingest.duckdb", workers=1, progress=False)
    assert _stored_versions(tmp_path / "ingest.duckdb") == {parser_fingerprint()}

    outcome = accept.accept(sample.name, sample.read_bytes(), tmp_path / "direct.duckdb")
    assert outcome.written is not None and outcome.written.reports == len(outcome.verdict.reports or ())
    assert _stored_versions(tmp_path / "direct.duckdb") == {parser_fingerprint()}


def test_a_refused_or_failed_store_writes_nothing_and_says_why(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "db.duckdb"
    refused = accept.accept("news.txt", NEWS.encode(), db)
    assert not refused.stored and refused.reason == accept.judge("news.txt", NEWS.encode()).reason
    assert not db.exists()  # refused before the database was opened

    sample = sample_path("001")

    def busy(*_: object, **__: object) -> None:
        raise store.DatabaseBusyError("The database is in use by another program")

    with monkeypatch.context() as m:
        m.setattr(store, "connect", busy)
        outcome = accept.accept(sample.name, sample.read_bytes(), db)
    assert not outcome.stored and outcome.reason is not None
    assert outcome.reason.zh == REFUSALS["database_busy"].zh and "in use" in outcome.reason.en


# --- no fourth path -----------------------------------------------------------------------------------------

SERVICE = ROOT / "loaders" / "writer" / "accept.py"
# Product code outside the parser (which reads and parses, and decides nothing about storing) and the
# message catalogue (texts, no decisions).
PRODUCT = [
    *sorted(p for folder in ("loaders", "views", "queries") for p in (ROOT / folder).rglob("*.py")
            if "parser" not in p.relative_to(ROOT).parts[:2] and p.name != "messages.py"),
    ROOT / "app.py",
]
# Called only by the service: the parser's entry points, the size limit and the storing rule, the store's
# writes of parsed files. (store.py defines the writes; write_reports is its one-file helper for tests.)
ONLY_THE_SERVICE = {"parse_file", "read_document", "parse_text", "worth_storing", "max_file_mb", "human_size",
                    "write_files", "write_batch", "write_reports"}
# Texts of REFUSALS that say why something failed rather than decide that a file is refused.
NOT_DECISIONS = {"pool_broken", "bad_name", "store_failed"}


def _called(node: ast.Call) -> str | None:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def violations(source: str, store_module: bool = False) -> list[str]:
    """Where a module's source decides a refusal, checks a size, reads errors or writes files itself."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = _called(node)
            if name in ONLY_THE_SERVICE and not store_module:
                found.append(f"{node.lineno}: {name}() is the write service's (accept.py)")
            if name == "FileVersion" and not store_module:
                found.append(f"{node.lineno}: build FileVersions with accept.file_version()")
            if (name == "refusal" and node.args and isinstance(node.args[0], ast.Constant)
                    and node.args[0].value not in NOT_DECISIONS):
                found.append(f"{node.lineno}: refusal({node.args[0].value!r}) decided outside accept.py")
        caught = node.type if isinstance(node, ast.ExceptHandler) else None
        if caught is not None and "ReadError" in ast.unparse(caught):
            found.append(f"{node.lineno}: read errors are judged in accept.py")
        if isinstance(node, ast.BinOp) and ast.unparse(node) == "2 ** 20":
            found.append(f"{node.lineno}: a size limit checked outside accept.py")
    return found


@pytest.mark.parametrize("path", [p for p in PRODUCT if p != SERVICE], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_but_the_service_decides_refusals_or_stores_files(path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8"), store_module=path.name == "store.py") == []


def test_the_guard_would_catch_a_copy_of_the_service() -> None:
    """A fourth path copying any of the service's decisions is caught: run on the service's own source,
    the guard flags each kind of decision it makes."""
    found = " ".join(violations(SERVICE.read_text(encoding="utf-8")))
    for decision in ("parse_file()", "worth_storing()", "max_file_mb()", "write_batch()", "FileVersions",
                     "refusal('no_report')", "read errors", "size limit"):
        assert decision in found, decision
