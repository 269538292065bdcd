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
- pinyin that mirror sites insert after characters goes (`巡(xún)视` → `巡视`);
- traditional characters become simplified (to_simplified, config.yaml `text:`), doubled punctuation and
  similar mirror-site garbling is repaired (`text.fixes`), and a run-on line (a page whose line breaks were
  all lost) is split again at chrome labels, headings and the signature (`text.run_on_splits`);
- a line broken inside a paragraph is joined to the previous one (see `_continues`, `_continues_full`).
normalize() is idempotent.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from collections import Counter
from typing import Any

from loaders.config import section
from loaders.parser import chrome, fastrx
from loaders.parser.grammar import classify, closed_heading, grammar

_FOLD: dict[int, int | str | None] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update({ord(k): v for k, v in {
    "﹐": ",", "﹑": "、", "﹒": ".", "﹔": ";", "﹕": ":", "﹖": "?", "﹗": "!", "﹙": "(", "﹚": ")",
    "︰": ":", "。": "。", "、": "、", "「": "“", "」": "”", "『": "‘", "』": "’",
}.items()})
_FOLD.update({c: " " for c in (0x09, 0xA0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B))})
_FOLD.update({c: None for c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xAD)})
_FOLD.update({c: None for c in (*range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F)})

# str.translate(_FOLD) is slow on Chinese text (a failed dict lookup for every character it leaves alone):
# a regex finds the characters _FOLD changes, and each is replaced from this table. Entries that map a
# character to itself (。 、) are left out: the class would stop at every sentence end for nothing.
_FOLD_CHAR = {k: v for k, v in ((chr(c), chr(v) if isinstance(v, int) else v or "") for c, v in _FOLD.items())
              if k != v}
_FOLDABLE = re.compile("[" + "".join(re.escape(ch) for ch in sorted(_FOLD_CHAR)) + "]")

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_CJK_PUNCT = "\u3001-\u303f“”‘’…—·\u00b7"
_ASCII_PUNCT = "(),:;!?%."
_SPACES = re.compile("  +")  # not " {2,}": a literal first lets the engine skip to it
# A space goes when it sits between Chinese text/punctuation and punctuation or digits, never between
# two Chinese characters (deliberate) nor between two digits (two numbers).
# The space is consumed first (its look-behinds then reach over it), so the engine skips from space to space.
_DROP_SPACE = re.compile(
    rf" (?:(?<=[{_HAN}] )(?=[{_CJK_PUNCT}{_ASCII_PUNCT}\d])"
    rf"|(?<=[{_CJK_PUNCT}{_ASCII_PUNCT}] )(?=[{_HAN}{_CJK_PUNCT}{_ASCII_PUNCT}\d])"
    rf"|(?<=\d )(?=[{_HAN}{_CJK_PUNCT}{_ASCII_PUNCT}]))"
)
_HAS_HAN = re.compile(f"[{_HAN}]")
_HAN_RUNS = re.compile(f"[{_HAN}]+")
# The dot is consumed first (the look-behinds reach over it), so the engine skips from dot to dot.
_SENTENCE_DOT = re.compile(rf"\.(?:(?<=[{_HAN}”’》)%]\.)(?=$|[{_HAN}“‘《(\s])|(?<=[{_HAN}%]\.)(?=\d))")
_NUMERAL_PREFIX = re.compile(r"^[一二三四五六七八九十百零〇]{1,4}$")
# Mirror sites insert pinyin after characters: 統(tǒng) → 統.
_PINYIN = re.compile(rf"\((?<=[{_HAN}]\()[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{{1,7}}\)")  # `(` first: skipped to
_SINGLE_QUOTE = re.compile(rf"(?<=[{_HAN}“”])'|'(?=[{_HAN}“”])")
_OPEN_CLOSE = (("“", "”"), ("(", ")"), ("《", "》"))
_INDENT = ("  ", "\t")  # after folding: two spaces (two ideographic spaces) or a tab open a paragraph
_PROSE = ("text", "progress", "result", "next", "stop")
_HEADING_LIKE = ("chapter", "paren", "number", "sub", "next", "stop")  # can also start mid-sentence


