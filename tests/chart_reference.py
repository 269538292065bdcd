"""The chart builders as they were before views/components/charts.py built each figure from one dict
(9ea2157): property by property through go.Figure.update_*, 10-70 ms per chart. Kept only as the
reference the tests compare the dict-built figures with (tests/test_chart_dicts.py); no page imports it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from queries import AGING_BUCKETS, DONE, OTHER
from views.components.charts import shorten, top_with_other
from views.components.labels import STATUS_COLORS, STATUS_ORDER, STATUS_SYMBOLS

_FONT = "WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, Noto Sans CJK SC, sans-serif"


def _layout(fig: go.Figure, height: int, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font={"family": _FONT, "size": 13},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0, "title": None},
        showlegend=legend,
    )
    return fig


def empty_figure(message: str = "暂无数据") -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 16, "color": "#888"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, 220, legend=False)


def _hbars(
    data: pd.DataFrame, x: str, y: str, color: str, orders: dict[str, list[str]], custom: list[str],
    colors: dict[str, str] | None = None, text: str | None = None, barmode: str = "relative",
) -> go.Figure:
    """The figure px.bar(data, x=x, y=y, color=color, orientation="h", text=text, barmode=barmode,
    category_orders=orders, color_discrete_map=colors, custom_data=custom) makes, built directly: plotly
    express spends ~60 ms per chart on generic machinery. One trace per value of `color` (in its order, then
    unlisted values as they appear), rows in data order; colours from `colors`, else the template's
    colorway at the value's position in that order."""
    present = dict.fromkeys(data[color].tolist())
    listed = list(orders.get(color, []))
    every = listed + [v for v in present if v not in listed]
    colorway = list(pio.templates[pio.templates.default].layout.colorway or [])
    fig = go.Figure()
    for position, value in enumerate(every):
        if value not in present:
            continue  # no trace, but it keeps its place in the colour cycle (as plotly express does)
        part = data[data[color] == value]
        marker = colors[value] if colors and value in colors else colorway[position % len(colorway)]
        bar = {"customdata": part[custom].to_numpy(), "legendgroup": value, "name": value,
               "marker": {"color": marker, "pattern": {"shape": ""}}, "orientation": "h", "showlegend": True,
               "textposition": "auto", "x": part[x].to_numpy(), "y": part[y].to_numpy(),
               "xaxis": "x", "yaxis": "y"}
        if text is not None:
            bar["text"] = part[text].to_numpy()
        fig.add_trace(go.Bar(bar))
    fig.update_layout(
        xaxis={"anchor": "y", "domain": [0.0, 1.0], "title": {"text": x}},
        yaxis={"anchor": "x", "domain": [0.0, 1.0], "title": {"text": y}, "categoryorder": "array",
               "categoryarray": list(orders[y])[::-1]},  # horizontal bars: the first category on top
        legend={"title": {"text": color}, "tracegroupgap": 0}, margin={"t": 60}, barmode=barmode,
    )
    return fig


def completion_bars(df: pd.DataFrame, key: str, top_n: int, label_limit: int = 18) -> go.Figure:
    """100 % stacked horizontal bars of status per group (df: key, status, n), sorted by completion rate,
    with the top_n largest groups and an "其他" group."""
    if df.empty:
        return empty_figure()
    data = top_with_other(df, key, top_n)
    totals = data.groupby(key)["n"].sum()
    done = data[data["status"] == DONE].groupby(key)["n"].sum().reindex(totals.index, fill_value=0)
    rate = (done / totals).sort_values(ascending=False, kind="stable")
    order = [k for k in rate.index if k != OTHER] + ([OTHER] if OTHER in rate.index else [])  # 其他 last
    names = {k: f"{shorten(k, label_limit)}（{totals[k]}项·{rate[k]:.0%}）" for k in order}
    data = data.assign(group=data[key].map(names), full=data[key], share=data["n"] / data[key].map(totals))
    fig = _hbars(
        data, x="share", y="group", color="status", text="n",
        orders={"group": [names[k] for k in order], "status": list(STATUS_ORDER)},
        colors=STATUS_COLORS, custom=["full", "status", "n"],
    )
    fig.update_traces(
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}：%{customdata[2]}项（%{x:.0%}）<extra></extra>",
        textposition="inside", insidetextanchor="middle",
    )
    fig.update_xaxes(tickformat=".0%", range=[0, 1.001], tickvals=[0, 0.25, 0.5, 0.75, 1], title=None)
    fig.update_yaxes(title=None, automargin=True)
    return _layout(fig, 90 + 30 * len(order))


