"""Pure pandas steps between a query and a table (no Streamlit): stated-vs-parsed counts, deadline marks."""

from __future__ import annotations

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
    beside the parsed counts, with the differences for issues and measures; the largest difference first."""
    if counts.empty:
        return pd.DataFrame()
    keys = counts["report_key"]
    from_json = _stated_frame(counts["stated_json"], keys)
    from_figures = stated.pivot_table(index="report_key", columns="kind", values="value", aggfunc="first")
    totals = from_json.combine_first(from_figures.reindex(keys)).reindex(columns=list(STATED_LABELS))
    out = pd.DataFrame({"unit": counts["unit"].to_numpy(), "part": counts["part"].to_numpy(),
                        "published_on": counts["published_on"].to_numpy()})
    for key, col in COMPARED.items():  # stated, parsed and their difference side by side
        label, said, found = STATED_LABELS[key], totals[key].to_numpy(), counts[col].to_numpy()
        out[f"声明{label}"], out[f"解析{label}"], out[f"{label}差异"] = said, found, found - said
    for key in STATED_LABELS:
        if key not in COMPARED:
            out[f"声明{STATED_LABELS[key]}"] = totals[key].to_numpy()
    out["解析类别"], out["警告"] = counts["categories"].to_numpy(), counts["warnings"].to_numpy()
    # The largest disagreement first (the reports worth checking), then those that state nothing.
    gap = out[[f"{STATED_LABELS[k]}差异" for k in COMPARED]].abs().max(axis=1).fillna(-1)
    out = out.assign(_gap=gap).sort_values("_gap", ascending=False, kind="stable").drop(columns="_gap")
    # Drop stated columns no report in view states; show the rest as whole numbers, blank when not stated.
    empty = [c for c in out.columns if (c.startswith("声明") or c.endswith("差异")) and out[c].isna().all()]
    out = out.drop(columns=empty)
    for col in out.columns:
        if col.startswith("声明"):
            out[col] = _numbers(out[col], "{:g}")
        elif col.endswith("差异"):
            out[col] = _numbers(out[col], "{:+g}")
    return out.reset_index(drop=True)


def _stated_frame(stated_json: pd.Series, keys: pd.Series) -> pd.DataFrame:
    """stated_totals of every report as a frame (one column per key); each distinct JSON text is parsed
    once (many reports state nothing, or the same totals)."""
    parsed: dict[str, dict[str, float]] = {}
    rows = []
    for text in stated_json.tolist():
        if not isinstance(text, str):
            rows.append(stated_totals(text))
            continue
        if text not in parsed:
            parsed[text] = stated_totals(text)
        rows.append(parsed[text])
    return pd.DataFrame(rows, index=keys)


def _numbers(values: pd.Series, fmt: str) -> pd.Series:
    """values.map(_number): formatted once per distinct value (a column holds few distinct counts)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = [_number(v, fmt) for v in uniques] + [_number(None, fmt)]  # code -1 (missing) is the last
    return pd.Series([texts[c] for c in codes], index=values.index, name=values.name)


def _number(value: object, fmt: str) -> str:
    """A count as text for display; blank when the report does not state it."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return ""
    number = float(value)  # type: ignore[arg-type]
    return fmt.format(number) if number else "0"


def mark_overdue(deadlines: pd.DataFrame) -> pd.DataFrame:
    """Add 是否逾期 from the query's `overdue` (queries.deadline_rows: the one SQL definition of overdue)."""
    late = deadlines["overdue"].fillna(False).astype(bool)
    return deadlines.assign(是否逾期=late.map({True: "逾期", False: ""}))


def stated_completion(stated_json: str | None) -> float | None:
    """The completion rate a report states about itself (percent): its own `completion_rate`, else
    completed / issues; None when it states neither."""
    totals = stated_totals(stated_json)
    if "completion_rate" in totals:
        return totals["completion_rate"]
    if totals.get("issues") and "completed" in totals:
        return 100.0 * totals["completed"] / totals["issues"]
    return None


REVISED = "时限调整"


def mark_revised(rows: pd.DataFrame) -> pd.DataFrame:
    """Add 时限调整: for an issue whose deadline a later report of its inspection moved, how many times and
    the first date set ("调整1次（最初2023-12-31）"); blank otherwise."""
    if rows.empty or "due_revisions" not in rows:
        return rows.assign(**{REVISED: pd.Series(dtype="object")})
    first = pd.to_datetime(rows["original_due"])
    marks = [f"调整{int(n)}次（最初{d:%Y-%m-%d}）" if pd.notna(n) and int(n) > 0 and pd.notna(d)
             else (f"调整{int(n)}次" if pd.notna(n) and int(n) > 0 else "")
             for n, d in zip(rows["due_revisions"], first, strict=True)]
    return rows.assign(**{REVISED: marks})
