"""What a file really is, from its first bytes (the extension is only a hint): pdf, docx, text or error."""

from __future__ import annotations

import io
import re
import zipfile

from loaders.read.base import ReadError

# Magic numbers of formats people upload by mistake, with the plain name used in the error message.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"BM", "BMP image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\x00\x00\x01\x00", "icon image"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x7fELF", "program file"),
    (b"MZ", "Windows program file"),
    (b"ID3", "MP3 audio"),
    (b"OggS", "Ogg audio/video"),
    (b"fLaC", "FLAC audio"),
    (b"\x1aE\xdf\xa3", "video file"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"wOFF", "web font"),
)
# Legacy Office files (OLE compound documents); an encrypted .docx is stored in the same container.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# ZIP-based formats that are not Word documents, by a member that identifies them.
_ZIP_KINDS: tuple[tuple[str, str], ...] = (
    ("xl/workbook.xml", "Excel workbook"),
    ("ppt/presentation.xml", "PowerPoint presentation"),
    ("content.xml", "OpenDocument file (save it as .docx)"),
)
_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body|<meta|<title)",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAGS = re.compile(r"<(?:p|div|br|span|table|h[1-6])[\s>/]", re.IGNORECASE)


def sniff(data: bytes, name: str) -> str:
    """"pdf", "docx" or "text" (txt or html, decided after decoding); ReadError for anything else."""
    ext = extension(name)
    if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data, name, ext)
    if data.startswith(_OLE_MAGIC):
        raise ReadError(name, _ole_reason(ext))
    if data.startswith(b"{\\rtf"):
        raise ReadError(name, "RTF documents are not supported; save it as .docx or .txt")
    if data[:12].startswith(b"RIFF") and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        raise ReadError(name, f"not a text document ({_RIFF[data[8:12]]})")
    if data[4:8] == b"ftyp":
        raise ReadError(name, "not a text document (video or HEIC image)")
    for magic, kind in _BINARY_MAGIC:
        # Short signatures ("BM", "MZ") could begin a text file; binary formats have NULs near the start.
        if data.startswith(magic) and (len(magic) > 3 or b"\x00" in data[:64] or magic[0] >= 0x80):
            raise ReadError(name, f"not a text document ({kind})")
    # A mislabelled text file is still read (as text); binary content under these names is a broken file.
    if ext == "pdf" and b"\x00" in data[:4096]:
        raise ReadError(name, "not a valid PDF (no %PDF header: damaged file or wrong extension?)")
    if ext == "docx" and b"\x00" in data[:4096]:
        raise ReadError(name, "not a valid .docx (damaged file or wrong extension?)")
    return "text"


_RIFF = {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}


def is_html(text: str, name: str) -> bool:
    """HTML by content: a document that starts like a page, or an .htm(l) file with block tags in it."""
    if _HTML_START.match(text[:4096]):
        return True
    return extension(name) in ("html", "htm", "shtml", "xhtml") and bool(_HTML_TAGS.search(text[:20000]))


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip_kind(data: bytes, name: str, ext: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = set(zf.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        if ext in ("docx", "docm", "dotx"):
            reason = "the .docx file is damaged (not a readable ZIP archive; truncated?)"
            raise ReadError(name, reason) from exc
        raise ReadError(name, "not a text document (damaged ZIP archive)") from exc
    if "word/document.xml" in members:
        return "docx"
    for member, kind in _ZIP_KINDS:
        if member in members:
            raise ReadError(name, f"not a Word document ({kind})")
    if ext == "docx":
        raise ReadError(name, "the .docx file is damaged (word/document.xml is missing)")
    raise ReadError(name, "not a text document (ZIP archive; unpack it and add the reports inside)")


def _ole_reason(ext: str) -> str:
    if ext == "docx":
        return "the .docx is password-protected (encrypted); save an unprotected copy"
    return "old binary Office format (.doc/.xls/.wps) is not supported; save it as .docx"
