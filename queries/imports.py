"""Queries of 导入 (import): which stored reports an upload would replace, and from which file."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from queries.base import Db, _frame, _Params


def replaced_reports(db: Db, report_keys: Sequence[str], path: str, file_sha: str) -> pd.DataFrame:
    """The stored reports that storing a file would delete, as store.write_files decides it: every report
    of a stored file at the same path or with the same content, and every report with one of its keys
    (from whichever file). `same_file`: it comes from the same path or content (a re-import)."""
    p = _Params()
    keys, path_p, sha = p.bind("keys", list(report_keys)), p.bind("path", path), p.bind("sha", file_sha)
    sql = f"""
    WITH old AS (SELECT file_sha FROM files WHERE path = {path_p} OR file_sha = {sha})
    SELECT r.report_key, r.unit, r.part, r.published_on, r.title, f.path AS file,
           r.file_sha IN (SELECT file_sha FROM old) AS same_file
    FROM reports r LEFT JOIN files f ON f.file_sha = r.file_sha
    WHERE r.file_sha IN (SELECT file_sha FROM old) OR list_contains({keys}::VARCHAR[], r.report_key)
    ORDER BY r.unit, r.published_on, r.ordinal"""
    return _frame(db, sql, p)
