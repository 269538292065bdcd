"""loaders.parser.read on text and web pages built from the real samples: encodings, site chrome, clear
errors."""

from __future__ import annotations

import dataclasses
import re

import fixtures_make as fm
import pytest

from loaders.parser.read import ReadError, ReadResult, read_document
from loaders.parser.read import base as read_base
from loaders.parser.read.decode import canonical_codec

PREFIXES = [p.name[:3] for p in fm.sample_paths()]


def reference_lines(prefix: str) -> list[str]:
    return fm.sample_text(prefix).splitlines()


def chrome_left(text: str, prefix: str) -> list[str]:
    """Chrome strings of the built page still in the extracted text (those the report itself uses aside:
    001 mentions 审查调查 and 扫一扫)."""
    sample = fm.sample_text(prefix)
    return [c for c in fm.CHROME_STRINGS if c in text and c not in sample]


# --- plain text in every encoding ---------------------------------------------------------------------------

ENCODINGS = [
    ("utf-8", lambda t: t.encode("utf-8"), "utf-8"),
    ("utf-8 BOM, CRLF", lambda t: fm.encoded_copy(t, "utf-8", bom=True, newline="\r\n"), "utf-8"),
    ("GB18030", lambda t: fm.encoded_copy(t, "gb18030"), "gb18030"),
    ("UTF-16 LE BOM", lambda t: fm.encoded_copy(t, "utf-16-le", bom=True), "utf-16-le"),
    ("UTF-16 BE BOM, CR", lambda t: fm.encoded_copy(t, "utf-16-be", bom=True, newline="\r"), "utf-16-be"),
    ("UTF-16 LE no BOM", lambda t: fm.encoded_copy(t, "utf-16-le"), "utf-16-le"),
    ("UTF-16 BE no BOM", lambda t: fm.encoded_copy(t, "utf-16-be"), "utf-16-be"),
    ("mixed line endings", fm.mixed_line_endings, "utf-8"),
]


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize(("label", "encode", "encoding"), ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_text_reads_back_identically_in_every_encoding(prefix, label, encode, encoding) -> None:
    result = read_document(f"{prefix}.txt", encode(fm.sample_text(prefix)))
    assert result.text.splitlines() == reference_lines(prefix)
    assert "\r" not in result.text and "\ufeff" not in result.text
    assert (result.format, result.encoding, result.warnings) == ("txt", encoding, ())


def test_any_gb_label_decodes_as_gb18030_which_has_characters_gb2312_lacks() -> None:
    assert {canonical_codec(x) for x in ("GB2312", "gbk", "x-gbk", "GB18030", "cp936")} == {"gb18030"}
    text = "朱镕基、王堃关于巡视整改的通报\n" + fm.sample_text("003")  # 镕 and 堃 are GBK/GB18030 only
    result = read_document("gbk.txt", text.encode("gb18030"))
    assert result.text.startswith("朱镕基、王堃") and result.encoding == "gb18030"


def test_other_encodings_are_guessed_with_a_warning() -> None:
    traditional = (
        "中共湖州市吳興區委關於巡視整改進展情況的通報\n"
        "根據省委統一部署,省委第八巡視組對湖州市吳興區開展了常規巡視。按照巡視工作有關要求,"
        "現將巡視整改進展情況予以公布。\n"
    ) * 3
    result = read_document("big5.txt", traditional.encode("big5"))  # GB18030 decodes it, into nonsense
    assert result.text.splitlines() == traditional.splitlines()
    assert (result.encoding, [w.code for w in result.warnings]) == ("big5", ["encoding_guessed"])


def test_source_url_of_a_text_comes_from_its_原文链接_line() -> None:
    assert read_document("000.txt", fm.sample_text("000").encode()).source_url == (
        "http://www.zjsjw.gov.cn/gongzuodongtai/xunshixuncha/202402/t20240221_21704097.shtml"
    )
    assert read_document("003.txt", fm.sample_text("003").encode()).source_url is None


def test_a_file_cut_in_the_middle_of_a_character_is_read_with_a_warning() -> None:
    data = fm.sample_text("000").encode("utf-8")[:-1]  # the last character loses a byte
    result = read_document("cut.txt", data)
    assert [w.code for w in result.warnings] == ["undecodable_bytes"]
    assert "2024年2月22日" in result.text and result.text.endswith("\ufffd")


def test_path_and_uploaded_bytes_give_the_same_result(tmp_path) -> None:
    path = tmp_path / "吴兴区.txt"
    path.write_bytes(fm.encoded_copy(fm.sample_text("000"), "gb18030"))
    from_disk = read_document(path)
    uploaded = read_document("吴兴区.txt", path.read_bytes())
    assert from_disk == uploaded and isinstance(from_disk, ReadResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        from_disk.text = ""  # type: ignore[misc]


# --- clear errors -------------------------------------------------------------------------------------------

BAD_INPUTS = [
    ("a.txt", lambda: b"", "the file is empty"),
    ("a.txt", lambda: b" \r\n\t \n", "empty (only whitespace)"),
    ("a.txt", lambda: "\u3000\u3000\n\xa0\n".encode(), "empty (only whitespace)"),
    ("a.txt", lambda: "  \n \n".encode("utf-16"), "empty (only whitespace)"),
    ("x.png", fm.png_bytes, "not a text document (PNG image)"),
    ("report.txt", fm.png_bytes, "not a text document (PNG image)"),
    ("x.jpg", lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100), "not a text document (JPEG image)"),
    ("x.zip", fm.zip_bytes, "not a text document (ZIP archive"),
    ("x.txt", fm.binary_garbage, "not a text document (binary"),
    ("x.txt", lambda: "整改情况".encode() + b"\x00" * 400 + "整改".encode(), "not a text document (binary"),
    ("x.docx", lambda: fm.corrupt_docx(fm.sample_text("000")), "the .docx file is damaged"),
    ("x.pdf", lambda: fm.corrupt_pdf(fm.sample_text("003")), "the PDF is damaged"),
    ("x.pdf", fm.binary_garbage, "not a valid PDF"),
    ("scan.pdf", fm.pdf_without_text, "the PDF has no text layer (scanned image?)"),
    ("x.pdf", lambda: fm.encrypted_pdf(fm.sample_text("003")), "the PDF is password-protected"),
    ("x.pdf", lambda: fm.pdf_bytes(fm.sample_text("003"), unmapped_from_page=1), "(cid:N)"),
    ("x.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old binary Office format"),
    ("x.html", lambda: fm.gov_html_page(""), "holds no article text"),
]


@pytest.mark.parametrize(("name", "build", "reason"), BAD_INPUTS, ids=[f"{b[0]}:{b[2]}" for b in BAD_INPUTS])
def test_unreadable_input_raises_a_plain_reason_naming_the_file(name, build, reason) -> None:
    with pytest.raises(ReadError) as caught:
        read_document(name, build())
    assert str(caught.value).startswith(f"{name}: ")
    assert reason in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_office_zip_that_is_not_word_is_named() -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ReadError, match=r"^台账\.xlsx: not a Word document \(Excel workbook\)"):
        read_document("台账.xlsx", out.getvalue())


