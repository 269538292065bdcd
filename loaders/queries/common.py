"""Queries of 共性问题 (problems many units share): issue titles reduced to a comparable key in SQL, the
distinct keys grouped by loaders/similar.py (rapidfuzz, sorted-neighbourhood blocking), and per group its
units, statuses and the units where it is still open; the members of one group."""

from __future__ import annotations

import uuid

import pandas as pd
import pyarrow as pa

from loaders.queries.base import Db, Filters, Reader, _connection, _ctes, _frame, _Params, _to_pandas
from loaders.similar import GroupRules, group_labels

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


def _title_keys(db: Db, f: Filters, rules: GroupRules) -> pd.DataFrame:
    """Each distinct title of the filtered issues with its key."""
    p = _Params()
    sql = f"""{_ctes(f, p)},
    t AS (SELECT DISTINCT title FROM fi)
    SELECT title, {_key_sql(p, rules, "title")} AS key FROM t"""
    return _frame(db, sql, p)


def common_groups(db: Db, f: Filters, rules: GroupRules | None = None) -> pd.DataFrame:
    """One row per group of similar titles shared by at least rules.min_units units, the most widely
    shared first: `name` (its most frequent title), `units`, `issues`, per-status counts (done, partial,
    open, unknown), `open_units` (units with an issue of the group not 完成) and `open_list` (the first of
    them, by name), `keys` (the group's title keys: what common_members takes)."""
    rules = rules or GroupRules.from_config()
    with _connection(db) as con:
        titles = _title_keys(Reader(con), f, rules)  # the open connection serves both steps
        keys = pd.unique(titles["key"].fillna(""))
        labels = group_labels([str(k) for k in keys], rules)
        groups = pd.DataFrame({"key": keys, "grp": labels})
        mapping = titles.merge(groups, on="key", how="inner")
        name = f"title_groups_{uuid.uuid4().hex}"  # a private name: a Reader may be shared by queries
        con.register(name, pa.Table.from_pandas(mapping[["title", "key", "grp"]], preserve_index=False))
        try:
            p = _Params()
            sql = f"""{_ctes(f, p)},
    g AS (SELECT fi.unit, fi.title, fi.status_label, m.key, m.grp FROM fi JOIN "{name}" m USING (title))
    SELECT grp, mode(title) AS name, count(DISTINCT unit) AS units, count(*) AS issues,
           count(*) FILTER (WHERE status_label = '完成') AS done,
           count(*) FILTER (WHERE status_label = '阶段性完成') AS partial,
           count(*) FILTER (WHERE status_label = '未完成') AS open,
           count(*) FILTER (WHERE status_label = '未知') AS unknown,
           count(DISTINCT unit) FILTER (WHERE status_label <> '完成') AS open_units,
           array_to_string(list_slice(list(DISTINCT unit ORDER BY unit) FILTER (WHERE status_label <> '完成'),
                                      1, {p.bind("shown", _OPEN_UNITS_SHOWN)}), '、') AS open_list,
           list(DISTINCT key ORDER BY key) AS keys
    FROM g GROUP BY grp HAVING count(DISTINCT unit) >= {p.bind("min_units", rules.min_units)}
    ORDER BY units DESC, issues DESC, name"""
            table = con.sql(sql, params=p.values).to_arrow_table()
        finally:
            con.unregister(name)
    return _to_pandas(table).drop(columns="grp")


def common_members(
    db: Db, f: Filters, keys: tuple[str, ...], rules: GroupRules | None = None
) -> pd.DataFrame:
    """The filtered issues whose title key is one of `keys` (a group of common_groups): unit, title,
    status, source, light, first deadline, report date; by unit."""
    rules = rules or GroupRules.from_config()
    p = _Params()
    sql = f"""{_ctes(f, p)}
    SELECT fi.unit, fi.title, fi.status_label AS status, fi.effective_source AS source, fi.light,
           fi.first_due, fi.published_on, fi.issue_key
    FROM fi WHERE list_contains({p.bind("keys", list(keys))}::VARCHAR[], {_key_sql(p, rules, "fi.title")})
    ORDER BY fi.status_label = '完成', fi.unit, fi.published_on, fi.issue_key"""
    return _frame(db, sql, p)
