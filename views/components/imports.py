"""The 导入 page's flow: judge an upload for a preview, then store it, both through loaders/writer/accept.py
(no Streamlit calls here)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

import queries
from loaders.messages import Msg, refusal
from loaders.models import STATUSES, Report
from loaders.writer import accept
from loaders.writer.rows import Rows, add_file
from queries import UNKNOWN
from views.components.labels import part_label, warning_label

if TYPE_CHECKING:
    from loaders.writer.store import WriteResult

ALLOWED_SUFFIXES: tuple[str, ...] = accept.SUFFIXES
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


class ImportProblem(Exception):
    """Why a file cannot be imported, in Chinese, for st.error (never a traceback)."""


def _problem(why: Msg) -> ImportProblem:
    return ImportProblem(f"{why.zh.rstrip('。')}。")


@dataclass(frozen=True)
class UploadPreview:
    """An upload judged and accepted (accept.judge, the decision ingest makes), with the rows storing it will
    write: the preview is read from them, and 确认导入 stores this very verdict."""

    verdict: accept.Verdict
    data: bytes
    rows: Rows

    @property
    def name(self) -> str:
        return self.verdict.name

    @property
    def sha(self) -> str:
        return self.verdict.sha

    @property
    def reports(self) -> tuple[Report, ...]:
        return self.verdict.reports or ()

    @property
    def report_keys(self) -> list[str]:
        return list(self.rows.cols["reports"]["report_key"])


def check_upload(name: str, data: bytes, limit_mb: float) -> None:
    """Refuse, before parsing, what the uploader's own checks let through: a wrong extension, size over the
    limit, empty data, content that is not what the extension says (accept.screen: ingest's policy plus the
    upload's own rules)."""
    screened = accept.screen(name, data, limit_mb)
    if screened is not None:
        raise _problem(screened[1])


def parse_upload(name: str, data: bytes, limit_mb: float) -> UploadPreview:
    """Judge an upload without storing anything, with the decision `python -m loaders ingest` makes
    (accept.judge: same checks, same parse, same refusals), and build the rows storing it would write
    (rows.py: same keys, same warnings, duplicate warnings included)."""
    verdict = accept.judge(accept.file_name(name), data, upload_limit_mb=limit_mb)
    if verdict.reason is not None:
        raise _problem(verdict.reason)
    rows = Rows()
    add_file(rows, accept.file_version(verdict), datetime.now())
    return UploadPreview(verdict, data, rows)


def preview_reports(preview: UploadPreview) -> pd.DataFrame:
    """One row per report as it will be stored: its issues per status and its warnings (from the rows)."""
    cols, rep = preview.rows.cols, preview.rows.cols["reports"]
    statuses = Counter(zip(cols["issues"]["report_key"], cols["issues"]["status"], strict=True))
    rows = []
    for n, key in enumerate(rep["report_key"]):
        counts = {s: statuses[(key, s)] for s in STATUSES}
        rows.append({"单位": rep["unit"][n] or "（未识别）", "部分": part_label(rep["part"][n]),
                     "发布日期": rep["published_on"][n], "标题": rep["title"][n] or "（无标题）",
                     "问题": rep["n_issues"][n], **counts, UNKNOWN: statuses[(key, None)],
                     "警告": rep["n_warnings"][n]})
    return pd.DataFrame(rows)


def preview_warnings(preview: UploadPreview) -> pd.DataFrame:
    """Every warning row storing the file will write."""
    cols = preview.rows.cols
    by_key = dict(zip(cols["reports"]["report_key"], zip(cols["reports"]["unit"], cols["reports"]["part"],
                                                          strict=True), strict=True))
    out = []
    for key, code, en, zh in zip(cols["warnings"]["report_key"], cols["warnings"]["code"],
                                 cols["warnings"]["message"], cols["warnings"]["message_zh"], strict=True):
        unit, part = by_key.get(key, (None, None))
        out.append({"单位": unit, "部分": part_label(part), "类型": warning_label(code), "说明": zh or en})
    return pd.DataFrame(out, columns=["单位", "部分", "类型", "说明"])


def preview_replaced(preview: UploadPreview, folder: Path, db: Path) -> pd.DataFrame:
    """The stored reports that 确认导入 would replace (another file's version of the same report, or an
    earlier import of this file), with the file each comes from; empty when there is no database yet."""
    if not db.exists():
        return pd.DataFrame(columns=["单位", "部分", "发布日期", "标题", "来自文件", "same_file"])
    target = safe_upload_path(folder, preview.name, preview.sha)
    found = queries.replaced_reports(db, preview.report_keys, str(target), preview.sha)
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
        raise _problem(refusal("bad_name"))
    return target


def store_upload(preview: UploadPreview, folder: Path, db: Path) -> WriteResult:
    """Keep the file under `folder` and store the previewed verdict (accept.accept: one transaction, the
    same reports the preview's rows were built from); on any failure remove the kept file again, so
    nothing is stored."""
    folder.mkdir(parents=True, exist_ok=True)
    target = safe_upload_path(folder, preview.name, preview.sha)
    existed = target.exists()
    try:
        target.write_bytes(preview.data)
    except OSError as exc:
        _discard(target, existed)
        raise _problem(refusal("store_failed", error=type(exc).__name__)) from None
    outcome = accept.accept(preview.name, preview.data, db, path=str(target), judged=preview.verdict)
    if outcome.reason is not None:
        _discard(target, existed)
        raise _problem(outcome.reason)
    assert outcome.written is not None  # an outcome has a reason exactly when nothing was stored
    return outcome.written


def _discard(target: Path, existed: bool) -> None:
    if not existed:
        target.unlink(missing_ok=True)
