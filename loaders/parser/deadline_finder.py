"""Finds deadline phrases in plan text and normalises each to the last day of the period it names.

The vocabulary (markers, period words, ignored spans) is the `deadlines:` section of config.yaml; the date
grammar is assembled here from it. A date mention is a deadline when (checked on its clause, the text
between , ; 。):
- the clause reports the past (截至/以来/已/了) or the mention is part of a range (2023年1-9月) → never;
- the mention itself is a commitment (7月前, 年底前, 年内) or the clause has a commitment marker → yes;
- the clause has a forecast marker (预计) → yes, unless the period was already over at the report date;
- otherwise the sentence around it is a plan (any marker) and the date is after the report date → yes.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import cn2an

from loaders.config import section
from loaders.models import Deadline
from loaders.parser import fastrx

_MONTH_NUMBER = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
# Text right before a mention that makes it the second half of a range ("2019年至2022年", "1-9月") or a span
# ("前三季度"); a connector after a non-date ("力争到2025年") is not a range.
_RANGE_BEFORE = re.compile(r"(?:[\d年月日度]\s*[-—–~～至到]|前)\s*$")
# Characters right after a mention that make it the first half of a range ("2023年1-9月", "4月11日至…").
_RANGE_AFTER = re.compile(r"^\s*(?:\d{1,2}\s*)?[-—–~～至到]\s*\d")
_FILLER = "\u3000"
# The characters a date mention can start with (the first check of the mention pattern): digits, numerals,
# the first characters of the configured relative years and periods, quotes.
_STARTS = "\\d一二三四五六七八九十今本当明次来上下年第“‘\"'"
# How far back to look for the start of a clause or sentence.
_REACH = 400


@dataclass(frozen=True)
class DeadlineRules:
    clause_split: re.Pattern[str]
    sentence_split: re.Pattern[str]
    max_phrase: int
    roll_forward: timedelta
    ignore: tuple[re.Pattern[str], ...]
    commit: fastrx.AnyOf  # each list of markers asked as one: does any of them stand in the clause
    forecast: fastrx.AnyOf
    past: fastrx.AnyOf
    mention: re.Pattern[str]
    mentions: fastrx.Finder  # the mention pattern's matches in a text, found faster (the same matches)
    relative_years: dict[str, int]
    commit_suffixes: frozenset[str]
    month_parts: dict[str, int]
    quarters: dict[str, int]
    year_periods: dict[str, tuple[int, int]]
    plan_periods: dict[str, int]
    unresolvable: re.Pattern[str] | None
    anchor: fastrx.Finder


def _alternation(words: Iterable[object]) -> str:
    """Regex alternation of literal words, longest first so 本年度 is preferred to 本年."""
    return "|".join(re.escape(str(w)) for w in sorted(words, key=lambda w: -len(str(w))))


def _mention_parts(cfg: dict) -> dict[str, str]:
    """The pieces of the date grammar (patterns): year, month, quarter, period, year_end, plan, suffix."""
    periods = [p for p in cfg["year_periods"] if len(str(p)) > 1]
    return {
        "year": (r"(?:(?P<year>(?:19|20)\d{2})(?:年度?|(?=、(?:19|20)\d{2}))"
                 rf"|(?P<rel>{_alternation(cfg['relative_years'])}))"),
        "month": (rf"(?P<month>{_MONTH_NUMBER})月(?:份)?"
                  rf"(?:(?P<day>\d{{1,2}})[日号]|(?P<part>{_alternation(cfg['month_parts'])}))?"),
        "quarter": rf"(?:第)?(?P<quarter>{_alternation(cfg['quarters'])})季度(?:末|底)?",
        "period": rf"(?P<period>{_alternation(periods)})",
        "year_end": (rf"(?<=[年度])(?P<yend>"
                     rf"{_alternation(p for p in cfg['year_periods'] if len(str(p)) == 1)})"),
        "plan": rf"[“‘\"']?(?P<fyp>{_alternation(cfg['plan_periods'])})[”’\"']?(?:时期|期)?末",
        "suffix": rf"(?P<suffix>{_alternation(cfg['deadline_suffixes'])})?(?![一二三四五六七八九十\d期半夕])",
    }


def _mention_pattern(cfg: dict) -> re.Pattern[str]:
    """The date grammar: [year] month[day|part] | [year] quarter | [year] period | year[底] | 十四五末."""
    p = _mention_parts(cfg)
    # Every part is optional so a bare year can match; find_deadlines drops year-less-and-period-less
    # matches. The empty match (no part, no suffix) is refused at the end: it is the last choice of the
    # engine at any position, so refusing it changes no other match, and without it finditer no longer
    # yields an empty match at every 本/年/上/下… of the text (78 % of all matches on real reports).
    # The lookahead comes first: it fails at most characters, the look-behind passes almost everywhere.
    body = (rf"(?=[{_STARTS}])(?<![\d.])(?:{p['plan']}|(?:{p['year']})?"
            rf"(?:{p['month']}|{p['quarter']}|{p['period']}|{p['year_end']})?)")
    not_empty = ""
    for group in ("fyp", "year", "rel", "month", "quarter", "period", "yend", "suffix"):
        not_empty += f"(?({group})|"
    not_empty += "(?!)" + ")" * 8
    return re.compile(body + p["suffix"] + not_empty)


def _mention_starts(cfg: dict) -> str:
    """Where a mention can start: a non-empty mention begins with its plan period, year, month, quarter or
    period (a suffix alone cannot pass the start characters), so it starts where one of these matches. No
    conditional on groups in it, so fastrx.Finder can skip to these places in C."""
    p = _mention_parts(cfg)
    pieces = "|".join(f"(?:{p[k]})" for k in ("plan", "year", "month", "quarter", "period", "year_end"))
    return re.sub(r"\(\?P<\w+>", "(?:", rf"(?=[{_STARTS}])(?<![\d.])(?:{pieces})")


def _anchor_pattern(cfg: dict) -> fastrx.Finder:
    """What every non-empty mention holds: a year, 月, 季度, a relative year, a period word or a plan period
    (the one-character year periods 底/末/内 only follow a year). A text without any has no deadline, and the
    mention pattern, which is slow because it can start at every digit or numeral, is not run on it."""
    words = ["月", "季度", *cfg["relative_years"], *(p for p in cfg["year_periods"] if len(str(p)) > 1),
             *cfg["plan_periods"]]
    return fastrx.Finder(rf"(?:19|20)\d{{2}}|{_alternation(words)}")  # skips to 1/2/月/年… in C


def _compile_all(patterns: list[str] | None) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns or ())


def _month_day(value: str) -> tuple[int, int]:
    month, day = str(value).split("-")
    return int(month), int(day)


@functools.cache
def rules() -> DeadlineRules:
    """The compiled `deadlines:` section (compiled once per process)."""
    cfg = section("deadlines")
    unresolvable = cfg.get("unresolvable_after") or []
    mention = _mention_pattern(cfg)
    return DeadlineRules(
        clause_split=re.compile(cfg.get("clause_split", r"[,,;;。!?!?\n]")),
        sentence_split=re.compile(cfg.get("sentence_split", r"[。;;!?!?\n]")),
        max_phrase=int(cfg.get("max_phrase_chars", 60)),
        roll_forward=timedelta(days=int(cfg.get("roll_forward_days", 183))),
        ignore=_compile_all(cfg.get("ignore")),
        commit=fastrx.AnyOf(list(cfg.get("commit_markers") or ())),
        forecast=fastrx.AnyOf(list(cfg.get("forecast_markers") or ())),
        past=fastrx.AnyOf(list(cfg.get("past_markers") or ())),
        mention=mention,
        mentions=fastrx.Finder(mention.pattern, chars=f"[{_STARTS}]", starts=_mention_starts(cfg)),
        relative_years={str(k): int(v) for k, v in cfg["relative_years"].items()},
        commit_suffixes=frozenset(str(s) for s in cfg["deadline_suffixes"]),
        month_parts={str(k): int(v) for k, v in cfg["month_parts"].items()},
        quarters={str(k): int(v) for k, v in cfg["quarters"].items()},
        year_periods={str(k): _month_day(v) for k, v in cfg["year_periods"].items()},
        plan_periods={str(k): int(v) for k, v in cfg["plan_periods"].items()},
        unresolvable=re.compile(rf"^(?:{_alternation(unresolvable)})") if unresolvable else None,
        anchor=_anchor_pattern(cfg),
    )


# The status engine and the issue builder both read an issue's deadlines: the second call is free.
@functools.lru_cache(maxsize=256)
def find_deadlines(text: str, base: date | None) -> tuple[Deadline, ...]:
    """Every deadline in the text, in order: the clause as printed and the end date of the period it names
    (cached: the result is an immutable tuple of frozen Deadlines)."""
    cfg = rules()
    masked = _mask(text or "", cfg.ignore)
    found: list[Deadline] = []
    if not cfg.anchor.search(masked):
        return ()
    for match in cfg.mentions.finditer(masked):
        # Most matches are empty (every digit or numeral is a possible start): skip those cheaply.
        if match.start() == match.end() or _is_range(masked, match):
            continue
        g = match.groupdict()  # read by every check below: built once per mention
        if not _plausible(match, g):
            continue
        clause = _clause(masked, match, cfg)
        if _any(cfg.past, clause):
            continue  # the clause reports the past: never a deadline, whatever the date (not resolved)
        due = _resolve(match, g, masked, base, cfg)
        if not _is_deadline(masked, match, g, due, base, cfg, clause):
            continue
        deadline = Deadline(_phrase(text, match, cfg), due)
        if deadline not in found:
            found.append(deadline)
    return tuple(found)


def stated_deadline(text: str, base: date | None) -> Deadline | None:
    """An item's printed time limit (a 整改时限 cell or label: `2023年8月底`, `长期坚持`, `立行立改`): the
    text as printed, and the end of the first period it names (None when it names none, e.g. `长期坚持`)."""
    cfg = rules()
    text = (text or "").strip()
    if not text:
        return None
    masked = _mask(text, cfg.ignore)
    due = None
    if cfg.anchor.search(masked):
        for match in cfg.mentions.finditer(masked):
            g = match.groupdict()
            if match.start() != match.end() and _plausible(match, g):
                due = _resolve(match, g, masked, base, cfg)
                break
    return Deadline(text[: cfg.max_phrase], due)


def date_mentions(text: str, base: date | None) -> list[tuple[int, int, date | None, bool]]:
    """(start, end, end-of-period date, names part of a year) of every date mention, deadline or not
    ("2023年1-9月" and other ranges excluded): the status engine reads a forecast about a finished period as
    a result and a bare dated step after the report's date ("6月底印发细则") as open work."""
    cfg = rules()
    masked = _mask(text or "", cfg.ignore)
    if not cfg.anchor.search(masked):
        return []
    out = []
    for m in cfg.mentions.finditer(masked):
        if m.start() == m.end() or _is_range(masked, m):
            continue
        g = m.groupdict()
        if _plausible(m, g):
            out.append((m.start(), m.end(), _resolve(m, g, masked, base, cfg), _names_part_of_year(g)))
    return out