def status_donut(df: pd.DataFrame) -> go.Figure:
    """The status split (df: status, n) as a donut, in the fixed status order and colours."""
    if df.empty or df["n"].sum() == 0:
        return empty_figure()
    data = df.set_index("status").reindex(list(STATUS_ORDER)).dropna().reset_index()
    fig = go.Figure(
        go.Pie(
            labels=data["status"], values=data["n"], hole=0.55, sort=False, direction="clockwise",
            marker={"colors": [STATUS_COLORS[s] for s in data["status"]]},
            textinfo="label+value", textposition="inside", insidetextorientation="horizontal",
            hovertemplate="%{label}：%{value}项（%{percent}）<extra></extra>",
        )
    )
    # Slices too thin for their label drop it (the legend still names them) instead of overlapping.
    fig.update_layout(uniformtext_minsize=11, uniformtext_mode="hide")
    fig.add_annotation(text=f"{int(data['n'].sum())}<br>个问题", showarrow=False, font={"size": 18})
    return _layout(fig, 360, legend=True)


def figure_bars(df: pd.DataFrame, labels: dict[str, str], top_n: int, unit_label: str) -> go.Figure:
    """Accountability figures per unit (df: unit, kind, value) as stacked horizontal bars: the top_n units
    by total, then one bar "其他" holding the *average* of the remaining units (their sum would dwarf
    every other bar and say nothing about a typical unit)."""
    data = df[df["kind"].isin(labels)]
    if data.empty:
        return empty_figure("所选通报未列出此类数字")
    totals = data.groupby("unit")["value"].sum().sort_values(ascending=False, kind="stable")
    top = list(totals.index[:top_n])
    rest = len(totals) - len(top)  # counted, not listed: there may be thousands of units
    in_top = data["unit"].isin(top)
    shown = data[in_top][["unit", "kind", "value"]]
    names = {u: shorten(u, 12) for u in top}
    if rest:
        other = f"{OTHER}（{rest}个单位平均）"
        mean = data[~in_top].groupby("kind", as_index=False)["value"].sum()
        mean = mean.assign(unit=other, value=mean["value"] / rest)
        shown = pd.concat([shown, mean[["unit", "kind", "value"]]], ignore_index=True)
        names[other] = other
    shown = shown.assign(row=shown["unit"].map(names), 指标=shown["kind"].map(labels))
    fig = _hbars(
        shown, x="value", y="row", color="指标", barmode="stack",
        orders={"row": list(names.values()), "指标": list(labels.values())}, custom=["unit", "指标"],
    )
    fig.update_traces(
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}：%{x:,.4~g}" + unit_label + "<extra></extra>",
    )
    fig.update_xaxes(title=unit_label, rangemode="tozero")
    fig.update_yaxes(title=None, automargin=True)
    return _layout(fig, 110 + 28 * len(names))


def deadline_timeline(df: pd.DataFrame, as_of: dt.date) -> go.Figure:
    """Deadlines on a time axis (df: unit, due_on, status, n, title, text — see queries.deadline_points),
    one row per unit, coloured by status; a merged point (n > 1) grows with n, within 9–30 px."""
    if df.empty:
        return empty_figure("所选范围内没有可识别日期的时限")
    n_max = float(df["n"].max())
    data = df.assign(
        row=df["unit"].map(lambda u: shorten(u, 12)),
        short=df["title"].map(lambda t: shorten(t, 40)),
        px=(9 + 21 * np.sqrt(df["n"] / n_max)) if n_max > 1 else 11.0,
    )
    order = data.groupby("row")["n"].sum().sort_values(ascending=False).index.tolist()
    order = [r for r in order if r != OTHER] + ([OTHER] if OTHER in order else [])
    fig = go.Figure()
    for status in STATUS_ORDER:
        part = data[data["status"] == status]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["due_on"], y=part["row"], mode="markers", name=status,
            marker={"size": part["px"], "color": STATUS_COLORS[status], "opacity": 0.75,
                    "symbol": STATUS_SYMBOLS.get(status, "circle"), "line": {"width": 1, "color": "white"}},
            customdata=part[["unit", "short", "text", "status", "n"]].to_numpy(),
            hovertemplate="%{customdata[0]}｜%{customdata[3]}｜%{customdata[4]}个时限<br>例：%{customdata[1]}"
            "<br>时限：%{customdata[2]}<br>到期：%{x|%Y-%m-%d}<extra></extra>",
        ))
    # The as-of line is a shape (add_vline's annotation breaks on date axes in some plotly versions), named
    # by a legend entry: a text label above the plot collided with the legend when the date sat at the left.
    x = pd.Timestamp(as_of)
    line = {"color": "#c62828", "dash": "dash"}
    fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper", line=line)
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=line, name=f"截至 {as_of:%Y-%m-%d}",
                             hoverinfo="skip"))
    fig.update_xaxes(title=None, tickformat="%Y-%m", type="date")
    # Categories are drawn bottom-up: reverse, so the unit with the most deadlines is on top.
    fig.update_yaxes(title=None, automargin=True, categoryorder="array", categoryarray=order[::-1])
    return _layout(fig, 140 + 34 * len(order))


