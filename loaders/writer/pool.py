"""Parsing for ingestion: read and parse files, in worker processes when there are enough of them.

Every outcome is a `Parsed` in input order: its reports, or a plain-English reason why the file cannot be
stored (unreadable, too big, not a report, no issue found, a parser crash). A crashed worker (out of memory)
fails the files it had not returned with a message saying how to find the culprit. Workers are forked, so
the parser is imported once, and they end themselves when their parent is killed.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from loaders.models import Report

PARALLEL_MIN_FILES = 8  # below this, starting worker processes costs more than it saves
AHEAD_FILES_PER_WORKER = 64  # parsed files waiting for the caller, at most, per worker (bounds memory)
POOL_BROKEN = ("the parser process stopped unexpectedly (out of memory, or a crash); run again with "
               "--workers 1 to find the file that causes it")


@dataclass(frozen=True)
class Parsed:
    """One file's outcome: its reports, or (reports None) the plain reason it cannot be stored, in English
    (`error`, the CLI) and Chinese (`error_zh`, the dashboard's 导入 page)."""

    path: str
    sha: str
    size: int
    reports: list[Report] | None
    error: str | None
    error_zh: str | None = None


def parse_file(path: str, data: bytes) -> list[Report]:
    """The parser (imported late: the worker processes import it once; tests may replace this function)."""
    from loaders.parser.parse import parse_file as real_parse_file

    return real_parse_file(path, data=data)


def parse_one(path: str) -> Parsed:
    """Read, hash and parse one file; every error becomes a plain message (runs in a worker process)."""
    try:
        too_big = size_error(path)
        if too_big is not None:  # refused from its size alone: a huge file is never loaded into memory
            return too_big
        data = Path(path).read_bytes()
    except OSError as exc:
        return Parsed(path, "", 0, None, f"cannot read the file ({exc.strerror or exc})",
                      f"无法读取文件（{exc.strerror or exc}）")
    return parse_data(path, data)


def parse_data(path: str, data: bytes) -> Parsed:
    """Parse a file's bytes and decide whether it can be stored: the one decision shared by ingest, the
    `parse` command and the dashboard's 导入 preview (so a preview never promises what storing refuses)."""
    from loaders.parser.read import ReadError

    sha = hashlib.sha256(data).hexdigest()  # of the bytes parsed, in case the file changed since hashing
    try:
        reports = parse_file(path, data)
    except ReadError as exc:
        return Parsed(path, sha, len(data), None, _plain(exc), exc.reason_zh or _plain(exc))
    except ValueError as exc:  # the parser's own plain-language errors
        return Parsed(path, sha, len(data), None, _plain(exc), _plain(exc))
    except Exception as exc:  # a parser bug must not stop the batch
        return Parsed(path, sha, len(data), None, f"the parser failed ({type(exc).__name__}: {_plain(exc)})",
                      f"解析该文件时出错（{type(exc).__name__}）")
    refused = refusal(path, reports)
    if refused is not None:
        return Parsed(path, sha, len(data), None, *refused)
    return Parsed(path, sha, len(data), list(reports), None)


def refusal(path: str, reports: Sequence[Report]) -> tuple[str, str] | None:
    """Why parsed reports cannot be stored ((English, Chinese)), or None when they can."""
    if not reports:
        return "no report found", "没有在文件中找到通报"
    from loaders.parser.parse import worth_storing

    # A news item or another page (no issues and no stated figures): storing it would only add noise.
    if not worth_storing(reports):
        return _no_issues_reason(path, reports)
    return None


def size_error(path: str) -> Parsed | None:
    """The read layer's own "over read.max_file_mb" error for a file too big to read, else None (checked
    from the file system: nothing is read)."""
    from loaders.parser.read import ReadError, read_document
    from loaders.parser.read.base import max_file_mb

    size = os.path.getsize(path)
    if size <= max_file_mb() * 2**20:
        return None
    try:
        read_document(path)  # checks the size from the file system before reading anything
    except ReadError as exc:
        return Parsed(path, "", size, None, _plain(exc), exc.reason_zh or _plain(exc))
    return None  # it shrank meanwhile: read it as usual


def _no_issues_reason(path: str, reports: Sequence[Report]) -> tuple[str, str]:
    name = Path(path).name
    if all(any(w.code == "not_a_report" for w in r.warnings) for r in reports):
        return (f"{name}: not a rectification report (it never mentions 巡视, 巡察 or 整改); "
                "nothing was stored", "它不是巡视整改通报（通篇没有提到巡视、巡察或整改），未保存任何内容")
    return (f"{name}: no issues found: none of its headings matches an issue layout the parser knows "
            "(not a rectification-progress report?); nothing was stored",
            "没有在文件中找到整改问题：没有一个标题符合已知的问题格式（可能不是巡视整改进展通报），未保存任何内容")


def _plain(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def parse_all(paths: Sequence[str], workers: int) -> Iterator[Parsed]:
    """Parse in input order, so a later file predictably replaces an earlier one holding the same report.

    At most AHEAD_FILES_PER_WORKER files per worker are parsed ahead of the caller: `Executor.map` submits
    every file at once, and when the caller (writing the database) is slower than the parsers, their results
    pile up in memory (at 10,000 real files, most of the process tree's peak)."""
    if workers <= 1 or len(paths) < PARALLEL_MIN_FILES:
        yield from map(parse_one, paths)
        return
    ctx = _mp_context()
    chunk = max(1, min(16, len(paths) // (workers * 8)))
    chunks = [paths[k : k + chunk] for k in range(0, len(paths), chunk)]
    ahead = max(2, workers * AHEAD_FILES_PER_WORKER // chunk)
    done = 0
    with ProcessPoolExecutor(max_workers=min(workers, len(paths)), mp_context=ctx,
                             initializer=_exit_with_parent) as pool:
        pending: deque[Future[list[Parsed]]] = deque()
        try:
            for part in chunks:
                pending.append(pool.submit(_parse_chunk, part))
                if len(pending) >= ahead:
                    for parsed in pending.popleft().result():
                        done += 1
                        yield parsed
            while pending:
                for parsed in pending.popleft().result():
                    done += 1
                    yield parsed
        except BrokenProcessPool:
            for path in paths[done:]:
                yield Parsed(path, "", 0, None, POOL_BROKEN)


def _parse_chunk(paths: Sequence[str]) -> list[Parsed]:
    return [parse_one(path) for path in paths]


def _exit_with_parent() -> None:
    """Worker start-up: a watchdog thread ends this worker once its parent is gone. A forked worker holds the
    write end of its own task queue, so after a `kill -9` of the parent it would wait for work forever."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _mp_context() -> multiprocessing.context.BaseContext:
    """fork where available. forkserver and spawn re-run the caller's __main__ in every worker, which breaks
    for stdin or unguarded scripts; with fork, ProcessPoolExecutor starts all workers at the first submit,
    before this process opens the database for the first batch, and the parser is imported once, here."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context()
    import loaders.parser.parse  # noqa: F401 - imported before forking, so workers inherit it

    return multiprocessing.get_context("fork")
