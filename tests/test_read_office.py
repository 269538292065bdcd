"""loaders.parser.read on .docx and .pdf copies of the real samples: list numbering, page furniture, (cid:N)
pages,
and the same parse as the .txt for every format."""

from __future__ import annotations

import functools
import io
import zipfile

import fixtures_make as fm
import pytest
from lxml import etree

from loaders.parser.parse import parse_file, parse_text
from loaders.parser.read import ReadResult, read_document
from loaders.parser.read.numbering import Numbering, chinese_counting

PREFIXES = [p.name[:3] for p in fm.sample_paths()]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@functools.cache
def pdf_of(prefix: str) -> bytes:
    return fm.pdf_bytes(fm.sample_text(prefix))


@functools.cache
def read_copy(prefix: str, kind: str) -> ReadResult:
    """The sample as a web page, .docx (auto-numbered) or .pdf, read back (cached: PDFs are slow to read)."""
    text = fm.sample_text(prefix)
    data = {"html": lambda: fm.gov_html_page(text), "docx": lambda: fm.docx_bytes(text, auto_numbering=True),
            "pdf": lambda: pdf_of(prefix)}[kind]()
    return read_document(f"{prefix}.{kind}", data)


# --- .docx --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("auto_numbering", [False, True], ids=["typed numbers", "Word list numbering"])
def test_docx_gives_one_line_per_paragraph_with_list_numbers_restored(prefix, auto_numbering) -> None:
    text = fm.sample_text(prefix)
    data = fm.docx_bytes(text, auto_numbering=auto_numbering)
    result = read_document(f"{prefix}.docx", data)
    assert result.text.splitlines() == [ln.strip() for ln in text.splitlines() if ln.strip()]
    assert (result.format, result.warnings) == ("docx", ())


def test_auto_numbered_docx_really_keeps_its_numbers_only_in_numbering_xml() -> None:
    """Guard on the fixture: python-docx's paragraph.text lacks the numbers the reader restores."""
    from docx import Document

    data = fm.docx_bytes(fm.sample_text("000"), auto_numbering=True)
    document_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert document_xml.count(b"<w:numPr>") >= 14 + 30
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert not any(t.startswith(("一、", "十四、", "(一)")) for t in texts)
    restored = read_document("000.docx", data).text.splitlines()
    typed = fm.sample_text("000").splitlines()
    assert sum(ln.startswith("(一)") for ln in restored) == sum(ln.startswith("(一)") for ln in typed) > 10
    assert "十四、关于“对上次省委巡视指出问题的整改不够到位”问题的整改情况" in restored


def test_docx_tables_come_out_one_row_per_line_in_document_order() -> None:
    rows = [["序号", "反馈问题", "整改结果"], ["1", "战略性新兴产业规模相对偏小", "阶段性完成"]]
    lines = read_document("t.docx", fm.docx_bytes(fm.sample_text("000"), table_rows=rows)).text.splitlines()
    assert lines[1:3] == ["| 序号 | 反馈问题 | 整改结果", "| 1 | 战略性新兴产业规模相对偏小 | 阶段性完成"]
    assert lines[0] == fm.key_lines("000")[0]


def test_docx_numbering_from_a_style_tracked_changes_and_an_upload_path() -> None:
    from docx import Document
    from docx.oxml import parse_xml

    doc = Document()
    num_id = fm.add_list_definition(doc)
    heading = doc.styles["Heading 1"].element.get_or_add_pPr()
    num_pr = f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'
    heading.append(parse_xml(num_pr))
    doc.add_paragraph("关于“理论学习”问题的整改情况", style="Heading 1")
    para = doc.add_paragraph("出台制度", style="Heading 1")
    para._p.append(parse_xml(f'<w:del xmlns:w="{W}" w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z">'
                             '<w:r><w:delText>(草稿)</w:delText></w:r></w:del>'))
    para._p.append(parse_xml(f'<w:ins xmlns:w="{W}" w:id="2" w:author="a" w:date="2024-01-01T00:00:00Z">'
                             '<w:r><w:t>3项</w:t></w:r></w:ins>'))
    unnumbered = doc.add_paragraph("不编号的标题", style="Heading 1")
    unnumbered._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr xmlns:w="{W}"><w:numId w:val="0"/></w:numPr>'))  # numId 0: "no list"
    out = io.BytesIO()
    doc.save(out)
    result = read_document("C:\\fakepath\\整改.docx", out.getvalue())
    assert result.text.splitlines() == ["一、关于“理论学习”问题的整改情况", "二、出台制度3项", "不编号的标题"]


def numbering_xml(levels: str, nums: str) -> etree._Element:
    return etree.fromstring(f'<w:numbering xmlns:w="{W}">{levels}{nums}</w:numbering>')


def lvl(ilvl: int, fmt: str, text: str, start: int = 1, suff: str = "tab", legal: bool = False) -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:suff w:val="{suff}"/>{"<w:isLgl/>" if legal else ""}</w:lvl>')


