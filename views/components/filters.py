"""The shared sidebar filters: widgets, their state across pages, and their mirror in the URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

import queries
from queries import LIGHTS, STATUS_LABELS, Filters
from queries.base import light_days
from views.components.data import query, query_many, setting
from views.components.labels import SOURCE_LABELS

_STATE = "_filters"  # the last values of every filter, carried across page switches
_STATE_PAGE = "_filters_page"  # the page that wrote them

# URL parameter → widget key. Multi-valued parameters repeat in the URL (?unit=A&unit=B).
_MULTI = {"prov": "f_prov", "city": "f_city", "unit": "f_unit", "report": "f_report", "cat": "f_cat",
          "status": "f_status", "src": "f_src", "light": "f_light"}
_CONF, _ASOF = "conf", "asof"
_KEYS = {**_MULTI, _CONF: "f_conf", _ASOF: "f_asof"}


def _defaults() -> dict[str, Any]:
    return {**{k: [] for k in _MULTI}, _CONF: 0.0, _ASOF: dt.date.today()}


def _from_url() -> dict[str, Any]:
    """Filter values from the URL; unparsable values are dropped (the default applies)."""
    qp = st.query_params
    out: dict[str, Any] = {k: qp.get_all(k) for k in _MULTI if k in qp}
    try:
        if _CONF in qp:
            out[_CONF] = min(1.0, max(0.0, round(float(qp[_CONF]) * 20) / 20))
    except ValueError:
        pass
    try:
        if _ASOF in qp:
            out[_ASOF] = dt.date.fromisoformat(qp[_ASOF])
    except ValueError:
        pass
    return out


def _seed(page: str) -> None:
    """Put the values this run should start from into the widgets' state (before the widgets exist).

    First run of a session: the URL (an opened link). Switching pages: the values of the previous page, since
    Streamlit clears the URL and each page has its own widgets. A rerun on the same page: the widgets already
    hold the user's latest choices, so nothing is seeded.
    """
    ss = st.session_state
    if _STATE not in ss:
        seed = {**_defaults(), **_from_url()}
    elif ss.get(_STATE_PAGE) != page:
        seed = ss[_STATE]
    else:
        return
    for name, value in seed.items():
        ss[_KEYS[name]] = list(value) if isinstance(value, list | tuple) else value


def _multiselect(
    name: str, label: str, options: list[Any], fmt: Callable[[Any], str] = str, help: str | None = None
) -> list[Any]:
    key = _KEYS[name]
    # Drop choices that are no longer offered (e.g. a city outside the chosen province, a stale link).
    current = st.session_state.get(key) or []
    st.session_state[key] = [v for v in current if v in options]
    return st.sidebar.multiselect(label, options, format_func=fmt, key=key, placeholder="全部", help=help)


def _reset() -> None:
    for name, value in _defaults().items():
        st.session_state[_KEYS[name]] = value


def _distinct(series: pd.Series) -> list[str]:
    # unique() first: 19,000 reports hold ~10,000 units, and this runs on every rerun of every page.
    return sorted(v for v in series.dropna().unique().tolist() if v)


def _region_widgets(reports: pd.DataFrame) -> tuple[list[str], list[str], list[str], list[str]]:
    provinces = _multiselect("prov", "省份", _distinct(reports["province"]))
    if provinces:
        reports = reports[reports["province"].isin(provinces)]
    cities = _multiselect("city", "城市", _distinct(reports["city"]))
    if cities:
        reports = reports[reports["city"].isin(cities)]
    units = _multiselect("unit", "单位", _distinct(reports["unit"]))
    if units:
        reports = reports[reports["unit"].isin(units)]
    # tolist(): iterating the Arrow-backed columns element by element took ~25 ms at 15,000 reports
    labels = dict(zip(reports["report_key"].tolist(), reports["label"].tolist(), strict=True))
    keys, cap, note = list(labels), setting("choice_cap"), None
    if len(keys) > cap:  # thousands of options make a slow, useless list: offer the first ones + the chosen
        chosen_now = [k for k in st.session_state.get(_KEYS["report"]) or [] if k in labels]
        keys = chosen_now + [k for k in keys[:cap] if k not in chosen_now]
        note = f"通报超过 {cap} 份，只列出前 {cap} 份：先选择单位可缩小范围。"
    chosen = _multiselect("report", "通报", keys, lambda k: labels.get(k, k), help=note)
    return provinces, cities, units, chosen


def _reports_and_categories() -> tuple[pd.DataFrame, list[str] | None]:
    """queries.report_options, and with no region chosen (the usual first view) the categories of all
    reports too: then they do not depend on the report list, so both come from one connection. (None: a
    region is chosen and is checked against the reports first.)"""
    if any(st.session_state.get(_KEYS[name]) for name in ("prov", "city", "unit", "report")):
        return query(queries.report_options), None
    reports, categories = query_many((queries.report_options,), (queries.category_options, Filters()))
    return reports, categories


def sidebar_filters(page: str) -> Filters:
    """Render the filters in the sidebar and return them; `page` names the calling page."""
    _seed(page)
    st.sidebar.header("筛选")
    reports, every_category = _reports_and_categories()
    provinces, cities, units, report_keys = _region_widgets(reports)
    region = Filters(provinces=tuple(provinces), cities=tuple(cities), units=tuple(units),
                     reports=tuple(report_keys))
    if every_category is None or region != Filters(as_of=region.as_of):
        every_category = query(queries.category_options, region)
    categories = _multiselect("cat", "问题类别", every_category)
    statuses = _multiselect("status", "整改状态", list(STATUS_LABELS))
    sources = _multiselect("src", "状态来源", list(SOURCE_LABELS), lambda s: SOURCE_LABELS.get(s, s))
    lights = _multiselect("light", "预警灯", list(LIGHTS), lambda x: f"{x}灯", help=_light_help())
    conf = st.sidebar.slider("最低置信度", 0.0, 1.0, step=0.05, key=_KEYS[_CONF],
                             help="只看解析置信度不低于此值的问题；人工更正的问题始终计入。")
    as_of = st.sidebar.date_input("截至日期", key=_KEYS[_ASOF], format="YYYY-MM-DD",
                                  help="以此日期判断哪些时限已经逾期。")
    st.sidebar.button("重置筛选", on_click=_reset, width="stretch")
    values = {"prov": provinces, "city": cities, "unit": units, "report": report_keys, "cat": categories,
              "status": statuses, "src": sources, "light": lights, _CONF: conf, _ASOF: as_of}
    st.session_state[_STATE] = values
    st.session_state[_STATE_PAGE] = page
    _write_url(values)
    _link_hint()
    return Filters(provinces=tuple(provinces), cities=tuple(cities), units=tuple(units),
                   reports=tuple(report_keys), categories=tuple(categories), statuses=tuple(statuses),
                   sources=tuple(sources), min_confidence=float(conf), as_of=as_of, lights=tuple(lights))


def _light_help() -> str:
    yellow, red = light_days()
    return (f"按截至日期到首个时限的天数：红灯 = 已逾期或不超过 {red} 天，黄灯 = {red + 1}–{yellow} 天，"
            f"绿灯 = {yellow} 天以上；已完成或没有可识别日期的问题不亮灯。")


def _url_values(values: dict[str, Any]) -> dict[str, Any]:
    """The URL form of the filters: only what differs from the defaults, plus the as-of date (so a link
    opened on another day shows the same overdue list)."""
    out: dict[str, Any] = {k: list(values[k]) for k in _MULTI if values[k]}
    if values[_CONF]:
        out[_CONF] = f"{values[_CONF]:g}"
    out[_ASOF] = values[_ASOF].isoformat()
    return out


def _write_url(values: dict[str, Any]) -> None:
    wanted = _url_values(values)
    for name in _KEYS:
        if name in wanted:
            if st.query_params.get_all(name) != _as_list(wanted[name]):
                st.query_params[name] = wanted[name]
        elif name in st.query_params:
            del st.query_params[name]


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _link_hint() -> None:
    base = st.context.url
    with st.sidebar.expander("复制链接", icon=":material/link:"):
        st.caption("浏览器地址栏中的网址已包含当前页面和全部筛选条件：复制它发给别人，打开即是同样的视图。")
        if base:
            st.code(f"{base}?{urlencode(st.query_params.to_dict() | _multi_params(), doseq=True)}",
                    language=None, wrap_lines=True)


def _multi_params() -> dict[str, list[str]]:
    # to_dict() keeps only the last value of a repeated key; restore every value.
    return {k: st.query_params.get_all(k) for k in st.query_params if len(st.query_params.get_all(k)) > 1}


def filter_label(f: Filters) -> str:
    """A short name for the current selection (used in file names): units, else cities, else provinces."""
    for values in (f.units, f.cities, f.provinces):
        if values:
            return "、".join(values[:3]) + ("等" if len(values) > 3 else "")
    return "全部"


def matching_reports(f: Filters) -> pd.DataFrame:
    """The reports the region / unit / report filters let through (for pickers on the pages)."""
    reports, _ = _reports_and_categories()  # the sidebar's (cached) list
    for col, values in (("province", f.provinces), ("city", f.cities), ("unit", f.units),
                        ("report_key", f.reports)):
        if values:
            reports = reports[reports[col].isin(values)]
    return reports


def page_choice(param: str, label: str, options: list[str], key: str) -> str:
    """A page's own selectbox mirrored in the URL parameter `param` (read once when the page opens)."""
    if key not in st.session_state and st.query_params.get(param) in options:
        st.session_state[key] = st.query_params[param]
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
    choice = st.selectbox(label, options, key=key)
    st.query_params[param] = choice
    return choice


def page_text(param: str, label: str, key: str, placeholder: str = "") -> str:
    """A page's own text box mirrored in the URL parameter `param` (read once when the page opens)."""
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(param, "")
    text = st.text_input(label, key=key, placeholder=placeholder)
    if text.strip():
        st.query_params[param] = text
    elif param in st.query_params:
        del st.query_params[param]
    return text
