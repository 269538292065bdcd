"""Word's automatic list numbers (numbering.xml): the label a paragraph shows, e.g. "一、", "(三)", "2.1.".

Covered: numFmt decimal/Chinese/circled/roman/letter/… , lvlText with %1…%9, start and startOverride,
counters shared by nums of one abstractNum, isLgl, suffix. Not covered (the number may then differ from
what Word shows): w:lvlRestart, lists linked through w:numStyleLink / w:styleLink, numbering inherited
through a style's basedOn chain, and paragraphs hidden by w:vanish.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_LEVELS = 9
_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CN_UNITS = ("", "十", "百", "千")
_CN_LEGAL_UNITS = ("", "拾", "佰", "仟")
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_PARENTHESIZED = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
_FULLSTOP = "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


@dataclass(frozen=True)
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    suffix: str = "tab"  # what follows the number: "tab", "space" or "nothing"
    legal: bool = False  # w:isLgl: every placeholder is shown as a decimal ("1.1" under "第一章")


@dataclass
class Numbering:
    """List definitions of one document and the running counters, kept per abstract list as Word does
    (two w:num pointing at the same w:abstractNum continue one sequence unless one overrides its start)."""

    abstract: dict[str, dict[int, Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, Level | int]]] = field(default_factory=dict)
    counters: dict[str, list[int | None]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    unsupported: set[str] = field(default_factory=set)

    @classmethod
    def from_document(cls, document: object) -> Numbering:
        try:
            root = document.part.numbering_part.element  # type: ignore[attr-defined]
        except (KeyError, NotImplementedError, AttributeError):
            return cls()
        return cls.from_xml(root)

    @classmethod
    def from_xml(cls, root: etree._Element) -> Numbering:
        abstract = {a.get(_w("abstractNumId")): _levels(a) for a in root.iterfind(_w("abstractNum"))}
        nums: dict[str, tuple[str, dict[int, Level | int]]] = {}
        for num in root.iterfind(_w("num")):
            overrides: dict[int, Level | int] = {}
            for override in num.iterfind(_w("lvlOverride")):
                ilvl = int(override.get(_w("ilvl"), "0"))
                lvl = override.find(_w("lvl"))
                start = _val(override, "startOverride")
                if lvl is not None:
                    overrides[ilvl] = _level(lvl)
                elif start is not None:
                    overrides[ilvl] = int(start)
            nums[num.get(_w("numId"))] = (_val(num, "abstractNumId") or "", overrides)
        return cls(abstract, nums)

    def label(self, num_id: str, level: int) -> str:
        """Advance the list's counter at `level` and return the visible label with its separator."""
        if num_id not in self.nums or self.nums[num_id][0] not in self.abstract:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = {**self.abstract[abstract_id]}
        for ilvl, override in overrides.items():
            base = levels.get(ilvl, Level())
            levels[ilvl] = override if isinstance(override, Level) else _with_start(base, override)
        counters = self.counters.setdefault(abstract_id, [None] * _LEVELS)
        if num_id not in self.used:
            self.used.add(num_id)
            for ilvl in overrides:  # a "restart numbering" list: its overridden levels start afresh
                counters[ilvl] = None
        level = min(max(level, 0), _LEVELS - 1)
        current = levels.get(level, Level())
        previous = counters[level]
        counters[level] = current.start if previous is None else previous + 1
        for deeper in range(level + 1, _LEVELS):
            counters[deeper] = None
        return self._render(current, levels, counters)

    def _render(self, current: Level, levels: dict[int, Level], counters: list[int | None]) -> str:
        if current.fmt == "bullet":
            return ""
        text = current.text
        for k in range(_LEVELS, 0, -1):  # %10 does not exist; go high to low so %1 does not eat %1x
            placeholder = f"%{k}"
            if placeholder in text:
                lvl = levels.get(k - 1, Level())
                counted = counters[k - 1]
                value = counted if counted is not None else lvl.start
                fmt = "decimal" if current.legal else lvl.fmt
                text = text.replace(placeholder, self._format(value, fmt))
        if not text:
            return ""
        if current.suffix == "space" or (current.suffix == "tab" and text[-1].isalnum()):
            return text + " "
        return text

    def _format(self, n: int, fmt: str) -> str:
        formatter = _FORMATS.get(fmt)
        if formatter is None:
            self.unsupported.add(fmt)
            return str(n)
        return formatter(n)


