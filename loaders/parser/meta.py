"""A report's metadata: title, issuer, short unit name, region, inspection team and dates, publication.

Each fact is read as a careful reader would, from whatever the copy still has: the unit from the title,
the signature, the opening (`对X党组开展了巡察`, `对我院党组…` resolved through the other candidates) or the
page's chrome, keeping the fullest spelling (剑阁县交通运输局, not 县交通运输局); the team in any of its
forms; dates with the year carried over or taken from the page's date, ranges with `至`, `~`, `—`, or nothing
between; digits run together by a copy that lost 年/月 (`2022年315日`). What stays uncertain is returned as
a warning.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from loaders import messages
from loaders.models import Inspection, ParseWarning, Region
from loaders.parser import fastrx, regions
from loaders.parser.chrome import PageFacts
from loaders.parser.grammar import CN_DIGITS, classify, cn_number, grammar

_FULL_DATE = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日")
_CN_DATE = re.compile(r"^(?P<y>[〇零○O一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月"
                      r"(?P<d>[一二三四五六七八九十]{1,3})日$")
_TITLE_SCAN = 3  # the title is among the first lines left after the chrome (a column header may precede it)


@dataclass(frozen=True)
class Meta:
    title: str | None = None
    issuer: str | None = None
    unit: str = ""
    region: Region = field(default_factory=Region)
    published_on: date | None = None
    published_on_source: str | None = None  # "signature" or "page"
    inspection: Inspection = field(default_factory=Inspection)
    warnings: tuple[ParseWarning, ...] = ()


def extract(lines: list[str], page: PageFacts | tuple[int, int, int] | None = None) -> tuple[Meta, list[str]]:
    """(metadata, body lines without the title) of one report's lines. `page` holds what the page's chrome
    said (its date, its publishers); a bare (y, m, d) is accepted as the page's date."""
    if isinstance(page, tuple):
        page = PageFacts(lines=[], date=_safe_date(*page))
    lines = [line for line in lines if line.strip()]
    title, issuer, used = _title(lines)
    body = lines[used:]
    published, source = _published(body), "signature"
    if published is None and page is not None and page.date:
        published, source = page.date, "page"  # the page's own date when the signature has none
    signature = _signature(body)
    opening = _opening(body)
    warnings: list[ParseWarning] = []
    found = inspection(opening, published, warnings)
    unit = resolve_unit(issuer, signature, opening, body, page.publishers if page else (), warnings)
    meta = Meta(
        title=title,
        issuer="、".join(signature) if signature else issuer,
        unit=unit,
        region=regions.lookup(unit),
        published_on=published,
        published_on_source=source if published else None,
        inspection=found,
        warnings=tuple(warnings),
    )
    return meta, body


# --- title and signature -----------------------------------------------------------------------------


def _title(lines: list[str]) -> tuple[str | None, str | None, int]:
    """(title, issuer part of the title, lines used). The title may be one line or issuer + `关于…` line, a
    `X通报…` line or a headline about an inspection's rectification; a column header may stand above it."""
    for i, line in enumerate(lines[:_TITLE_SCAN]):
        found = _title_at(lines, i)
        if found:
            title, issuer, used = found
            while used < len(lines) and lines[used] == title:
                used += 1  # titles printed twice on some sites
            return title, issuer, used
        if classify(line)[0] != "text" or len(line) > 80 or "。" in line:
            break  # the opening paragraph or a heading: no title above it
    return None, None, 0


