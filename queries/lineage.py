"""Queries of a problem over time (issue_lineage, report_threads, written by loaders/writer/store.py): a
unit's
inspection threads as a timeline of its reports, and the history of problems across those reports."""

from __future__ import annotations

import dataclasses

import pandas as pd

from queries.base import (
    DONE,
    Db,
    Filters,
    _connection,
    _ctes,
    _frame,
    _Params,
    _stated,
    _to_pandas,
    status_columns,
    status_label,
)


def unit_timeline(db: Db, f: Filters, unit: str) -> pd.DataFrame:
    """One row per report of the unit (within the filters), in round and publication order: its thread and
    round, the statuses of the issues it prints (every issue of that report, not only latest versions),
    how many are new problems, continued from an earlier report, had their deadline moved in it, or resemble a
    problem closed in an earlier round; the completion it states (`stated_rate`, percent: base._stated); and
    the whole inspection's progress on its date (thread_problems, thread_done, thread_done_rate)."""
    p = _Params()
    every = _one_unit(dataclasses.replace(f, all_versions=True), unit)  # a report's own issues, all versions
    # The unit's own lineage rows (a problem's earlier version is of the same unit): joined by key to all
    # of issue_lineage, every row of it was read (~130 ms of a one-unit query at 10,000 files).
    sql = f"""{_ctes(every, p)}, {_stated(p)},
    ul AS (SELECT issue_key, prev_issue_key, version, due_revisions, recurrence_of FROM issue_lineage
           WHERE unit = {p.bind("unit", unit)})
    SELECT fr.report_key, fr.ordinal, fr.title, fr.part, fr.published_on, fr.team, fr.inspection_start,
           fr.inspection_end, fr.feedback_on, sr.rate AS stated_rate,
           t.thread_id, COALESCE(t.thread_round, 1) AS thread_round, COALESCE(t.position, 1) AS position,
           count(fi.issue_key) AS issues,
           {status_columns("count(fi.issue_key) FILTER (WHERE {cond})")},
           count(fi.issue_key) FILTER (WHERE COALESCE(lin.version, 1) = 1) AS new_problems,
           count(fi.issue_key) FILTER (WHERE lin.version > 1) AS continued,
           count(fi.issue_key) FILTER (WHERE lin.due_revisions > COALESCE(pv.due_revisions, 0)) AS revised,
           count(fi.issue_key) FILTER (WHERE lin.recurrence_of IS NOT NULL) AS recurrences
    FROM fr
    LEFT JOIN report_threads t ON t.report_key = fr.report_key
    LEFT JOIN sr ON sr.report_key = fr.report_key
    LEFT JOIN fi ON fi.report_key = fr.report_key
    LEFT JOIN ul lin ON lin.issue_key = fi.issue_key
    LEFT JOIN ul pv ON pv.issue_key = lin.prev_issue_key
    WHERE fr.unit = {p.bind("unit", unit)}
    GROUP BY ALL
    ORDER BY thread_round, position, fr.published_on, fr.ordinal"""
    df = _frame(db, sql, p)
    issues = df["issues"].astype("float")
    df["done_rate"] = (df["done"] / issues.where(issues > 0)).fillna(0.0)
    return df.merge(_thread_progress(db, every, unit), on="report_key", how="left")


def _one_unit(f: Filters, unit: str) -> Filters:
    """f narrowed to `unit` (the queries below only read that unit's reports): the filtered issues are then
    those of its reports, not every issue joined before the unit is picked. A unit outside f's own choice
    of units stays outside (the result is empty, as before)."""
    return f if f.units and unit not in f.units else dataclasses.replace(f, units=(unit,))


