"""Renders bench/RESULTS.md from the measured figures: machine, commands, tables, targets met/missed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from loaders.writer.ingest import BATCH_FILES

MIB = 2**20
# Issue 13's targets (real text: the corpus of renamed copies of the bundled samples), then the older ones.
TARGETS = {
    "real_rate": ("ingest of the 1,000-file real-sample corpus, 2 workers", 500.0, "reports/s"),
    "real_cpu": ("CPU per file, all processes, real-sample corpus", 7.0, "ms"),
    "memory": ("peak RSS of the process tree at 10,000 real files", 1.0 * 2**30, "bytes"),
    "readers": ("longest wait of a read-only connection during an ingest", 2.0, "s"),
    "reingest": ("unchanged re-ingest (10,000-file corpus)", 5.0, "s"),
    "pages": ("every page's server-side run at 10,000 files, empty cache", 0.5, "s"),
    "pages_warm": ("every page's server-side run at 10,000 files, cached queries", 0.2, "s"),
    "queries": ("every dashboard query at 100,000 reports", 0.2, "s"),
    "exports": ("every download (xlsx ledger and ranking, docx brief) built at 10,000 files", 0.5, "s"),
}
CORPUS_LABEL = {"synthetic": "generator", "samples": "real samples"}


def _ms(s: float | None) -> str:
    return "–" if s is None else f"{s * 1000:,.0f}"


def _by_size(res: dict[str, Any], stage: str) -> dict[int, Any]:
    return {int(k): v for k, v in res.get(stage, {}).items()}


def _nearest(sizes: dict[int, Any], want: int) -> tuple[int, Any] | None:
    """The figures measured at `want`, else None (a smaller run must not pass for the target size)."""
    return (want, sizes[want]) if want in sizes else None


def _ingest_runs(res: dict[str, Any]) -> dict[tuple[str, int], Any]:
    """(corpus kind, files) -> the figures of that ingest run, over both corpora."""
    runs = {("synthetic", n): v for n, v in _by_size(res, "ingest").items()}
    runs |= {("samples", n): v for n, v in _by_size(res, "ingest_samples").items()}
    return runs


def evaluate(res: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(target, measured, verdict, why) rows."""
    rows = []
    runs = _ingest_runs(res)
    real = _nearest({n: v for (k, n), v in runs.items() if k == "samples"}, 1000)
    if real:
        r = real[1]
        f = r["fresh"]
        load = f"load average {f.get('load_avg_before', 0):.1f} → {f.get('load_avg_1m', 0):.1f}"
        rows.append(_row("real_rate", r["reports_per_s"],
                         f"{r['files']:,} files, {r['reports']:,} reports in {r['fresh']['seconds']:.1f} s "
                         f"({r['mb_per_s']:.1f} MB/s; {load}). On 2 idle cores its CPU would allow at most "
                         f"{r['reports'] / (r['cpu_ms_per_file'] * r['files'] / 1000 / 2):,.0f} reports/s."))
        rows.append(_row("real_cpu", r["cpu_ms_per_file"],
                         f"main process {r['cpu_main_ms_per_file']:.1f} ms, parser processes "
                         f"{r['cpu_ms_per_file'] - r['cpu_main_ms_per_file']:.1f} ms per file; "
                         f"{r['floor_cpu_ratio']:.0f}× the CPU of reading and decoding the files."))
    else:
        rows += [_missing("real_rate"), _missing("real_cpu")]
    big = _nearest({n: v for (k, n), v in runs.items() if k == "samples"}, 10000)
    if big:
        r = big[1]
        peak = max(r[k]["peak_rss"] for k in ("fresh", "unchanged", "changed"))
        why = f"largest of fresh / unchanged / 1 %-changed ingest ({peak / MIB:,.0f} MiB)."
        rows.append(_row("memory", peak, why))
    elif runs:
        peak, (kind, n) = max((v["fresh"]["peak_rss"], key) for key, v in runs.items())
        rows.append((_missing("memory")[0], "not measured at 10,000 real files", "–",
                     f"largest measured: {peak / MIB:,.0f} MiB ({CORPUS_LABEL[kind]}, {n:,} files)."))
    else:
        rows.append(_missing("memory"))
    waits = [(v[k]["readers"]["max_s"], kind, n, k) for (kind, n), v in runs.items()
             for k in ("fresh", "changed") if (v.get(k) or {}).get("readers", {}).get("max_s") is not None]
    if waits:
        worst, kind, n, k = max(waits)
        probes = sum(v[k2]["readers"]["probes"] for v in runs.values() for k2 in ("fresh", "changed")
                     if "readers" in (v.get(k2) or {}))
        why = (f"longest of {probes:,} probes (a read-only connection and a count every 0.25 s): {k} ingest "
               f"of {n:,} {CORPUS_LABEL[kind]} files.")
        rows.append(_row("readers", worst, why))
    else:
        rows.append(_missing("readers"))
    big_runs = [(n, kind) for kind, n in runs if n >= 10000]
    if big_runs:
        n, kind = max(big_runs)
        u = runs[(kind, n)]["unchanged"]["seconds"]
        rows.append(_row("reingest", u, f"{n:,} {CORPUS_LABEL[kind]} files hashed, none parsed "
                                        f"({u:.2f} s incl. start-up)."))
    else:
        rows.append(_missing("reingest"))
    pages = _nearest(_by_size(res, "pages"), 10000)
    if pages and pages[1]:
        worst = max(pages[1].items(), key=lambda kv: kv[1]["cold"])
        errs = [p for p, v in pages[1].items() if v["error"]]
        limit = TARGETS["pages"][1]
        over = sorted(p for p, v in pages[1].items() if v["cold"] > limit)
        warm = max(pages[1].items(), key=lambda kv: kv[1]["warm"])
        why = (
            f"{len(over)} of {len(pages[1])} pages over target with an empty cache"
            + (f" ({', '.join(over)})" if over else "")
            + f"; with cached queries the slowest is {warm[0]} at {_ms(warm[1]['warm'])} ms."
        )
        why += f" Pages with errors: {', '.join(errs)}." if errs else ""
        load = res.get("pages_load_avg_1m", {}).get(str(pages[0]))
        why += f" Load average {load:.1f} at the end of the run." if load is not None else ""
        rows.append(_row("pages", worst[1]["cold"], why))
        rows.append(_row("pages_warm", warm[1]["warm"], f"slowest with cached queries: {warm[0]}."))
    else:
        rows += [_missing("pages"), _missing("pages_warm")]
    ex = _nearest(_by_size(res, "exports"), 10000)
    if ex and ex[1]:
        name, worst = max(ex[1].items(), key=lambda kv: kv[1]["seconds"])
        over = sorted(n for n, v in ex[1].items() if v["seconds"] > TARGETS["exports"][1])
        why = (f"slowest: {name} ({worst['bytes'] / 1024:,.0f} KiB) at {ex[0]:,} files; "
               f"{len(over)} of {len(ex[1])} over target" + (f" ({'; '.join(over)})." if over else "."))
        rows.append(_row("exports", worst["seconds"], why))
    else:
        rows.append(_missing("exports"))
    q = _nearest(_by_size(res, "queries"), 100000)
    if q:
        timed = [
            (v["median"], f"{name} ({label})")
            for name, row in q[1]["queries"].items()
            for label, v in row.items()
            if "median" in v
        ]
        worst_t, worst_name = max(timed)
        slow = [f"{n} {_ms(t)} ms" for t, n in sorted(timed, reverse=True) if t > TARGETS["queries"][1]]
        more = f" and {len(slow) - 8} more" if len(slow) > 8 else ""
        why = f"slowest: {worst_name}; {len(slow)} of {len(timed)} calls over target"
        why += f": {'; '.join(slow[:8])}{more}." if slow else "."
        rows.append(_row("queries", worst_t, why))
    else:
        rows.append(_missing("queries"))
    return rows


