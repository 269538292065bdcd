"""The one write service: judge a file (read, parse, the one refusal policy) and store what it accepts.

    verdict = judge(name, data)                    # pure: the reports, or why not (English and Chinese)
    outcome = accept(name, data, db)               # judge + store in one transaction
    outcomes = store_verdicts(con, verdicts)       # the one way judged files reach the store

Every entry point decides through here, so a file refused by one is refused by all, for the same reason:
`python -m loaders ingest` (worker processes run judge_path, the main process stores batches with
store_verdicts), `python -m loaders parse` (judge_path; exit 1 when refused) and the dashboard's 导入
(judge for the preview, accept to store it). The texts come from loaders/messages.py (REASONS, REFUSALS);
tests/test_accept.py checks that no other module decides a refusal or builds a FileVersion.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loaders.messages import Msg, human_size, os_error, reason, refusal
from loaders.models import Report
from loaders.writer import store
from loaders.writer.fingerprint import parser_fingerprint
from loaders.writer.rows import FileVersion

SUFFIXES: tuple[str, ...] = (".txt", ".html", ".htm", ".docx", ".pdf")  # what ingest looks for, 导入 takes


@dataclass(frozen=True)
class Verdict:
    """One file judged: what the parser found, and whether it may be stored. Pickled back from the ingest
    workers, so it holds plain data only; file_version() is the one place it becomes what the store writes
    (should the workers one day build rows instead of Report objects, they travel here too)."""

    name: str  # the path (ingest, parse) or the upload's file name (导入)
    sha: str  # sha256 of the bytes judged ("" when they could not be read)
    size: int
    found: tuple[Report, ...] | None  # the reports parsed; None when the file could not be read or parsed
    reason: Msg | None = None  # why it is refused (English for the CLI, Chinese for 导入); None: accepted
    code: str | None = None  # the reason's key (REASONS / REFUSALS, or "unreadable" for the read layer's)

    @property
    def accepted(self) -> bool:
        return self.reason is None

    @property
    def reports(self) -> tuple[Report, ...] | None:
        """The reports storing it writes; None when refused."""
        return self.found if self.reason is None else None


@dataclass(frozen=True)
class Outcome:
    """What storing a file did, or why it was not stored (refused, or the write failed)."""

    verdict: Verdict
    path: str  # where the stored row says the file is
    written: store.WriteResult | None
    reason: Msg | None = None

    @property
    def stored(self) -> bool:
        return self.written is not None


# --- judging ------------------------------------------------------------------------------------------------


def parse_file(path: str, data: bytes) -> list[Report]:
    """The parser (imported late: the worker processes import it once; tests may replace this function)."""
    from loaders.parser.parse import parse_file as real_parse_file

    return real_parse_file(path, data=data)


def max_file_mb() -> float:
    """read.max_file_mb: the largest file anyone may store (a bigger one is refused before it is read)."""
    from loaders.parser.read.base import max_file_mb as read_limit

    return read_limit()


def transfer_limit_mb(upload_limit_mb: float) -> int:
    """What 导入's file picker lets through: up to the read limit, so that a file between the upload limit
    and it reaches judge() and is refused in Chinese (the browser's own refusal is an icon in English)."""
    return int(max(upload_limit_mb, max_file_mb()))


def judge_path(path: str) -> Verdict:
    """Judge a file on disk (ingest's workers, `parse`): a file over read.max_file_mb is refused from its
    size alone, so a huge file is never loaded into memory."""
    try:
        size = os.path.getsize(path)
        if size > max_file_mb() * 2**20:
            return _refused(path, "", size, "too_large", _too_large(size))
        data = Path(path).read_bytes()
    except OSError as exc:
        return cannot_read(path, exc)
    return judge(path, data)


def cannot_read(path: str, exc: OSError) -> Verdict:
    """A file the operating system would not let us read (ingest's hashing meets it first)."""
    return Verdict(path, "", 0, None, reason("cannot_read", error=os_error(exc)), "cannot_read")


def judge(name: str, data: bytes, upload_limit_mb: float | None = None) -> Verdict:
    """Read, parse and decide: the one refusal policy. `upload_limit_mb` marks an upload (导入), which
    must also have a report file's extension, content matching it, and at most that size."""
    sha = hashlib.sha256(data).hexdigest()
    screened = screen(name, data, upload_limit_mb)
    if screened is not None:
        return _refused(name, sha, len(data), *screened)
    from loaders.parser.read import ReadError

    try:
        reports = tuple(parse_file(name, data))
    except ReadError as exc:
        why = Msg(_plain(exc), exc.reason_zh or _plain(exc))
        return Verdict(name, sha, len(data), None, why, "unreadable")
    except ValueError as exc:  # the parser's own plain-language errors
        return Verdict(name, sha, len(data), None, Msg(_plain(exc), _plain(exc)), "unreadable")
    except Exception as exc:  # a parser bug must not stop a batch, nor show a traceback
        error = Msg(f"{type(exc).__name__}: {_plain(exc)}", type(exc).__name__)
        return Verdict(name, sha, len(data), None, refusal("parser_failed", error=error), "parser_failed")
    return decide(name, sha, len(data), reports)


def screen(name: str, data: bytes, upload_limit_mb: float | None = None) -> tuple[str, Msg] | None:
    """The refusals decided from the bytes alone, before any parsing: (code, reason) or None. A file over
    read.max_file_mb or empty is refused in the words the read layer uses, whoever sends it."""
    suffix = Path(name).suffix.lower()
    if upload_limit_mb is not None and suffix not in SUFFIXES:
        shown: Msg | str = suffix or refusal("no_suffix")
        return "unsupported_type", refusal("unsupported_type", suffix=shown, allowed=_allowed())
    if len(data) > max_file_mb() * 2**20:
        return "too_large", _too_large(len(data))
    if upload_limit_mb is not None and len(data) > upload_limit_mb * 2**20:
        size = human_size(len(data))
        return "upload_too_large", refusal("upload_too_large", size=size, limit=upload_limit_mb)
    if not data:
        return "empty", reason("empty")
    if data.isspace():  # ASCII whitespace only (what bytes.strip() removes), without copying the bytes
        return "empty", reason("empty_whitespace")
    if upload_limit_mb is not None and suffix == ".pdf" and not data.lstrip()[:5].startswith(b"%PDF"):
        return "not_pdf", refusal("not_pdf")
    if upload_limit_mb is not None and suffix == ".docx" and not data.startswith(b"PK"):
        return "not_docx", refusal("not_docx")
    return None


def decide(name: str, sha: str, size: int, reports: Sequence[Report]) -> Verdict:
    """Whether parsed reports may be stored: not when no report was found, nor when none lists issues or
    states figures (a news item, another page: storing it would only add noise)."""
    from loaders.parser.parse import worth_storing

    found = tuple(reports)
    if not found:
        return Verdict(name, sha, size, found, refusal("no_report"), "no_report")
    if worth_storing(found):
        return Verdict(name, sha, size, found)
    news = all(any(w.code == "not_a_report" for w in r.warnings) for r in found)  # never says 巡视/整改
    code = "not_a_report" if news else "no_issues"
    return Verdict(name, sha, size, found, _named(name, refusal(code)), code)


def _refused(name: str, sha: str, size: int, code: str, why: Msg) -> Verdict:
    return Verdict(name, sha, size, None, _named(name, why), code)


def _too_large(size: int) -> Msg:
    return reason("too_large", size=human_size(size), limit=max_file_mb())


def _named(name: str, why: Msg) -> Msg:
    """The reason with the file's name before the English text (as ReadError words it; the Chinese UI
    names the file itself)."""
    return Msg(f"{file_name(name)}: {why.en}", why.zh)


def file_name(name: str) -> str:
    """The last component of a path or of an upload's name (browsers may send "C:\\fakepath\\x.docx")."""
    return re.split(r"[\\/]", name.rstrip("\\/"))[-1] or name


def _allowed() -> Msg:
    return Msg(", ".join(SUFFIXES), "、".join(SUFFIXES))


def _plain(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# --- storing ------------------------------------------------------------------------------------------------


def file_version(verdict: Verdict, path: str | None = None) -> FileVersion:
    """What the store writes for an accepted file (at `path`, default its name), always stamped with the
    parser fingerprint it was judged under, so a later change of rules re-parses it."""
    if verdict.reports is None:
        raise ValueError(f"{verdict.name} was refused; a refused file is never stored")
    return FileVersion(verdict.sha, path or verdict.name, verdict.size, verdict.reports, parser_fingerprint())


def prepare(verdicts: Sequence[Verdict], paths: Sequence[str] | None = None) -> store.Prepared:
    """The rows store_verdicts writes for these files, built without the database (a writer prepares them
    before opening its connection, so readers wait only for the SQL)."""
    return store.prepare(_versions(verdicts, _where(verdicts, paths)))


def _where(verdicts: Sequence[Verdict], paths: Sequence[str] | None) -> list[str]:
    """Where each file is stored: `paths`, else each verdict's own name."""
    return list(paths) if paths is not None else [v.name for v in verdicts]


def _versions(verdicts: Sequence[Verdict], where: Sequence[str]) -> list[FileVersion]:
    return [file_version(v, p) for v, p in zip(verdicts, where, strict=True)]


def store_verdicts(
    con: store.Connection, verdicts: Sequence[Verdict], paths: Sequence[str] | None = None,
    prepared: store.Prepared | None = None,
) -> list[Outcome]:
    """Store accepted files in one transaction (redone one per file if it fails, so a bad file fails
    alone): the one way judged files reach the store. One Outcome per file, in order. `prepared`: their
    rows from prepare(), built before the connection was opened."""
    where = _where(verdicts, paths)
    results = store.write_batch(con, _versions(verdicts, where), prepared)
    return [Outcome(v, p, None, _store_failed(r)) if isinstance(r, store.StoreError) else Outcome(v, p, r)
            for v, p, r in zip(verdicts, where, results, strict=True)]


def accept(
    name: str,
    data: bytes,
    db: str | Path | None = None,
    *,
    path: str | None = None,
    upload_limit_mb: float | None = None,
    judged: Verdict | None = None,
) -> Outcome:
    """Judge a file and store it if accepted, in one transaction (its previous version replaced; nothing
    written when it fails). `path`: what the stored row says (default `name`); `judged`: the verdict of
    these very bytes already shown in a preview, stored as it is rather than parsed again."""
    sha = hashlib.sha256(data).hexdigest()
    verdict = judged if judged is not None and judged.sha == sha else judge(name, data, upload_limit_mb)
    where = path or name
    if not verdict.accepted:
        return Outcome(verdict, where, None, verdict.reason)
    try:
        with store.connect(db) as con:
            return store_verdicts(con, [verdict], [where])[0]
    except store.DatabaseBusyError as exc:
        return Outcome(verdict, where, None, Msg(str(exc), refusal("database_busy").zh))
    except Exception as exc:  # the database refused it: nothing was written (the transaction rolled back)
        return Outcome(verdict, where, None, _store_failed(exc))


def _store_failed(exc: BaseException) -> Msg:
    """A failed write: the store's own English (it names the error), and in Chinese the kind of error."""
    cause = exc.__cause__ if isinstance(exc, store.StoreError) and exc.__cause__ is not None else exc
    return Msg(str(exc), refusal("store_failed", error=type(cause).__name__).zh)