def test_missing_file_and_folder_are_clear_errors(tmp_path) -> None:
    with pytest.raises(ReadError, match=r"^nope\.txt: cannot open the file"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(ReadError, match="is a folder"):
        read_document(tmp_path)


def test_size_limit_is_checked_before_the_file_is_decoded(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(read_base, "settings", lambda: {"max_file_mb": 0.01})  # 10 KiB
    big = tmp_path / "big.txt"
    big.write_bytes(fm.binary_garbage(20_000))  # would fail as binary if it were decoded
    for call in (lambda: read_document(big), lambda: read_document("big.txt", big.read_bytes())):
        with pytest.raises(ReadError, match=r"^big\.txt: the file is 19\.5 KB, over the 0\.01 MB limit"):
            call()
    assert read_document("small.txt", "巡视整改".encode()).text == "巡视整改"


def test_default_limit_comes_from_config() -> None:
    assert read_base.max_file_mb() == 50


# --- web pages ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
def test_web_page_keeps_the_report_and_drops_the_site_chrome(prefix) -> None:
    text = fm.sample_text(prefix)
    result = read_document(f"{prefix}.html", fm.gov_html_page(text))
    lines = result.text.splitlines()
    title, body, source_url = fm.split_report(text)
    for key in fm.key_lines(prefix):
        assert key in lines, key
    kept = sum(1 for ln in body if ln.replace("\xa0", " ") in lines)
    assert kept >= len(body) - 1  # 002 prints the site's own 发布日期…字号 line in its body: chrome too
    assert chrome_left(result.text, prefix) == []
    assert lines[0] == (title or "巡视整改进展情况的通报") and lines.count(lines[0]) == 1
    assert result.source_url == (source_url or "https://mirror.example.cn/gzdt/2024/0221/12345.html")
    assert (result.format, result.warnings) == ("html", ())


def _page_variant(kind: str) -> bytes:
    """The 000 page in the shapes real CMSs produce: <br>-separated text, bare divs, nested layout tables."""
    page = fm.gov_html_page(fm.sample_text("000")).decode()
    para_open = '<p style="text-indent: 2em;"><span style="font-family: 仿宋_GB2312;">'
    if kind == "br":
        page = page.replace("</span></p>\n" + para_open, "<br>\n")
    elif kind == "div":
        page = page.replace(para_open, "<div>").replace("</span></p>", "</div>")
    elif kind == "layout-table":
        page = page.replace('<div class="article">', '<table width="100%"><tr><td><table><tr><td class="bt">')
        close = "</td></tr></table></td></tr></table>"
        page = page.replace('<div class="related">', close + '<div class="related">')
    return page.encode()


@pytest.mark.parametrize("kind", ["br", "div", "layout-table"])
def test_paragraph_structure_survives_other_page_layouts(kind) -> None:
    lines = read_document("000.html", _page_variant(kind)).text.splitlines()
    _, body, _ = fm.split_report(fm.sample_text("000"))
    assert [ln for ln in body if ln not in lines] == []
    assert chrome_left("\n".join(lines), "000") == []


def test_repeated_identical_paragraphs_survive_a_web_page() -> None:
    """trafilatura drops repeated paragraphs even with deduplicate=False; 001 repeats `整改结果:完成` under
    dozens of items and the same `关于…的通报` title in several attachments: every one must stay."""
    text = fm.sample_text("001")
    lines = read_document("001.html", fm.gov_html_page(text)).text.splitlines()
    for repeated in ("整改结果:完成", "整改结果:阶段性完成", "关于巡视整改进展情况的通报"):
        assert lines.count(repeated) == text.splitlines().count(repeated) > 1, repeated


def test_data_table_in_the_article_keeps_one_row_per_line() -> None:
    table = (
        "<table><tr><td>序号</td><td>问题</td><td>整改结果</td></tr>"
        "<tr><td>1</td><td>战略性新兴产业规模相对偏小</td><td>阶段性完成</td></tr></table>"
    )
    lines = read_document("t.html", fm.gov_html_page(fm.sample_text("000"), extra_content_html=table)).text
    row = next(ln for ln in lines.splitlines() if "战略性新兴产业规模相对偏小" in ln)
    assert re.search(r"1\s*\|\s*战略性新兴产业规模相对偏小\s*\|\s*阶段性完成", row)


@pytest.mark.parametrize(
    ("declared", "actual", "warned"),
    [("gb2312", "gb18030", False), ("GBK", "gb18030", False), ("utf-8", "gb18030", True),
     ("gb2312", "utf-8", True), ("iso-8859-1", "utf-8", True), ("bogus-charset", "utf-8", False)],
)
def test_declared_charset_is_trusted_unless_it_is_wrong(declared, actual, warned) -> None:
    page = fm.gov_html_page(fm.sample_text("000"), charset=actual, declared=declared)
    result = read_document("p.html", page)
    assert fm.key_lines("000")[1] in result.text.splitlines()
    assert result.encoding == ("gb18030" if actual == "gb18030" else "utf-8")
    messages = [w.message for w in result.warnings if w.code == "wrong_charset"]
    assert messages == ([f"p.html: declared charset {declared} is wrong; the page was decoded as "
                         f"{result.encoding} instead"] if warned else [])


def test_title_outside_the_article_is_added_once_and_a_split_title_is_not_repeated() -> None:
    title = fm.key_lines("000")[0]
    page = fm.gov_html_page(fm.sample_text("000")).decode()
    outside = page.replace(f'<h1 class="title">{title}</h1>', "").replace("<body>", f"<body><h1>{title}</h1>")
    assert read_document("a.html", outside.encode()).text.splitlines()[0] == title
    split = page.replace(f'<h1 class="title">{title}</h1>', f"<h2>{title[:12]}</h2><h2>{title[12:]}</h2>")
    lines = read_document("b.html", split.encode()).text.splitlines()
    assert lines[:2] == [title[:12], title[12:]]
    no_h1 = page.replace(f'<h1 class="title">{title}</h1>', "")
    assert read_document("c.html", no_h1.encode()).text.splitlines()[0] == title  # from <title>, site cut


def test_format_is_decided_by_content_not_extension() -> None:
    page = fm.gov_html_page(fm.sample_text("000"))
    assert read_document("saved-page.txt", page).format == "html"
    plain = read_document("not-really.html", fm.sample_text("003").encode())
    assert plain.format == "txt" and plain.text.splitlines() == reference_lines("003")
    mislabelled = read_document("report.pdf", fm.sample_text("003").encode())
    assert mislabelled.format == "txt" and [w.code for w in mislabelled.warnings] == ["extension_mismatch"]


def test_an_uploads_windows_path_is_reduced_to_the_file_name() -> None:
    with pytest.raises(ReadError, match=r"^扫描件\.png: not a text document \(PNG image\)$"):
        read_document("C:\\fakepath\\扫描件.png", fm.png_bytes())


def test_when_trafilatura_finds_nothing_the_own_block_extractor_takes_over(monkeypatch) -> None:
    from loaders.parser.read import web

    monkeypatch.setattr(web, "_trafilatura", lambda tree: None)
    result = read_document("000.html", fm.gov_html_page(fm.sample_text("000")))
    _, body, _ = fm.split_report(fm.sample_text("000"))
    lines = result.text.splitlines()
    assert [ln for ln in body if ln not in lines] == []
    assert chrome_left(result.text, "000") == []
    assert [w.code for w in result.warnings] == ["html_fallback"]