def _plausible(match: re.Match[str], g: dict[str, str | None]) -> bool:
    """A Chinese-numeral month needs a year or a month word around it ("一月一研究" is not a date).
    `g`: the match's groupdict."""
    if not match.group(0) or not any(g[k] for k in ("fyp", "year", "rel", "month", "quarter", "period")):
        return False
    if not g["month"] or g["month"].isdigit() or g["year"] or g["rel"] or g["part"] or g["day"]:
        return True
    return "份" in match.group(0) or bool(g["suffix"])


def _mask(text: str, ignore: tuple[re.Pattern[str], ...]) -> str:
    """Blank out spans that are never deadlines (document names, year ranges), keeping offsets."""
    for pattern in ignore:
        text = pattern.sub(lambda m: _FILLER * len(m.group(0)), text)
    return text


def _is_range(text: str, match: re.Match[str]) -> bool:
    before = text[max(0, match.start() - 4) : match.start()]
    after = text[match.end() : match.end() + 6]
    return bool(_RANGE_BEFORE.search(before) or _RANGE_AFTER.search(after))


def _span(text: str, start: int, end: int, splitter: re.Pattern[str]) -> tuple[int, int]:
    """Bounds of the clause or sentence (per `splitter`) holding text[start:end]."""
    # Look back a bounded distance: scanning from the start of a long report for every mention is quadratic.
    reach = max(0, start - _REACH)
    left = fastrx.last_split_end(splitter, text, reach, start, reach)
    stop = splitter.search(text, end)
    return left, stop.start() if stop else len(text)


