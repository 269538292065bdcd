"""Queries of 评分 (unit scorecard and ranking): per unit, parsed and self-reported completion, overdue and
partly-done shares, deadline lights, accountability and money figures, a grade and a rank — one SQL pass
grouped by unit (no Python loop over units: there may be 18,000). Also read by 总览, 单位, 数据质量 and the
CSV for the self-reported vs parsed completion."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from loaders.config import section
from queries.base import (
    Db,
    Filters,
    _ctes,
    _frame,
    _Params,
    _report_conditions,
    _stated,
    due_bucket,
    due_refs,
    status_columns,
    status_refs,
)
from queries.overview import _INSPECTION


def grade_bands() -> list[dict[str, Any]]:
    """config.yaml ledger.grades, in order: {grade, min_completion, max_overdue} (the bands are written only
    there)."""
    bands = section("ledger")["grades"]
    return [{"grade": str(b["grade"]), "min_completion": float(b.get("min_completion", 0.0)),
             "max_overdue": float(b.get("max_overdue", 1.0))} for b in bands]


def disagreement_pts() -> float:
    """Percentage points between self-reported and parsed completion beyond which a unit is flagged."""
    return float(section("ledger")["stated_disagreement_pts"])


def _grade_sql(p: _Params) -> tuple[str, str]:
    """SQL CASEs over `completion` and `overdue_share`: the grade and its position (0 = best)."""
    grades, orders = [], []
    for n, band in enumerate(grade_bands()):
        cond = (f"completion >= {p.bind(f'g{n}_min', band['min_completion'])} "
                f"AND overdue_share <= {p.bind(f'g{n}_max', band['max_overdue'])}")
        grades.append(f"WHEN {cond} THEN {p.bind(f'g{n}', band['grade'])}")
        orders.append(f"WHEN {cond} THEN {n}")
    return (f"CASE WHEN completion IS NULL THEN NULL {' '.join(grades)} END",
            f"CASE WHEN completion IS NULL THEN NULL {' '.join(orders)} END")


def unit_scores(
    db: Db, f: Filters, people_kinds: tuple[str, ...] = (), money_kinds: tuple[str, ...] = (),
    stated_only: bool = False,
) -> pd.DataFrame:
    """One row per unit of the filtered reports (also one whose reports list no issue), ranked: reports,
    issues and per-status counts within the filters; `completion` (完成 / issues, NULL without issues),
    `partial_share`, `overdue`, `overdue_share`; issues under each light (red, yellow, green);
    `stated_rate` (percent: the newest report's stated completion_rate, else its completed / issues) with
    `stated_issues`, `stated_completed`, `stated_from` ('completion_rate' / 'completed/issues'),
    `rate_gap` (stated_rate − 100 × completion, percentage points) and `disagrees` (beyond
    ledger.stated_disagreement_pts); `people` and `money` (the kinds given, summed over inspections, each
    from its newest report as on 总览); `grade` (ledger.grades), `rank` (1 = best).
    `stated_only`: only the units that state a completion (总览 and 数据质量 compare those; usually few, so
    only their issues are counted)."""
    if stated_only:
        # Narrowed first to the units that state a rate (usually few), so only their issues and lineage are
        # read: filtering every issue to keep those of none took ~70 ms of CPU at 10,000 files (总览,
        # 数据质量). The query below still keeps only the stating units ('' when none: it only narrows).
        f = dataclasses.replace(f, units=tuple(_stating_units(db, f)) or ("",))
    p = _Params()
    grade, grade_order = _grade_sql(p)

    only_stated = "WHERE unit IN (SELECT unit FROM su)" if stated_only else ""

    sql = f"""{_ctes(f, p)},
    {_stated(p)},
    su AS (  -- per unit, the newest report that states a completion
        SELECT unit,
               arg_max(struct_pack(rate, issues, completed, rate_from),
                       COALESCE(published_on, DATE '0001-01-01')) AS s
        FROM sr WHERE rate IS NOT NULL GROUP BY unit
    ),
    ius AS (  -- per unit, status and first deadline's range first (base.due_bucket), labels per group
        SELECT unit, status_label, {due_bucket(p, f)} AS due_bucket, count(*) AS n
        FROM fi {only_stated} GROUP BY ALL
    ),
    iu AS (
        SELECT unit, sum(n)::BIGINT AS issues,
               {status_columns("COALESCE(sum(n) FILTER (WHERE {cond}), 0)::BIGINT")},
               {due_refs(f)}
        FROM ius GROUP BY unit
    ),
    ak AS (
        SELECT fr.unit, g.kind, g.value,
               rank() OVER (PARTITION BY fr.unit, g.kind, {_INSPECTION}
                            ORDER BY fr.published_on DESC NULLS LAST, fr.report_key DESC) AS newest
        FROM figures g JOIN fr ON fr.report_key = g.report_key
        WHERE list_contains({p.bind("people", list(people_kinds))}::VARCHAR[], g.kind)
           OR list_contains({p.bind("money", list(money_kinds))}::VARCHAR[], g.kind)
    ),
    au AS (
        SELECT unit,
               sum(value) FILTER (WHERE list_contains($people::VARCHAR[], kind)) AS people,
               sum(value) FILTER (WHERE list_contains($money::VARCHAR[], kind)) AS money
        FROM ak WHERE newest = 1 GROUP BY unit
    ),
    units AS (SELECT unit, count(*) AS reports, any_value(province) AS province, any_value(city) AS city
              FROM fr {only_stated} GROUP BY unit),
    base AS (
        SELECT u.unit, u.province, u.city, u.reports,
               COALESCE(iu.issues, 0) AS issues, {status_refs("COALESCE(iu.{c}, 0) AS {c}")},
               COALESCE(iu.overdue, 0) AS overdue,
               COALESCE(iu.red, 0) AS red, COALESCE(iu.yellow, 0) AS yellow, COALESCE(iu.green, 0) AS green,
               iu.done / NULLIF(iu.issues, 0)::DOUBLE AS completion,
               iu.partial / NULLIF(iu.issues, 0)::DOUBLE AS partial_share,
               iu.overdue / NULLIF(iu.issues, 0)::DOUBLE AS overdue_share,
               su.s.rate AS stated_rate, su.s.issues AS stated_issues, su.s.completed AS stated_completed,
               su.s.rate_from AS stated_from,
               COALESCE(au.people, 0) AS people, COALESCE(au.money, 0) AS money
        FROM units u LEFT JOIN iu USING (unit) LEFT JOIN su USING (unit) LEFT JOIN au USING (unit)
    ),
    graded AS (
        SELECT *, stated_rate - 100 * completion AS rate_gap,
               abs(stated_rate - 100 * completion) > {p.bind("gap", disagreement_pts())} AS disagrees,
               {grade} AS grade, {grade_order} AS grade_order
        FROM base
    )
    SELECT * EXCLUDE (grade_order),
           rank() OVER (ORDER BY grade_order NULLS LAST, completion DESC NULLS LAST,
                        overdue_share NULLS LAST) AS rank
    FROM graded
    ORDER BY rank, issues DESC, unit"""
    return _frame(db, sql, p)


def _stating_units(db: Db, f: Filters) -> list[str]:
    """The units of f's reports that state a completion (unit_scores' `su`: a `rate` of base._stated)."""
    p = _Params()
    sql = f"""WITH fr AS (SELECT r.* FROM reports r WHERE {_report_conditions(f, p)}), {_stated(p)}
    SELECT DISTINCT unit FROM sr WHERE rate IS NOT NULL ORDER BY unit"""
    return _frame(db, sql, p)["unit"].tolist()
