"""A report's metadata: title, issuer, short unit name, region, inspection team and dates, publication."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from loaders import regions
from loaders.models import Inspection, Region
from loaders.segment import CN_DIGITS, classify, cn_number, grammar

_FULL_DATE = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日")
_CN_DATE = re.compile(r"^(?P<y>[〇零○O一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月"
                      r"(?P<d>[一二三四五六七八九十]{1,3})日$")
_OPENING_SCAN = 6  # the opening paragraph is among the first lines of the body


@dataclass(frozen=True)
class Meta:
    title: str | None = None
    issuer: str | None = None
    unit: str = ""
    region: Region = field(default_factory=Region)
    published_on: date | None = None
    inspection: Inspection = field(default_factory=Inspection)


def extract(lines: list[str], fallback_date: tuple[int, int, int] | None = None) -> tuple[Meta, list[str]]:
    """(metadata, body lines without the title) of one report's lines."""
    lines = [line for line in lines if line.strip()]
    title, issuer, used = _title(lines)
    body = lines[used:]
    published = _published(body)
    if published is None and fallback_date:
        published = _safe_date(*fallback_date)  # a site's `发布日期:` when the signature has no date
    signature = _signature(body)
    opening = _opening(body)
    unit = short_unit(issuer) or short_unit(signature[0] if signature else None) or _inspected_unit(opening)
    meta = Meta(
        title=title,
        issuer="、".join(signature) if signature else issuer,
        unit=unit,
        region=regions.lookup(unit),
        published_on=published,
        inspection=inspection(opening, published),
    )
    return meta, body


# --- title and signature -----------------------------------------------------------------------------


def _title(lines: list[str]) -> tuple[str | None, str | None, int]:
    """(title, issuer part of the title, lines used). The title may be one line or issuer + `关于…` line."""
    g = grammar()
    if not lines or classify(lines[0])[0] != "text":
        return None, None, 0
    first = lines[0]
    m = g.rx("title").match(first)
    if m:
        used = 2 if len(lines) > 1 and lines[1] == first else 1  # titles printed twice on some sites
        return first, m.group("issuer").strip() or None, used
    if len(lines) > 1 and g.rx("issuer_line").match(first) and g.rx("title_second_line").match(lines[1]):
        return first + lines[1], first, 2
    return None, None, 0


def _signature(body: list[str]) -> list[str]:
    """Organisation lines right above the last date line, in printed order."""
    g = grammar()
    idx = _last_date_index(body)
    if idx is None:
        return []
    names: list[str] = []
    for line in reversed(body[max(0, idx - int(g.raw.get("signature_max_lines", 3))):idx]):
        if not g.rx("signature_line").match(line) or classify(line)[0] != "text":
            break
        names.insert(0, line)
    return names


def _last_date_index(body: list[str]) -> int | None:
    date_line = grammar().rx("date_line")
    for i in range(len(body) - 1, -1, -1):
        if date_line.match(body[i]):
            return i
    return None


def cut_off_at(body: list[str]) -> str | None:
    """The last words of a report that looks truncated: no date line under a signature, and the last line
    stops mid-sentence. None for a complete-looking report."""
    if not body or _last_date_index(body) is not None:
        return None
    last = body[-1]
    return None if grammar().sub("join", "sentence_end").search(last) else last[-20:]


def _published(body: list[str]) -> date | None:
    idx = _last_date_index(body)
    return parse_date_line(body[idx]) if idx is not None else None


def parse_date_line(line: str) -> date | None:
    """`2024年2月22日` or `二〇二四年二月二十二日` → date; None when it is not a real date."""
    m = _CN_DATE.match(line)
    if m:
        year = int("".join(str(CN_DIGITS[c]) for c in m["y"]))
        return _safe_date(year, cn_number(m["m"]) or 0, cn_number(m["d"]) or 0)
    m = _FULL_DATE.fullmatch(line)
    if m and m["y"] and m["m"]:
        return _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- unit names ----------------------------------------------------------------------------------------


def short_unit(name: str | None) -> str:
    """中共湖州市吴兴区委 → 湖州市吴兴区; 中共湖南湘江新区工作委员会组织工作部 → 湖南湘江新区组织工作部."""
    if not name:
        return ""
    g = grammar()
    cfg = g.raw.get("unit") or {}
    name = g.sub("unit", "alias").sub("", g.sub("unit", "strip_prefix").sub("", name.strip()))
    for long, short in (cfg.get("abbreviations") or {}).items():
        name = name.replace(long, short)
    m = g.sub("unit", "place_committee").match(name)
    if m:
        return m.group("place") + m.group("rest")
    stripped = g.sub("unit", "org_suffix").sub("", name)
    return stripped if len(stripped) >= 2 else name


# --- the opening paragraph: inspection team and dates -------------------------------------------------


def _opening(body: list[str]) -> str:
    team = grammar().rx("inspection_team")
    for line in body[:_OPENING_SCAN]:
        if team.search(line):
            return line
    return ""


def _inspected_unit(opening: str) -> str:
    m = grammar().rx("inspected_unit").search(opening)
    return short_unit(m.group("unit")) if m else ""


def inspection(opening: str, published: date | None) -> Inspection:
    """Team, start, end and feedback date; year-less dates take the year of the date before them."""
    g = grammar()
    team = g.rx("inspection_team").search(opening)
    start = end = feedback = None
    year = _first_year(opening) or (published.year if published else None)
    rng = g.rx("inspection_range").search(opening)
    if rng:
        start = _resolve(rng["a"], year, None)
        end = _resolve(rng["b"], start.year if start else year, start)
    fb = g.rx("feedback_clause").search(opening, rng.end() if rng else 0)
    if fb:
        anchor = end or start
        feedback = _resolve(fb["date"], anchor.year if anchor else year, anchor)
    return Inspection(team=team.group(0) if team else None, start=start, end=end, feedback_on=feedback)


def _first_year(text: str) -> int | None:
    m = re.search(r"(\d{4})年", text)
    return int(m.group(1)) if m else None


def _resolve(text: str, year: int | None, after: date | None) -> date | None:
    """A printed date; a missing year (month) comes from context, rolling over when it would go back."""
    m = _FULL_DATE.fullmatch(text)
    if not m:
        return None
    month = int(m["m"]) if m["m"] else (after.month if after else None)
    y = int(m["y"]) if m["y"] else year
    if y is None or month is None:
        return None
    d = _safe_date(y, month, int(m["d"]))
    if d and after and not m["y"] and d < after:
        d = _safe_date(y + 1, month, int(m["d"]))
    return d
