"""Pure pandas steps between a query and a table (no Streamlit): stated-vs-parsed counts, deadline marks."""

from __future__ import annotations

import pandas as pd

from loaders.vocab import vocab
from views.components.labels import STATED_LABELS

# Stated totals compared with what the parser found: stated key → parsed column.
COMPARED = {"issues": "issues", "measures": "measures"}


def stated_vs_parsed(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per report of queries.report_counts: the totals it states (its `stated_<key>` columns) beside
    the parsed counts, with the differences for issues and measures; the largest difference first."""
    if counts.empty:
        return pd.DataFrame()
    totals = pd.DataFrame({key: pd.to_numeric(counts[f"stated_{key}"]).astype("float").to_numpy()
                           for key in STATED_LABELS})
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


def unit_key_figures(score: pd.DataFrame) -> pd.Series:
    """The key figures of one unit (queries.key_figures' issues, per-status counts, done_rate, overdue and
    lights) from its queries.unit_scores row, which counts the same filtered issues the same way: the 单位
    page reads both, and counting them twice filtered the issues once more (~50 ms of CPU of a cold render
    at 10,000 files). No row (no report of the unit within the filters): every count 0."""
    columns = ["issues", *(s.column for s in vocab().labels), "overdue", *(x.column for x in vocab().lights)]
    row = score.iloc[0] if not score.empty else pd.Series(dtype="object")
    out = pd.Series({c: int(row[c]) if c in row and pd.notna(row[c]) else 0 for c in columns}, dtype="object")
    out["done_rate"] = out["done"] / out["issues"] if out["issues"] else 0.0
    return out
