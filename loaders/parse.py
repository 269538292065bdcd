"""The parsing pipeline: file → text → normalised text → reports (meta, issues, status, deadlines, figures).

parse_text never raises on arbitrary text. Text that holds no report at all (a news article, a page of
chrome) still yields one Report, with zero issues and the warnings `no_issues` and `not_a_report`, so the
ingest layer can show the user what was found; only empty or whitespace-only text yields [].
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders import messages
from loaders import meta as meta_mod
from loaders.deadlines import find_deadlines
from loaders.figures import extract_figures
from loaders.models import UNKNOWN_STATUS, Deadline, Figure, Issue, Report, StatusDecision, Warning
from loaders.normalize import normalize
from loaders.read import read_document
from loaders.segment import RawIssue, Segmented, cn_number, grammar, segment
from loaders.status import ReportContext, decide_status, report_warnings

log = logging.getLogger(__name__)

# A text with none of these words is not a rectification report at all.
_REPORT_WORDS = re.compile(r"巡视|巡察|整改")
# Keys of the figures module's `stated` dict that count issues / aspects / categories.
_STATED_ISSUES = ("issues", "problems", "stated_issues")
_STATED_ASPECTS = ("aspects", "stated_aspects", "subcategories")
_STATED_CATEGORIES = ("categories", "stated_categories")


def parse_file(path: str | Path, data: bytes | None = None) -> list[Report]:
    """Read a file (or its uploaded bytes) and parse it (parse_text normalises the text). Raises ReadError
    when the file cannot be read; the reader's warnings and source URL are carried onto every report."""
    result = read_document(path, data)
    reports = parse_text(result.text, source_name=Path(path).name)
    extra = tuple(result.warnings)
    return [
        dataclasses.replace(r, warnings=extra + r.warnings, source_url=r.source_url or result.source_url)
        for r in reports
    ]


def parse_text(text: str, source_name: str = "") -> list[Report]:
    """Every report in `text` (the main report, then each 附件N); [] for empty text. Never raises."""
    try:
        return _parse(text or "")
    except Exception as exc:  # the contract is "never raise": report the failure instead
        log.exception("parse_text failed on %s", source_name or "text")
        failure = messages.warning("parse_error", error=f"{type(exc).__name__}: {exc}")
        return [Report(title=None, unit="", warnings=(failure,))]


def _parse(text: str) -> list[Report]:
    text = normalize(text)
    if not text.strip():
        return []
    chrome = strip_chrome(text.split("\n"))
    reports: list[Report] = []
    for part, lines in split_reports(chrome.lines):
        meta, body = meta_mod.extract(lines, chrome.chrome_date)
        seg = segment(body)
        cut = meta_mod.cut_off_at(body)
        if cut:
            seg.warnings.append(messages.warning("truncated", cut=cut))
        report = _build(part, meta, seg, chrome.source_url)
        if part != "main" and reports:
            report = _inherit(report, reports[0])
        reports.append(report)
    if not reports:
        reports.append(_build("main", meta_mod.Meta(), Segmented(), chrome.source_url))
    if not _REPORT_WORDS.search(text):
        reports = [_add_warning(r, messages.warning("not_a_report")) for r in reports]
    return reports


def _build(part: str, meta: meta_mod.Meta, seg: Segmented, source_url: str | None) -> Report:
    warnings = list(seg.warnings)
    ctx = ReportContext(meta.published_on, meta.inspection.feedback_on,
                        "\n".join(filter(None, [meta.title or "", *seg.context[:2]]))[:600])
    issues = [_issue(raw, ctx, warnings) for raw in seg.issues]
    stated, figures = _figures("\n".join(seg.context), warnings)
    warnings.extend(_report_warnings(meta, issues, stated))
    warnings.extend(_call("status", report_warnings, (issues, stated), [], warnings) or [])
    return Report(
        title=meta.title, unit=meta.unit, issuer=meta.issuer, region=meta.region,
        published_on=meta.published_on, inspection=meta.inspection, stated=stated, figures=figures,
        warnings=tuple(warnings), issues=tuple(issues), part=part,
        parent_part=None if part == "main" else "main", source_url=source_url,
    )


def _inherit(report: Report, main: Report) -> Report:
    """An attachment's missing region and date come from the main report it is attached to."""
    region = report.region if report.region.province else main.region
    return dataclasses.replace(report, region=region, published_on=report.published_on or main.published_on)


def _issue(raw: RawIssue, ctx: ReportContext, warnings: list[Warning]) -> Issue:
    body = "\n".join(raw.measures)
    status = _call("status", decide_status, (raw.explicit, body, raw.section, ctx, raw.title), UNKNOWN_STATUS,
                   warnings)
    deadlines = _call("deadlines", find_deadlines, (body, ctx.published_on), (), warnings)
    return Issue(
        label=raw.label, category=raw.category, title=raw.title,
        status=status if isinstance(status, StatusDecision) else UNKNOWN_STATUS,
        measures=tuple(raw.measures), deadlines=tuple(d for d in deadlines if isinstance(d, Deadline)),
        section=raw.section,
    )