def _thread_progress(db: Db, f: Filters, unit: str) -> pd.DataFrame:
    """Per report: the whole inspection's state on its publication date (each problem of the thread at its
    latest version published by then): how many problems, how many 完成, the share. A 回头看 that restates
    three problems does not make the inspection look three problems big."""
    p = _Params()
    sql = f"""{_ctes(f, p)},
    th AS (SELECT fr.report_key, fr.published_on, t.thread_id FROM fr
           JOIN report_threads t ON t.report_key = fr.report_key WHERE fr.unit = {p.bind("unit", unit)})
    SELECT th.report_key, count(fi.issue_key) AS thread_problems,
           count(fi.issue_key) FILTER (WHERE fi.status_label = '{DONE}') AS thread_done
    FROM th JOIN issue_lineage lin ON lin.thread_id = th.thread_id
         AND (lin.published_on <= th.published_on OR lin.published_on IS NULL OR th.published_on IS NULL)
         AND (NOT lin.superseded OR lin.successor_on > th.published_on)
    JOIN fi ON fi.issue_key = lin.issue_key
    GROUP BY th.report_key"""
    df = _frame(db, sql, p)
    problems = df["thread_problems"].astype("float")
    df["thread_done_rate"] = (df["thread_done"] / problems.where(problems > 0)).fillna(0.0)
    return df


def issue_history(db: Db, lineage_ids: tuple[str, ...]) -> pd.DataFrame:
    """Every version of these problems (lineage ids), oldest first, with the problems merged into them: the
    report each came in, its status (effective: a correction, own or carried, counts) beside the parsed one,
    its deadline and how often it moved, the measures it added, the link's score; and, for a problem
    resembling one closed in an earlier round, that problem's title and date."""
    p = _Params()
    ids = p.bind("ids", list(lineage_ids))
    # Two statements on one connection: the issue keys of the problems (a scan of issue_lineage's ids),
    # then their rows by those keys, which the primary-key indexes answer (a semi-join with the keys made
    # the planner build issues_current for every issue: ~0.4 s at 100,000 reports for 50 problems).
    members = f"""WITH members AS MATERIALIZED (
        SELECT issue_key, lineage_id FROM issue_lineage
        WHERE lineage_id IN (SELECT unnest({ids}::VARCHAR[])))
    SELECT issue_key, lineage_id FROM members
    UNION ALL
    SELECT l.issue_key, m.lineage_id FROM issue_lineage l JOIN members m ON m.issue_key = l.merged_into"""
    with _connection(db) as con:
        found = con.sql(members, params=p.values).fetchall()
        q = _Params()
        keys = q.keys(key for key, _ in found)
        w = ", ".join(f"({q.bind(f'w{n}', key)}, {q.bind(f'l{n}', lineage)})"
                      for n, (key, lineage) in enumerate(found))
        w_rows = f"SELECT * FROM (VALUES {w}) w(issue_key, lineage_id)" if found else (
            "SELECT NULL::VARCHAR AS issue_key, NULL::VARCHAR AS lineage_id WHERE FALSE")
        sql = f"""WITH w AS ({w_rows}),
    cur AS MATERIALIZED (SELECT * FROM issues_current WHERE issue_key IN ({keys}))
    SELECT w.lineage_id, c.issue_key, c.version, c.merged_into IS NOT NULL AS merged, r.published_on,
           r.title AS report_title, r.part, t.thread_round, c.label, c.title,
           {status_label("c.effective_status")} AS status, c.status AS parsed_status,
           c.effective_source AS source, c.target_due, c.prev_due, c.original_due, c.known_due,
           c.due_revisions, c.measures_added, c.link_score, c.carried_status, c.carried_author,
           c.carried_note,
           c.override_author, c.override_note, c.recurrence_score, ri.title AS recurrence_title,
           rr.published_on AS recurrence_published_on
    FROM w JOIN cur c ON c.issue_key = w.issue_key
    JOIN reports r ON r.report_key = c.report_key
    LEFT JOIN report_threads t ON t.report_key = c.report_key
    LEFT JOIN issues ri ON ri.issue_key = c.recurrence_of
    LEFT JOIN reports rr ON rr.report_key = ri.report_key
    ORDER BY w.lineage_id, r.published_on NULLS LAST, c.version, c.issue_key"""
        table = con.sql(sql, params=q.values).to_arrow_table()
    return _to_pandas(table)