def aging_bars(df: pd.DataFrame) -> go.Figure:
    """Overdue issues per aging bucket (df: bucket, n), in bucket order, empty buckets shown as 0."""
    counts = df.set_index("bucket")["n"] if not df.empty else pd.Series(dtype="int64")
    counts = counts.reindex(list(AGING_BUCKETS), fill_value=0)
    colors = ["#f59e0b", "#ef6c00", "#d84315", "#b71c1c"]
    fig = go.Figure(go.Bar(x=counts.index, y=counts.to_numpy(), text=counts.to_numpy(), marker_color=colors,
                           textposition="outside", cliponaxis=False,
                           hovertemplate="逾期%{x}：%{y}个问题<extra></extra>"))
    fig.update_yaxes(title="问题数", rangemode="tozero")
    fig.update_xaxes(title="逾期时长（自首个已过时限起算）")
    return _layout(fig, 300, legend=False)


_ROUND_COLORS = ("#1565c0", "#6a1b9a", "#00838f", "#ef6c00", "#558b2f")


def completion_timeline(df: pd.DataFrame) -> go.Figure:
    """A unit's inspections over time (df: published_on, thread_round, thread_done_rate 0..1, thread_done,
    thread_problems, done_rate, done, issues, stated_rate 0..100 or NaN, label): on each report's date, the
    share of the inspection's problems 完成 at their latest version by then (parsed, with corrections), one
    line per round; where a report states its own completion rate, that figure as a hollow diamond beside
    it (stated vs parsed)."""
    dated = df[df["published_on"].notna()]
    if dated.empty:
        return empty_figure("该单位的通报没有可识别的发布日期")
    fig = go.Figure()
    for n, part in dated.groupby("thread_round", sort=True):
        color = _ROUND_COLORS[(int(n) - 1) % len(_ROUND_COLORS)]
        rate = part["thread_done_rate"].fillna(part["done_rate"])
        fig.add_trace(go.Scatter(
            x=part["published_on"], y=rate * 100, mode="lines+markers+text",
            name=f"第{int(n)}轮 · 解析完成率", line={"color": color, "width": 2}, marker={"size": 10},
            text=[f"{v:.0%}" for v in rate], textposition="top center",
            customdata=part[["label", "thread_done", "thread_problems", "done", "issues"]].to_numpy(),
            hovertemplate="%{customdata[0]}<br>本轮问题完成 %{customdata[1]} / %{customdata[2]}"
            "（%{y:.1f}%）<br>本份通报列出 %{customdata[4]} 个，完成 %{customdata[3]}<extra></extra>",
        ))
        stated = part[part["stated_rate"].notna()]
        if not stated.empty:
            fig.add_trace(go.Scatter(
                x=stated["published_on"], y=stated["stated_rate"], mode="markers",
                name=f"第{int(n)}轮 · 通报自述完成率",
                marker={"size": 13, "color": "white", "line": {"width": 2, "color": color},
                        "symbol": "diamond"},
                hovertemplate="通报自述：%{y:.1f}%<extra></extra>",
            ))
    fig.update_yaxes(title="完成率（%）", range=[0, 110])
    fig.update_xaxes(title=None, tickformat="%Y-%m", type="date")
    dates = pd.to_datetime(dated["published_on"])
    if (dates.max() - dates.min()).days < 120:
        # Reports a few weeks apart (or one report): plotly's automatic ticks repeat one "%Y-%m" label over a
        # span of days (2023-12 four times), so show three months around them with a tick a month.
        pad = pd.Timedelta(days=45)
        fig.update_xaxes(range=[dates.min() - pad, dates.max() + pad], dtick="M1")
    return _layout(fig, 320)