def _figures(context: str, warnings: list[Warning]) -> tuple[dict[str, float], tuple[Figure, ...]]:
    result = _call("figures", extract_figures, (context,), ({}, ()), warnings)
    stated, figures = result if isinstance(result, tuple) and len(result) == 2 else ({}, ())
    return dict(stated or {}), tuple(figures or ())


def _call(stage: str, func: Callable[..., Any], args: tuple, default: Any, warnings: list[Warning]) -> Any:
    """Run one stage; its failure costs only its own results (and a warning), never the whole report."""
    try:
        return func(*args)
    except Exception as exc:
        log.exception("the %s stage failed", stage)
        code = f"{stage}_error"
        if not any(w.code == code for w in warnings):
            warnings.append(messages.warning(code, error=f"{type(exc).__name__}: {exc}"))
        return default


# --- file level: chrome and the split into reports ---------------------------------------------------


@dataclass(frozen=True)
class FileText:
    lines: list[str]
    source_url: str | None
    chrome_date: tuple[int, int, int] | None  # (y, m, d) from a surviving `发布日期:` line


def strip_chrome(lines: list[str]) -> FileText:
    """Drop site chrome lines, keeping what they tell: the source link and the site's publication date."""
    g = grammar()
    kept: list[str] = []
    url, when = None, None
    for line in lines:
        link = g.rx("source_link").match(line)
        if link:
            url = url or link.group("url")
            continue
        date_m = g.rx("chrome_date").search(line)
        if date_m and when is None:
            when = (int(date_m["y"]), int(date_m["m"]), int(date_m["d"]))
        if not any(p.search(line) for p in g.chrome):
            kept.append(line)
    return FileText(kept, url, when)


def split_reports(lines: list[str]) -> list[tuple[str, list[str]]]:
    """[(part, lines)]: "main" and then each `附件N` that starts a report of its own."""
    starts = [(i, n) for i, n in _attachment_starts(lines)]
    parts: list[tuple[str, list[str]]] = []
    bounds = [0, *[i for i, _ in starts], len(lines)]
    names = ["main", *[f"附件{n}" for _, n in starts]]
    for name, begin, end in zip(names, bounds, bounds[1:], strict=False):
        body = lines[begin + 1 if name != "main" else begin:end]
        if name != "main" or any(line.strip() for line in body):
            parts.append((name, body))
    return parts


def _attachment_starts(lines: list[str]) -> Iterator[tuple[int, int]]:
    g = grammar()
    ahead = int(g.raw.get("attachment_lookahead", 3))
    for i, line in enumerate(lines):
        m = g.rx("attachment_start").match(line)
        if not m:
            continue
        window = lines[i + 1:i + 1 + ahead]
        if any(_is_title_like(w) for w in window):
            yield i, cn_number(m.group("num")) or 0


def _is_title_like(line: str) -> bool:
    g = grammar()
    return bool(g.rx("title").match(line) or g.rx("title_second_line").match(line))


# --- report-level warnings ------------------------------------------------------------------------------


def _report_warnings(meta: meta_mod.Meta, issues: list[Issue], stated: dict[str, float]) -> list[Warning]:
    out: list[Warning] = []
    if not issues:
        out.append(messages.warning("no_issues"))
    unknown = [i for i in issues if i.status.status is None]
    if unknown:
        labels = messages.joined((i.label for i in unknown), limit=8)
        out.append(messages.warning("unknown_status", unknown=len(unknown), total=len(issues), labels=labels))
    if meta.published_on is None:
        out.append(messages.warning("no_publication_date"))
    if not meta.unit:
        out.append(messages.warning("no_unit"))
    mismatch = _stated_mismatch(stated, len(issues))
    if mismatch:
        out.append(mismatch)
    return out


def _stated_mismatch(stated: dict[str, float], parsed: int) -> Warning | None:
    """The report's own totals (`4大类14个方面38个问题`) against what was parsed."""
    issues, aspects, categories = (_first(stated, keys) for keys in
                                   (_STATED_ISSUES, _STATED_ASPECTS, _STATED_CATEGORIES))
    if issues is None or not parsed or issues == parsed:
        return None
    scope = messages.EMPTY
    if aspects is not None and categories is not None:
        scope = messages.phrase("mismatch.aspects_categories", aspects=aspects, categories=categories)
    elif aspects is not None:
        scope = messages.phrase("mismatch.aspects", aspects=aspects)
    elif categories is not None:
        scope = messages.phrase("mismatch.categories", categories=categories)
    grouped = messages.phrase("mismatch.grouped") if parsed in (aspects, categories) else messages.EMPTY
    return messages.warning("stated_count_mismatch", issues=issues, scope=scope, parsed=parsed,
                            grouped=grouped)


def _first(stated: dict[str, float], keys: tuple[str, ...]) -> int | None:
    for key in keys:
        if key in stated:
            return int(stated[key])
    return None


def _add_warning(report: Report, warning: Warning) -> Report:
    return dataclasses.replace(report, warnings=(*report.warnings, warning))
