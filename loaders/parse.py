"""The parsing pipeline: file → text → normalised text → reports (meta, issues, status, deadlines, figures).

parse_text never raises on arbitrary text. Text that holds no report at all (a news article, a page of
chrome) still yields one Report, with zero issues and the warnings `no_issues` and `not_a_report`, so the
ingest layer can show the user what was found; only empty or whitespace-only text yields [].
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from loaders import meta as meta_mod
from loaders.models import UNKNOWN_STATUS, Deadline, Figure, Issue, Report, StatusDecision, Warning
from loaders.normalize import normalize
from loaders.segment import RawIssue, Segmented, segment, split_reports, strip_chrome

log = logging.getLogger(__name__)

# A text with none of these words is not a rectification report at all.
_REPORT_WORDS = re.compile(r"巡视|巡察|整改")
# Keys of the figures module's `stated` dict that count issues / aspects / categories.
_STATED_ISSUES = ("issues", "problems", "stated_issues")
_STATED_ASPECTS = ("aspects", "stated_aspects", "subcategories")
_STATED_CATEGORIES = ("categories", "stated_categories")


def parse_file(path: str | Path, data: bytes | None = None) -> list[Report]:
    """Read a file (or its uploaded bytes) and parse it. Raises ReadError when the file cannot be read."""
    from loaders.read import read_document

    result = read_document(path, data)
    reports = parse_text(normalize(result.text), source_name=Path(path).name)
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
        failure = Warning("parse_error", f"The text could not be parsed ({type(exc).__name__}: {exc}).")
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
        report = _build(part, meta, seg, chrome.source_url)
        if part != "main" and reports:
            report = _inherit(report, reports[0])
        reports.append(report)
    if not reports:
        reports.append(_build("main", meta_mod.Meta(), Segmented(), chrome.source_url))
    if not _REPORT_WORDS.search(text):
        reports = [_add_warning(r, Warning(
            "not_a_report", "This text does not look like a rectification report: it never mentions "
            "巡视, 巡察 or 整改.")) for r in reports]
    return reports


def _build(part: str, meta: meta_mod.Meta, seg: Segmented, source_url: str | None) -> Report:
    warnings = list(seg.warnings)
    issues = [_issue(raw, meta.published_on, warnings) for raw in seg.issues]
    stated, figures = _figures("\n".join(seg.context), warnings)
    warnings.extend(_report_warnings(meta, issues, stated))
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


def _issue(raw: RawIssue, published: date | None, warnings: list[Warning]) -> Issue:
    body = "\n".join(raw.measures)
    status = _call("status", "decide_status", (raw.explicit, body, raw.section), UNKNOWN_STATUS, warnings)
    deadlines = _call("deadlines", "find_deadlines", (body, published), (), warnings)
    return Issue(
        label=raw.label, category=raw.category, title=raw.title,
        status=status if isinstance(status, StatusDecision) else UNKNOWN_STATUS,
        measures=tuple(raw.measures), deadlines=tuple(d for d in deadlines if isinstance(d, Deadline)),
        section=raw.section,
    )


def _figures(context: str, warnings: list[Warning]) -> tuple[dict[str, float], tuple[Figure, ...]]:
    result = _call("figures", "extract_figures", (context,), ({}, ()), warnings)
    stated, figures = result if isinstance(result, tuple) and len(result) == 2 else ({}, ())
    return dict(stated or {}), tuple(figures or ())


def _call(module: str, name: str, args: tuple, default: Any, warnings: list[Warning]) -> Any:
    """Call loaders.<module>.<name>; a missing module gives the default, a failure also a warning."""
    func = _stage(module, name)
    if func is None:
        return default
    try:
        return func(*args)
    except Exception as exc:  # one stage's failure must not lose the whole report
        log.exception("%s.%s failed", module, name)
        code = f"{module}_error"
        if not any(w.code == code for w in warnings):
            warnings.append(Warning(code, f"The {module} step failed ({type(exc).__name__}: {exc}); "
                                          "its results are missing for this report."))
        return default


def _stage(module: str, name: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(f"loaders.{module}"), name)
    except (ImportError, AttributeError):
        return None


# --- report-level warnings ------------------------------------------------------------------------------


def _report_warnings(meta: meta_mod.Meta, issues: list[Issue], stated: dict[str, float]) -> list[Warning]:
    out: list[Warning] = []
    if not issues:
        out.append(Warning("no_issues", "No issues were found in this report: none of its headings matches "
                                        "an issue layout the parser knows."))
    unknown = [i for i in issues if i.status.status is None]
    if unknown:
        labels = ", ".join(i.label for i in unknown[:8]) + ("…" if len(unknown) > 8 else "")
        out.append(Warning("unknown_status", f"{len(unknown)} of {len(issues)} issues have no status: "
                                             f"nothing in their text decides it (issues {labels})."))
    if meta.published_on is None:
        out.append(Warning("no_publication_date", "No publication date was found (no date line under the "
                                                  "signature), so relative deadlines cannot be resolved."))
    if not meta.unit:
        out.append(Warning("no_unit", "The publishing unit could not be found in the title, the signature "
                                      "or the opening paragraph."))
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
    detail = f"The report states {issues} problems"
    if aspects is not None:
        detail += f" in {aspects} aspects"
    if categories is not None:
        detail += f" ({categories} categories)"
    detail += f", but {parsed} issues were parsed"
    if parsed in (aspects, categories):
        detail += " — one per aspect: the report lists its problems grouped, not one by one"
    return Warning("stated_count_mismatch", detail + ".")


def _first(stated: dict[str, float], keys: tuple[str, ...]) -> int | None:
    for key in keys:
        if key in stated:
            return int(stated[key])
    return None


def _add_warning(report: Report, warning: Warning) -> Report:
    return dataclasses.replace(report, warnings=(*report.warnings, warning))
