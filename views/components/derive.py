"""Pure pandas steps between a query and a table (no Streamlit): stated-vs-parsed counts, deadline marks."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from views.components.labels import STATED_LABELS

# Stated totals compared with what the parser found: stated key → parsed column.
COMPARED = {"issues": "issues", "measures": "measures"}


def stated_totals(stated_json: str | None) -> dict[str, float]:
    try:
        data = json.loads(stated_json or "{}")
    except ValueError:
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}


def stated_vs_parsed(counts: pd.DataFrame, stated: pd.DataFrame) -> pd.DataFrame:
    """One row per report: the totals it states (reports.stated_json, completed by figures `stated.*`)
    beside the parsed counts, with the differences for issues and measures."""
    rows = []
    by_report = {k: dict(zip(g["kind"], g["value"], strict=True)) for k, g in stated.groupby("report_key")}
    for r in counts.itertuples():
        totals = {**by_report.get(r.report_key, {}), **stated_totals(r.stated_json)}
        row: dict[str, object] = {"unit": r.unit, "part": r.part, "published_on": r.published_on}
        for key, col in COMPARED.items():  # stated, parsed and their difference side by side
            label, said, found = STATED_LABELS[key], totals.get(key), getattr(r, col)
            row |= {f"声明{label}": said, f"解析{label}": found,
                    f"{label}差异": None if said is None else found - said}
        row |= {f"声明{STATED_LABELS[k]}": totals.get(k) for k in STATED_LABELS if k not in COMPARED}
        row |= {"解析类别": r.categories, "警告": r.warnings}
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    # The largest disagreement first (the reports worth checking), then those that state nothing.
    diffs = out[[f"{STATED_LABELS[k]}差异" for k in COMPARED]].apply(pd.to_numeric, errors="coerce")
    gap = diffs.abs().max(axis=1).fillna(-1)
    out = out.assign(_gap=gap).sort_values("_gap", ascending=False, kind="stable").drop(columns="_gap")
    # Drop stated columns no report in view states; show the rest as whole numbers, blank when not stated.
    out = out.dropna(axis="columns", how="all")
    for col in out.columns:
        if col.startswith("声明"):
            out[col] = out[col].map(lambda v: _number(v, "{:g}"))
        elif col.endswith("差异"):
            out[col] = out[col].map(lambda v: _number(v, "{:+g}"))
    return out


def _number(value: object, fmt: str) -> str:
    """A count as text for display; blank when the report does not state it."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return ""
    number = float(value)  # type: ignore[arg-type]
    return fmt.format(number) if number else "0"


def mark_overdue(deadlines: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Add 是否逾期: the deadline is before as-of and the issue is not 完成."""
    due = pd.to_datetime(deadlines["due_on"])
    late = (due < pd.Timestamp(as_of)) & (deadlines["status"] != "完成")
    return deadlines.assign(是否逾期=late.map({True: "逾期", False: ""}))