def normalize(text: str, simplify: bool = True) -> str:
    """Canonical text: one line per paragraph or heading, canonical punctuation, no blank lines.
    `simplify=False`: the caller already ran to_simplified."""
    if not text:
        return ""
    if simplify:
        text = to_simplified(text)[0]
    raw = _split_run_on(_fold(text).splitlines())
    clean = _clean_lines(raw)
    for i in _lines_needing_fixes(clean):
        clean[i] = _fix(clean[i])
    lines = [(line, old.startswith(_INDENT), len(old)) for line, old in zip(clean, raw, strict=True)]
    return "\n".join(_join_broken(lines))


# --- mirror-site garbling: traditional characters, doubled punctuation, lost line breaks -----------------


@functools.cache
def _converter() -> Any:  # OpenCC's t2s tables load in ~10 ms: only when a traditional text comes along
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> tuple[str, bool]:
    """(text in simplified characters, whether it was converted). Converted only when enough characters
    change (config.yaml text.traditional_min_share / _min_chars): simplified text stays byte-identical."""
    cfg = section("text")
    probe = text[:int(cfg.get("traditional_probe_chars", 4000))]
    if _converter().convert(probe) == probe:
        return text, False  # the common case: a simplified text, decided on its first lines
    converted = _converter().convert(text)
    han = sum(map(len, _HAN_RUNS.findall(text)))  # by runs: not a Python step per character
    if len(converted) != len(text):
        return text, False  # the converter never changes lengths for t2s; be safe if it ever does
    changed = sum(map(operator.ne, text, converted))  # compared in C, 2.3x the generator's speed
    if changed < int(cfg.get("traditional_min_chars", 5)) or changed < float(
            cfg.get("traditional_min_share", 0.02)) * han:
        return text, False
    return converted, True


@functools.cache
def _fixes() -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str], ...]]:
    """(any fix applies, the fixes): one search per line instead of one substitution per fix."""
    cfg = section("text")
    pairs = cfg.get("fixes") or ()
    any_fix = re.compile(cfg.get("fixes_trigger") or "|".join(f"(?:{p})" for p, _ in pairs) or r"(?!x)x")
    return any_fix, tuple((re.compile(p), r) for p, r in pairs)


@functools.cache
def _whole_text_trigger() -> fastrx.Finder | None:
    """The fixes' trigger, to search a whole text at once where that finds every line's matches."""
    any_fix = _fixes()[0]
    return fastrx.Finder(any_fix.pattern) if fastrx.context_free(any_fix.pattern) else None


def _may_need_fixes(lines: list[str]) -> bool:
    """False when no line needs a fix (most texts), found in one search over the text."""
    trigger = _whole_text_trigger()
    return trigger is None or trigger.search("\n".join(lines)) is not None


def _lines_needing_fixes(lines: list[str]) -> list[int]:
    """Indexes of the lines the fixes' trigger matches in, found in one scan over the text (the trigger
    is context-free, so a match in the joined text lies in one line, and every line's match is found);
    every line when the trigger reads context (then _fix tests each line itself)."""
    trigger = _whole_text_trigger()
    if trigger is None:
        return list(range(len(lines)))
    found = trigger.spans("\n".join(lines))
    if not found:
        return []
    ends = list(itertools.accumulate(len(line) + 1 for line in lines))  # one past each line's "\n"
    return sorted({bisect.bisect_right(ends, start) for start, _ in found})


def _fix(line: str) -> str:
    any_fix, fixes = _fixes()
    if not any_fix.search(line):
        return line
    for pattern, repl in fixes:
        line = pattern.sub(repl, line)
    return line


@functools.cache
def _run_on() -> tuple[int, tuple[tuple[re.Pattern[str], fastrx.Finder | None], ...]]:
    """(the shortest run-on line, each split point with its prefilter: fastrx.lookahead_prefilter)."""
    cfg = section("text")
    splits = [re.compile(p, re.M) for p in cfg.get("run_on_splits") or ()]
    return (int(cfg.get("run_on_min_chars", 600)),
            tuple((p, fastrx.lookahead_prefilter(p.pattern, p.flags)) for p in splits))


