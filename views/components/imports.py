"""The 导入 page's flow: check an upload, parse it for a preview, then store it (no Streamlit calls here)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

import queries
from loaders.messages import human_size
from loaders.models import STATUSES, Report
from loaders.writer import store
from loaders.writer.fingerprint import parser_fingerprint
from loaders.writer.rows import FileVersion, Rows, add_file
from queries import UNKNOWN
from views.components.labels import part_label, warning_label

ALLOWED_SUFFIXES: tuple[str, ...] = (".txt", ".html", ".htm", ".docx", ".pdf")
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


class ImportProblem(Exception):
    """Why a file cannot be imported, in Chinese, for st.error (never a traceback)."""


@dataclass(frozen=True)
class Parsed:
    """An upload parsed and accepted, with the rows storing it will write (the preview is read from them)."""

    name: str
    sha: str
    data: bytes
    reports: tuple[Report, ...]
    rows: Rows

    @property
    def report_keys(self) -> list[str]:
        return list(self.rows.cols["reports"]["report_key"])


def check_upload(name: str, data: bytes, limit_mb: float) -> None:
    """Refuse what the uploader's own checks let through: size over the limit, a wrong extension, empty data,
    content that is not what the extension says (a .pdf must be a PDF, a .docx a zip container)."""
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        allowed = "、".join(ALLOWED_SUFFIXES)
        raise ImportProblem(f"不支持“{suffix or '无扩展名'}”文件：请上传 {allowed} 格式。")
    if len(data) > limit_mb * 2**20:
        raise ImportProblem(f"文件大小 {human_size(len(data))}，超过 {limit_mb:g} MB 的上限。")
    if not data.strip():
        raise ImportProblem("文件是空的。")
    if suffix == ".pdf" and not data.lstrip()[:5].startswith(b"%PDF"):
        raise ImportProblem("文件扩展名是 .pdf，但内容不是 PDF。")
    if suffix == ".docx" and not data.startswith(b"PK"):
        raise ImportProblem("文件扩展名是 .docx，但内容不是 Word 文档。")


def _version(name: str, sha: str, data: bytes, reports: tuple[Report, ...]) -> FileVersion:
    return FileVersion(sha, name, len(data), reports, parser_fingerprint())


def parse_upload(name: str, data: bytes, limit_mb: float) -> Parsed:
    """Check and parse an upload without storing anything, with the decision `python -m loaders ingest`
    makes (pool.parse_data: same parse, same refusals), and build the rows storing it would write (rows.py:
    same keys, same warnings, duplicate warnings included)."""
    check_upload(name, data, limit_mb)
    from loaders.writer import pool  # heavy imports only when a file is actually uploaded

    name = Path(name).name
    parsed = pool.parse_data(name, data)
    if parsed.reports is None:
        raise ImportProblem(f"{(parsed.error_zh or parsed.error or '').rstrip('。')}。")
    reports = tuple(parsed.reports)
    rows = Rows()
    add_file(rows, _version(name, parsed.sha, data, reports), datetime.now())
    return Parsed(name, parsed.sha, data, reports, rows)


def preview_reports(parsed: Parsed) -> pd.DataFrame:
    """One row per report as it will be stored: its issues per status and its warnings (from the rows)."""
    cols, rep = parsed.rows.cols, parsed.rows.cols["reports"]
    statuses = Counter(zip(cols["issues"]["report_key"], cols["issues"]["status"], strict=True))
    rows = []
    for n, key in enumerate(rep["report_key"]):
        counts = {s: statuses[(key, s)] for s in STATUSES}
        rows.append({"单位": rep["unit"][n] or "（未识别）", "部分": part_label(rep["part"][n]),
                     "发布日期": rep["published_on"][n], "标题": rep["title"][n] or "（无标题）",
                     "问题": rep["n_issues"][n], **counts, UNKNOWN: statuses[(key, None)],
                     "警告": rep["n_warnings"][n]})
    return pd.DataFrame(rows)


def preview_warnings(parsed: Parsed) -> pd.DataFrame:
    """Every warning row storing the file will write."""
    cols = parsed.rows.cols
    by_key = dict(zip(cols["reports"]["report_key"], zip(cols["reports"]["unit"], cols["reports"]["part"],
                                                          strict=True), strict=True))
    out = []
    for key, code, en, zh in zip(cols["warnings"]["report_key"], cols["warnings"]["code"],
                                 cols["warnings"]["message"], cols["warnings"]["message_zh"], strict=True):
        unit, part = by_key.get(key, (None, None))
        out.append({"单位": unit, "部分": part_label(part), "类型": warning_label(code), "说明": zh or en})
    return pd.DataFrame(out, columns=["单位", "部分", "类型", "说明"])


def preview_replaced(parsed: Parsed, folder: Path, db: Path) -> pd.DataFrame:
    """The stored reports that 确认导入 would replace (another file's version of the same report, or an
    earlier import of this file), with the file each comes from; empty when there is no database yet."""
    if not db.exists():
        return pd.DataFrame(columns=["单位", "部分", "发布日期", "标题", "来自文件", "same_file"])
    target = safe_upload_path(folder, parsed.name, parsed.sha)
    found = queries.replaced_reports(db, parsed.report_keys, str(target), parsed.sha)
    return pd.DataFrame({
        "单位": found["unit"], "部分": found["part"].map(part_label),
        "发布日期": found["published_on"].dt.date,
        "标题": found["title"].map(lambda t: t if isinstance(t, str) and t else "（无标题）"),
        "来自文件": found["file"].map(lambda p: Path(p).name if isinstance(p, str) else "（文件记录已删除）"),
        "same_file": found["same_file"],
    })


def safe_upload_path(folder: Path, name: str, sha: str) -> Path:
    """Where an upload is kept: inside `folder`, whatever the name holds (no separators, no '..')."""
    stem = _UNSAFE.sub("_", Path(name.replace("\\", "/")).stem).strip("._") or "upload"
    suffix = Path(name).suffix.lower()
    suffix = suffix if suffix in ALLOWED_SUFFIXES else ".bin"
    target = (folder / f"{sha[:12]}_{stem[:60]}{suffix}").resolve()
    if target.parent != folder.resolve():
        raise ImportProblem("文件名不合法。")
    return target


def store_upload(parsed: Parsed, folder: Path, db: Path) -> store.WriteResult:
    """Keep the file under `folder` and write the previewed reports in one transaction (the same reports the
    preview's rows were built from); on any failure remove the kept file again, so nothing is stored."""
    folder.mkdir(parents=True, exist_ok=True)
    target = safe_upload_path(folder, parsed.name, parsed.sha)
    existed = target.exists()
    try:
        target.write_bytes(parsed.data)
        with store.connect(db) as con:
            return store.write_files(con, [_version(str(target), parsed.sha, parsed.data, parsed.reports)])[0]
    except store.DatabaseBusyError:
        _discard(target, existed)
        raise ImportProblem("数据库正被其他程序使用（例如正在导入），请稍后再试。") from None
    except Exception as exc:
        _discard(target, existed)
        raise ImportProblem(f"保存失败，未写入任何数据（{type(exc).__name__}）。") from None


def _discard(target: Path, existed: bool) -> None:
    if not existed:
        target.unlink(missing_ok=True)
