"""Give a COPY of a bench database supervisors' corrections, so that the corrections' costs can be measured
(the bench's databases have none). Deterministic for a given database and seed.

Usage: python -m bench.corrections_state DB [--seed 0]

What it stores, as the last sessions' paired figures did (bench/NOTES.md): 40 corrections on the first
versions of problems that have a later version (18 of those later versions set to `inferred`, so that the
correction is *carried* to them: the replicated database prints every later status), 30 on random issues of
random units, 5 second corrections of already corrected issues and 8 withdrawals — 83 override rows. The rows
are appended as overrides.add_override would (kind, report_key, issue_title) and the store's copy
(issues.correction_*) is then rewritten for every unit with the code of the checkout that runs this.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import datetime
from pathlib import Path

from loaders.writer import store

_APPEND = """INSERT INTO overrides (override_id, issue_key, status, note, author, created_at, kind, ref_id,
                                    report_key, issue_title)
SELECT COALESCE(MAX(override_id), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM overrides
RETURNING override_id"""
STATUSES = ("完成", "阶段性完成", "未完成")


def add_state(db: Path, seed: int = 0) -> dict[str, int]:
    """Store the corrections described above; returns how many issues count each kind of correction."""
    rng = random.Random(seed)
    with store.connect(db) as con:
        if con.execute("SELECT count(*) FROM overrides").fetchall()[0][0]:
            raise SystemExit(f"{db} already holds corrections")
        firsts = [k for (k,) in con.execute("SELECT issue_key FROM issue_lineage "
                                            "WHERE superseded AND version = 1 ORDER BY issue_key").fetchall()]
        chosen = rng.sample(firsts, 40)
        later = [k for (k,) in con.execute(
            "SELECT issue_key FROM issue_lineage WHERE prev_issue_key IN (SELECT unnest(?::VARCHAR[])) "
            "ORDER BY issue_key", [chosen]).fetchall()]
        units = [u for (u,) in con.execute("SELECT DISTINCT report_unit FROM issues ORDER BY 1").fetchall()]
        randoms = []
        for unit in rng.sample(units, 30):
            keys = [k for (k,) in con.execute("SELECT issue_key FROM issues WHERE report_unit = ? "
                                              "ORDER BY issue_key", [unit]).fetchall()]
            randoms.append(rng.choice(keys))

        def work() -> None:
            con.execute("UPDATE issues SET status_source = 'inferred' "
                        "WHERE issue_key IN (SELECT unnest(?::VARCHAR[]))", [rng.sample(later, 18)])
            ids = [_append(con, key, rng.choice(STATUSES)) for key in [*chosen, *randoms]]
            for key in rng.sample([*chosen, *randoms], 5):
                ids.append(_append(con, key, rng.choice(STATUSES)))
            for ref in rng.sample(ids, 8):
                con.execute(_APPEND, [_key_of(con, ref), None, "更正有误", "王五", datetime(2026, 1, 2),
                                      "withdrawal", ref, None, None])
            store.refresh_corrections(con, None)

        store.in_transaction(con, work)
        return dict(con.execute("SELECT correction_source, count(*) FROM issues "
                                "WHERE correction_source IS NOT NULL GROUP BY ALL ORDER BY 1").fetchall())


def _append(con: store.Connection, key: str, status: str) -> int:
    report_key, title = con.execute("SELECT report_key, title FROM issues WHERE issue_key = ?",
                                    [key]).fetchall()[0]
    rows = con.execute(_APPEND, [key, status, "核实", "张三", datetime(2026, 1, 1), "correction", None,
                                 report_key, title]).fetchall()
    return int(rows[0][0])


def _key_of(con: store.Connection, override_id: int) -> str:
    return str(con.execute("SELECT issue_key FROM overrides WHERE override_id = ?",
                           [override_id]).fetchall()[0][0])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    print(add_state(args.db, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
