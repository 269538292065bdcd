"""Queries of the supervisor's ledger (整改台账): every filtered issue in the ledger's columns, for the Excel
export of 问题清单 and 单位 and for the one-page brief; and the issues under each deadline light (时限)."""

from __future__ import annotations

import pandas as pd

from queries.base import LIGHTS, OVERRIDE_COLUMNS, OVERRIDE_JOIN, Db, Filters, _ctes, _frame, _Params
from queries.issues import _DEADLINE_CELLS, _ISSUE_ORDER, EVIDENCE, MEASURE_CELLS, MEASURES_JOIN


def ledger_rows(db: Db, f: Filters, search: str = "") -> pd.DataFrame:
    """All filtered (and searched) issues in the explorer's order, one row each: unit, category, title,
    measures_text, owner (责任单位 as the report prints it, else NULL),
    deadlines (all its deadline phrases in one cell), first_due, light, status, parsed_status, source,
    evidence, rule, confidence, override_author / _note / _at, counter_evidence, overdue_commitments (one
    cell, joined by ；), issue_key."""
    p = _Params()

    sql = f"""{_ctes(f, p, search)},
    dl AS ({_DEADLINE_CELLS} WHERE d.issue_key IN (SELECT issue_key FROM fi) GROUP BY d.issue_key),
    mt AS ({MEASURE_CELLS} WHERE m.issue_key IN (SELECT issue_key FROM fi) GROUP BY m.issue_key)
    SELECT fi.unit, fi.published_on, fi.part, fi.category_label AS category, fi.label,
           fi.title, fi.owner, COALESCE(mt.measures_text, '') AS measures_text, dl.deadlines, fi.first_due,
           fi.light,
           fi.status_label AS status, fi.status AS parsed_status, fi.effective_source AS source,
           fi.evidence, fi.rule, fi.confidence, {OVERRIDE_COLUMNS},
           {EVIDENCE}, fi.issue_key
    FROM fi LEFT JOIN dl ON dl.issue_key = fi.issue_key {MEASURES_JOIN} {OVERRIDE_JOIN}
    ORDER BY {_ISSUE_ORDER}"""
    return _frame(db, sql, p)


def light_issues(db: Db, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Issues under a red or yellow light (the most urgent first: fewest days left), with days_left
    (negative: overdue) — the list 时限 shows beside the light counts."""
    p = _Params()
    as_of = p.bind("as_of", f.as_of)
    page = f"LIMIT {p.bind('limit', int(limit))}" if limit is not None else ""

    sql = f"""{_ctes(f, p)}
    SELECT fi.light, fi.unit, fi.issue_key, fi.title, fi.status_label AS status, fi.first_due AS due_on,
           date_diff('day', {as_of}::DATE, fi.first_due) AS days_left
    FROM fi WHERE fi.light IN ('{LIGHTS[0]}', '{LIGHTS[1]}')
    ORDER BY days_left, fi.unit, fi.issue_key {page}"""
    return _frame(db, sql, p)
