"""CSV export that opens safely in Excel: UTF-8 with BOM, formula-like text neutralised, safe file names."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

# A spreadsheet treats a cell starting with one of these as a formula (or control input): CSV injection.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\0")
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def neutralise(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula with an apostrophe; leave anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """The table as CSV bytes: UTF-8 with BOM (Excel needs it for Chinese); text columns neutralised, numbers
    untouched (a negative number is not a formula), dates as YYYY-MM-DD."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.dt.strftime("%Y-%m-%d")  # keep dates readable; NaT stays empty
        elif _is_text(series):
            out[col] = series.map(neutralise)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def safe_filename_part(text: str, limit: int = 40) -> str:
    """A piece of a file name: no path separators, control or reserved characters, no leading dots."""
    cleaned = _UNSAFE_NAME.sub("_", text).strip(" ._")
    return cleaned[:limit] or "全部"


def csv_filename(prefix: str, as_of: dt.date, label: str) -> str:
    """E.g. 问题清单_2026-11-21_湖州市吴兴区.csv."""
    return f"{safe_filename_part(prefix)}_{as_of.isoformat()}_{safe_filename_part(label)}.csv"