def _title_at(lines: list[str], i: int) -> tuple[str, str | None, int] | None:
    g = grammar()
    first = g.rx("title_label").sub("", lines[i]) if "巡" in lines[i] else lines[i]
    if classify(first)[0] != "text":
        return None
    m = g.rx("title").match(first)
    if m:
        return first, m.group("issuer").strip() or None, i + 1
    second = lines[i + 1] if i + 1 < len(lines) else ""
    if second and g.rx("issuer_line").match(first) and g.rx("title_second_line").match(second):
        return first + lines[i + 1], first, i + 2
    for form in g.raw.get("title_forms") or ():
        m = _compiled(form).match(first)
        if m:
            issuer = m.groupdict().get("issuer")
            if not issuer:
                lead = g.rx("title_lead").match(first)
                issuer = lead.group("issuer") if lead else None
            if issuer and g.rx("opening_words").search(issuer):
                issuer = None  # `市委巡察组回访督查集团…`: the inspectors, not the unit
            return first, issuer, i + 1
    return None


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


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
    return None if fastrx.search_at_end(grammar().sub("join", "sentence_end"), last) else last[-20:]


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


def resolve_unit(issuer: str | None, signature: list[str], opening: str, body: list[str],
                 publishers: tuple[str, ...] = (), warnings: list[ParseWarning] | None = None) -> str:
    """The inspected unit, by the first of: the title's issuer, the signature, the opening
    (`对X开展了巡察`), the page's publishers, the first place the text names. `我院` / `本局` resolve to the
    candidate ending like them; the fullest spelling of the chosen name among the candidates wins
    (县交通运输局 → 剑阁县交通运输局)."""
    g = grammar()
    opening_units = [_inspected_unit(text) for text in (opening, *body[:8]) if text]
    candidates = [short_unit(issuer), short_unit(signature[0] if signature else None),
                  *[u for u in opening_units if u], *[short_unit(p) for p in publishers]]
    candidates = [c for c in candidates if c]
    pronoun = g.rx("pronoun")
    named = [c for c in candidates if not pronoun.match(c)]
    unit = candidates[0] if candidates else ""
    m = pronoun.match(unit)
    if m:
        kind = (g.raw.get("pronoun_kinds") or {}).get(m.group("kind"), re.escape(m.group("kind")))
        unit = next((c for c in named if re.search(f"(?:{kind})$", c)), named[0] if named else "")
    if not unit:
        unit = regions.first_place("\n".join(body[:8]))
        if unit and warnings is not None:
            warnings.append(messages.warning("unit_guessed", unit=unit))
    for other in named:
        if other != unit and other.endswith(unit) and len(other) <= len(unit) + 12:
            unit = other
    return unit


# --- the opening paragraph: inspection team and dates -------------------------------------------------


def _opening(body: list[str]) -> str:
    """The line that names the inspection period (and 巡视/巡察), else the first naming a team; with the
    paragraph line after it, where the feedback date may have gone when a copy broke the paragraph."""
    g = grammar()
    scan = body[:int(g.raw.get("opening_scan", 12))]
    words = g.rx("opening_words")
    found = next((i for i, line in enumerate(scan)
                  if words.search(line) and next(_range_tokens(line), None) is not None), None)
    if found is None:
        found = next((i for i, line in enumerate(scan) if find_team(line)), None)
    if found is None:
        return ""
    after = body[found + 1] if found + 1 < len(body) else ""
    return f"{body[found]}\n{after}" if after and classify(after)[0] == "text" else body[found]


def _inspected_unit(opening: str) -> str:
    g = grammar()
    suffix = g.rx("unit_suffix")
    for m in g.rx("inspected_unit").finditer(opening):
        name = m.group("unit")
        if g.rx("unit_list").search(name):
            first = re.split(r"、|等", name)[0]
            place = g.rx("place_prefix").match(first)
            name = place.group("place") if place else first
        unit = short_unit(name)
        if unit and (suffix.search(unit) or g.rx("pronoun").match(unit)):
            return unit
    return ""


def find_team(text: str) -> str | None:
    """The inspection team named in `text`: the agent of the inspection first, a numbered one next."""
    g = grammar()
    best: tuple[int, int, str] | None = None
    for m in g.rx("team_core").finditer(text):
        left = g.rx("team_left").search(text[:m.start()])
        prefix = g.rx("team_cut").sub("", left.group(0)) if left else ""
        team = prefix.lstrip("”") + m.group(0)
        rest = text[m.end():]
        score = 2 * bool(g.rx("team_agent").match(rest)) + bool(g.rx("team_numbered").search(team)) \
            + bool(prefix)
        if best is None or score > best[0]:
            best = (score, m.start(), team)
    return best[2] if best else None


