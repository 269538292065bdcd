"""The shared text rules: the heading grammar of config.yaml `segment:` compiled once, line kinds, and
Chinese numbers. Read by every stage that looks at headings (normalize, chrome, meta, segment), so none of
them reaches into another stage for them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from re import Match, Pattern

from loaders.config import section
from loaders.parser import fastrx

LINE_KINDS = ("table", "attachment_list", "chapter", "paren", "number", "sub", "item", "result", "progress",
              "owner", "due", "next", "stop")
CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100}


@dataclass(frozen=True)
class Grammar:
    """The `segment:` section of config.yaml, compiled once."""

    raw: dict
    lines: tuple[tuple[str, Pattern[str]], ...]
    issue_titles: tuple[Pattern[str], ...]
    category_titles: tuple[Pattern[str], ...]

    def rx(self, name: str) -> Pattern[str]:
        return _compiled(self.raw[name])

    def sub(self, group: str, name: str) -> Pattern[str]:
        return _compiled(self.raw[group][name])

    def finder(self, name: str) -> fastrx.Finder:
        """The pattern's matches over a long text, found by skipping to its first characters."""
        return _finder(self.raw[name])


@functools.cache
def _compiled(pattern: str) -> Pattern[str]:
    return re.compile(pattern)


@functools.cache
def _finder(pattern: str) -> fastrx.Finder:
    return fastrx.Finder(pattern)


@functools.cache
def grammar() -> Grammar:
    cfg = section("segment")
    return Grammar(
        raw=cfg,
        lines=tuple((kind, re.compile(cfg["lines"][kind])) for kind in LINE_KINDS if kind in cfg["lines"]),
        issue_titles=tuple(re.compile(p) for p in cfg.get("issue_titles") or ()),
        category_titles=tuple(re.compile(p) for p in cfg.get("category_titles") or ()),
    )


def cn_number(text: str) -> int | None:
    """一 → 1, 十四 → 14, 二十八 → 28, 一百零二 → 102, "12" → 12; None when it is not a number."""
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        else:
            return None
    total += digit or 0
    return total if text else None


@functools.lru_cache(maxsize=8192)
def classify(line: str) -> tuple[str, Match[str] | None]:
    """The kind of a normalised line ("chapter", "paren", "number", … or "text") and its match. Cached:
    normalize asks about each line up to three times, then the walker again (the grammar never changes)."""
    for kind, pattern in grammar().lines:
        m = pattern.match(line)
        if m:
            return kind, m
    if grammar().rx("date_line").match(line):
        return "date", None
    return "text", None


def closed_heading(line: str) -> bool:
    """A heading line whose text ends with the fixed words of an issue pattern (`关于X的问题。`)."""
    kind, m = classify(line)
    if kind not in ("chapter", "paren", "number", "sub") or m is None:
        return False
    text = m.group("text")
    for pattern in (*grammar().issue_titles, *grammar().category_titles):
        found = pattern.match(text)
        if found and found.end("title") < len(text.rstrip("。")):
            return True
    return False
