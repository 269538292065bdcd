"""Queries run on one shared connection (queries.Reader, as a page render does) give the same frames as
queries that open their own; the shared connection is closed after its block, so writers get in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

import queries
from loaders.writer import store


def test_queries_on_one_reader_equal_queries_on_their_own(sample_db: Path) -> None:
    f = queries.Filters(as_of=dt.date(2025, 6, 30))
    unit = queries.report_options(sample_db)["unit"].iloc[0]
    calls = [
        (queries.key_figures, (f,)), (queries.status_by_unit, (f,)), (queries.report_counts, (f,)),
        (queries.warnings_list, (f, 3)), (queries.issues_page, (f, "整改", 5, 2)),
        (queries.unit_issues, (f, unit, 4, 0)), (queries.weak_issues, (f, 0.9, 10)),
        (queries.deadline_summary, (f,)), (queries.overdue_issues, (f, 5)),
    ]
    alone = [fn(sample_db, *args) for fn, args in calls]
    with queries.Reader.open(sample_db) as reader:
        shared = [fn(reader, *args) for fn, args in calls]
    for (fn, _), a, b in zip(calls, alone, shared, strict=True):
        # Aggregates such as status_by_unit promise no row order (GROUP BY): compare as row sets.
        pd.testing.assert_frame_equal(_rows_sorted(a), _rows_sorted(b), obj=fn.__name__)
    assert len(shared[4]) == 5 and len(shared[5]) == 4  # pages really cut
    with store.connect(sample_db) as con:  # the reader is closed: a writer opens the file at once
        assert con.execute("SELECT count(*) FROM reports").fetchall()[0][0] == 9  # the samples' reports


def _rows_sorted(frame: pd.DataFrame) -> pd.DataFrame:
    order = frame.astype(str).sort_values(list(frame.columns), kind="stable").index
    return frame.loc[order].reset_index(drop=True)
