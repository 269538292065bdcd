"""Charts drawn from cached figures: a chart is built once per distinct data and reused on every rerun.

Building a plotly figure costs 10–55 ms of Python per chart (plotly validates every property it is given),
as much as the page's cached queries on a rerun; the figures depend only on the query results passed in,
so they are kept (st.cache_resource: the Figure object itself, no pickling — unpickling a Figure
validates it all again) and keyed by those results."""

from __future__ import annotations

from typing import Any

import streamlit as st

from views.components import charts


@st.cache_resource(max_entries=64, show_spinner=False)
def _figure(builder: str, args: tuple[Any, ...]) -> Any:
    # Never mutated after this: st.plotly_chart reads the figure through to_dict(), a copy.
    return getattr(charts, builder)(*args)


def plotly_chart(builder: str, *args: Any, key: str | None = None) -> None:
    """st.plotly_chart of charts.<builder>(*args), the figure built once per distinct args."""
    st.plotly_chart(_figure(builder, args), key=key)