def test_numbering_counters_follow_word() -> None:
    abstract = (f'<w:abstractNum w:abstractNumId="1">{lvl(0, "chineseCounting", "%1、")}'
                f'{lvl(1, "chineseCounting", "(%2)")}{lvl(2, "decimal", "%3.")}'
                f'{lvl(3, "decimal", "%1.%4", legal=True)}</w:abstractNum>')
    nums = ('<w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num>'
            '<w:num w:numId="6"><w:abstractNumId w:val="1"/></w:num>'  # same list, continues
            '<w:num w:numId="7"><w:abstractNumId w:val="1"/>'  # "restart numbering" at 一
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>')
    numbering = Numbering.from_xml(numbering_xml(abstract, nums))
    calls = [("5", 0), ("5", 1), ("5", 1), ("5", 2), ("5", 0), ("5", 1), ("6", 0), ("6", 3), ("7", 0),
             ("7", 1), ("404", 0)]
    labels = [numbering.label(num, level) for num, level in calls]
    assert labels == ["一、", "(一)", "(二)", "1.", "二、", "(一)", "三、", "3.1 ", "一、", "(一)", ""]


@pytest.mark.parametrize(
    ("fmt", "text", "values", "expected"),
    [
        ("chineseCounting", "第%1条", [1, 10, 11, 20, 21, 101, 110],
         ["第一条 ", "第十条 ", "第十一条 ", "第二十条 ", "第二十一条 ", "第一百零一条 ", "第一百一十条 "]),
        ("decimalEnclosedCircle", "%1", [1, 20, 21], ["① ", "⑳ ", "21 "]),
        ("ideographTraditional", "%1、", [1, 10, 11], ["甲、", "癸、", "甲、"]),
        ("upperLetter", "%1.", [1, 26, 27], ["A.", "Z.", "AA."]),
        ("lowerRoman", "(%1)", [4, 9], ["(iv)", "(ix)"]),
        ("chineseLegalSimplified", "%1、", [3, 12], ["叁、", "壹拾贰、"]),
        ("bullet", "•", [1], [""]),
    ],
)
def test_number_formats(fmt, text, values, expected) -> None:
    got = []
    for value in values:
        numbering = Numbering.from_xml(numbering_xml(
            f'<w:abstractNum w:abstractNumId="1">{lvl(0, fmt, text, start=value)}</w:abstractNum>',
            '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'))
        got.append(numbering.label("1", 0))
    assert got == expected


def test_unknown_number_format_is_written_as_digits_and_reported() -> None:
    numbering = Numbering.from_xml(numbering_xml(
        f'<w:abstractNum w:abstractNumId="1">{lvl(0, "hebrew1", "%1.")}</w:abstractNum>',
        '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'))
    assert (numbering.label("1", 0), numbering.unsupported) == ("1.", {"hebrew1"})
    counted = [chinese_counting(n) for n in (9, 15, 99, 1000, 1001)]
    assert counted == ["九", "十五", "九十九", "一千", "一千零一"]


# --- .pdf ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
def test_pdf_rejoins_wrapped_lines_and_drops_page_furniture(prefix) -> None:
    result = read_copy(prefix, "pdf")
    lines = result.text.splitlines()
    assert lines == fm.pdf_expected_lines(fm.sample_text(prefix))
    assert "巡视整改进展情况的通报" not in lines  # the running header of every page
    assert not [ln for ln in lines if ln.startswith("- ") and ln.endswith(" -")]
    assert (result.format, result.warnings) == ("pdf", ())


def test_pdf_footer_like_第n页_and_no_header_are_handled() -> None:
    data = fm.pdf_bytes(fm.sample_text("003"), running_header=None, page_numbers="第{n}页")
    lines = read_document("003.pdf", data).text.splitlines()
    assert lines == fm.pdf_expected_lines(fm.sample_text("003"))


def test_pdf_without_first_line_indents_still_splits_at_short_lines_and_headings() -> None:
    text = fm.sample_text("000")
    lines = read_document("000.pdf", fm.pdf_bytes(text, indent=False)).text.splitlines()
    expected = fm.pdf_expected_lines(text)
    for key in fm.key_lines("000"):
        assert key in lines
    # Only a paragraph whose last line happens to fill the width can merge with the next one.
    assert len(expected) - 3 <= len(lines) <= len(expected)


def test_pdf_pages_in_a_font_without_unicode_map_are_named_in_a_warning() -> None:
    data = fm.pdf_bytes(fm.sample_text("000"), unmapped_from_page=5)
    result = read_document("000.pdf", data)
    assert [w.code for w in result.warnings] == ["pdf_cid_font"]
    assert "pages 5-7 use fonts without a Unicode map" in result.warnings[0].message
    assert "(cid:" not in result.text
    assert set(fm.key_lines("000")[:4]) <= set(result.text.splitlines())


# --- the same parse from every format -----------------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("kind", ["html", "docx", "pdf"])
def test_every_format_parses_to_the_same_issues_as_the_txt(prefix, kind) -> None:
    txt = parse_file(fm.sample_path(prefix))
    copy = parse_text(read_copy(prefix, kind).text, source_name=f"{prefix}.{kind}")
    assert [len(r.issues) for r in copy] == [len(r.issues) for r in txt]
    assert [[i.title for i in r.issues] for r in copy] == [[i.title for i in r.issues] for r in txt]
    assert [r.published_on for r in copy] == [r.published_on for r in txt]


def test_parse_file_takes_uploaded_bytes_of_any_format() -> None:
    reports = parse_file("吴兴区.docx", fm.docx_bytes(fm.sample_text("000"), auto_numbering=True))
    assert [len(r.issues) for r in reports] == [14]