def inspection(
    opening: str, published: date | None, warnings: list[ParseWarning] | None = None
) -> Inspection:
    """Team, start, end and feedback date; year-less dates take the year of the date before them, or the
    page's year. Digits run together (`2022年315日`) are split where only one reading is a date."""
    g = grammar()
    team = find_team(opening)
    notes: list[str] = []
    start, end, span = _range(opening, published, notes)
    feedback = None
    for fb in g.rx("feedback_clause").finditer(opening, span):
        anchor = end or start
        feedback = _token_date(fb["date"], anchor.year if anchor else _year_hint(opening, published), anchor,
                               notes)
        if feedback:
            break
    if notes and warnings is not None:
        warnings.append(messages.warning("date_uncertain", dates=messages.joined(notes, limit=4)))
    return Inspection(team=team, start=start, end=end, feedback_on=feedback)


def _range(text: str, published: date | None,
           notes: list[str] | None) -> tuple[date | None, date | None, int]:
    """(start, end, position after the range) of the first two dates joined by a range separator."""
    for a, b in _range_tokens(text):
        year = _year_hint(text, published, a)
        start = _token_date(a.group(0), year, None, notes)
        if start is None:
            continue
        end = _token_date(b.group(0), start.year, start, notes, month=start.month)
        return start, end, b.end()
    return None, None, 0


def _range_tokens(text: str) -> Iterator[tuple[re.Match[str], re.Match[str]]]:
    """Pairs of printed dates joined by a range separator (or by nothing, when 至 was lost), found as they
    are asked for: the callers want the first one, and the scan of a long paragraph stops there."""
    g = grammar()
    sep = g.rx("range_separator")
    for a, b in itertools.pairwise(g.finder("date_token").finditer(text)):
        if sep.match(text[a.end():b.start()]):
            yield a, b


def _year_hint(text: str, published: date | None, token: re.Match[str] | None = None) -> int | None:
    """The year of a date printed without one: 今年 = the page's year, else the first year in the text, else
    the page's year."""
    if token is not None and token.group("rel") in ("今年", "本年") and published:
        return published.year
    if token is not None and token.group("rel") == "去年" and published:
        return published.year - 1
    m = re.search(r"((?:19|20)\d{2})年", text)
    if m:
        return int(m.group(1))
    return published.year if published else None


def _token_date(text: str, year: int | None, after: date | None, notes: list[str] | None,
                month: int | None = None) -> date | None:
    """A printed date; a missing year (month) comes from context, rolling over when it would go back."""
    m = grammar().rx("date_token").search(text)
    if not m:
        return None
    y = int(m["y"]) if m["y"] else year
    if m["m"]:
        readings = [(int(m["m"]), int(m["d"]))]
    elif len(m["d"]) >= 3:  # 月 lost: 315 → 3/15; 1231 → 12/31
        digits = m["d"]
        readings = [(int(digits[:k]), int(digits[k:])) for k in (1, 2) if k < len(digits)]
        readings = [(mo, d) for mo, d in readings if 1 <= mo <= 12 and 1 <= d <= 31 and len(str(d)) == len(
            digits) - len(str(mo))]
    else:
        readings = [(month or (after.month if after else 0), int(m["d"]))]
    dates = []
    for mo, d in readings:
        if y is None:
            continue
        found = _safe_date(y, mo, d)
        if found and after and not m["y"] and found < after:
            found = _safe_date(y + 1, mo, d)
        if found and (after is None or found >= after):
            dates.append(found)
    if not dates:
        return None
    if (len(readings) > 1 or (not m["m"] and len(m["d"]) >= 3)) and notes is not None:
        notes.append(f"{text}→{dates[0].isoformat()}")
    return dates[0]
