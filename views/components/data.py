"""Where the database is, building or migrating it once before any page reads it, and cached access to
queries (invalidated when the file changes)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

import queries
from loaders import database
from loaders.config import project_path, section

DB_ENV = "RECTIFY_DB"  # overrides paths.database (tests and the e2e server point it at a temp file)
UPLOADS_ENV = "RECTIFY_UPLOADS"  # overrides paths.uploads_dir
REPORTS_ENV = "RECTIFY_REPORTS"  # overrides paths.reports_dir (the samples the database is first built from)

T = TypeVar("T")


def db_path() -> Path:
    env = os.environ.get(DB_ENV)
    return Path(env) if env else database.default_db()


def uploads_dir() -> Path:
    env = os.environ.get(UPLOADS_ENV)
    return Path(env) if env else project_path(section("paths").get("uploads_dir", "data/uploads"))


def reports_dir() -> Path:
    env = os.environ.get(REPORTS_ENV)
    return Path(env) if env else project_path(section("paths").get("reports_dir", "data/reports"))


def setting(name: str) -> Any:
    """A value of the `dashboard:` section of config.yaml (page sizes, caps, thresholds): the only place they
    are written. A name missing there is a mistake in the code or the config, said plainly."""
    values = section("dashboard")
    if name not in values:
        raise KeyError(f"config.yaml dashboard.{name} is missing")
    return values[name]


def db_version(db: Path) -> tuple[int, int, int, int]:
    """Changes whenever the database (or its write-ahead log) is written: the cache key of every query."""
    stamps: list[int] = []
    for path in (db, db.with_name(db.name + ".wal")):
        try:
            stat = path.stat()
            stamps += [stat.st_mtime_ns, stat.st_size]
        except FileNotFoundError:
            stamps += [0, 0]
    return (stamps[0], stamps[1], stamps[2], stamps[3])


@st.cache_data(max_entries=256, show_spinner=False)
def _cached(name: str, db: str, version: tuple[int, ...], args: tuple[Any, ...]) -> Any:
    # `version` is unused in the body: it is part of the cache key, so a changed file misses the cache.
    return getattr(queries, name)(db, *args)


BUSY_MESSAGE = ("数据库正在被写入（例如命令行正在导入通报），暂时无法读取。已显示的内容不受影响，"
                "请稍候几秒后刷新本页。")
MISSING_MESSAGE = "还没有数据库：请先导入通报（命令行 python -m loaders ingest，或“导入”页）。"


def _unavailable(exc: database.StoreError) -> None:
    """The database could not be read (an ingest held it past the readers' wait, or it is gone): a plain
    Chinese message instead of Streamlit's error page, and the rest of the page is skipped."""
    st.warning(MISSING_MESSAGE if isinstance(exc, database.DatabaseMissingError) else BUSY_MESSAGE)
    st.stop()


def query(fn: Callable[..., T], *args: Any) -> T:
    """Run a queries function on the dashboard's database, cached until the file changes."""
    db = db_path()
    try:
        return _cached(fn.__name__, str(db), db_version(db), args)
    except (database.DatabaseBusyError, database.DatabaseMissingError) as exc:
        _unavailable(exc)
        raise  # not reached: st.stop() ends the run


@st.cache_data(max_entries=256, show_spinner=False)
def _cached_many(calls: tuple[tuple[str, tuple[Any, ...]], ...], db: str, version: tuple[int, ...]) -> list:
    # `version` is part of the cache key only (see _cached). One read-only connection for all of them:
    # opening one costs about as much as a small query.
    with queries.Reader.open(db) as reader:
        return [getattr(queries, name)(reader, *args) for name, args in calls]


def query_many(*calls: tuple[Any, ...]) -> list[Any]:
    """Several queries calls, each `(function, arg, …)`, run together on one connection and cached
    together (until the file changes); their results in order."""
    db = db_path()
    key = tuple((fn.__name__, tuple(args)) for fn, *args in calls)
    try:
        return _cached_many(key, str(db), db_version(db))
    except (database.DatabaseBusyError, database.DatabaseMissingError) as exc:
        _unavailable(exc)
        raise  # not reached: st.stop() ends the run


MIGRATE_BUSY_MESSAGE = ("数据库由旧版本建立，需要先升级才能显示，"
                        "但它正被其他程序写入（例如命令行正在导入通报）。请稍候几秒后刷新本页。")
MIGRATE_FAILED_MESSAGE = ("数据库由旧版本建立，需要先升级才能显示，但无法写入该文件（例如文件只读）。"
                          "请让管理员确认文件可写，或运行一次命令行 python -m loaders ingest 完成升级。")

# The database files (path, device, inode) found current (or migrated) in this process: a file only becomes
# older when another one is put in its place, so each is checked once, not on every render.
_current: set[tuple[str, int, int]] = set()


def ensure_db() -> None:
    """Before any page reads: build the database from the sample reports when it is missing (first start of
    a fresh clone), and bring one made by an older version up to the current schema, once (the read side has
    no fallbacks for old databases). When it cannot, the page says so in Chinese and reads nothing."""
    db = db_path()
    if not db.exists():
        _build(db)
    stat = db.stat()
    identity = (str(db.resolve()), stat.st_dev, stat.st_ino)
    if identity in _current:
        return
    from loaders.writer import store  # the writer's migration (imported late, as the build below)

    try:
        with database.read_connection(db) as con:
            current = store.schema_current(con)
    except database.StoreError as exc:  # busy (an ingest holds it) or gone: as for any read
        _unavailable(exc)
        raise  # not reached: st.stop() ends the run
    if not current:
        try:
            store.migrate(db)
        except database.DatabaseBusyError:
            st.warning(MIGRATE_BUSY_MESSAGE)
            st.stop()
        except Exception:  # a read-only file, a full disk…: never a traceback, and nothing is read
            st.error(MIGRATE_FAILED_MESSAGE)
            st.stop()
    _current.add(identity)


def _build(db: Path) -> None:
    from loaders.writer.ingest import ensure_database  # imported late: parsing modules are heavy
    from views.components.ui import escape_md

    with st.spinner("正在从样本报告建立数据库…"):
        try:
            ensure_database(db, reports_dir())
        except Exception as exc:  # shown plainly: a first start must never end in a traceback
            st.error(f"无法建立数据库：{escape_md(exc)}")
            st.stop()
