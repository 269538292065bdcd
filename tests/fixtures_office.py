"""Builders of .docx and .pdf test inputs from the real sample reports (python-docx, reportlab).

Reached directly or through `fixtures_make`, which forwards these names: `fixtures_make.pdf_bytes(text)`.
"""

from __future__ import annotations

import io
import re

from fixtures_make import split_report

# --- a .docx -----------------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CN_DIGITS = "一二三四五六七八九"
# (pattern of a printed number, list level, lvlText, numFmt) for the auto-numbered .docx.
_LIST_LEVELS = (
    (re.compile(r"^([一二三四五六七八九十]+)、"), 0, "%1、", "chineseCounting"),
    (re.compile(r"^\(([一二三四五六七八九十]+)\)"), 1, "(%2)", "chineseCounting"),
    (re.compile(r"^(\d+)\.(?!\d)"), 2, "%3.", "decimal"),
)


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 20 → 二十, 21 → 二十一 (Word's chineseCounting up to 99)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens - 1] + "十")
    return head + (_CN_DIGITS[ones - 1] if ones else "")


def docx_bytes(
    text: str, *, auto_numbering: bool = False, table_rows: list[list[str]] | None = None,
    table_after: int = 0,
) -> bytes:
    """A .docx with one paragraph per non-blank line of `text` (python-docx).

    With `auto_numbering`, headings printed as `一、`, `(一)` and `1.` lose their printed number and get
    Word automatic numbering instead (w:numPr → numbering.xml, chineseCounting/decimal), exactly where
    Word's counters would print the same number; lines whose printed number breaks the sequence keep it
    as text. `table_rows` adds a table after the paragraph numbered `table_after` (0: the first); a row of
    one cell is merged across the table's width (a category row, as Word's gridSpan writes it).
    """
    from docx import Document

    doc = Document()
    num_id = add_list_definition(doc) if auto_numbering else None
    counters = [0, 0, 0]
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        para = doc.add_paragraph()
        level, rest = _auto_number(line, counters) if num_id is not None else (None, line)
        para.add_run(rest)
        if level is not None:
            set_numbering(para, num_id, level)
        if i == table_after and table_rows:
            width = max(len(row) for row in table_rows)
            table = doc.add_table(rows=len(table_rows), cols=width)
            for r, row in enumerate(table_rows):
                if len(row) == 1:
                    table.cell(r, 0).merge(table.cell(r, width - 1))
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _auto_number(line: str, counters: list[int]) -> tuple[int | None, str]:
    """(list level, text without its number) when Word would print this number here, else (None, line)."""
    for pattern, level, _, fmt in _LIST_LEVELS:
        m = pattern.match(line)
        if not m:
            continue
        printed = m.group(1)
        expected = counters[level] + 1
        if printed != (str(expected) if fmt == "decimal" else chinese_number(expected)):
            return None, line
        counters[level] = expected
        for deeper in range(level + 1, len(counters)):
            counters[deeper] = 0
        return level, line[m.end() :]
    return None, line


def add_list_definition(doc: object) -> int:
    """Add to a python-docx Document a three-level list definition (一、 / (一) / 1., chineseCounting and
    decimal, no tab after the number) and a w:num pointing to it; return the numId."""
    from docx.oxml import parse_xml

    numbering = doc.part.numbering_part.element  # type: ignore[attr-defined]
    abstract_id, num_id = 90, 90
    levels = "".join(
        f'<w:lvl w:ilvl="{lvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{lvl_text}"/><w:suff w:val="nothing"/><w:lvlJc w:val="left"/></w:lvl>'
        for _, lvl, lvl_text, fmt in _LIST_LEVELS
    )
    abstract = parse_xml(
        f'<w:abstractNum xmlns:w="{_W}" w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
    )
    # abstractNum elements must precede num elements (schema order), or Word rejects the file.
    first_num = numbering.find(f"{{{_W}}}num")
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num = f'<w:num xmlns:w="{_W}" w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'
    numbering.append(parse_xml(num))
    return num_id


def set_numbering(paragraph: object, num_id: int, level: int) -> None:
    """Make a python-docx paragraph an item of list `num_id` at `level` (w:numPr in its properties)."""
    p_pr = paragraph._p.get_or_add_pPr()  # type: ignore[attr-defined]
    num_pr = p_pr.get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


# --- a .pdf ------------------------------------------------------------------------------------------------


def pdf_bytes(
    text: str,
    *,
    running_header: str | None = "巡视整改进展情况的通报",
    page_numbers: str = "- {n} -",
    font_size: float = 12.0,
    indent: bool = True,
    password: str | None = None,
    unmapped_from_page: int | None = None,
) -> bytes:
    """A PDF of the report as an office prints it (reportlab, CID font STSong-Light so the text layer is
    real Unicode): A4, the title centred, every paragraph's first line indented by two characters and the
    rest wrapped to the text width, the signature right-aligned, a running header on every page and a page
    number footer (`page_numbers` with {n}; "" for none).

    `indent=False` prints paragraphs flush left (only line length and headings tell them apart);
    `password` encrypts the file with that user password; `unmapped_from_page` prints that page and the
    following ones in a font whose Unicode map is unusable, so extractors get `(cid:N)` codes there (as with
    government PDFs whose embedded fonts lack a ToUnicode table)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    width, height = A4
    margin = 72.0
    usable = width - 2 * margin
    lead = font_size * 1.6
    out = io.BytesIO()
    encrypt = None
    if password:
        from reportlab.lib.pdfencrypt import StandardEncryption

        encrypt = StandardEncryption(password, ownerPassword=password + "-owner", canPrint=1)
    if unmapped_from_page is not None:
        pdfmetrics.registerFont(UnicodeCIDFont(_BROKEN_FONT))
    pdf = canvas.Canvas(out, pagesize=A4, encrypt=encrypt)
    title, body, _ = split_report(text)
    page = 1
    y = height - margin

    def finish_page() -> None:
        pdf.setFont(font, 9)
        if running_header:
            pdf.drawCentredString(width / 2, height - 40, running_header)
        if page_numbers:
            pdf.drawCentredString(width / 2, 30, page_numbers.format(n=page))

    def put(line: str, x: float, align: str = "left") -> None:
        nonlocal y, page
        if y < margin:
            finish_page()
            pdf.showPage()
            page += 1
            y = height - margin
        broken = unmapped_from_page is not None and page >= unmapped_from_page
        pdf.setFont(_BROKEN_FONT if broken else font, font_size)
        if align == "center":
            pdf.drawCentredString(width / 2, y, line)
        elif align == "right":
            pdf.drawRightString(width - margin, y, line)
        else:
            pdf.drawString(x, y, line)
        y -= lead

    body = [para.translate(PDF_GLYPH_SUBSTITUTES) for para in body]
    indent_first = indent
    if title:
        put(title, margin, "center")
    for i, para in enumerate(body):
        if i >= len(body) - 2:
            put(para, margin, "right")
            continue
        indent = 2 * font_size if indent_first else 0.0
        for j, piece in enumerate(wrap_to_width(para, usable, indent, font, font_size)):
            put(piece, margin + (indent if j == 0 else 0))
    finish_page()
    pdf.save()
    data = out.getvalue()
    # MSung-Light's glyphs are looked up through the Adobe-CNS1 ordering; renaming the ordering leaves
    # the codes without any CID → Unicode map, which is exactly the "(cid:N)" failure of real files.
    return data.replace(b"(CNS1)", b"(ZZZ1)") if unmapped_from_page is not None else data


_BROKEN_FONT = "MSung-Light"


# STSong-Light's CMap (UniGB-UCS2-H) has no glyph for these: reportlab would silently draw nothing (and the
# line would look shorter than it is). "・" is drawn as the middle dot and extracted back as "·".
PDF_GLYPH_SUBSTITUTES = str.maketrans({"·": "・", "•": "・", "³": "3", "²": "2", "\xa0": " "})


def pdf_expected_lines(text: str) -> list[str]:
    """The lines a perfect extraction of `pdf_bytes(text)` gives: title and body lines, with the glyph
    substitutions the PDF needed ("m³" is printed "m3")."""
    title, body, _ = split_report(text)
    lines = ([title] if title else []) + body
    return [ln.translate(PDF_GLYPH_SUBSTITUTES).replace("・", "·") for ln in lines]


def wrap_to_width(text: str, usable: float, first_indent: float, font: str, size: float) -> list[str]:
    """Greedy character wrap (Chinese has no spaces to break at) so that no line exceeds `usable` points;
    the first line is `first_indent` shorter."""
    from reportlab.pdfbase import pdfmetrics

    lines: list[str] = []
    current = ""
    limit = usable - first_indent
    for ch in text:
        if current and pdfmetrics.stringWidth(current + ch, font, size) > limit:
            lines.append(current)
            current, limit = "", usable
        current += ch
    if current:
        lines.append(current)
    return lines


def pdf_without_text(pages: int = 2) -> bytes:
    """A PDF whose pages hold only drawings (what a scanner produces, minus the image): no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for _ in range(pages):
        pdf.rect(72, 72, 300, 500, fill=1)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def encrypted_pdf(text: str, password: str = "secret") -> bytes:
    """The report's PDF encrypted with a user password (cannot be opened without it)."""
    return pdf_bytes(text, password=password)



def corrupt_docx(text: str) -> bytes:
    """A real .docx cut in half (a broken download): ZIP signature present, central directory missing."""
    data = docx_bytes(text)
    return data[: len(data) // 2]


def corrupt_pdf(text: str) -> bytes:
    """A real PDF with its middle overwritten by garbage: the %PDF header is intact, the objects are not."""
    data = bytearray(pdf_bytes(text))
    start, end = 20, len(data) - 20
    data[start:end] = bytes((i * 37 + 11) % 256 for i in range(end - start))
    return bytes(data)


