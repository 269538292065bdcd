"""What a file really is, from its first bytes (the extension is only a hint): pdf, docx, text or error."""

from __future__ import annotations

import io
import re
import zipfile

from loaders.messages import Msg, kind, reason
from loaders.parser.read.base import ReadError

# Magic numbers of formats people upload by mistake, with the plain name used in the error message.
_BINARY_MAGIC: tuple[tuple[bytes, Msg], ...] = (
    (b"\x89PNG\r\n\x1a\n", Msg("PNG image", "PNG图片")),
    (b"\xff\xd8\xff", Msg("JPEG image", "JPEG图片")),
    (b"GIF87a", Msg("GIF image", "GIF图片")),
    (b"GIF89a", Msg("GIF image", "GIF图片")),
    (b"BM", Msg("BMP image", "BMP图片")),
    (b"II*\x00", Msg("TIFF image", "TIFF图片")),
    (b"MM\x00*", Msg("TIFF image", "TIFF图片")),
    (b"\x00\x00\x01\x00", Msg("icon image", "图标文件")),
    (b"Rar!\x1a\x07", Msg("RAR archive", "RAR压缩包")),
    (b"7z\xbc\xaf\x27\x1c", Msg("7-Zip archive", "7-Zip压缩包")),
    (b"\x1f\x8b", Msg("gzip archive", "gzip压缩包")),
    (b"BZh", Msg("bzip2 archive", "bzip2压缩包")),
    (b"\xfd7zXZ\x00", Msg("xz archive", "xz压缩包")),
    (b"\x7fELF", Msg("program file", "程序文件")),
    (b"MZ", Msg("Windows program file", "Windows程序文件")),
    (b"ID3", Msg("MP3 audio", "MP3音频")),
    (b"OggS", Msg("Ogg audio/video", "Ogg音视频")),
    (b"fLaC", Msg("FLAC audio", "FLAC音频")),
    (b"\x1aE\xdf\xa3", Msg("video file", "视频文件")),
    (b"SQLite format 3\x00", Msg("SQLite database", "SQLite数据库")),
    (b"wOFF", Msg("web font", "网页字体")),
)
# Legacy Office files (OLE compound documents); an encrypted .docx is stored in the same container.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# ZIP-based formats that are not Word documents, by a member that identifies them.
_ZIP_KINDS: tuple[tuple[str, Msg], ...] = (
    ("xl/workbook.xml", Msg("Excel workbook", "Excel工作簿")),
    ("ppt/presentation.xml", Msg("PowerPoint presentation", "PowerPoint演示文稿")),
    ("content.xml", Msg("OpenDocument file (save it as .docx)", "OpenDocument文件，请另存为 .docx")),
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
        raise ReadError(name, reason("rtf"))
    if data[:12].startswith(b"RIFF") and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        raise ReadError(name, reason("not_text", kind=_RIFF[data[8:12]]))
    if data[4:8] == b"ftyp":
        raise ReadError(name, reason("not_text", kind=kind("video_or_heic")))
    for magic, what in _BINARY_MAGIC:
        # Short signatures ("BM", "MZ") could begin a text file; binary formats have NULs near the start.
        if data.startswith(magic) and (len(magic) > 3 or b"\x00" in data[:64] or magic[0] >= 0x80):
            raise ReadError(name, reason("not_text", kind=what))
    # A mislabelled text file is still read (as text); binary content under these names is a broken file.
    if ext == "pdf" and b"\x00" in data[:4096]:
        raise ReadError(name, reason("pdf_invalid"))
    if ext == "docx" and b"\x00" in data[:4096]:
        raise ReadError(name, reason("docx_invalid"))
    return "text"


_RIFF = {
    b"WEBP": Msg("WebP image", "WebP图片"),
    b"WAVE": Msg("WAV audio", "WAV音频"),
    b"AVI ": Msg("AVI video", "AVI视频"),
}


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
            raise ReadError(name, reason("docx_damaged", detail=kind("docx_not_zip"))) from exc
        raise ReadError(name, reason("not_text", kind=kind("damaged_zip"))) from exc
    if "word/document.xml" in members:
        return "docx"
    for member, what in _ZIP_KINDS:
        if member in members:
            raise ReadError(name, reason("not_word", kind=what))
    if ext == "docx":
        raise ReadError(name, reason("docx_damaged", detail=kind("docx_no_document")))
    raise ReadError(name, reason("not_text", kind=kind("zip")))


def _ole_reason(ext: str) -> Msg:
    return reason("docx_encrypted" if ext == "docx" else "old_office")
