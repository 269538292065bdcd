"""Site chrome: which lines are page furniture, and what they tell before they go. The one place that knows
(config.yaml `page:`): the web reader asks is_web_chrome() and source_url_in_text(), the parser is_chrome().

Copies of published pages carry breadcrumbs, `发布时间:… 来源:… 浏览量:` lines, font-size and print bars,
image file names, info-disclosure tables and banners (`page.chrome_lines`). strip() drops them from the text
and keeps what they say: the page's own date (the report's published_on when it has no signature date), the
publishing bodies (unit candidates: `发布机构`, `来源`, `作者`, a site banner), and the source link
(`page.source_url_labels`). A title printed twice goes too.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from datetime import date

from loaders.config import section
from loaders.parser import fastrx
from loaders.parser.grammar import classify

_HEAD_LINES = 12  # a repeated title or a column header sits among the first lines


@dataclass(frozen=True)
class PageFacts:
    lines: list[str]  # the text's lines without chrome
    source_url: str | None = None
    date: date | None = None  # the page's own date (发布时间 / 成文日期 / 日期 …)
    date_label: str | None = None  # the label it was printed with ("" for a bare date-time line)
    publishers: tuple[str, ...] = ()  # 发布机构 / 来源 / 作者 / banner names, in printed order


# (the rules, the longest line they judge or None for any): page.chrome_lines grouped by length. Most lines
# are asked about uncached (distinct texts): one alternation of all rules, tried at every position of every
# line, cost more than the rest of chrome and normalisation together; fastrx.AnyOf tests them faster.
_Group = tuple[fastrx.AnyOf, int | None]


@dataclass(frozen=True)
class _Rules:
    text: tuple[_Group, ...]  # rules without `web: true`: chrome in any text, including hard-wrap pieces
    web: tuple[_Group, ...]  # `web: true` rules: also dropped by the web reader
    max_chars: int  # longer page lines are prose, not chrome
    source_link: re.Pattern[str]  # a `原文链接:URL` line
    source_in_text: re.Pattern[str]  # a labelled URL anywhere in a text
    source_labels: tuple[str, ...]
    date: re.Pattern[str]
    labelled_dates: tuple[tuple[str, re.Pattern[str]], ...]
    time_of_day: re.Pattern[str]
    publishers: tuple[re.Pattern[str], ...]
    not_unit: re.Pattern[str]  # publishers that are media, not the unit
    banner: re.Pattern[str]
    strip_prefixes: re.Pattern[str]
    elements: re.Pattern[str]  # class / id words of a web page's furniture elements


@functools.cache
def _rules() -> _Rules:
    cfg = section("page")  # every key is required: the values live only in config.yaml
    date_rx = cfg["date"]
    stop = cfg["publisher_stop"]
    max_chars = int(cfg["chrome_max_chars"])
    limits = {None: max_chars, "short": int(cfg["chrome_short_chars"]), "any": None}
    groups: dict[tuple[bool, int | None], list[str]] = {}
    for rule in cfg["chrome_lines"]:
        rule = rule if isinstance(rule, dict) else {"rx": rule}
        groups.setdefault((bool(rule.get("web")), limits[rule.get("max")]), []).append(rule["rx"])
    compiled = {key: fastrx.AnyOf(patterns) for key, patterns in groups.items()}
    labels = tuple(cfg["source_url_labels"])
    either = "|".join(map(re.escape, labels))
    return _Rules(
        text=tuple((rx, limit) for (web, limit), rx in compiled.items() if not web),
        web=tuple((rx, limit) for (web, limit), rx in compiled.items() if web),
        max_chars=max_chars,
        source_link=re.compile(rf"^(?:{either}):\s*(?P<url>\S+)"),
        source_in_text=re.compile(rf"(?:{either})\s*:?\s*(https?://[^\s<>\"'“”)]+)"),
        source_labels=labels,
        date=re.compile(date_rx),
        labelled_dates=tuple(
            (label, re.compile(rf"{label}\s*[:|]\s*\|?\s*(?:{date_rx})"))
            for label in cfg["date_labels"]),
        time_of_day=re.compile(cfg["time_of_day"]),
        publishers=tuple(re.compile(rf"{label}\s*[:|]\s*\|?\s*(?P<name>.+?)(?={stop})")
                         for label in cfg["publisher_labels"]),
        not_unit=re.compile(cfg["publisher_not_unit"]),
        banner=re.compile(cfg["banner"]),
        strip_prefixes=re.compile(cfg["strip_prefixes"]),
        elements=re.compile("|".join(cfg["chrome_elements"]), re.IGNORECASE),
    )


def _matches(groups: tuple[_Group, ...], text: str) -> bool:
    return any((limit is None or len(text) <= limit) and rx.search(text) for rx, limit in groups)


@functools.lru_cache(maxsize=8192)  # asked for most lines twice (normalisation, then strip)
def is_chrome(line: str, strict: bool = False) -> bool:
    """A line of page furniture (short enough that it cannot be a report paragraph mentioning such a word).
    `strict` leaves out the `web: true` rules (分享, 二维码, 相关文件, 浏览次数…): normalisation asks about
    pieces of hard-wrapped paragraphs, where a 36-character piece may hold such a word."""
    text = line.strip()
    if not text:
        return False
    return _text_chrome(text) or (not strict and _matches(_rules().web, text))


@functools.lru_cache(maxsize=8192)
def _text_chrome(text: str) -> bool:
    """The rules without `web: true` on a stripped line: asked for most lines twice, strictly (normalize)
    and not (strip), which is_chrome caches apart."""
    return _matches(_rules().text, text)


def is_web_chrome(line: str) -> bool:
    """A line the web reader drops from a page's text (the `web: true` rules, on the page's raw lines)."""
    return _matches(_rules().web, line.strip())


def is_chrome_element(class_and_id: str) -> bool:
    """Whether a web page element's class and id name page furniture (page.chrome_elements: nav, footer…)."""
    return bool(_rules().elements.search(class_and_id))


