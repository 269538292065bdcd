"""Every chart builder makes, from one dict, the figure the earlier property-by-property builder made
(tests/chart_reference.py, the code of 9ea2157), on the query results the pages pass them on the sample and
series databases, with every top-N cut (其他 or not) and empty input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import queries
from queries.overview import overview_parts
from tests import chart_reference as reference
from tests.test_charts_bars import as_json
from views.components import charts
from views.components.labels import MONEY_FIGURES, PEOPLE_FIGURES
from views.components.lineage_view import timeline_frame

AS_OF = dt.date(2024, 6, 30)
KINDS = tuple(PEOPLE_FIGURES) + tuple(MONEY_FIGURES)


def chart_calls(db: Path) -> list[tuple[str, tuple[Any, ...]]]:
    """(builder, args) as the pages call them, on this database's query results."""
    f = queries.Filters(as_of=AS_OF)
    _, by_unit, split, by_category = overview_parts(queries.overview_counts(db, f))
    figures = queries.figures_by_unit(db, f, KINDS)
    summary = queries.deadline_summary(db, f).iloc[0]
    buckets = pd.DataFrame({"bucket": list(queries.AGING_BUCKETS),
                            "n": [int(summary[f"aging_{n}"]) for n in range(len(queries.AGING_BUCKETS))]})
    calls: list[tuple[str, tuple[Any, ...]]] = [("status_donut", (split,)), ("aging_bars", (buckets,))]
    for top in (1, 2, 15):
        calls += [("completion_bars", (by_unit, "unit", top)),
                  ("completion_bars", (by_category, "category", top, 24)),
                  ("figure_bars", (figures, PEOPLE_FIGURES, top, "人")),
                  ("figure_bars", (figures, MONEY_FIGURES, top, "万元")),
                  ("deadline_timeline", (queries.deadline_points(db, f, top), AS_OF))]
    for unit in sorted(queries.report_options(db)["unit"].dropna().unique())[:4]:
        calls.append(("completion_timeline", (timeline_frame(queries.unit_timeline(db, f, unit)),)))
    empty = by_unit.iloc[0:0]
    calls += [("completion_bars", (empty, "unit", 15)), ("status_donut", (split.iloc[0:0],)),
              ("figure_bars", (figures.iloc[0:0], PEOPLE_FIGURES, 15, "人")),
              ("deadline_timeline", (queries.deadline_points(db, f, 15).iloc[0:0], AS_OF)),
              ("aging_bars", (buckets.iloc[0:0],)), ("empty_figure", ("没有",))]
    return calls


@pytest.mark.parametrize("which", ["sample", "series"])
def test_every_chart_is_the_figure_the_property_by_property_builder_made(
    which: str, sample_db_template: Path, series_db_template: Path
) -> None:
    db = sample_db_template if which == "sample" else series_db_template
    calls = chart_calls(db)
    assert {name for name, _ in calls} >= {"completion_bars", "status_donut", "figure_bars",
                                            "deadline_timeline", "aging_bars", "completion_timeline"}
    for name, args in calls:
        got, want = as_json(getattr(charts, name)(*args)), as_json(getattr(reference, name)(*args))
        assert got == want, (name, json.dumps(got, ensure_ascii=False)[:300])
    # Not vacuous: the samples draw several statuses and fold units into "其他" at top 1.
    if which == "sample":
        bars = as_json(charts.completion_bars(*calls[2][1]))
        assert len(bars["data"]) >= 2 and any("其他" in y for t in bars["data"] for y in t["y"])
