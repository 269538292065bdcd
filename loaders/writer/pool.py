"""Judging for ingestion: read and parse files (loaders/writer/accept.py judge_path), in worker processes
when there are enough of them.

Every outcome is an accept.Verdict in input order: its reports, or why the file cannot be stored. A crashed
worker (out of memory) fails the files it had not returned with a message saying how to find the culprit.
Workers are forked, so the parser is imported once, and they end themselves when their parent is killed.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from loaders.messages import refusal
from loaders.writer.accept import Verdict, judge_path

PARALLEL_MIN_FILES = 8  # below this, starting worker processes costs more than it saves
AHEAD_FILES_PER_WORKER = 64  # judged files waiting for the caller, at most, per worker (bounds memory)
POOL_BROKEN = refusal("pool_broken").en


def parse_all(paths: Sequence[str], workers: int) -> Iterator[Verdict]:
    """Judge in input order, so a later file predictably replaces an earlier one holding the same report.

    At most AHEAD_FILES_PER_WORKER files per worker are judged ahead of the caller: `Executor.map` submits
    every file at once, and when the caller (writing the database) is slower than the parsers, their results
    pile up in memory (at 10,000 real files, most of the process tree's peak)."""
    if workers <= 1 or len(paths) < PARALLEL_MIN_FILES:
        yield from map(judge_path, paths)
        return
    ctx = _mp_context()
    chunk = max(1, min(16, len(paths) // (workers * 8)))
    chunks = [paths[k : k + chunk] for k in range(0, len(paths), chunk)]
    ahead = max(2, workers * AHEAD_FILES_PER_WORKER // chunk)
    done = 0
    with ProcessPoolExecutor(max_workers=min(workers, len(paths)), mp_context=ctx,
                             initializer=_exit_with_parent) as pool:
        pending: deque[Future[list[Verdict]]] = deque()
        try:
            for part in chunks:
                pending.append(pool.submit(_judge_chunk, part))
                if len(pending) >= ahead:
                    for verdict in pending.popleft().result():
                        done += 1
                        yield verdict
            while pending:
                for verdict in pending.popleft().result():
                    done += 1
                    yield verdict
        except BrokenProcessPool:
            for path in paths[done:]:
                yield Verdict(path, "", 0, None, refusal("pool_broken"), "pool_broken")


def _judge_chunk(paths: Sequence[str]) -> list[Verdict]:
    return [judge_path(path) for path in paths]


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