def max_chrome_chars() -> int:
    """Page lines longer than this are prose, never chrome (page.chrome_max_chars)."""
    return _rules().max_chars


def source_link(line: str) -> str | None:
    """The URL of a `原文链接:URL` line (page.source_url_labels), None for any other line."""
    m = _rules().source_link.match(line)
    return m.group("url") if m else None


def source_url_labels() -> tuple[str, ...]:
    return _rules().source_labels


def source_url_in_text(text: str) -> str | None:
    """The URL printed after a label such as 原文链接: in the text itself (mirror sites add one)."""
    if "http" not in text:  # the pattern ends in an https?:// address: a scan for its labels is not needed
        return None
    m = _rules().source_in_text.search(text)
    # Sentence punctuation glued to the URL is not part of it.
    return re.sub(r"[。,,;;.]+$", "", m.group(1)) if m else None


def strip(lines: list[str]) -> PageFacts:
    """The text without chrome lines, with the facts the chrome stated."""
    rules = _rules()
    kept: list[str] = []
    url: str | None = None
    dates: list[tuple[int, int, date, str]] = []  # (preference, position, date, label)
    publishers: list[str] = []
    for pos, line in enumerate(lines):
        link = source_link(line)
        if link:
            url = url or link
            continue
        if not is_chrome(line):
            kept.append(rules.strip_prefixes.sub("", line) if len(kept) < _HEAD_LINES else line)
            continue
        dates.extend((pref, pos, d, label) for pref, d, label in _dates(line, rules))
        publishers.extend(_publishers(line, rules))
    best = min(dates, key=lambda t: (t[0], t[1]), default=None)
    return PageFacts(
        lines=_drop_repeated_title(kept), source_url=url,
        date=best[2] if best else None, date_label=best[3] if best else None,
        publishers=tuple(dict.fromkeys(publishers)),
    )


def merge(page: PageFacts, aside: PageFacts) -> PageFacts:
    """The text's own facts, completed by those of lines the reader left out (a web page's chrome)."""
    use_aside = page.date is None
    return dataclasses.replace(
        page, source_url=page.source_url or aside.source_url,
        date=page.date if not use_aside else aside.date,
        date_label=page.date_label if not use_aside else aside.date_label,
        publishers=tuple(dict.fromkeys((*page.publishers, *aside.publishers))),
    )


def _dates(line: str, rules: _Rules) -> list[tuple[int, date, str]]:
    """(preference, date, label) of each page date on a chrome line: labelled ones by label order, then a
    bare date printed with a time of day (`【 2023-12-05 10:12:44 】`, `15.06.2016 09:42`), then a bare date
    (`2023-12-05 来源:…`)."""
    found: list[tuple[int, date, str]] = []
    for pref, (label, pattern) in enumerate(rules.labelled_dates):
        m = pattern.search(line)
        if m:
            d = _as_date(m)
            if d:
                found.append((pref, d, label))
    if not found:
        m = rules.date.search(line)
        d = _as_date(m) if m else None
        if d:  # a bare date on a chrome line: with a time of day it is surely the page's own
            timed = bool(rules.time_of_day.search(line))
            found.append((len(rules.labelled_dates) + (0 if timed else 1), d, ""))
    return found


def _as_date(m: re.Match[str]) -> date | None:
    y, mo, d = (m.group("y"), m.group("m"), m.group("d")) if m.group("y") else (
        m.group("y2"), m.group("m2"), m.group("d2"))
    try:
        return date(int(y), int(mo), int(d))
    except (TypeError, ValueError):
        return None


def _publishers(line: str, rules: _Rules) -> list[str]:
    names = [m.group("name").strip(" :|") for p in rules.publishers for m in p.finditer(line)]
    banner = rules.banner.search(line)
    if banner:
        names.append(banner.group("name"))
    return [n for n in names
            if re.search(r"[\u4e00-\u9fff]{2}", n) and "未知" not in n and not rules.not_unit.search(n)]


def _drop_repeated_title(lines: list[str]) -> list[str]:
    """A line printed again among the first lines (the title above and below the chrome) goes."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if i < _HEAD_LINES and len(line) >= 8 and line in out[:3] and classify(line)[0] == "text":
            continue
        out.append(line)
    return out
