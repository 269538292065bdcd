"""The parsing pipeline: file → text → normalised text → reports (meta, issues, status, deadlines, figures).

parse_text never raises on arbitrary text. Text that holds no report at all (a news article, a page of
chrome) still yields one Report, with zero issues and the warnings `no_issues` and `not_a_report`, so the
ingest layer can show the user what was found; only empty or whitespace-only text yields [].
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from loaders import messages
from loaders.models import UNKNOWN_STATUS, Deadline, Figure, Issue, ParseWarning, Report, StatusDecision
from loaders.parser import chrome
from loaders.parser import meta as meta_mod
from loaders.parser.deadline_finder import find_deadlines, stated_deadline
from loaders.parser.figures import extract_figures
from loaders.parser.grammar import cn_number, grammar
from loaders.parser.normalize import normalize, to_simplified
from loaders.parser.read import read_document
from loaders.parser.segment import RawIssue, Segmented, segment
from loaders.parser.status import ReportContext, decide_status, report_warnings
from loaders.parser.tables import tab_rows_to_pipes

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
    reports = parse_text(result.text, source_name=Path(path).name, aside=result.aside)
    extra = tuple(result.warnings)
    return [
        dataclasses.replace(r, warnings=extra + r.warnings, source_url=r.source_url or result.source_url)
        for r in reports
    ]


def parse_text(text: str, source_name: str = "", aside: tuple[str, ...] = ()) -> list[Report]:
    """Every report in `text` (the main report, then each 附件N); [] for empty text. Never raises.
    `aside`: page lines the reader left out of the text (a web page's chrome), read for the page's facts."""
    try:
        return _parse(text or "", aside)
    except Exception as exc:  # the contract is "never raise": report the failure instead
        log.exception("parse_text failed on %s", source_name or "text")
        failure = messages.warning("parse_error", error=f"{type(exc).__name__}: {exc}")
        return [Report(title=None, unit="", warnings=(failure,))]


def _parse(text: str, aside: tuple[str, ...] = ()) -> list[Report]:
    text, traditional = to_simplified(text)  # normalize would convert it too: this says that it did
    text = normalize(tab_rows_to_pipes(text), simplify=False)
    if not text.strip():
        return []
    page = chrome.strip(text.split("\n"))
    if aside:
        page = chrome.merge(page, chrome.strip(normalize("\n".join(aside)).split("\n")))
    reports: list[Report] = []
    for part, lines in split_reports(page.lines):
        meta, body = meta_mod.extract(lines, page)
        seg = segment(body)
        cut = meta_mod.cut_off_at(body)
        if cut:
            seg.warnings.append(messages.warning("truncated", cut=cut))
        report = _build(part, meta, seg, page.source_url)
        if part != "main" and reports:
            report = _inherit(report, reports[0])
        reports.append(report)
    if not reports:
        reports.append(_build("main", meta_mod.Meta(), Segmented(), page.source_url))
    if not _REPORT_WORDS.search(text):
        reports = [_add_warning(r, messages.warning("not_a_report")) for r in reports]
    if traditional:
        reports = [_add_warning(r, messages.warning("traditional_converted")) for r in reports]
    return reports


def _build(part: str, meta: meta_mod.Meta, seg: Segmented, source_url: str | None) -> Report:
    warnings = [*meta.warnings, *seg.warnings]
    ctx = ReportContext(meta.published_on, meta.inspection.feedback_on,
                        "\n".join(filter(None, [meta.title or "", *seg.context[:2]]))[:600])
    issues = [_issue(raw, ctx, warnings) for raw in seg.issues]
    stated, figures = _figures("\n".join(seg.context), warnings)
    warnings.extend(_report_warnings(meta, issues, stated))
    warnings.extend(_call("status", report_warnings, (issues, stated), [], warnings) or [])
    return Report(
        title=meta.title, unit=meta.unit, issuer=meta.issuer, region=meta.region,
        published_on=meta.published_on, published_on_source=meta.published_on_source,
        inspection=meta.inspection, stated=stated, figures=figures,
        warnings=tuple(warnings), issues=tuple(issues), part=part,
        parent_part=None if part == "main" else "main", source_url=source_url,
    )


def _inherit(report: Report, main: Report) -> Report:
    """An attachment's missing region and date come from the main report it is attached to."""
    region = report.region if report.region.province else main.region
    if report.published_on:
        return dataclasses.replace(report, region=region)
    return dataclasses.replace(report, region=region, published_on=main.published_on,
                               published_on_source=main.published_on_source)


def _issue(raw: RawIssue, ctx: ReportContext, warnings: list[ParseWarning]) -> Issue:
    body = "\n".join(raw.measures)
    decide = functools.partial(decide_status, evidence=raw.explicit_evidence, heading=raw.heading)
    args = (raw.explicit, body, raw.section, ctx, raw.title)
    status = _call("status", decide, args, UNKNOWN_STATUS, warnings)
    published = ctx.published_on
    deadlines = _call("deadlines", find_deadlines, (body, published), (), warnings)
    if raw.due:  # the printed time limit (整改时限) comes first: it is the issue's own deadline
        stated = _call("deadlines", stated_deadline, (raw.due, published), None, warnings)
        deadlines = (stated, *(d for d in deadlines if d != stated)) if stated else deadlines
    return Issue(
        label=raw.label, category=raw.category, title=raw.title,
        status=status if isinstance(status, StatusDecision) else UNKNOWN_STATUS,
        measures=tuple(raw.measures), deadlines=tuple(d for d in deadlines if isinstance(d, Deadline)),
        section=raw.section, owner=raw.owner,
    )


def _figures(context: str, warnings: list[ParseWarning]) -> tuple[dict[str, float], tuple[Figure, ...]]:
    result = _call("figures", extract_figures, (context, True), ({}, ()), warnings)
    stated, figures = result if isinstance(result, tuple) and len(result) == 2 else ({}, ())
    return dict(stated or {}), tuple(figures or ())


def _call(
    stage: str, func: Callable[..., Any], args: tuple, default: Any, warnings: list[ParseWarning]
) -> Any:
    """Run one stage; its failure costs only its own results (and a warning), never the whole report."""
    try:
        return func(*args)
    except Exception as exc:
        log.exception("the %s stage failed", stage)
        code = f"{stage}_error"
        if not any(w.code == code for w in warnings):
            warnings.append(messages.warning(code, error=f"{type(exc).__name__}: {exc}"))
        return default


# --- file level: the split into reports ---------------------------------------------------


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


def worth_storing(reports: Sequence[Report]) -> bool:
    """A file is stored when a report lists issues; or states its own progress or accountability figures
    without listing them (a news item on a unit's rectification: `反馈问题25个,已完成整改19个`); or names its
    unit and the date the inspection fed back (a copy cut off before the items: the unit is then listed, with
    a warning, instead of vanishing; a team arriving, with no feedback yet, is no rectification report)."""
    return any(r.issues or r.stated or r.figures or (r.unit and r.inspection.feedback_on) for r in reports)


def _report_warnings(
    meta: meta_mod.Meta, issues: list[Issue], stated: dict[str, float]
) -> list[ParseWarning]:
    out: list[ParseWarning] = []
    if not issues:
        out.append(messages.warning("stated_only") if stated else messages.warning("no_issues"))
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


def _stated_mismatch(stated: dict[str, float], parsed: int) -> ParseWarning | None:
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


def _add_warning(report: Report, warning: ParseWarning) -> Report:
    return dataclasses.replace(report, warnings=(*report.warnings, warning))
