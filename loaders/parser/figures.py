"""Extracts a report's stated totals (4大类14个方面38个问题, 189条整改措施) and accountability figures.

The vocabulary (labels, kinds, anchors, units) is the `figures:` section of config.yaml. Stated totals
come back both as a dict (keys shared with the status engine and the dashboard: categories, aspects,
issues, measures, completed, basically_completed, in_progress, not_completed, completion_rate,
measures_completed; extra keys such as subcategories may appear) and as Figures of kind `stated.<key>`.
Accountability figures (党纪处分38人(党内警告22人、…), 对2名干部进行了提醒谈话, 清退款项528.09万元) are
read from summary text: in a whole text only from anchored sentences, in a report's non-issue text
(`summary=True`, what the parser passes) from every sentence. A bracketed breakdown or a `其中…N人`
becomes `<kind>.<label>` figures and is never counted again as a total. Money is stored in 万元.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import cn2an

from loaders.config import section
from loaders.models import Figure
from loaders.parser import fastrx
from loaders.vocab import vocab

_NUMBER = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+"
_UNIT = r"亿元|万元|元|人次|人|名|项|件|个|条|平方米"
# What may follow the number of a kind, by the kind's unit in config.yaml.
_UNIT_CLASS = {"人": "人次|人|名", "件": "件|人|个", "项": "项|条|个|件", "万元": "亿元|万元|元",
               "平方米": "平方米"}
_PEOPLE = "人"
_OPEN, _CLOSE = "((", "))"
_CLAUSE_END = ",,;;"
_CLAUSE_MARKS = re.compile(f"[{re.escape(_OPEN + _CLOSE + _CLAUSE_END)}]")
_DIGIT = re.compile(r"\d|[零〇一二两三四五六七八九十]+(?:个大?方面|大类|类问题)")
# One item of a bracketed breakdown: "党内警告22人", "撤销党内职务1人".
_BREAKDOWN_ITEM = re.compile(rf"(?P<label>[^\d、,,;;()()]+?)\s*(?P<value>\d+)\s*(?P<unit>{_UNIT})")
# `其中县处级干部12人` right after a figure: a breakdown of it.
_AMONG = re.compile(r"\s*[,;]?\s*其中(?P<label>[^,。;\d]{1,12}?)(?P<value>\d+)\s*(?P<unit>人|名|件)")


@dataclass(frozen=True)
class Kind:
    name: str
    pattern: re.Pattern[str]  # label, number, unit, optional bracketed breakdown
    reverse: re.Pattern[str] | None = None  # `对N名…进行了 label` (people kinds only)


@dataclass(frozen=True)
class FigureRules:
    sentence_split: re.Pattern[str]
    stated_anchors: tuple[re.Pattern[str], ...]
    stated: tuple[re.Pattern[str], ...]
    stated_subset: re.Pattern[str]
    accountability_anchors: tuple[re.Pattern[str], ...]
    kinds: tuple[Kind, ...]
    money_units: dict[str, float]
    # A sentence where none of these matches holds no stated total / no accountability figure (every kind's
    # patterns hold its label): one search instead of one per pattern. None: search every pattern.
    stated_any: fastrx.Finder | None = None
    labels_any: fastrx.Finder | None = None


def _kind(raw: dict) -> Kind:
    units = _UNIT_CLASS.get(str(raw.get("unit", "")), _UNIT)
    pattern = (
        rf"(?:{raw['label']})(?:共|合计|总计|共计)?\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>{units})"
        rf"(?:\s*[{_OPEN}](?P<breakdown>[^{_OPEN}{_CLOSE}]{{1,200}})[{_CLOSE}])?"
    )
    reverse = None
    if raw.get("unit") == _PEOPLE:
        reverse = re.compile(rf"对\s*(?P<value>\d+)\s*(?P<unit>名|人)[^,,。;;\d]{{0,12}}?"
                             rf"(?:进行了?|予以|给予了?|作出|实施了?)\s*(?:{raw['label']})")
    return Kind(raw["kind"], re.compile(pattern), reverse)


@functools.cache
def rules() -> FigureRules:
    """The compiled `figures:` section (compiled once per process)."""
    cfg = section("figures")
    stated = [p.replace("{N}", _NUMBER) for p in cfg.get("stated") or ()]
    kinds = cfg.get("accountability") or ()
    return FigureRules(
        sentence_split=re.compile(cfg.get("sentence_split", r"[。!?!?\n]")),
        stated_anchors=tuple(re.compile(p) for p in cfg.get("stated_anchors") or ()),
        stated=tuple(re.compile(p) for p in stated),
        stated_subset=re.compile(cfg.get("stated_subset") or r"(?!x)x"),
        accountability_anchors=tuple(re.compile(p) for p in cfg.get("accountability_anchors") or ()),
        kinds=tuple(_kind(k) for k in kinds),
        money_units={str(k): float(v) for k, v in (cfg.get("money_units") or {}).items()},
        stated_any=fastrx.any_of(stated),
        labels_any=fastrx.any_of([k["label"] for k in kinds]),
    )


def extract_figures(text: str, summary: bool = False) -> tuple[dict[str, float], tuple[Figure, ...]]:
    """Stated totals (first statement of each wins) and accountability figures, each with its clause.
    `summary`: the text is a report's non-issue text, so no sentence needs an anchor."""
    cfg = rules()
    stated: dict[str, float] = {}
    figures: list[Figure] = []
    seen_kinds: set[str] = set()
    for sentence in _sentences(text or "", cfg.sentence_split):
        if not _DIGIT.search(sentence):
            continue  # no number, no figure (Chinese numerals count only before 个方面 / 大类: one check)
        if summary or _has_any(cfg.stated_anchors, sentence):
            figures.extend(_stated_in(sentence, stated, cfg))
        if summary or _has_any(cfg.accountability_anchors, sentence):
            figures.extend(_accountability_in(sentence, seen_kinds, cfg))
    return stated, tuple(figures)


