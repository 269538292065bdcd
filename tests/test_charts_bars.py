"""The bar charts are built without plotly express (for speed) yet are the very figures px.bar makes of the
values worked out by hand for small input frames."""

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
    "figure_unit": ["人"] * 4,
})


# What each chart must show for the frames above, worked out by hand (not read back from the figure): per
# top_n, the rows in the order they are drawn, the groups' order on the axis and the chart's height.
# 湖州市吴兴区 12 of 14 完成 (86%), 岳麓高新区 9 of 12 (75%), 苏州市虎丘区 0 of 8; 其他 last, whatever
# its rate.
HUZHOU, YUELU, SUZHOU = "湖州市吴兴区（14项·86%）", "岳麓高新区（12项·75%）", "苏州市虎丘区（8项·0%）"
COMPLETION = {  # top_n → ([(unit, group label, status, n, share)], group order, height)
    10: ([("湖州市吴兴区", HUZHOU, "完成", 12, 12 / 14), ("岳麓高新区", YUELU, "未完成", 3, 3 / 12),
          ("湖州市吴兴区", HUZHOU, "未知", 2, 2 / 14), ("苏州市虎丘区", SUZHOU, "阶段性完成", 7, 7 / 8),
          ("岳麓高新区", YUELU, "完成", 9, 9 / 12), ("苏州市虎丘区", SUZHOU, "另一种", 1, 1 / 8)],
         [HUZHOU, YUELU, SUZHOU], 90 + 3 * 30),
    2: ([("湖州市吴兴区", HUZHOU, "完成", 12, 12 / 14), ("岳麓高新区", YUELU, "未完成", 3, 3 / 12),
         ("湖州市吴兴区", HUZHOU, "未知", 2, 2 / 14), ("其他", "其他（8项·0%）", "阶段性完成", 7, 7 / 8),
         ("岳麓高新区", YUELU, "完成", 9, 9 / 12), ("其他", "其他（8项·0%）", "另一种", 1, 1 / 8)],
        [HUZHOU, YUELU, "其他（8项·0%）"], 90 + 3 * 30),
    # 岳麓 and 苏州 fold into 其他: 9 of 20 完成 (45%).
    1: ([("湖州市吴兴区", HUZHOU, "完成", 12, 12 / 14), ("其他", "其他（20项·45%）", "未完成", 3, 3 / 20),
         ("湖州市吴兴区", HUZHOU, "未知", 2, 2 / 14), ("其他", "其他（20项·45%）", "阶段性完成", 7, 7 / 20),
         ("其他", "其他（20项·45%）", "完成", 9, 9 / 20), ("其他", "其他（20项·45%）", "另一种", 1, 1 / 20)],
        [HUZHOU, "其他（20项·45%）"], 90 + 2 * 30),
}
# 湖州 3 + 5 = 8, 岳麓 2, 苏州 1: the units beyond the top_n become one bar of their per-kind average.
PEOPLE = {  # top_n → ([(unit, 指标, value)], row order, height)
    2: ([("湖州市吴兴区", "党纪处分", 3.0), ("岳麓高新区", "诫勉", 2.0), ("湖州市吴兴区", "问责", 5.0),
         ("其他（1个单位平均）", "党纪处分", 1.0)],
        ["湖州市吴兴区", "岳麓高新区", "其他（1个单位平均）"], 110 + 3 * 28),
    1: ([("湖州市吴兴区", "党纪处分", 3.0), ("湖州市吴兴区", "问责", 5.0),
         ("其他（2个单位平均）", "诫勉", 2.0 / 2), ("其他（2个单位平均）", "党纪处分", 1.0 / 2)],
        ["湖州市吴兴区", "其他（2个单位平均）"], 110 + 2 * 28),
}


def as_json(fig: object) -> dict:
    """The figure as sent, an empty property (`"title": {}`, left by setting it to None) as absent: plotly.js
    draws both the same, and charts.py builds its figures from dicts where a None title is simply left out."""
    return drop_empty(json.loads(fig.to_json()))  # type: ignore[attr-defined]


def drop_empty(value: object) -> object:
    if isinstance(value, dict):
        kept = {k: drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v != {}}
    if isinstance(value, list):
        return [drop_empty(v) for v in value]
    return value


@pytest.mark.parametrize("top_n", sorted(COMPLETION))
def test_completion_bars_are_the_plotly_express_figure_of_the_expected_shares(top_n: int) -> None:
    fig = charts.completion_bars(STATUSES, "unit", top_n)
    rows, order, height = COMPLETION[top_n]
    # The reference: px.bar of the hand-worked table, styled as the dashboard styles it.
    data = pd.DataFrame(rows, columns=["full", "group", "status", "n", "share"])
    ref = px.bar(data, x="share", y="group", color="status", orientation="h", text="n",
                 category_orders={"group": order, "status": list(STATUS_ORDER)},
                 color_discrete_map=STATUS_COLORS, custom_data=["full", "status", "n"])
    ref.update_traces(hovertemplate="%{customdata[0]}<br>%{customdata[1]}：%{customdata[2]}项（%{x:.0%}）"
                                    "<extra></extra>", textposition="inside", insidetextanchor="middle")
    ref.update_xaxes(tickformat=".0%", range=[0, 1.001], tickvals=[0, 0.25, 0.5, 0.75, 1], title=None)
    ref.update_yaxes(title=None, automargin=True)
    assert as_json(fig) == as_json(charts._layout(ref, height))
    # Statuses in the dashboard's order, then one it does not know.
    assert [t.name for t in fig.data] == ["完成", "阶段性完成", "未完成", "未知", "另一种"]


@pytest.mark.parametrize("top_n", sorted(PEOPLE))
def test_figure_bars_are_the_plotly_express_figure_of_the_expected_values(top_n: int) -> None:
    fig = charts.figure_bars(FIGURES, PEOPLE_FIGURES, top_n, "人")
    rows, order, height = PEOPLE[top_n]
    data = pd.DataFrame([(unit, label, unit, value) for unit, label, value in rows],
                        columns=["row", "指标", "unit", "value"])
    ref = px.bar(data, x="value", y="row", color="指标", orientation="h", barmode="stack",
                 category_orders={"row": order, "指标": list(PEOPLE_FIGURES.values())},
                 custom_data=["unit", "指标"])
    ref.update_traces(hovertemplate="%{customdata[0]}<br>%{customdata[1]}：%{x:,.4~g}人<extra></extra>")
    ref.update_xaxes(title="人", rangemode="tozero")
    ref.update_yaxes(title=None, automargin=True)
    assert as_json(fig) == as_json(charts._layout(ref, height))
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
