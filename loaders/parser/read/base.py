"""What every reader returns (ReadResult) or raises (ReadError), and the reading settings from config.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from loaders.config import section
from loaders.messages import Msg, reason
from loaders.models import ParseWarning

DEFAULT_MAX_FILE_MB = 50.0
# CJK Unified Ideographs (the basic block): what every reader counts as a Chinese character.
HAN_RANGE = "\u4e00-\u9fff"
# Runs rather than single characters: findall returns a few long strings instead of one per character.
HAN = re.compile(f"[{HAN_RANGE}]+")


@dataclass(frozen=True)
class ReadResult:
    text: str  # the document's text, one paragraph per line, "\n" line endings
    # what went wrong but did not stop reading (wrong charset, (cid:N) pages…)
    warnings: tuple[ParseWarning, ...]
    source_url: str | None  # where the document says it was published (原文链接, canonical link)
    format: str  # "txt", "html", "docx" or "pdf": what the content turned out to be
    encoding: str | None = None  # the text encoding used (txt/html only)
    # web pages: short lines of the page left out of `text` (site chrome), where the parser finds the page's
    # own date and publisher (loaders/parser/chrome.py)
    aside: tuple[str, ...] = ()


class ReadError(ValueError):
    """A file that cannot be read as a report; the message names the file and the reason in plain English,
    `message_zh` does the same in Chinese (for the dashboard). Raise sites give a loaders.messages reason:
    `ReadError(name, reason("empty"))`."""

    def __init__(self, name: str, why: Msg | str) -> None:
        text = why if isinstance(why, Msg) else Msg(why, "")
        super().__init__(f"{name}: {text.en}")
        self.name = name
        self.reason = text.en
        self.reason_zh = text.zh
        # No Chinese reason (a caller outside loaders/parser/read): the English message is the only one there
        # is.
        self.message_zh = f"{name}：{text.zh}" if text.zh else str(self)


def settings() -> dict[str, Any]:
    """The `read:` section of config.yaml."""
    return section("read")


def max_file_mb() -> float:
    return float(settings().get("max_file_mb", DEFAULT_MAX_FILE_MB))


def han_count(text: str) -> int:
    """How many Chinese characters the text holds."""
    return sum(map(len, HAN.findall(text)))


def normalize_newlines(text: str) -> str:
    """CRLF, lone CR, form feeds and Unicode line separators all become "\\n"; a leading BOM goes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for sep in ("\x0c", "\u2028", "\u2029", "\x85"):
        text = text.replace(sep, "\n")
    return text.removeprefix("\ufeff")


def require_text(name: str, text: str, why: str = "empty") -> str:
    """Reject text with nothing but whitespace (full-width spaces and &nbsp; count as whitespace); `why` is
    the key of the reason in loaders.messages.REASONS."""
    if not text.strip():
        raise ReadError(name, reason(why))
    return text


def page_list(pages: list[int]) -> str:
    """[1, 2, 3, 7] → "1-3, 7" (1-based page numbers for messages)."""
    runs: list[str] = []
    for p in sorted(set(pages)):
        if runs and runs[-1].split("-")[-1] == str(p - 1):
            runs[-1] = f"{runs[-1].split('-')[0]}-{p}"
        else:
            runs.append(str(p))
    return ", ".join(runs)
