"""Queries of 共性问题 (problems many units share): issue titles reduced to a comparable key in SQL, the
distinct keys grouped by loaders/similar.py (rapidfuzz, sorted-neighbourhood blocking), and per group its
units, statuses and the units where it is still open; the members of one group."""

from __future__ import annotations

import contextlib
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
_CLAUSE = r"[。;；,，:：!！?？]"
_MIN_CLAUSE = 5  # a first clause shorter than this once cleaned ("2021年以来") is context, not the problem
_OPEN_UNITS_SHOWN = 20


def _key_sql(p: _Params, rules: GroupRules, title: str) -> str:
    """SQL: the comparable key of `title`: its first clause of at least _MIN_CLAUSE characters (else the
    whole title) without punctuation, digits or spaces, the configured filler stripped, cut to key_chars."""
    clean = p.bind("clean", _CLEAN)
    parts = f"string_split_regex({title}, {p.bind('clause', _CLAUSE)})"
    cleaned = f"list_transform({parts}, lambda x: regexp_replace(x, {clean}, '', 'g'))"
    first = f"list_filter({cleaned}, lambda x: length(x) >= {p.bind('min_clause', _MIN_CLAUSE)})[1]"
    key = f"COALESCE({first}, regexp_replace({title}, {clean}, '', 'g'))"
    for n, pattern in enumerate(rules.filler):
        key = f"regexp_replace({key}, {p.bind(f'filler{n}', pattern)}, '')"
    return f"left({key}, {p.bind('key_chars', rules.key_chars)})"


def common_groups(db: Db, f: Filters, rules: GroupRules | None = None) -> pd.DataFrame:
    """One row per group of similar titles shared by at least rules.min_units units, the most widely
    shared first: `name` (its most frequent title), `units`, `issues`, per-status counts (done, partial,
    open, unknown), `open_units` (units with an issue of the group not 完成) and `open_list` (the first of
    them, by name), `keys` (the group's title keys) and `titles` (its distinct titles: what common_members
    takes — matching titles exactly is cheaper than computing every issue's key again).

    The filtered issues are read once, counted per (title, unit, status) into a temporary table of this
    connection; the keys of its distinct titles, the grouping (Python) and the group counts come from it."""
    rules = rules or GroupRules.from_config()
    token = uuid.uuid4().hex  # private names: a Reader's connection may serve other queries
    counted, groups_name = f"common_counts_{token}", f"common_groups_{token}"
    with _connection(db) as con:
        p = _Params()
        con.execute(f"""CREATE TEMP TABLE "{counted}" AS {_ctes(f, p)}
            SELECT title, unit, status_label, count(*) AS n FROM fi GROUP BY ALL""", p.values)
        try:
            q = _Params()
            titles = con.sql(f"""SELECT title, {_key_sql(q, rules, "title")} AS key
                FROM (SELECT DISTINCT title FROM "{counted}")""", params=q.values).to_arrow_table()
            keys = pd.unique(titles.column("key").to_pandas().fillna(""))
            labels = group_labels([str(k) for k in keys], rules)
            mapping = titles.to_pandas().merge(pd.DataFrame({"key": keys, "grp": labels}), on="key")
            con.register(groups_name, pa.Table.from_pandas(mapping[["title", "key", "grp"]],
                                                            preserve_index=False))
            p = _Params()
            # Per group of the mapping (title → key, grp), from the counted table: first per (group, unit),
            # so the units are counted and listed without DISTINCT aggregates (the costly part), and only the
            # groups shared by enough units get their counts, name and titles.
            sql = f"""WITH
    g AS (SELECT c.unit, c.title, c.status_label, c.n, m.grp
          FROM "{counted}" c JOIN "{groups_name}" m USING (title)),
    gu AS (SELECT grp, unit, bool_or(status_label <> '{DONE}') AS still_open FROM g GROUP BY grp, unit),
    shared AS (
        SELECT grp, count(*) AS units, count(*) FILTER (WHERE still_open) AS open_units,
               array_to_string(list_slice(list(unit ORDER BY unit) FILTER (WHERE still_open), 1,
                                          {p.bind("shown", _OPEN_UNITS_SHOWN)}), '、') AS open_list
        FROM gu GROUP BY grp HAVING count(*) >= {p.bind("min_units", rules.min_units)}
    ),
    gs AS (SELECT * FROM g WHERE grp IN (SELECT grp FROM shared)),
    counts AS (
        SELECT grp, sum(n)::BIGINT AS issues,
               {status_columns(agg="COALESCE(sum(n) FILTER (WHERE {cond}), 0)::BIGINT")}
        FROM gs GROUP BY grp
    ),
    per_title AS (SELECT grp, title, sum(n) AS tn FROM gs GROUP BY grp, title),
    named AS (SELECT grp, arg_max(title, tn) AS name, list(title ORDER BY title) AS titles
              FROM per_title GROUP BY grp),
    keyed AS (SELECT grp, list(DISTINCT key ORDER BY key) AS keys FROM "{groups_name}"
              WHERE grp IN (SELECT grp FROM shared) GROUP BY grp)
    SELECT grp, named.name, shared.units, counts.issues, {status_refs("counts.{c}")},
           shared.open_units, shared.open_list, keyed.keys, named.titles
    FROM shared JOIN counts USING (grp) JOIN named USING (grp) JOIN keyed USING (grp)
    ORDER BY units DESC, issues DESC, name"""
            table = con.sql(sql, params=p.values).to_arrow_table()
        finally:
            con.execute(f'DROP TABLE IF EXISTS "{counted}"')
            with contextlib.suppress(Exception):  # registered only when the grouping got that far
                con.unregister(groups_name)
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