def chinese_counting(n: int, digits: str = _CN_DIGITS, units: tuple[str, ...] = _CN_UNITS,
                     short_ten: bool = True) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 101 → 一百零一, 110 → 一百一十 (Word's chineseCounting)."""
    if not 0 < n < 10000:
        return str(n)
    out, pending_zero = "", False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out += digits[0]
            pending_zero = False
        out += digits[d] + units[pos]
    if short_ten and out.startswith(digits[1] + units[1]):
        out = out[1:]
    return out


def _cycle(symbols: str) -> Callable[[int], str]:
    return lambda n: symbols[(n - 1) % len(symbols)] if n > 0 else str(n)


def _table(symbols: str) -> Callable[[int], str]:
    return lambda n: symbols[n - 1] if 0 < n <= len(symbols) else str(n)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in _ROMAN:
        while n >= value:
            out, n = out + numeral, n - value
    return out


def _letter(n: int) -> str:
    # Word repeats the letter: 27 → AA, 28 → BB.
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalHalfWidth": str,
    "ordinal": str,
    "cardinalText": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: str(n).translate({ord(c): 0xFF10 + int(c) for c in "0123456789"}),
    "decimalFullWidth2": lambda n: str(n).translate({ord(c): 0xFF10 + int(c) for c in "0123456789"}),
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
    "upperLetter": _letter,
    "lowerLetter": lambda n: _letter(n).lower(),
    "chineseCounting": chinese_counting,
    "chineseCountingThousand": chinese_counting,
    "japaneseCounting": chinese_counting,
    "taiwaneseCounting": chinese_counting,
    "ideographDigital": lambda n: "".join(_CN_DIGITS[int(c)] for c in str(n)).replace("零", "〇"),
    "chineseLegalSimplified": lambda n: chinese_counting(n, _CN_LEGAL_DIGITS, _CN_LEGAL_UNITS, False),
    "ideographLegalTraditional": lambda n: chinese_counting(n, _CN_LEGAL_DIGITS, _CN_LEGAL_UNITS, False),
    "ideographTraditional": _cycle(_HEAVENLY_STEMS),
    "ideographZodiac": _cycle(_EARTHLY_BRANCHES),
    "decimalEnclosedCircle": _table(_CIRCLED),
    "decimalEnclosedCircleChinese": _table(_CIRCLED),
    "ideographEnclosedCircle": _table(_CIRCLED),
    "decimalEnclosedParen": _table(_PARENTHESIZED),
    "decimalEnclosedFullstop": _table(_FULLSTOP),
    "none": lambda n: "",
}


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _val(el: etree._Element, child: str) -> str | None:
    node = el.find(_w(child))
    return node.get(_w("val")) if node is not None else None


def _levels(abstract: etree._Element) -> dict[int, Level]:
    return {int(lvl.get(_w("ilvl"), "0")): _level(lvl) for lvl in abstract.iterfind(_w("lvl"))}


def _level(lvl: etree._Element) -> Level:
    legal = lvl.find(_w("isLgl"))
    return Level(
        start=int(_val(lvl, "start") or 1),
        fmt=_val(lvl, "numFmt") or "decimal",
        text=_val(lvl, "lvlText") or "",
        suffix=_val(lvl, "suff") or "tab",
        legal=legal is not None and legal.get(_w("val"), "true") not in ("0", "false"),
    )


def _with_start(level: Level, start: int) -> Level:
    return Level(start, level.fmt, level.text, level.suffix, level.legal)
