"""Text normalisation before parsing: one punctuation form, clean whitespace, broken paragraphs re-joined.

Canonical forms (the grammar in config.yaml `segment:` is written against them):
- full-width ASCII variants (U+FF01–FF5E: ( ) : ; , ! ? . % digits, letters) and small forms (﹐﹕﹙…)
  fold to ASCII, so `(一)` and `(一)`, `:` and `:` read alike; 「」『』 become “” ‘’;
- ASCII quotes in a Chinese line pair up into “” / ‘’; an ASCII `.` ending a Chinese sentence becomes 。;
- 。、“”‘’《》【】〔〕 are kept as they are;
- NBSP, ideographic and other odd spaces become spaces; zero-width characters, BOMs and controls go;
  spaces go inside numbers and dates (`2023 年 4 月 11 日` → `2023年4月11日`) and next to Chinese
  punctuation, but stay between two Chinese characters (they may be deliberate: `千年溇港 太湖明珠`);
- CRLF / CR / other line separators → LF; blank lines go (a blank line still ends a paragraph);
- a line broken inside a paragraph is joined to the previous one (see `_continues`).
normalize() is idempotent.
"""

from __future__ import annotations

import re
from collections import Counter

from loaders.segment import classify, grammar

_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update({ord(k): v for k, v in {
    "﹐": ",", "﹑": "、", "﹒": ".", "﹔": ";", "﹕": ":", "﹖": "?", "﹗": "!", "﹙": "(", "﹚": ")",
    "︰": ":", "。": "。", "、": "、", "「": "“", "」": "”", "『": "‘", "』": "’",
}.items()})
_FOLD.update({c: " " for c in (0x09, 0xA0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B))})
_FOLD.update({c: None for c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xAD)})
_FOLD.update({c: None for c in (*range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F)})

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_CJK_PUNCT = "\u3001-\u303f“”‘’…—·\u00b7"
_ASCII_PUNCT = "(),:;!?%."
_SPACES = re.compile(r" {2,}")
# A space goes when it sits between Chinese text/punctuation and punctuation or digits, never between
# two Chinese characters (deliberate) nor between two digits (two numbers).
_DROP_SPACE = re.compile(
    rf"(?<=[{_HAN}]) (?=[{_CJK_PUNCT}{_ASCII_PUNCT}\d])"
    rf"|(?<=[{_CJK_PUNCT}{_ASCII_PUNCT}]) (?=[{_HAN}{_CJK_PUNCT}{_ASCII_PUNCT}\d])"
    rf"|(?<=\d) (?=[{_HAN}{_CJK_PUNCT}{_ASCII_PUNCT}])"
)
_HAS_HAN = re.compile(f"[{_HAN}]")
_SENTENCE_DOT = re.compile(rf"(?<=[{_HAN}”’》)])\.(?=$|[{_HAN}“‘《(\s])")
_NUMERAL_PREFIX = re.compile(r"^[一二三四五六七八九十百零〇]{1,4}$")
_SINGLE_QUOTE = re.compile(rf"(?<=[{_HAN}“”])'|'(?=[{_HAN}“”])")
_OPEN_CLOSE = (("“", "”"), ("(", ")"), ("《", "》"))


def normalize(text: str) -> str:
    """Canonical text: one line per paragraph or heading, canonical punctuation, no blank lines."""
    if not text:
        return ""
    lines = [_clean_line(line) for line in text.translate(_FOLD).splitlines()]
    return "\n".join(_join_broken(lines))


def _clean_line(line: str) -> str:
    line = _SPACES.sub(" ", line).strip()
    if not line:
        return ""
    line = _DROP_SPACE.sub("", line)
    if _HAS_HAN.search(line):
        line = _pair_quotes(line)
        line = _SENTENCE_DOT.sub(_sentence_dot, line)
    return line


def _sentence_dot(m: re.Match[str]) -> str:
    # `一.关于…` is a chapter number, not a sentence end
    return "." if _NUMERAL_PREFIX.match(m.string[:m.start()]) else "。"


def _pair_quotes(line: str) -> str:
    if '"' in line:
        parts = line.split('"')
        line = parts[0] + "".join(("“" if k % 2 == 0 else "”") + p for k, p in enumerate(parts[1:]))
    if "'" in line:
        count = iter(range(line.count("'")))
        line = _SINGLE_QUOTE.sub(lambda _m: "‘" if next(count) % 2 == 0 else "’", line)
    return line


# --- re-joining paragraphs broken across lines ----------------------------------------------------------


def _join_broken(lines: list[str]) -> list[str]:
    width = _wrap_width(lines)
    out: list[str] = []
    joinable = False  # a blank line since the last kept line makes the next line a new paragraph
    for line in lines:
        if not line:
            joinable = False
            continue
        if joinable and out and _continues(out[-1], line, width):
            out[-1] = _glue(out[-1], line)
        else:
            out.append(line)
        joinable = True
    return out


def _glue(prev: str, line: str) -> str:
    # Latin words broken across lines keep a space between them; Chinese does not.
    if prev[-1].isascii() and prev[-1].isalnum() and line[0].isascii() and line[0].isalnum():
        return f"{prev} {line}"
    return prev + line


def _wrap_width(lines: list[str]) -> int | None:
    """The width of hard-wrapped text (PDF, fixed-width copies): a line length shared by many lines."""
    long_lines = [len(line) for line in lines if len(line) >= 20]
    if len(long_lines) < 5:
        return None
    width, count = Counter(long_lines).most_common(1)[0]
    return width if count >= 0.3 * len(long_lines) else None


def _continues(prev: str, line: str, width: int | None) -> bool:
    """Whether `line` continues the paragraph of `prev` rather than starting a new line of its own."""
    g = grammar()
    cfg = g.raw.get("join") or {}
    if _hard_start(line):
        return False
    prev_kind, own = classify(prev)[0], _starts_own_line(line)
    if prev_kind in ("result", "progress") and prev.endswith(":"):
        return not own  # `整改结果:` with its value on the next line
    if g.sub("join", "sentence_end").search(prev):
        return False
    if width and len(prev) >= width:
        # A full line of hard-wrapped prose that does not end a sentence goes on, even when the next line
        # happens to start like a heading (`统\n一、规范…`); a full-width heading only takes plain text.
        return not own or (prev_kind == "text" and classify(line)[0] in ("chapter", "paren", "number", "sub"))
    if own:
        return False
    if _unbalanced(prev):
        return True  # a quote or bracket left open: a heading or sentence wrapped mid-phrase
    if prev_kind != "text" or _hard_start(prev) or g.sub("join", "title_end").search(prev):
        return False
    if len(prev) < int(cfg.get("min_length", 12)):
        return False
    return len(prev) >= int(cfg.get("long_line", 40)) or any(c in prev for c in ",、")


def _hard_start(line: str) -> bool:
    """Dates, attachment markers, chrome and source links are never part of a paragraph."""
    g = grammar()
    if g.rx("date_line").match(line) or g.rx("attachment_start").match(line):
        return True
    return bool(g.rx("source_link").match(line) or any(p.search(line) for p in g.chrome))


def _starts_own_line(line: str) -> bool:
    """Headings, labels, stop lines and titles start a line of their own (outside hard-wrapped prose)."""
    if classify(line)[0] != "text" or _hard_start(line):
        return True
    return bool(grammar().rx("title_second_line").match(line))


def _unbalanced(line: str) -> bool:
    return any(line.count(o) > line.count(c) for o, c in _OPEN_CLOSE)