def _any(markers: fastrx.AnyOf, text: str) -> bool:
    return markers.search(text)


def _clause(text: str, match: re.Match[str], cfg: DeadlineRules) -> str:
    lo, hi = _span(text, match.start(), match.end(), cfg.clause_split)
    return text[lo:hi]


def _is_deadline(
    text: str, match: re.Match[str], g: dict[str, str | None], due: date | None, base: date | None,
    cfg: DeadlineRules, clause: str,
) -> bool:
    """Whether a mention whose clause (`clause`) does not report the past is a deadline."""
    if _is_commitment(g, cfg) or _any(cfg.commit, clause):
        return True
    not_over = base is None or due is None or due >= base
    if _any(cfg.forecast, clause):
        return not_over
    # A bare year ("制定2020年工作要点") is too often an attribute to count on the sentence alone.
    if not _names_part_of_year(g) or base is None or due is None or due <= base:
        return False
    s_lo, s_hi = _span(text, match.start(), match.end(), cfg.sentence_split)
    sentence = text[s_lo:s_hi]
    return _any(cfg.commit, sentence) or _any(cfg.forecast, sentence)


def _names_part_of_year(g: dict[str, str | None]) -> bool:
    return any(g[k] for k in ("month", "quarter", "period", "yend", "fyp"))


