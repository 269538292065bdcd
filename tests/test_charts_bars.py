"""The bar charts are built without plotly express (for speed) yet are the very figures px.bar makes."""

from __future__ import annotations

import json

import pandas as pd
import plotly.express as px
import plotly.io as pio
import pytest

from views.components import charts
from views.components.labels import PEOPLE_FIGURES, STATUS_COLORS, STATUS_ORDER

STATUSES = pd.DataFrame({
    "unit": ["湖州市吴兴区", "岳麓高新区", "湖州市吴兴区", "苏州市虎丘区", "岳麓高新区", "苏州市虎丘区"],
    "status": ["完成", "未完成", "未知", "阶段性完成", "完成", "另一种"],  # 另一种: not in STATUS_ORDER
    "n": [12, 3, 2, 7, 9, 1],
})
FIGURES = pd.DataFrame({
    "unit": ["湖州市吴兴区", "岳麓高新区", "湖州市吴兴区", "苏州市虎丘区"],
    "kind": ["party_discipline", "admonition", "accountability", "party_discipline"],
    "value": [3.0, 2.0, 5.0, 1.0],
    "measure": ["人"] * 4,
})


def as_json(fig: object) -> dict:
    return json.loads(fig.to_json())  # type: ignore[attr-defined]


@pytest.mark.parametrize("top_n", [1, 2, 10])
def test_completion_bars_are_the_plotly_express_figure(top_n: int) -> None:
    fig = charts.completion_bars(STATUSES, "unit", top_n)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars][:4] == [s for s in STATUS_ORDER if s in set(STATUSES["status"])]
    # The reference: the same figure through px.bar, with the traces' and axes' data taken from ours.
    order = list(fig.layout.yaxis.categoryarray)[::-1]
    data = pd.DataFrame([
        {"group": g, "status": t.name, "full": c[0], "n": c[2], "share": x}
        for t in bars for g, x, c in zip(t.y, t.x, t.customdata, strict=True)
    ])
    ref = px.bar(data, x="share", y="group", color="status", orientation="h", text="n",
                 category_orders={"group": order, "status": list(STATUS_ORDER)},
                 color_discrete_map=STATUS_COLORS, custom_data=["full", "status", "n"])
    ref.update_traces(hovertemplate=bars[0].hovertemplate, textposition="inside", insidetextanchor="middle")
    ref.update_xaxes(tickformat=".0%", range=[0, 1.001], tickvals=[0, 0.25, 0.5, 0.75, 1], title=None)
    ref.update_yaxes(title=None, automargin=True)
    assert as_json(fig) == as_json(charts._layout(ref, fig.layout.height))


def test_figure_bars_are_the_plotly_express_figure_with_its_colour_cycle() -> None:
    fig = charts.figure_bars(FIGURES, PEOPLE_FIGURES, 2, "人")
    rows = list(fig.layout.yaxis.categoryarray)[::-1]
    data = pd.DataFrame([
        {"row": y, "指标": t.name, "unit": c[0], "value": x}
        for t in fig.data for y, x, c in zip(t.y, t.x, t.customdata, strict=True)
    ])
    ref = px.bar(data, x="value", y="row", color="指标", orientation="h", barmode="stack",
                 category_orders={"row": rows, "指标": list(PEOPLE_FIGURES.values())},
                 custom_data=["unit", "指标"])
    ref.update_traces(hovertemplate=fig.data[0].hovertemplate)
    ref.update_xaxes(title="人", rangemode="tozero")
    ref.update_yaxes(title=None, automargin=True)
    assert as_json(fig) == as_json(charts._layout(ref, fig.layout.height))
    # Absent kinds keep their place in the colour cycle: 诫勉 is 5th of PEOPLE_FIGURES. (The default template
    # is plotly's, or Streamlit's once a page has drawn a chart: px and we both read it at build time.)
    colors = {t.name: t.marker.color for t in fig.data}
    assert colors["诫勉"] == pio.templates[pio.templates.default].layout.colorway[4]


def test_deadline_timeline_names_the_as_of_line_in_the_legend() -> None:
    """The as-of date is a legend entry beside the statuses, not a label above the plot (which collided with
    the legend when the date sat at the left edge); it adds no category to the unit axis."""
    import datetime as dt

    points = pd.DataFrame({
        "unit": ["湖州市吴兴区", "岳麓高新区"], "due_on": pd.to_datetime(["2024-07-31", "2023-12-31"]),
        "status": ["完成", "未完成"], "n": [1, 2], "title": ["甲", "乙"],
        "text": ["力争2024年7月前", "12月份"],
    })
    fig = as_json(charts.deadline_timeline(points, dt.date(2023, 1, 15)))
    names = [t.get("name") for t in fig["data"]]
    assert names == ["完成", "未完成", "截至 2023-01-15"]
    assert not fig["layout"].get("annotations")
    (shape,) = fig["layout"]["shapes"]
    assert shape["x0"].startswith("2023-01-15") and shape["line"]["dash"] == "dash"
    assert set(fig["layout"]["yaxis"]["categoryarray"]) == {"湖州市吴兴区", "岳麓高新区"}