def _sentences(text: str, splitter: re.Pattern[str]) -> list[str]:
    return [s.strip() for s in splitter.split(text) if s.strip()]


@functools.cache
def _stated_units() -> dict[str, str]:
    """stated key → its unit of measure (config.yaml vocab.stated)."""
    return {k.key: k.unit for k in vocab().stated}


def _has_any(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def _stated_in(sentence: str, stated: dict[str, float], cfg: FigureRules) -> list[Figure]:
    """Stated totals in one sentence; keys already stated earlier in the report are left alone."""
    found: list[Figure] = []
    if cfg.stated_any is not None and not cfg.stated_any.search(sentence):
        return found
    for pattern in cfg.stated:
        for match in pattern.finditer(sentence):
            for key, raw in match.groupdict().items():
                value = to_number(raw) if raw else None
                if value is None or key in stated:
                    continue
                clause = clause_at(sentence, match.start())
                if cfg.stated_subset.search(clause[:max(0, clause.find(raw))]):
                    continue
                stated[key] = value
                unit = _stated_units().get(key, "")
                found.append(Figure(f"stated.{key}", value, unit, clause))
    return found


def _accountability_in(sentence: str, seen: set[str], cfg: FigureRules) -> list[Figure]:
    """Accountability figures in one summary sentence; spans already read are not read again."""
    found: list[Figure] = []
    if cfg.labels_any is not None and not cfg.labels_any.search(sentence):
        return found
    taken: list[tuple[int, int]] = []
    fresh: set[str] = set()
    for kind in cfg.kinds:
        if kind.name in seen:
            continue  # stated in an earlier sentence: a later one restates it
        reverse = kind.reverse.finditer(sentence) if kind.reverse else ()
        matches = sorted([*kind.pattern.finditer(sentence), *reverse], key=lambda m: m.start())
        for match in matches:  # several amounts of one kind in one sentence are distinct figures
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            fresh.add(kind.name)
            taken.append(match.span())
            evidence = clause_at(sentence, match.start())
            value, unit = _amount(match.group("value"), match.group("unit"), cfg)
            found.append(Figure(kind.name, value, unit, evidence))
            found.extend(_breakdown(kind.name, match.groupdict().get("breakdown"), evidence, cfg))
            among = _AMONG.match(sentence, match.end())
            if among:
                taken.append(among.span())
                amount, among_unit = _amount(among.group("value"), among.group("unit"), cfg)
                label = among.group("label").strip()
                found.append(Figure(f"{kind.name}.{label}", amount, among_unit, evidence))
    seen.update(fresh)
    return found


def _breakdown(kind: str, inner: str | None, evidence: str, cfg: FigureRules) -> list[Figure]:
    if not inner:
        return []
    items: list[Figure] = []
    for item in _BREAKDOWN_ITEM.finditer(inner):
        value, unit = _amount(item.group("value"), item.group("unit"), cfg)
        items.append(Figure(f"{kind}.{item.group('label').strip()}", value, unit, evidence))
    return items


def _amount(raw: str, unit: str, cfg: FigureRules) -> tuple[float, str]:
    """Numbers as floats; money converted to 万元 (亿元 ×10000, 元 ÷10000)."""
    value = float(raw)
    if unit in cfg.money_units:
        return round(value * cfg.money_units[unit], 6), "万元"
    return value, "人" if unit == "名" else unit


def to_number(raw: str) -> float | None:
    """Digits or Chinese numerals ("四", "十二") as a float; None when it is not a number."""
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        return float(cn2an.cn2an(raw, "smart"))
    except (ValueError, KeyError):
        return None


def clause_at(sentence: str, position: int) -> str:
    """The clause (between , ; outside brackets) that holds `position`, as printed."""
    depth, start = 0, 0
    for mark in _CLAUSE_MARKS.finditer(sentence):  # only brackets and clause ends move the bounds
        i, char = mark.start(), mark.group()
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        elif char in _CLAUSE_END and depth == 0:
            if i >= position:
                return sentence[start:i].strip()
            start = i + 1
    return sentence[start:].strip()
