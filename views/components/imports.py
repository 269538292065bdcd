"""The 导入 page's flow: check an upload, parse it for a preview, then store it (no Streamlit calls here)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from loaders import store
from loaders.models import Report
from loaders.queries import UNKNOWN
from views.components.labels import part_label, warning_label

ALLOWED_SUFFIXES: tuple[str, ...] = (".txt", ".html", ".htm", ".docx", ".pdf")
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


class ImportProblem(Exception):
    """Why a file cannot be imported, in Chinese, for st.error (never a traceback)."""


@dataclass(frozen=True)
class Parsed:
    name: str
    sha: str
    data: bytes
    reports: tuple[Report, ...]


def check_upload(name: str, data: bytes, limit_mb: float) -> None:
    """Refuse what the uploader's own checks let through: size over the limit, a wrong extension, empty data,
    content that is not what the extension says (a .pdf must be a PDF, a .docx a zip container)."""
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        allowed = "、".join(ALLOWED_SUFFIXES)
        raise ImportProblem(f"不支持“{suffix or '无扩展名'}”文件：请上传 {allowed} 格式。")
    if len(data) > limit_mb * 2**20:
        raise ImportProblem(f"文件大小 {len(data) / 2**20:.1f} MB，超过 {limit_mb:g} MB 的上限。")
    if not data.strip():
        raise ImportProblem("文件是空的。")
    if suffix == ".pdf" and not data.lstrip()[:5].startswith(b"%PDF"):
        raise ImportProblem("文件扩展名是 .pdf，但内容不是 PDF。")
    if suffix == ".docx" and not data.startswith(b"PK"):
        raise ImportProblem("文件扩展名是 .docx，但内容不是 Word 文档。")


def parse_upload(name: str, data: bytes, limit_mb: float) -> Parsed:
    """Check and parse an upload without storing anything."""
    check_upload(name, data, limit_mb)
    from loaders.parse import parse_file  # heavy imports only when a file is actually uploaded
    from loaders.read import ReadError

    try:
        reports = parse_file(Path(name).name, data=data)
    except ReadError as exc:
        raise ImportProblem(f"{exc.reason_zh or exc.reason}。") from None
    except Exception as exc:  # a parser bug must still end in a plain message, not a traceback
        raise ImportProblem(f"解析该文件时出错（{type(exc).__name__}）。") from None
    from loaders.parse import worth_storing

    if not reports or not worth_storing(reports):
        raise ImportProblem("没有在文件中找到整改问题：它可能不是巡视整改进展通报。")
    return Parsed(Path(name).name, hashlib.sha256(data).hexdigest(), data, tuple(reports))


def preview_reports(parsed: Parsed) -> pd.DataFrame:
    rows = []
    for r in parsed.reports:
        counts = Counter(i.status.status or UNKNOWN for i in r.issues)
        rows.append({"单位": r.unit or "（未识别）", "部分": part_label(r.part),
                     "发布日期": r.published_on, "标题": r.title or "（无标题）", "问题": len(r.issues),
                     "完成": counts["完成"], "阶段性完成": counts["阶段性完成"], "未完成": counts["未完成"],
                     UNKNOWN: counts[UNKNOWN], "警告": len(r.warnings)})
    return pd.DataFrame(rows)


def preview_warnings(parsed: Parsed) -> pd.DataFrame:
    rows = [{"单位": r.unit, "部分": part_label(r.part), "类型": warning_label(w.code),
             "说明": w.message_zh or w.message}
            for r in parsed.reports for w in r.warnings]
    return pd.DataFrame(rows, columns=["单位", "部分", "类型", "说明"])


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
    """Keep the file under `folder` and write the previewed reports in one transaction; on any failure
    remove the kept file again, so nothing is stored."""
    folder.mkdir(parents=True, exist_ok=True)
    target = safe_upload_path(folder, parsed.name, parsed.sha)
    existed = target.exists()
    try:
        target.write_bytes(parsed.data)
        with store.connect(db) as con:
            return store.write_reports(con, parsed.sha, str(target), len(parsed.data), list(parsed.reports))
    except store.DatabaseBusyError:
        _discard(target, existed)
        raise ImportProblem("数据库正被其他程序使用（例如正在导入），请稍后再试。") from None
    except Exception as exc:
        _discard(target, existed)
        raise ImportProblem(f"保存失败，未写入任何数据（{type(exc).__name__}）。") from None


def _discard(target: Path, existed: bool) -> None:
    if not existed:
        target.unlink(missing_ok=True)
