"""Bytes → text for every input format (.txt, .html/.htm, .docx, .pdf), with clear errors; no domain rules
(what is site chrome and where a page names its source URL are asked of loaders/parser/chrome.py).

    from loaders.parser.read import read_document, ReadError, ReadResult
    result = read_document("report.pdf")            # or read_document("upload.docx", data=raw_bytes)

The format is decided by content (magic bytes), the file name's extension is only a hint.
"""

from __future__ import annotations

import re
from pathlib import Path

from loaders.messages import human_size, os_error, reason, warning
from loaders.models import ParseWarning
from loaders.parser.chrome import source_url_in_text
from loaders.parser.read.base import ReadError, ReadResult, max_file_mb, require_text
from loaders.parser.read.decode import decode
from loaders.parser.read.sniff import extension, is_html, sniff

__all__ = ["ReadError", "ReadResult", "read_document"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""\A\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""")


def read_document(path: str | Path, data: bytes | None = None) -> ReadResult:
    """Read one report file. `data`, when given, is used instead of reading `path` (an upload: its bytes
    and original name). Raises ReadError, naming the file and the reason, when it cannot be read."""
    # Browsers may send "C:\\fakepath\\x.docx" as an upload's name: keep the last component either way.
    name = re.split(r"[\\/]", str(path).rstrip("\\/"))[-1] or str(path)
    data = _load(Path(path), name, data)
    if not data:
        raise ReadError(name, reason("empty"))
    if not data.strip():
        raise ReadError(name, reason("empty_whitespace"))
    kind = sniff(data, name)
    if kind == "pdf":
        from loaders.parser.read.pdf import read_pdf

        return read_pdf(data, name)
    if kind == "docx":
        from loaders.parser.read.word import read_docx

        return read_docx(data, name)
    return _read_text(data, name)


def _load(path: Path, name: str, data: bytes | None) -> bytes:
    """The file's bytes, refusing files over read.max_file_mb before anything is decoded."""
    limit = max_file_mb()
    if data is None:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ReadError(name, reason("cannot_open", error=os_error(exc))) from exc
        if path.is_dir():
            raise ReadError(name, reason("is_folder"))
        _check_size(name, size, limit)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ReadError(name, reason("cannot_read", error=os_error(exc))) from exc
    _check_size(name, len(data), limit)
    return data


def _check_size(name: str, size: int, limit_mb: float) -> None:
    if size > limit_mb * 2**20:
        raise ReadError(name, reason("too_large", size=human_size(size), limit=limit_mb))


def _read_text(data: bytes, name: str) -> ReadResult:
    """Plain text or a web page: decode (honouring a declared charset), then extract if it is HTML."""
    decoded = decode(data, name, declared=_declared_charset(data))
    text = decoded.text
    warnings: list[ParseWarning] = list(decoded.warnings)
    if is_html(text, name):
        from loaders.parser.read.web import extract_page

        text, source_url, page_warnings, aside = extract_page(text, name)
        return ReadResult(text, (*warnings, *page_warnings), source_url, "html", decoded.encoding, aside)
    require_text(name, text, "empty_whitespace")
    if extension(name) in ("pdf", "docx", "doc"):
        warnings.append(warning("extension_mismatch", name=name))
    return ReadResult(text, tuple(warnings), source_url_in_text(text), "txt", decoded.encoding)


def _declared_charset(data: bytes) -> str | None:
    """The charset a page declares in <meta> or an XML declaration (ASCII-compatible encodings only)."""
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii", "replace") if m else None
