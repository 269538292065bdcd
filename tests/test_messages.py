"""Every parse warning and read error speaks Chinese too (message_zh), built from the same facts as the
English message, which stays exactly as the CLI and `parse --json` print it."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import duckdb
import fixtures_make as fm
import pytest

import queries
from loaders import messages
from loaders.models import ParseWarning, Report
from loaders.parser.parse import parse_file, parse_text
from loaders.parser.read import ReadError, read_document
from loaders.writer import store
from views.components.labels import WARNING_LABELS

ROOT = Path(__file__).resolve().parent.parent
LOADERS = ROOT / "loaders"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Latin words a Chinese message may hold besides acronyms (PDF, ZIP, MB): product and format names, file
# extensions and paths, the config key read.max_file_mb, (cid:N).
ALLOWED_LATIN = {"Unicode", "Word", "Excel", "PowerPoint", "OpenDocument", "Office", "Windows", "SQLite",
                 "WebP", "Zip", "gzip", "bzip", "xz", "Ogg", "cid", "N", "docx", "txt", "doc", "xls", "wps",
                 "xml", "document", "word", "read", "max_file_mb", "pdf"}
# loaders.parser.read exports a function named sniff, which hides the submodule as an attribute.
sniff_mod = importlib.import_module("loaders.parser.read.sniff")
ALL_TEMPLATES = {
    **{f"warning:{k}": v for k, v in messages.WARNINGS.items()},
    **{f"phrase:{k}": v for k, v in messages.PHRASES.items()},
    **{f"reason:{k}": v for k, v in messages.REASONS.items()},
    **{f"kind:{k}": v for k, v in messages.KINDS.items()},
    **{f"refusal:{k}": v for k, v in messages.REFUSALS.items()},
    # what sniffing names a file that is not a report (the `kind` of reason "not_text" / "not_word")
    **{f"sniffed:{v.en}": v for _, v in (*sniff_mod._BINARY_MAGIC, *sniff_mod._ZIP_KINDS,
                                                       *sniff_mod._RIFF.items())},
}


def english_words(zh: str) -> list[str]:
    """Latin words in a Chinese message, outside quoted report text (“…”) and outside the allowed terms."""
    unquoted = re.sub(r"“[^”]*”", "", zh)
    words = re.findall(r"[A-Za-z][A-Za-z_]+", unquoted)
    return [w for w in words if w not in ALLOWED_LATIN and not w.isupper()]


# --- the table ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(k for k, v in ALL_TEMPLATES.items() if v.zh))
def test_every_template_has_a_chinese_twin_with_the_same_parameters(key: str) -> None:
    text = ALL_TEMPLATES[key]
    assert CJK.search(text.zh) and not english_words(re.sub(r"\{[^}]*\}", "", text.zh)), text.zh
    assert messages.fields(text.en) == messages.fields(text.zh), key


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    def called(node: ast.Call) -> str | None:
        f = node.func
        return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None

    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and called(n) == name]


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _literals(node: ast.expr) -> list[str]:
    """The keys an argument can be: "a", or both sides of `"a" if c else "b"`; none for a name passed on
    (`warning(code)`) or an f-string ("{stage}_error", checked by its own rule)."""
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    key = _literal(node)
    return [key] if key is not None else []


SOURCES = sorted(p for p in LOADERS.rglob("*.py") if p.name != "messages.py")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(LOADERS)))
def test_the_code_base_builds_warnings_and_read_errors_only_through_the_table(path: Path) -> None:
    """No ParseWarning(...) or ReadError(name, "English only") outside loaders/messages.py: each would reach
    the dashboard without Chinese. Every code passed to warning(...) / every reason key is in the table."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not _calls(tree, "ParseWarning"), f"{path.name}: build warnings with loaders.messages.warning()"
    for call in _calls(tree, "ReadError"):
        why = call.args[1] if len(call.args) > 1 else None
        assert why is not None and _literal(why) is None and not isinstance(why, ast.JoinedStr), (
            f"{path.name}:{call.lineno}: give ReadError a loaders.messages reason")
    for name, table in (("warning", messages.WARNINGS), ("reason", messages.REASONS),
                        ("phrase", messages.PHRASES), ("kind", messages.KINDS),
                        ("refusal", messages.REFUSALS)):
        for call in _calls(tree, name):  # every key written in the call (both sides of `a if c else b`)
            for key in _literals(call.args[0]):
                assert key in table, f"{path.name}:{call.lineno}: {name}({key!r}) has no entry"
    for call in _calls(tree, "require_text"):  # require_text(name, text, reason key)
        for key in _literals(call.args[2]) if len(call.args) == 3 else ():
            assert key in messages.REASONS, f"{path.name}:{call.lineno}: {key!r}"
    # Stage failures are reported as "<stage>_error" (loaders/parser/parse.py `_call`).
    for call in _calls(tree, "_call"):
        stage = _literal(call.args[0])
        assert stage and f"{stage}_error" in messages.WARNINGS, f"{path.name}:{call.lineno}"