def _split_run_on(lines: list[str]) -> list[str]:
    """A line long enough to be a whole page run together is split at config.yaml text.run_on_splits."""
    size, splits = _run_on()
    if max(map(len, lines), default=0) < size:
        return lines
    out: list[str] = []
    for line in lines:
        if len(line) >= size:
            for pattern, quick in splits:  # most long lines are paragraphs that hold no split point
                if quick is None or quick.search(line) is not None:
                    line = pattern.sub("\n", line)
            out.extend(piece for piece in line.split("\n"))
        else:
            out.append(line)
    return out


def _fold(text: str) -> str:
    # One replace per distinct character found (a handful): a substitution calls back for every match.
    # No replacement is itself foldable and the text before the first foldable character stays as it is,
    # so each search goes on from where the last one stopped.
    search, pos = _FOLDABLE.search, 0
    while (m := search(text, pos)) is not None:
        char, pos = m.group(), m.start()
        text = text.replace(char, _FOLD_CHAR[char])
    return text


def _clean_lines(raw: list[str]) -> list[str]:
    """Each line with runs of spaces collapsed, stripped, spaces dropped next to punctuation and digits,
    pinyin removed, quotes paired and sentence dots made 。. Each substitution runs only when its
    pattern's required character is there, in one loop (a call per line was much of normalize's time)."""
    out: list[str] = []
    for line in raw:
        if "  " in line:
            line = _SPACES.sub(" ", line)
        line = line.strip()
        if " " in line:
            line = _DROP_SPACE.sub("", line)
        if "(" in line:  # the pinyin pattern's look-behind needs a Chinese character
            line = _PINYIN.sub("", line)
        if ('"' in line or "'" in line or "." in line) and _HAS_HAN.search(line):
            line = _han_line(line)
        out.append(line)
    return out


def _han_line(line: str) -> str:
    line = _pair_quotes(line)
    if "." in line:
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


def _join_broken(lines: list[tuple[str, bool, int]]) -> list[str]:
    """Joins continuation lines. `lines` holds (clean text, indented, raw length); an indented line starts
    a paragraph, and raw lengths (before spaces were dropped) tell hard-wrapped text."""
    width = _wrap_width([size for _, _, size in lines])
    texts = [text for text, _, _ in lines]
    ahead = _next_own_kinds(texts) if width else []
    signed = _signature_lines(texts)
    out: list[str] = []
    last_len = 0  # length of the last physical line: a full one in hard-wrapped text goes on
    joinable = False  # a blank line since the last kept line makes the next line a new paragraph
    for i, (line, indented, size) in enumerate(lines):
        if not line:
            joinable = False
            continue
        full = bool(width) and last_len >= (width or 0)
        if joinable and out and not indented and i not in signed and (
            _continues_full(out[-1], line, width or 0, ahead[i]) if full else _continues(out[-1], line)
        ):
            out[-1] = out[-1] + line if width else _glue(out[-1], line)
        else:
            out.append(line)
        last_len, joinable = size, True
    return out


def _glue(prev: str, line: str) -> str:
    # Soft-broken lines (web copies) break English at spaces: keep one between two Latin letters.
    if prev[-1].isascii() and prev[-1].isalpha() and line[0].isascii() and line[0].isalpha():
        return f"{prev} {line}"
    return prev + line


def _wrap_width(sizes: list[int]) -> int | None:
    """The width of hard-wrapped text (PDF, fixed-width copies): a line length shared by many lines."""
    long_lines = [size for size in sizes if size >= 20]
    if len(long_lines) < 5:
        return None
    width, count = Counter(long_lines).most_common(1)[0]
    return width if count >= 0.3 * len(long_lines) else None


def _signature_lines(lines: list[str]) -> set[int]:
    """Indexes of signature lines: organisation names right above a date line (never joined)."""
    g = grammar()
    date_line, signature_line = g.rx("date_line").match, g.rx("signature_line").match
    found: set[int] = set()
    nonblank = [i for i, line in enumerate(lines) if line]
    for pos, i in enumerate(nonblank):
        if not date_line(lines[i]):
            continue
        for j in reversed(nonblank[max(0, pos - 3):pos]):
            if not signature_line(lines[j]):
                break
            found.add(j)
    return found


