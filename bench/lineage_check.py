"""Incremental lineage against a full rebuild, on a corpus ingested in batches.

Usage: python -m bench.lineage_check CORPUS_DIR --files 600 --batch 40 [--db PATH] [--shuffle SEED]
Ingests the corpus's first N files (sorted by name, or shuffled with a seed) through the write service in
batches of --batch files (each batch one `ingest_paths` run, so a unit's reports arrive over many writes),
then compares the derived tables `report_threads` and `issue_lineage` with what `rebuild_lineage(con, None)`
makes of the same database (every unit rebuilt whole from its stored reports): byte-equal as JSON rows.
Prints the row counts, how the writes' units got their lineage and whether the tables are equal.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.units import all_places
from loaders.writer import store
from loaders.writer.ingest import collect_files, ingest_paths

TABLES = ("report_threads", "issue_lineage")


def derived_rows(db: Path) -> dict[str, list[str]]:
    """Every row of the derived tables as JSON text, sorted."""
    with store.read_connection(db) as con:
        return {t: [j for (j,) in con.execute(
            f"SELECT to_json(t)::VARCHAR AS j FROM {t} t ORDER BY j").fetchall()] for t in TABLES}


def rebuilt_rows(db: Path) -> dict[str, list[str]]:
    """The derived tables of a copy of db after a full rebuild."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.duckdb"
        with store.connect(db) as con:
            con.execute("CHECKPOINT")
        shutil.copy(db, copy)
        with store.connect(copy) as con:
            con.execute("BEGIN TRANSACTION")
            store.rebuild_lineage(con, None)
            con.execute("COMMIT")
        return derived_rows(copy)


def differences(db: Path) -> dict[str, tuple[int, int, int]]:
    """Per derived table: (rows stored, rows after a full rebuild, rows in one but not the other)."""
    got, want = derived_rows(db), rebuilt_rows(db)
    return {t: (len(got[t]), len(want[t]), sum(((Counter(got[t]) - Counter(want[t]))
                                                + (Counter(want[t]) - Counter(got[t]))).values()))
            for t in TABLES}


def recurring(files: list[Path], places: int) -> list[Path]:
    """Of a bench.samples corpus, the copies printed for the first `places` places: copy i is for place
    (i // 5) mod 533 (bench.samples), so each such unit gets its reports over the whole corpus."""
    n_places = len(all_places())
    return [f for f in files if (int(f.stem[1:]) // 5) % n_places < places]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.lineage_check", description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--files", type=int, default=600)
    ap.add_argument("--batch", type=int, default=40)
    ap.add_argument("--shuffle", type=int, default=None, help="shuffle the files with this seed")
    ap.add_argument("--places", type=int, default=None,
                    help="a bench.samples corpus: only the copies for its first PLACES places")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--db", type=Path, default=None)
    args = ap.parse_args(argv)
    files = collect_files([args.corpus])
    if args.places is not None:
        files = recurring(files, args.places)
    files = files[: args.files]
    if args.shuffle is not None:
        random.Random(args.shuffle).shuffle(files)
    with contextlib.ExitStack() as stack:
        db = args.db or Path(stack.enter_context(tempfile.TemporaryDirectory())) / "check.duckdb"
        counts = [0, 0, 0]  # units per write: new, extended, rebuilt (store.update_lineage)
        real = getattr(store, "update_lineage", None)  # None: a version before incremental lineage

        def counted(*a, **k):  # type: ignore[no-untyped-def]
            c = real(*a, **k)
            counts[:] = [counts[0] + c.new, counts[1] + c.extended, counts[2] + c.rebuilt]
            return c

        if real is not None:
            store.update_lineage = counted
        t0 = time.process_time()
        for n in range(0, len(files), args.batch):
            ingest_paths(files[n : n + args.batch], db, workers=args.workers, progress=False)
        cpu = time.process_time() - t0
        if real is not None:
            store.update_lineage = real
        diff = differences(db)
        print(f"{len(files)} files in batches of {args.batch}: main-process CPU {cpu:.1f} s; units per "
              f"write: {counts[0]} new, {counts[1]} extended, {counts[2]} rebuilt")
        for t, (stored, rebuilt, differ) in diff.items():
            print(f"  {t}: {stored} rows stored, {rebuilt} after a full rebuild, {differ} differ")
        return 0 if all(d == 0 and s == r for s, r, d in diff.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