def _row(key: str, value: float, why: str) -> tuple[str, str, str, str]:
    label, limit, unit = TARGETS[key]
    if unit == "bytes":
        shown, lim = f"{value / MIB:,.0f} MiB", f"≤ {limit / 2**30:g} GiB"
    elif unit == "reports/s":  # a rate: higher is better
        shown, lim = f"{value:,.0f} reports/s", f"≥ {limit:g} reports/s"
        return (f"{label} {lim}", shown, "met" if value >= limit else "**missed**", why)
    elif unit == "ms":
        shown, lim = f"{value:.1f} ms", f"≤ {limit:g} ms"
    else:
        shown, lim = f"{value:.2f} s", f"≤ {limit:g} s"
    return (f"{label} {lim}", shown, "met" if value <= limit else "**missed**", why)


def _missing(key: str) -> tuple[str, str, str, str]:
    label = TARGETS[key][0]
    return (label, "not measured in this run", "–", "not measured at the target size in the runs kept here")


def render(res: dict[str, Any], notes: str = "") -> str:
    out = [
        "# Benchmark results",
        "",
        f"Generated by `bench/` on {dt.date.today().isoformat()}; every run rewrites this file "
        "(the analysis at the end comes from bench/NOTES.md).",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in res["machine"].items()),
        "",
        "## Commands",
        "",
        "```bash",
        *res["commands"],
        "```",
        "",
        "## Targets",
        "",
        "| target | measured | verdict | why |",
        "|---|---|---|---|",
        *(f"| {t} | {m} | {v} | {w} |" for t, m, v, w in evaluate(res)),
        "",
    ]
    out += _real_table(res) + _ingest_table(res) + _query_table(res) + _page_table(res)
    out += _naive_table(res) + _spy(res) + _profile(res) + _candidates(res)
    out += [notes.strip(), ""] if notes.strip() else []
    return "\n".join(out)


