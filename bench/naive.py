"""The naive write beside ours: row-by-row INSERTs vs loaders.writer.store's bulk (Arrow) writer, same
data."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from bench.corpus import corpus_files
from bench.ingest_bench import remove_db
from loaders.writer import accept, ingest, store


def parse_corpus(corpus: Path) -> tuple[list[store.FileVersion], float]:
    """Parse every file in this process (not timed as writing): the data both writers get."""
    t0 = time.perf_counter()
    versions = []
    for path in corpus_files(corpus):
        data = path.read_bytes()
        reports = accept.parse_file(str(path), data)
        versions.append(store.FileVersion(hashlib.sha256(data).hexdigest(), str(path), len(data), reports))
    return versions, time.perf_counter() - t0


def bulk_write(versions: list[store.FileVersion], db: Path) -> float:
    """Ours: store.write_files per batch of ingest.BATCH_FILES files (the most ingest writes at once),
    Report -> Arrow conversion included."""
    remove_db(db)
    with store.connect(db) as con:
        t0 = time.perf_counter()
        for k in range(0, len(versions), ingest.BATCH_FILES):
            store.write_files(con, versions[k : k + ingest.BATCH_FILES])
        return time.perf_counter() - t0


def row_by_row(src: Path, db: Path) -> tuple[float, int]:
    """Naive: one INSERT … VALUES per row of every data table, in one transaction (autocommit per row would
    be slower still). The rows are read from the bulk-written database beforehand, so building them from
    Report objects is not counted: a favour to the naive way."""
    with store.read_connection(src) as con:
        rows = {t: con.execute(f"SELECT * FROM {t}").fetchall() for t in store.DATA_TABLES}
    remove_db(db)
    n = 0
    with store.connect(db) as con:
        t0 = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        for table, values in rows.items():
            if not values:
                continue
            sql = f"INSERT INTO {table} VALUES ({', '.join('?' * len(values[0]))})"
            for row in values:
                con.execute(sql, list(row))
                n += 1
        con.execute("COMMIT")
        return time.perf_counter() - t0, n


def bench_writers(corpus: Path, out_root: Path, log) -> dict[str, Any]:
    versions, parse_s = parse_corpus(corpus)
    ours_db, naive_db = out_root / "writer_bulk.duckdb", out_root / "writer_rows.duckdb"
    bulk_s = bulk_write(versions, ours_db)
    log(f"  bulk writer: {bulk_s:.2f} s for {len(versions)} files; row-by-row …")
    rows_s, n_rows = row_by_row(ours_db, naive_db)
    same = store.table_checksums(ours_db) == store.table_checksums(naive_db)
    for db in (ours_db, naive_db):
        remove_db(db)
    return {
        "files": len(versions),
        "rows": n_rows,
        "parse_seconds": parse_s,
        "bulk": bulk_s,
        "row_by_row": rows_s,
        "ratio": rows_s / bulk_s,
        "same_tables": same,
    }