def _next_own_kinds(lines: list[str]) -> list[str]:
    """For each line, the kind of the next line after it that starts a line of its own ("" at the end)."""
    kinds, nxt = [""] * len(lines), ""
    for i in range(len(lines) - 1, -1, -1):
        kinds[i] = nxt
        if lines[i] and _starts_own_line(lines[i]):
            nxt = classify(lines[i])[0]
    return kinds


def _continues_full(prev: str, line: str, width: int, next_own: str) -> bool:
    """After a full line of hard-wrapped text: does `line` go on with it? Prose goes on even after a 。
    falling at the line end, and mid-sentence even into a piece that looks like a heading (`统`+`一、…`).
    A heading goes on unless it reads complete, or ends a sentence and no `整改结果:` follows the piece."""
    g = grammar()
    if _hard_start(line) or _hard_start(prev):
        return False  # chrome and date lines are never part of a paragraph, before or after
    if g.rx("title").match(prev) or g.rx("title_second_line").match(prev):
        return False
    kind, own = classify(prev)[0], _starts_own_line(line)
    ended = bool(fastrx.search_at_end(g.sub("join", "sentence_end"), prev))
    if _unbalanced(prev) and not ended:
        return True  # `…指引(` + `2.0版)…`
    if ended and closed_heading(prev):
        return False  # `27.关于…。…的问题。` is complete however long
    # Prose: a text line, or a heading followed by sentences (`(一)推进乡村振兴。完成…`).
    if kind in _PROSE or "。" in prev[:-1]:
        return not own or (not ended and classify(line)[0] in _HEADING_LIKE)
    complete = g.sub("join", "complete_heading")
    if complete.search(prev):
        # `五、关于“…”问题的整改情况` is complete, unless the piece completes it further (`…的整改` + `情况`)
        return not own and bool(complete.search(prev + line))
    return not own and (not ended or next_own == "result")


def _continues(prev: str, line: str) -> bool:
    """Whether `line` continues the paragraph of `prev` rather than starting a line of its own."""
    g = grammar()
    if _hard_start(line):
        return False
    prev_kind, own = classify(prev)[0], _starts_own_line(line)
    if prev_kind in ("result", "progress") and prev.endswith(":"):
        return not own  # `整改结果:` with its value on the next line
    if fastrx.search_at_end(g.sub("join", "sentence_end"), prev) or own:
        return False
    if _unbalanced(prev):
        return True  # a quote or bracket left open: a heading or sentence wrapped mid-phrase
    return _soft_break(prev, prev_kind)


def _soft_break(prev: str, prev_kind: str) -> bool:
    """A prose line that stops mid-sentence and is long enough to have been wrapped."""
    g = grammar()
    cfg = g.raw.get("join") or {}
    if prev_kind not in _PROSE or _hard_start(prev) or fastrx.search_at_end(g.sub("join", "title_end"), prev):
        return False
    if len(prev) < int(cfg.get("min_length", 12)):
        return False
    return len(prev) >= int(cfg.get("long_line", 40)) or any(c in prev for c in ",、")


@functools.lru_cache(maxsize=8192)  # asked for most lines twice (as `line`, then as `prev`)
def _hard_start(line: str) -> bool:
    """Dates, attachment markers, chrome and source links are never part of a paragraph."""
    g = grammar()
    if g.rx("date_line").match(line) or g.rx("attachment_start").match(line):
        return True
    return bool(chrome.source_link(line) or chrome.is_chrome(line, strict=True))


def _starts_own_line(line: str) -> bool:
    """Headings, labels, stop lines and titles start a line of their own (outside hard-wrapped prose)."""
    if classify(line)[0] != "text" or _hard_start(line):
        return True
    return bool(grammar().rx("title_second_line").match(line))


def _unbalanced(line: str) -> bool:
    return any(line.count(o) > line.count(c) for o, c in _OPEN_CLOSE)
