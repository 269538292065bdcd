"""Server-side run time of every dashboard page (streamlit.testing AppTest), on a given database."""

from __future__ import annotations

import logging
import os
import resource
import statistics
import time
from pathlib import Path
from typing import Any

from views.registry import PAGES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DB_ENV = "RECTIFY_DB"  # views/components/data.py reads the database path from it


def page_scripts() -> list[Path]:
    """The dashboard's pages, as app.py's navigation lists them (views/registry.py)."""
    return [PROJECT_ROOT / p.script for p in PAGES]


def _cpu_seconds() -> float:
    """User + system CPU of this process: the page's script thread and DuckDB's threads all run in it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run_once(at: Any, clear_cache: bool) -> tuple[float, float, str | None]:
    """One rerun of an existing AppTest (a new AppTest costs 0.1–0.8 s of harness set-up a server pays
    once: component discovery; so every page keeps one AppTest, as a browser session keeps its session):
    its wall seconds, its CPU seconds (comparable on a shared, loaded machine, where wall time is not) and
    its error."""
    import streamlit as st

    if clear_cache:  # a first view, or new filters: every query misses st.cache_data, every chart is built
        st.cache_data.clear()
        st.cache_resource.clear()
    c0, t0 = _cpu_seconds(), time.perf_counter()
    at.run()
    seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
    error = None
    if at.exception:
        error = "; ".join(str(e.message).splitlines()[0] for e in at.exception)[:300]
    return seconds, cpu, error


def bench_pages(db: Path, repeats: int, log, only: tuple[str, ...] = ()) -> dict[str, Any]:
    """Per page: median of `repeats` runs after one warm-up, with an empty cache (cold) and a full one
    (warm), in wall and CPU seconds. `only`: the pages to run, by slug (views/registry.py), else all."""
    from streamlit import logger as st_logger
    from streamlit.testing.v1 import AppTest

    st_logger.set_log_level(logging.ERROR)  # "missing ScriptRunContext" noise in bare mode
    logging.disable(logging.WARNING)  # … and "No runtime found" from loggers made after that call
    previous = os.environ.get(DB_ENV)
    os.environ[DB_ENV] = str(db)
    out: dict[str, Any] = {}
    if not page_scripts():
        log("    no pages in views/registry.py")
    try:
        for page, slug in zip(page_scripts(), (p.slug for p in PAGES), strict=True):
            if only and slug not in only:
                continue
            at = AppTest.from_file(str(page), default_timeout=300)
            _run_once(at, clear_cache=True)  # warm-up: imports, OS page cache
            cold, warm, cold_cpu, warm_cpu, errors = [], [], [], [], set()
            for _ in range(repeats):
                s, c, err = _run_once(at, clear_cache=True)
                cold.append(s)
                cold_cpu.append(c)
                s2, c2, err2 = _run_once(at, clear_cache=False)
                warm.append(s2)
                warm_cpu.append(c2)
                errors |= {e for e in (err, err2) if e}
            name = str(page.relative_to(PROJECT_ROOT))
            out[name] = {
                "cold": statistics.median(cold),
                "warm": statistics.median(warm),
                "cold_cpu": statistics.median(cold_cpu),
                "warm_cpu": statistics.median(warm_cpu),
                "error": "; ".join(sorted(errors)) or None,
            }
            v = out[name]
            log(
                f"    {name}: cold {v['cold'] * 1000:.0f} ms (CPU {v['cold_cpu'] * 1000:.0f}), "
                f"warm {v['warm'] * 1000:.0f} ms (CPU {v['warm_cpu'] * 1000:.0f})"
                + (f" ERROR {v['error']}" if v["error"] else "")
            )
    finally:
        logging.disable(logging.NOTSET)
        if previous is None:
            os.environ.pop(DB_ENV, None)
        else:
            os.environ[DB_ENV] = previous
    return out


def export_calls(db: Path) -> dict[str, Any]:
    """The ledger's downloads, each with a typical filter, as the buttons build them on click: the 整改台账
    (.xlsx) of the unit with most reports (单位) and of one city's unfinished issues (问题清单), the
    ranking workbook (评分, every unit), the brief (.docx) of everything (总览) and of that unit (单位)."""
    import dataclasses

    import queries
    from loaders.writer import store
    from views.components.brief import brief_bytes
    from views.components.labels import MONEY_FIGURES, PEOPLE_FIGURES
    from views.components.ledger import ledger_bytes, score_frame, scores_xlsx

    with store.read_connection(db) as con:
        unit = con.execute("SELECT unit FROM reports GROUP BY unit "
                           "ORDER BY count(*) DESC, unit LIMIT 1").fetchall()
        city = con.execute("SELECT city FROM reports WHERE city IS NOT NULL GROUP BY city "
                           "ORDER BY count(*) DESC, city LIMIT 1").fetchall()
    everything = queries.Filters()
    one_unit = dataclasses.replace(everything, units=(unit[0][0],) if unit else ())
    city_open = dataclasses.replace(everything, cities=(city[0][0],) if city else (),
                                    statuses=tuple(s for s in queries.STATUS_LABELS if s != queries.DONE))

    def scores() -> bytes:
        rows = queries.unit_scores(db, everything, tuple(PEOPLE_FIGURES), tuple(MONEY_FIGURES))
        return scores_xlsx(score_frame(rows), everything)

    return {
        "xlsx ledger, one unit": lambda: ledger_bytes(db, one_unit),
        "xlsx ledger, one city, not done": lambda: ledger_bytes(db, city_open),
        "xlsx ranking, all units": scores,
        "docx brief, everything": lambda: brief_bytes(db, everything),
        "docx brief, one unit": lambda: brief_bytes(db, everything, one_unit.units[0] if unit else None),
    }


def bench_exports(db: Path, repeats: int, log) -> dict[str, Any]:
    """Seconds to build each download's bytes (median of `repeats` after one warm-up; no cache applies:
    the buttons build them on click) and its size."""
    out: dict[str, Any] = {}
    for name, call in export_calls(db).items():
        data = call()  # warm-up: imports, OS page cache
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            call()
            times.append(time.perf_counter() - t0)
        out[name] = {"seconds": statistics.median(times), "bytes": len(data)}
        log(f"    {name}: {out[name]['seconds'] * 1000:.0f} ms, {len(data) / 1024:.0f} KiB")
    return out
