"""Queries of 共性问题 (problems many units share): issue titles reduced to a comparable key in SQL, the
distinct keys grouped by loaders/similar.py (rapidfuzz, sorted-neighbourhood blocking), and per group its
units, statuses and the units where it is still open; the members of one group."""

from __future__ import annotations

import uuid

import pandas as pd
import pyarrow as pa

from loaders.similar import GroupRules, group_labels
from queries.base import (
    DONE,
    Db,
    Filters,
    _connection,
    _ctes,
    _frame,
    _Params,
    _to_pandas,
    status_columns,
    status_refs,
)

_CLEAN = r"[\p{P}\p{S}\p{N}\s]+"  # punctuation, symbols, digits and spaces: not part of what a problem is
_OPEN_UNITS_SHOWN = 20


def _key_sql(p: _Params, rules: GroupRules, clause: str) -> str:
    """SQL: the comparable key of a title from its `clause` (issues.title_clause): the configured filler
    stripped, cut to key_chars. Configuration, so computed when queried (over the distinct clauses only)."""
    key = clause
    for n, pattern in enumerate(rules.filler):
        key = f"regexp_replace({key}, {p.bind(f'filler{n}', pattern)}, '')"
    return f"left({key}, {p.bind('key_chars', rules.key_chars)})"


def common_groups(db: Db, f: Filters, rules: GroupRules | None = None) -> pd.DataFrame:
    """One row per group of similar titles shared by at least rules.min_units units, the most widely
    shared first: `name` (its most frequent title; of equally frequent ones the first in sort order),
    `units`, `issues`, per-status counts (done, partial, open, unknown), `open_units` (units with an issue
    of the group not 完成) and `open_list` (the first of them, by name), `keys` (the group's title keys) and
    `titles` (its distinct titles: what common_members takes — matching titles exactly is cheaper than
    computing every issue's key again).

    Two statements on one connection: the distinct clauses of the filtered issues (issues.title_clause,
    stored at ingest: a few hundred), whose keys are grouped in Python; then one pass over the filtered
    issues joined to that small mapping, counted per group. Grouping the issues by (title, unit, status)
    first, into a table, cost twice as much (the titles are long strings, and nearly every row its own
    group once there are many units)."""
    rules = rules or GroupRules.from_config()
    mapping_name = f"common_groups_{uuid.uuid4().hex}"  # private: a Reader's connection may serve others
    with _connection(db) as con:
        q = _Params()
        clauses = con.sql(f"""{_ctes(f, q)}
            SELECT clause, {_key_sql(q, rules, "clause")} AS key
            FROM (SELECT DISTINCT fi.title_clause AS clause FROM fi)""", params=q.values).to_arrow_table()
        keys = pd.unique(clauses.column("key").to_pandas().fillna(""))
        labels = group_labels([str(k) for k in keys], rules)
        mapping = clauses.to_pandas().merge(pd.DataFrame({"key": keys, "grp": labels}), on="key")
        con.register(mapping_name, pa.Table.from_pandas(mapping[["clause", "key", "grp"]],
                                                        preserve_index=False))
        try:
            p = _Params()
            # The issues counted per (group, unit, title, status) in the one pass over them, then everything
            # from those counts: materialising every issue's group, unit, title and status cost half the
            # query (1.4 → 0.6 s of CPU at 100,000 replicated reports; the same when most units are distinct,
            # measured on 1.5 M issues of renamed units). Per (group, unit) next, so the units are counted
            # and listed without DISTINCT aggregates, and only the groups shared by enough units get their
            # counts, name and titles.
            sql = f"""{_ctes(f, p)},
    g AS MATERIALIZED (SELECT m.grp, fi.unit, fi.title, fi.status_label, count(*) AS n
                       FROM fi JOIN "{mapping_name}" m ON m.clause = fi.title_clause GROUP BY ALL),
    gu AS (SELECT grp, unit, bool_or(status_label <> '{DONE}') AS still_open FROM g GROUP BY grp, unit),
    shared AS (
        SELECT grp, count(*) AS units, count(*) FILTER (WHERE still_open) AS open_units,
               array_to_string(list_slice(list(unit ORDER BY unit) FILTER (WHERE still_open), 1,
                                          {p.bind("shown", _OPEN_UNITS_SHOWN)}), '、') AS open_list
        FROM gu GROUP BY grp HAVING count(*) >= {p.bind("min_units", rules.min_units)}
    ),
    gs AS (SELECT * FROM g WHERE grp IN (SELECT grp FROM shared)),
    counts AS (SELECT grp, sum(n)::BIGINT AS issues,
                      {status_columns("COALESCE(sum(n) FILTER (WHERE {cond}), 0)::BIGINT")}
               FROM gs GROUP BY grp),
    per_title AS (SELECT grp, title, sum(n) AS tn FROM gs GROUP BY grp, title),
    named AS (SELECT grp, first(title ORDER BY tn DESC, title) AS name, list(title ORDER BY title) AS titles
              FROM per_title GROUP BY grp),
    keyed AS (SELECT grp, list(DISTINCT key ORDER BY key) AS keys FROM "{mapping_name}"
              WHERE grp IN (SELECT grp FROM shared) GROUP BY grp)
    SELECT grp, named.name, shared.units, counts.issues, {status_refs("counts.{c}")},
           shared.open_units, shared.open_list, keyed.keys, named.titles
    FROM shared JOIN counts USING (grp) JOIN named USING (grp) JOIN keyed USING (grp)
    ORDER BY units DESC, issues DESC, name"""
            table = con.sql(sql, params=p.values).to_arrow_table()
        finally:
            con.unregister(mapping_name)
    return _to_pandas(table).drop(columns="grp")


def common_members(db: Db, f: Filters, titles: tuple[str, ...]) -> pd.DataFrame:
    """The filtered issues with one of `titles` (a group of common_groups): unit, title, status, source,
    light, first deadline, report date; those not 完成 first, then by unit."""
    p = _Params()
    only = f"list_contains({p.bind('titles', list(titles))}::VARCHAR[], i.title)"

    sql = f"""{_ctes(f, p, condition=only)}
    SELECT fi.unit, fi.title, fi.status_label AS status, fi.effective_source AS source, fi.light,
           fi.first_due, fi.published_on, fi.issue_key
    FROM fi ORDER BY fi.status_label = '{DONE}', fi.unit, fi.published_on, fi.issue_key"""
    return _frame(db, sql, p)