def test_every_warning_code_has_a_chinese_label_on_the_dashboard() -> None:
    assert set(messages.WARNINGS) <= set(WARNING_LABELS), set(messages.WARNINGS) - set(WARNING_LABELS)


def test_a_msg_parameter_gives_each_language_its_own_half() -> None:
    labels = messages.joined(["3", "7", "9"], limit=2)
    assert (labels.en, labels.zh) == ("3, 7…", "3、7…")
    w = messages.warning("unknown_status", unknown=3, total=40, labels=labels)
    assert w.message == "3 of 40 issues have no status: nothing in their text decides it (issues 3, 7…)."
    assert w.message_zh == "40个问题中有3个无法判定整改状态：其文字中没有可据以判定的内容（问题3、7…）。"
    assert w.to_json() == {"code": "unknown_status", "message": w.message, "message_zh": w.message_zh}


# --- parsing real reports -------------------------------------------------------------------------------


def _news() -> str:
    return "本报讯 今天上午，全市秋季运动会在体育中心开幕。\n来自各区的1200名运动员参加比赛。\n2024年10月8日"


def _truncated() -> str:
    text = fm.sample_text("000")
    return text[: len(text) // 2]


def _skipped_items() -> str:
    # 001 with its closing heading repeated inside the issue list (a page template glitch).
    lines = fm.sample_text("001").split("\n")
    k = next(i for i, ln in enumerate(lines) if ln.startswith("38."))
    return "\n".join([*lines[:k], "三、下一步整改工作安排", *lines[k:]])


def _unparsed_heading() -> str:
    return "二、问题整改情况\n(一)关于巡视反馈问题的整改措施落实\n做了很多工作。"


def _undecided() -> str:
    # 000 with one issue's measures replaced by a sentence that decides nothing (every sample item decides).
    lines = fm.sample_text("000").split("\n")
    k = next(i for i, ln in enumerate(lines) if "发挥区域优势还不够有力" in ln)
    end = next(i for i in range(k + 1, len(lines)) if lines[i].startswith("三、"))
    return "\n".join([*lines[: k + 1], "严格执行双签字制度。", *lines[end:]])


TEXTS = {"news": _news, "truncated": _truncated, "skipped_items": _skipped_items,
         "unparsed_heading": _unparsed_heading, "undecided": _undecided}


def _all_warnings() -> list[tuple[str, ParseWarning]]:
    found: list[tuple[str, ParseWarning]] = []
    for path in fm.sample_paths():
        found += [(path.name[:3], w) for r in parse_file(path) for w in r.warnings]
    for name, make in TEXTS.items():
        found += [(name, w) for r in parse_text(make()) for w in r.warnings]
    return found


@pytest.fixture(scope="module")
def parsed_warnings() -> list[tuple[str, ParseWarning]]:
    return _all_warnings()


def test_parsed_warnings_all_have_a_chinese_message(parsed_warnings: list[tuple[str, ParseWarning]]) -> None:
    codes = {w.code for _, w in parsed_warnings}
    # The inputs cover the warnings a real report, a news item, a cut copy and a gappy list produce.
    assert {"stated_count_mismatch", "numbering_gap", "unknown_status", "truncated", "no_issues",
            "not_a_report", "no_unit", "no_publication_date", "skipped_items", "unparsed_heading"} <= codes
    for source, w in parsed_warnings:
        assert w.message_zh.strip() and CJK.search(w.message_zh), (source, w)
        assert not english_words(w.message_zh), (source, w.message_zh)
        assert re.match(r"[A-Z]|\d+ (of|heading|item)", w.message), w.message  # the English stays English


def test_the_same_facts_in_both_languages(parsed_warnings: list[tuple[str, ParseWarning]]) -> None:
    for _, w in parsed_warnings:
        # every number of the English message is in the Chinese one (counts, item numbers, dates)
        assert sorted(re.findall(r"\d+", w.message)) == sorted(re.findall(r"\d+", w.message_zh)), w


def test_000_stated_mismatch_in_english_unchanged_and_in_chinese() -> None:
    main = parse_file(fm.sample_path("000"))[0]
    (w,) = [w for w in main.warnings if w.code == "stated_count_mismatch"]
    assert w.message == ("The report states 38 problems in 14 aspects (4 categories), but 14 issues were "
                         "parsed — one per aspect: the report lists its problems grouped, not one by one.")
    assert w.message_zh.startswith("通报称共有38个问题（14个方面、4大类），但解析出14个问题")


def test_004_numbering_gaps_in_chinese() -> None:
    main = parse_file(fm.sample_path("004"))[0]
    gaps = [w.message_zh for w in main.warnings if w.code == "numbering_gap"]
    assert len(gaps) == 2
    assert "从2跳到6" in gaps[0] and "第3–5项" in gaps[0]
    assert "从28跳到30" in gaps[1] and "第29项" in gaps[1]


def test_parse_json_carries_both_messages() -> None:
    report: Report = parse_file(fm.sample_path("004"))[0]
    items = report.to_json()["warnings"]
    assert items and all(set(item) == {"code", "message", "message_zh"} for item in items)
    assert all(CJK.search(item["message_zh"]) for item in items)


# --- read errors ----------------------------------------------------------------------------------------


# (file name, its bytes, start of the English reason, start of the Chinese message)
BAD_FILES = [
    ("扫描件.png", fm.png_bytes, "not a text document (PNG image)", "扫描件.png：不是文本文件（PNG图片）"),
    ("空.txt", lambda: b"", "the file is empty", "空.txt：文件是空的"),
    ("blank.txt", lambda: b" \n\t\n", "the file is empty (only whitespace)",
     "blank.txt：文件是空的（只有空白字符）"),
    ("坏.docx", lambda: fm.corrupt_docx(fm.sample_text("000")), "the .docx file is damaged",
     "坏.docx：.docx文件已损坏"),
    ("archive.zip.txt", fm.zip_bytes, "not a text document (ZIP archive",
     "archive.zip.txt：不是文本文件（ZIP压缩包"),
    ("scan.pdf", lambda: fm.pdf_without_text(), "the PDF has no text layer", "scan.pdf：PDF文件没有文字层"),
    ("坏.pdf", lambda: fm.corrupt_pdf(fm.sample_text("000")), "the PDF is damaged and cannot be opened (",
     "坏.pdf：PDF文件已损坏，无法打开（内容无法解析）"),
    ("密.pdf", lambda: fm.encrypted_pdf(fm.sample_text("000")), "the PDF is password-protected",
     "密.pdf：PDF文件设有密码"),
    ("old.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old binary Office format",
     "old.doc：不支持旧版二进制"),
    ("junk.bin", fm.binary_garbage, "not a text document (binary content",
     "junk.bin：不是文本文件（二进制内容"),
]


def _squash(text: str) -> str:
    return text.replace(" ", "")


@pytest.mark.parametrize(("name", "make", "english", "chinese"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_read_errors_say_it_in_chinese_too(name: str, make, english: str, chinese: str) -> None:
    with pytest.raises(ReadError) as info:
        read_document(name, data=make())
    exc = info.value
    assert str(exc).startswith(f"{name}: {english}"), str(exc)  # the CLI's English is unchanged
    assert _squash(exc.message_zh).startswith(_squash(chinese)), exc.message_zh
    assert exc.message_zh == f"{name}：{exc.reason_zh}" and not english_words(exc.reason_zh), exc.reason_zh


def test_oversize_file_is_refused_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("loaders.parser.read.max_file_mb", lambda: 0.001)
    with pytest.raises(ReadError) as info:
        read_document("大文件.txt", data="巡视整改".encode() * 1000)
    assert "over the 0.001 MB limit (read.max_file_mb)" in str(info.value)
    assert info.value.message_zh == "大文件.txt：文件大小为 11.7 KB，超过 0.001 MB 的上限（read.max_file_mb）"


def test_sizes_are_printed_the_way_people_write_them() -> None:
    """Issue 8.5: a 3 GB file was described as `3.07e+03 MB`."""
    from loaders.messages import human_size

    assert human_size(3070 * 2**20) == "3,070 MB (3.0 GB)"
    assert human_size(300 * 2**20) == "300 MB"
    assert human_size(21 * 2**20 + 2**19) == "21.5 MB"
    assert human_size(12 * 1024) == "12.0 KB"
    assert "e+" not in messages.reason("too_large", size=human_size(3.07e9), limit=50).en


def test_missing_file_names_the_os_error_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_document(tmp_path / "没有.txt")
    assert "No such file" in str(info.value)
    assert info.value.message_zh == "没有.txt：无法打开文件（文件不存在）"


def test_a_read_error_without_a_chinese_reason_falls_back_to_english() -> None:
    exc = ReadError("x.txt", "some reason")
    assert str(exc) == "x.txt: some reason" and exc.message_zh == "x.txt: some reason"


def test_read_warnings_have_chinese_too() -> None:
    result = read_document("page.html", fm.gov_html_page(fm.sample_text("000"), charset="utf-8",
                                                          declared="iso-8859-1"))
    (w,) = [w for w in result.warnings if w.code == "wrong_charset"]
    assert w.message == ("page.html: declared charset iso-8859-1 is wrong; the page was decoded as utf-8 "
                         "instead")
    assert w.message_zh == "page.html：网页声明的编码iso-8859-1有误，已改用utf-8解码"


# --- the database ---------------------------------------------------------------------------------------


def test_stored_warnings_keep_both_messages(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    reports = parse_file(fm.sample_path("000"))
    twice = [reports[0], reports[0]]  # the same report twice in one file: duplicate_report / duplicate_issue
    with store.connect(db) as con:
        store.write_reports(con, "sha-000", "/r/000.txt", 1, twice)
    with store.read_connection(db) as con:
        rows = con.execute("SELECT code, message, message_zh FROM warnings ORDER BY code").fetchall()
    codes = {code for code, _, _ in rows}
    assert {"stated_count_mismatch", "duplicate_report"} <= codes
    for code, message, zh in rows:
        assert message and zh and CJK.search(zh) and not english_words(zh), (code, zh)
    dup = next(zh for code, _, zh in rows if code == "duplicate_report")
    assert "（主报告）" in dup


def test_an_older_database_gains_the_column_when_migrated(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with store.connect(db) as con:
        store.write_reports(con, "sha-000", "/r/000.txt", 1, parse_file(fm.sample_path("000")))
        con.execute("ALTER TABLE warnings DROP COLUMN message_zh")  # as a database made before message_zh
    assert store.migrate(db)  # what the dashboard does once at start: old rows keep NULL
    old = queries.warnings_list(db, queries.Filters())
    assert len(old) == 1 and old["message_zh"].isna().all()
    assert old["message"].iloc[0].startswith("The report")
    with store.connect(db) as con:  # any write connection migrates it
        cols = [r[0] for r in con.execute("DESCRIBE warnings").fetchall()]
        store.write_reports(con, "sha-000", "/r/000.txt", 1, parse_file(fm.sample_path("000")))
    assert cols[-1] == "message_zh"
    new = queries.warnings_list(db, queries.Filters())
    assert new["message_zh"].iloc[0].startswith("通报称共有38个问题")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM warnings WHERE message_zh IS NULL").fetchall()[0][0] == 0
