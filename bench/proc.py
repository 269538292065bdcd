"""Run a command in a subprocess and measure its wall time and the peak memory of its whole process tree."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

SAMPLE_S = 0.05


@dataclass
class Run:
    seconds: float
    peak_rss: int  # bytes: the largest sum of RSS over the process and all its descendants at one moment
    returncode: int
    output: dict[str, Any]  # the JSON the worker printed on its last stdout line
    stderr: str


def _tree_rss(proc: psutil.Process) -> int:
    """RSS of proc and every descendant (the worker pool's processes included). Shared pages count once per
    process, so this over-states real use a little: a conservative figure for a memory target."""
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        with contextlib.suppress(psutil.Error):  # a worker that just exited
            total += p.memory_info().rss
    return total


def run_measured(cmd: list[str], cwd: Path, timeout: float = 3600.0) -> Run:
    """Start cmd, sample the tree's RSS every 50 ms until it exits, and parse its last stdout line as JSON."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    popen = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc = psutil.Process(popen.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc))
            done.wait(SAMPLE_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = popen.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    last = (out.strip().splitlines() or ["{}"])[-1]
    try:
        output = json.loads(last)
    except json.JSONDecodeError:
        output = {"raw": last}
    return Run(seconds, peak, popen.returncode, output, err[-4000:])


def code_version() -> str:
    """The commit measured: BENCH_COMMIT (set when running from a `git archive` snapshot), else git."""
    if os.environ.get("BENCH_COMMIT"):
        return os.environ["BENCH_COMMIT"]
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "loaders", "queries", "views", "app.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' + uncommitted changes' if dirty else ''}"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "code": code_version(),
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": sys.version.split()[0],
        "DuckDB": version("duckdb"),
        "pandas": version("pandas"),
        "pyarrow": version("pyarrow"),
        "Streamlit": version("streamlit"),
    }
