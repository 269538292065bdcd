"""A PDF's text layer → text (pdfplumber): running headers and page numbers dropped, wrapped lines joined."""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from loaders.messages import Msg, reason, warning
from loaders.models import ParseWarning
from loaders.parser.chrome import source_url_in_text
from loaders.parser.read.base import HAN, ReadError, ReadResult, page_list, settings

_CID = re.compile(r"\(cid:\d+\)")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–\s]*\d{1,4}[-—–\s]*|第\s*\d{1,4}\s*页(?:\s*[,,/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}"
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_MARGIN_SHARE = 0.12  # running headers and footers sit in the top / bottom 12 % of the page
_GARBLED_SHARE = 0.1  # a page whose text is more than 10 % (cid:N) codes has a font without a Unicode map
_DEFAULT_STARTS = r"^(?:[一二三四五六七八九十]+、|[((][一二三四五六七八九十]+[))]|\d{1,2}[.、．](?!\d))"


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int  # 1-based


def read_pdf(data: bytes, name: str) -> ReadResult:
    """The PDF's text, one paragraph per line. ReadError when it is encrypted, damaged, has no text layer
    or only unreadable (cid:N) text."""
    pages, heights = _extract_lines(data, name)
    warnings: list[ParseWarning] = []
    empty = [i + 1 for i, lines in enumerate(pages) if not lines]
    if len(empty) == len(pages):
        raise ReadError(name, reason("pdf_no_text_layer"))
    if empty:
        warnings.append(warning("pdf_no_text", name=name, pages=_pages(empty)))
    garbled = _drop_cid(pages)
    if garbled:
        warnings.append(warning("pdf_cid_font", name=name, pages=_pages(garbled)))
    lines = drop_running_lines(pages, heights)
    text = "\n".join(join_paragraphs(lines))
    if len(re.sub(r"\W", "", text)) < 20:
        if garbled:
            raise ReadError(name, reason("pdf_cid_only"))
        raise ReadError(name, reason("pdf_no_readable_text"))
    return ReadResult(text, tuple(warnings), source_url_in_text(text), "pdf")


def _pages(numbers: list[int]) -> Msg:
    """Page numbers for a warning: "1-3, 7" in English, "1-3、7" in Chinese."""
    listed = page_list(numbers)
    return Msg(listed, listed.replace(", ", "、"))


def _extract_lines(data: bytes, name: str) -> tuple[list[list[Line]], list[float]]:
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages, heights = [], []
            for number, page in enumerate(pdf.pages, start=1):
                heights.append(float(page.height))
                pages.append([_line(raw, number) for raw in page.extract_text_lines(return_chars=True)])
            return pages, heights
    except Exception as exc:  # pdfminer raises many unrelated types for damaged files
        if "password" in repr(exc).lower() or "encrypt" in repr(exc).lower():
            raise ReadError(name, reason("pdf_encrypted")) from exc
        # The technical cause helps whoever debugs the CLI; the dashboard's reader gets plain words.
        raise ReadError(name, reason("pdf_damaged", error=Msg(_cause(exc), "内容无法解析"))) from exc


def _cause(exc: Exception) -> str:
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    return f"{type(inner).__name__}: {inner}"[:120]


def _line(raw: dict, page: int) -> Line:
    sizes = [c.get("size", 0.0) for c in raw.get("chars", [])] or [10.0]
    return Line(raw["text"].strip(), raw["x0"], raw["x1"], raw["top"], raw["bottom"],
                statistics.median(sizes), page)


def _drop_cid(pages: list[list[Line]]) -> list[int]:
    """Remove (cid:N) codes; return the pages where they made up a real share of the text."""
    garbled = []
    for number, lines in enumerate(pages, start=1):
        total = sum(len(ln.text) for ln in lines)
        codes = sum(len(m) for ln in lines for m in _CID.findall(ln.text))
        if total and codes > total * _GARBLED_SHARE:
            garbled.append(number)
        for ln in lines:
            ln.text = _CID.sub("", ln.text).strip()
        lines[:] = [ln for ln in lines if ln.text]
    return garbled


def drop_running_lines(pages: list[list[Line]], heights: list[float]) -> list[Line]:
    """All lines in reading order minus page furniture: page numbers in the top or bottom margin zone, and
    lines in those zones that repeat (digits aside) on at least half of the pages (running headers)."""
    def zone(ln: Line) -> bool:
        height = heights[ln.page - 1]
        return ln.bottom < height * _MARGIN_SHARE or ln.top > height * (1 - _MARGIN_SHARE)

    def key(ln: Line) -> str:
        return _DIGITS.sub("#", re.sub(r"\s+", "", ln.text))

    per_page: Counter[str] = Counter()
    for lines in pages:
        per_page.update({key(ln) for ln in lines if zone(ln)})
    repeated = {k for k, n in per_page.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}
    kept = []
    for lines in pages:
        for ln in lines:
            if zone(ln) and (_PAGE_NUMBER.match(ln.text) or key(ln) in repeated):
                continue
            kept.append(ln)
    return kept


def join_paragraphs(lines: list[Line]) -> list[str]:
    """Rejoin lines wrapped by the layout. A line starts a new paragraph when it is indented, when the line
    before it stopped short of the right margin, after a vertical gap, or when it opens like a heading
    (一、 / (一) / 1.)."""
    if not lines:
        return []
    char = statistics.median(ln.size for ln in lines) or 10.0
    left = Counter(round(ln.x0) for ln in lines).most_common(1)[0][0]
    right = sorted(ln.x1 for ln in lines)[int(len(lines) * 0.95)]
    gaps = [b.top - a.bottom for a, b in itertools.pairwise(lines) if a.page == b.page]
    usual_gap = statistics.median(gaps) if gaps else char
    starts = re.compile(settings().get("pdf_paragraph_starts") or _DEFAULT_STARTS)
    paragraphs: list[str] = []
    previous: Line | None = None
    for ln in lines:
        new = (
            previous is None
            or ln.x0 > left + char * 0.9
            or previous.x1 < right - char * 1.5
            or previous.x0 > left + char * 4  # centred or right-aligned lines (titles, signatures)
            or (ln.page == previous.page and ln.top - previous.bottom > usual_gap + char * 0.8)
            or bool(starts.match(ln.text))
        )
        if new:
            paragraphs.append(ln.text)
        else:
            paragraphs[-1] = _glue(paragraphs[-1], ln.text)
        previous = ln
    return paragraphs


def _glue(head: str, tail: str) -> str:
    """Chinese text wraps anywhere, even inside a number ("1" / "88家"), so lines join without a space;
    only lines of Latin text (no Chinese in either) wrapped between two words get their space back."""
    latin = not HAN.search(head[-40:]) and not HAN.search(tail[:40])
    if latin and head[-1:].isalnum() and tail[:1].isalnum():
        return f"{head} {tail}"
    return head + tail