def _is_commitment(groups: dict[str, str | None], cfg: DeadlineRules) -> bool:
    """The mention itself commits: '7月前', '年底前', '年内', '十四五末'."""
    if groups["suffix"] in cfg.commit_suffixes or groups["fyp"]:
        return True
    return groups["period"] == "年内" or groups["yend"] == "内"


def _phrase(text: str, match: re.Match[str], cfg: DeadlineRules) -> str:
    """The clause around the mention as printed, cut to a window around it when long."""
    lo, hi = _span(text, match.start(), match.end(), cfg.clause_split)
    if hi - lo > cfg.max_phrase:
        lo = max(lo, match.start() - cfg.max_phrase // 3)
        hi = min(hi, lo + cfg.max_phrase)
    return text[lo:hi].strip()


def _resolve(match: re.Match[str], g: dict[str, str | None], text: str, base: date | None,
             cfg: DeadlineRules) -> date | None:
    """The last day of the period named; None when it needs a base date we lack or names a holiday."""
    if cfg.unresolvable and cfg.unresolvable.search(text[match.end() : match.end() + 8]):
        return None
    if g["fyp"]:
        return date(cfg.plan_periods[g["fyp"]], 12, 31)
    if g["year"]:
        year, inferred = int(g["year"]), False
    elif base is None:
        return None
    elif g["rel"]:
        year, inferred = base.year + cfg.relative_years[g["rel"]], False
    else:
        year, inferred = base.year, True
    due = _period_end(year, g, cfg)
    if due is not None and inferred and base is not None and due < base - cfg.roll_forward:
        due = _period_end(year + 1, g, cfg)
    return due


@functools.lru_cache(maxsize=64)  # cn2an is slow, and the month pattern admits a few dozen strings
def _month_number(text: str) -> int:
    return int(cn2an.cn2an(text, "smart"))


def _period_end(year: int, g: dict[str, str | None], cfg: DeadlineRules) -> date | None:
    try:
        if g["month"]:
            month = _month_number(g["month"])
            last = calendar.monthrange(year, month)[1]
            day = int(g["day"]) if g["day"] else min(cfg.month_parts.get(g["part"] or "", last), last)
            return date(year, month, day)
        if g["quarter"]:
            month = 3 * cfg.quarters[g["quarter"]]
            return date(year, month, calendar.monthrange(year, month)[1])
        if g["period"]:
            month, day = cfg.year_periods[g["period"]]
            return date(year, month, day)
        return date(year, 12, 31)
    except (ValueError, KeyError):
        # Digits lost in copying ("2024717日") or an impossible day: keep the phrase, not a date.
        return None