def _real_table(res: dict[str, Any]) -> list[str]:
    """Both corpora side by side: rates, CPU, memory, the floor and the readers' longest wait."""
    runs = _ingest_runs(res)
    if not runs:
        return []
    out = [
        "## Ingest on real-shaped text",
        "",
        "Fresh ingest with `--workers` "
        f"{res['workers']} in a subprocess, for each corpus: the generator's (`python -m bench.corpus`: "
        "all layouts, site chrome, HTML tables, traditional-character and one-line copies) and renamed "
        "copies of the five bundled samples (`python -m bench.samples`). CPU = user + system time of the "
        "ingest process and its parser processes (start-up included). Floor = reading and decoding the "
        "same files in one process; × floor = ingest wall time / floor wall time (CPU / floor CPU). Reader "
        "wait = the longest a read-only connection plus `count(*)` took, probed every 0.25 s during the "
        "fresh ingest. Load average (1 min) before → after the run.",
        "",
        "| corpus | files | reports | issues / report | KB / report | seconds | reports/s | MB/s "
        "| CPU ms / file (main) | peak RSS MiB | floor s | × floor (CPU) | reader wait max s (> 2 s) "
        "| stored / manifest reports | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for (kind, _n), r in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if "floor" not in r:  # a run from before these figures existed
            continue
        f, rd = r["fresh"], r["fresh"].get("readers", {})
        out.append(
            f"| {CORPUS_LABEL[kind]} | {r['files']:,} | {r['reports']:,} | {r['issues'] / r['reports']:.1f} "
            f"| {1000 * r['mb'] / r['reports']:.1f} | {f['seconds']:.1f} | {r['reports_per_s']:.0f} "
            f"| {r['mb_per_s']:.2f} | {r['cpu_ms_per_file']:.1f} ({r['cpu_main_ms_per_file']:.1f}) "
            f"| {f['peak_rss'] / MIB:,.0f} | {r['floor']['seconds']:.2f} "
            f"| {r['floor_ratio']:.0f}× ({r['floor_cpu_ratio']:.0f}×) "
            f"| {rd.get('max_s') or 0:.2f} ({rd.get('over_2s', 0)} of {rd.get('probes', 0)}) "
            f"| {r['stored_reports']:,} / {r['reports']:,} "
            f"| {f.get('load_avg_before', 0):.1f} → {f.get('load_avg_1m', 0):.1f} |"
        )
    return [*out, ""]


def _ingest_table(res: dict[str, Any]) -> list[str]:
    ing = _by_size(res, "ingest")
    if not ing:
        return []
    out = [
        "## Ingest",
        "",
        f"`loaders.writer.ingest.ingest_paths(corpus, db, workers={res['workers']})` in a subprocess; "
        "peak memory is "
        "the largest sum of RSS over the process and its worker pool, sampled every 50 ms.",
        "",
        "| files | reports | issues | MB | seconds | reports/s | files/s | MB/s | peak RSS MiB | DB MiB "
        "| unchanged re-ingest s | 1% changed re-ingest s | stored reports / issues | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for _n, r in sorted(ing.items()):
        f, u, c = r["fresh"], r["unchanged"], r["changed"]
        peak = max(f["peak_rss"], u["peak_rss"], c["peak_rss"])
        ok = "=" if (r["stored_reports"], r["stored_issues"]) == (r["reports"], r["issues"]) else "≠"
        out.append(
            f"| {r['files']:,} | {r['reports']:,} | {r['issues']:,} | {r['mb']:.1f} | {f['seconds']:.1f} "
            f"| {r['reports_per_s']:.0f} | {r['files_per_s']:.0f} | {r['mb_per_s']:.2f} | {peak / MIB:,.0f} "
            f"| {r['db_bytes'] / MIB:,.1f} | {u['seconds']:.2f} "
            f"| {c['seconds']:.2f} ({r['changed_files']} files) "
            f"| {r['stored_reports']:,} / {r['stored_issues']:,} ({ok} manifest) "
            f"| {f.get('load_avg_1m', 0):.1f} |"
        )
    return [*out, ""]


def _query_table(res: dict[str, Any]) -> list[str]:
    qs = _by_size(res, "queries")
    if not qs:
        return []
    sizes = sorted(qs)
    head = " | ".join(f"{qs[s]['reports']:,} reports" for s in sizes)
    out = [
        "## Dashboard queries",
        "",
        "Median ms of each public query function of `queries/` (after one warm-up): "
        "with no filter and no search (the landing view: the largest result) / with typical filters "
        "(one province, statuses 阶段性完成 and 未完成, and a search for 整改 where the function takes "
        "one: a common word, so a scan of all issue text). Functions without filters show one figure. "
        "Each call opens its own read-only connection (~20 ms), as the first query of a page render does "
        "(a page runs the rest on the same connection, with its buffers warm: the figures are pessimistic).",
        "",
        f"| query | {head} |",
        "|---|" + "---:|" * len(sizes),
    ]
    names = sorted({n for s in sizes for n in qs[s]["queries"]})
    for name in names:
        cells = []
        for s in sizes:
            row = qs[s]["queries"].get(name, {})
            parts = [f"{_ms(v.get('median'))}" if "median" in v else "error" for v in row.values()]
            cells.append(" / ".join(parts) or "–")
        out.append(f"| `{name}` | " + " | ".join(cells) + " |")
    loads = [f"{qs[s]['reports']:,}: {qs[s]['load_avg_1m']:.1f}" for s in sizes if "load_avg_1m" in qs[s]]
    if loads:
        out += [
            "",
            "Load average (1 min) when each size finished — other work on the 2 cores inflates "
            "latencies: " + "; ".join(loads) + ".",
        ]
    rep = next((qs[s].get("replicated") for s in sizes if qs[s].get("replicated")), None)
    if rep:
        out += [
            "",
            f"The {rep['reports']:,}-report database: the {rep['base_reports']:,} reports parsed from the "
            f"largest ingested corpus, copied {rep['copies']}× by `bench/query_bench.py:build_replicated` "
            "(keys re-hashed per copy, other columns unchanged; "
            + (f"built in {rep['seconds']:.1f} s)." if rep.get("seconds") is not None
               else "reused from an earlier run: newer than its source)."),
        ]
    return [*out, ""]


def _page_table(res: dict[str, Any]) -> list[str]:
    ps = _by_size(res, "pages")
    if not ps:
        return []
    sizes = sorted(ps)
    out = [
        "## Pages",
        "",
        "Server-side run of each page script with `streamlit.testing.v1.AppTest` (median ms of "
        f"{res['repeats']} runs after one warm-up); cold = `st.cache_data` emptied first (a first view or new"
        " filters), warm = cached queries.",
        "",
        "| page | " + " | ".join(
            f"{s:,} {CORPUS_LABEL[res.get('pages_corpus', {}).get(str(s), 'synthetic')]} files cold / warm"
            for s in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for page in sorted({p for s in sizes for p in ps[s]}):
        cells = []
        for s in sizes:
            v = ps[s].get(page)
            cells.append(
                "–" if v is None else f"{_ms(v['cold'])} / {_ms(v['warm'])}" + (" ⚠" if v["error"] else "")
            )
        out.append(f"| `{page}` | " + " | ".join(cells) + " |")
    exports = _by_size(res, "exports")
    if exports:
        out += ["", "Downloads (`bench/page_bench.py:export_calls`): ms to build the file's bytes, as the "
                    "button does on click (median; no cache applies), and its size.", "",
                "| download | " + " | ".join(f"{s:,} files" for s in sorted(exports)) + " |",
                "|---|" + "---:|" * len(exports)]
        for name in sorted({n for s in exports for n in exports[s]}):
            cells = [f"{_ms(exports[s][name]['seconds'])} ms, {exports[s][name]['bytes'] / 1024:,.0f} KiB"
                     if name in exports[s] else "–" for s in sorted(exports)]
            out.append(f"| {name} | " + " | ".join(cells) + " |")
    loads = res.get("pages_load_avg_1m", {})
    if loads:
        out += [
            "",
            "Load average (1 min) when each size finished: "
            + "; ".join(
                f"{int(k):,} files: {v:.1f}" for k, v in sorted(loads.items(), key=lambda kv: int(kv[0]))
            )
            + ".",
        ]
    errs = {f"{p}: {v['error']}" for s in sizes for p, v in ps[s].items() if v["error"]}
    out += ["", *(f"- ⚠ {e}" for e in sorted(errs))] if errs else []
    return [*out, ""]


def _naive_table(res: dict[str, Any]) -> list[str]:
    nv = res.get("naive", {})
    if not nv:
        return []
    out = [
        "## The naive way beside ours",
        "",
        "| comparison | data | naive | ours | naive / ours |",
        "|---|---|---:|---:|---:|",
    ]
    w = nv.get("writers")
    if w:
        out.append(
            f"| row-by-row `INSERT … VALUES` vs `store.write_files` (Arrow, batches of {BATCH_FILES} files) "
            f"| {w['files']:,} files, {w['rows']:,} rows | {w['row_by_row']:.2f} s | {w['bulk']:.2f} s "
            f"| {w['ratio']:.0f}× |"
        )
    for _n, g in sorted((int(k), v) for k, v in nv.get("groupby", {}).items()):
        out.append(
            f"| pandas group-by over all rows vs DuckDB `queries.status_by_unit` | {g['reports']:,} reports "
            f"| {_ms(g['pandas'])} ms | {_ms(g['duckdb'])} ms | {g['ratio']:.1f}× |"
        )
    return [*out, ""]


def _profile(res: dict[str, Any]) -> list[str]:
    p = res.get("profile")
    if not p:
        return []
    out = [
        "## Where ingest time goes",
        "",
        f"cProfile of an in-process, single-worker ingest of {p['files']} files "
        f"({p['per_file_ms']:.1f} ms per file; full listing in bench/out/profile_ingest.txt):",
        "",
        "| stage | cumulative s | share |",
        "|---|---:|---:|",
    ]
    for stage, s in sorted(p["stages"].items(), key=lambda kv: -kv[1]):
        out.append(f"| {stage} | {s:.2f} | {100 * s / p['seconds']:.0f}% |")
    return [*out, ""]


def _candidates(res: dict[str, Any]) -> list[str]:
    c = res.get("candidates")
    if not c:
        return []
    t, d, b = c["transfer"], c["deadlines"], c["batches"]
    out = [
        "## Speed-up candidates (issue 13), measured",
        "",
        f"`python -m bench.candidates` on {t['files']} files of the real-sample corpus, in one process "
        f"(CPU ms per file; load average {c.get('load_avg_1m', 0):.1f}):",
        "",
        "| candidate | today | with it |",
        "|---|---:|---:|",
        f"| workers build Arrow rows: parent CPU per file | {t['parent_today_ms']:.2f} (unpickle Reports "
        f"{t['parent_unpickle_reports_ms']:.2f} + rows and Arrow {t['parent_rows_arrow_ms']:.2f}) "
        f"| {t['parent_unpickle_concat_ms']:.2f} (unpickle Arrow + concat) |",
        f"| … worker CPU per file | {t['worker_pickle_reports_ms']:.2f} (pickle Reports, "
        f"{t['pickle_kb_reports']:.0f} KB) | {t['worker_rows_arrow_pickle_ms']:.2f} (rows, Arrow, pickle, "
        f"{t['pickle_kb_arrow']:.0f} KB) |",
        *([f"| … the worker sends plain column lists instead: parent / worker CPU per file "
           f"| {t['parent_today_ms']:.2f} / {t['worker_pickle_reports_ms']:.2f} "
           f"| {t['parent_unpickle_columns_arrow_ms']:.2f} / {t['worker_rows_columns_pickle_ms']:.2f} "
           f"({t['pickle_kb_columns']:.0f} KB) |"] if "parent_unpickle_columns_arrow_ms" in t else []),
        f"| deadline scan: `find_deadlines` over {d['texts'] / t['files']:.0f} measures per file "
        f"| {d['find_deadlines_ms_per_file']:.2f} | its `mention.finditer` yields "
        f"{d['empty_matches']:,} empty matches for {d['non_empty_matches']:,} real ones; one scan ≈ "
        f"{d['scan_twice_ms_per_file'] / 2:.2f} |",
    ]
    m = c.get("measures_text")
    w = c.get("write")
    if w:
        out.append(
            f"| store measure text once: write CPU (s) / wall (s) / database MiB for {w['files']:,} "
            f"files in 500-file batches | {w['cpu_s_with']:.2f} / {w['wall_s_with']:.2f} / "
            f"{w['db_mb_with']:.1f} | {w['cpu_s_without']:.2f} / {w['wall_s_without']:.2f} / "
            f"{w['db_mb_without']:.1f} |"
        )
    if m:
        out.append(f"| store measure text once: a copy of the ingested 1,000-file database, MiB "
                   f"| {m['db_mb_with']:.1f} | {m['db_mb_without']:.1f} ({m['smaller_pct']:.0f} % smaller) |")
    out += [
        "",
        "Seconds one write transaction holds the database (connect, rows and Arrow, delete, insert, "
        "checkpoint) for a batch of k files — what a dashboard reader waits at worst: "
        + "; ".join(f"{k} files {v:.2f} s" for k, v in b.items()) + ".",
        "",
    ]
    return out


def _spy(res: dict[str, Any]) -> list[str]:
    from bench.spy import table

    sp = res.get("spy")
    if not sp:
        return []
    cpu = sp["cpu_ms_per_file"]
    return [
        "## Where ingest CPU goes, per process (py-spy)",
        "",
        f"`py-spy record --subprocesses` of a fresh ingest of {sp['files']:,} real-sample files with 2 "
        f"workers ({sp['seconds']:.1f} s, load average {sp.get('load_avg_1m', 0):.1f}; CPU per file: main "
        f"process {cpu['main']:.1f} ms, parser processes {cpu['workers']:.1f} ms), summarised by "
        "`python -m bench.spy`: each sample goes to the innermost stage on its stack; ms = the process's "
        "measured CPU split by its share of busy samples (the main process's split is approximate: see "
        "bench/spy.py).",
        "",
        *table(sp["summary"], cpu),
        "",
    ]
