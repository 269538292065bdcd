"""The identity of the parsing rules and code: a stored file parsed under other rules is parsed again."""

from __future__ import annotations

import ast
import functools
import hashlib
import json
from pathlib import Path

from loaders.config import section
from loaders.vocab import vocab

# config.yaml sections that change what a parse yields (paths and dashboard settings do not). Of `vocab`, only
# what the parser writes counts (see _parsed_vocab): a new colour or label re-parses nothing.
RULE_SECTIONS = ("read", "text", "page", "segment", "status", "deadlines", "figures")
_LOADERS = Path(__file__).resolve().parent.parent
_ROOT = _LOADERS.parent
_ENTRY = "loaders.parser.parse"
_DATA_SUFFIXES = (".yaml", ".yml", ".json", ".txt", ".csv")


def _module_file(name: str) -> Path | None:
    """loaders.x.y → its .py file (or the package's __init__.py); None outside the loaders package."""
    if name != "loaders" and not name.startswith("loaders."):
        return None
    base = _ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(path: Path, module: str) -> set[str]:
    """Names of the loaders modules a source file imports (`from loaders import x` may name a module)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                origin = f"{base}.{node.module}" if node.module else base
            else:
                origin = node.module or ""
            names.add(origin)
            names.update(f"{origin}.{alias.name}" for alias in node.names)
    return names


def _parsed_vocab() -> dict[str, object]:
    """The part of the vocabulary a parse writes: the status values and the stated keys' units."""
    v = vocab()
    return {"statuses": [s.value for s in v.statuses], "stated": {k.key: k.unit for k in v.stated}}


def parser_sources() -> list[Path]:
    """Every source file the parser runs: the whole loaders/parser package, and the shared loaders modules
    (the model, the vocabulary, the messages) reachable by its imports.

    Found by walking the package and its imports rather than kept as a list, so a parser module added later is
    part of the fingerprint without anyone remembering to name it; the writer, the read side and the CLI are
    not.
    """
    seen: dict[str, Path] = {}
    todo = [_ENTRY]
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if path is None or name in seen:
            continue
        seen[name] = path
        parent = name.rpartition(".")[0]
        if parent:
            todo.append(parent)  # a package's __init__ runs before its modules
        todo.extend(_imported(path, name))
    return sorted(set(seen.values()) | set((_ROOT / "loaders" / "parser").rglob("*.py")))


@functools.cache
def parser_fingerprint() -> str:
    """A short hash of the rule sections of config.yaml, the parser's source files and data files, rows.py.

    Ingestion skips a file only when both its bytes and this fingerprint are unchanged, so a supervisor who
    tunes a status phrase and re-ingests sees the new statuses (overrides survive: their keys are stable).
    """
    h = hashlib.sha256()
    rules = {name: section(name) for name in RULE_SECTIONS} | {"vocab": _parsed_vocab()}
    h.update(json.dumps(rules, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    # Data the parser reads at run time (the gazetteer), outside any module's source.
    data = [f for f in sorted((_ROOT / "loaders" / "parser").rglob("*")) if f.suffix in _DATA_SUFFIXES]
    # rows.py maps a parse to the stored columns: a column added there is filled by parsing the files again.
    for f in [*parser_sources(), _LOADERS / "writer" / "rows.py", *data]:
        h.update(f.relative_to(_LOADERS).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]
