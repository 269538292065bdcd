"""The parser fingerprint covers exactly the code a parse runs: the loaders/parser package and its imports."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from loaders.vocab import vocab
from loaders.writer import fingerprint

LOADERS = Path(fingerprint.__file__).resolve().parent.parent


def _names() -> set[str]:
    return {p.relative_to(LOADERS).as_posix() for p in fingerprint.parser_sources()}


def test_every_parser_stage_is_covered_and_the_writer_and_read_side_are_not() -> None:
    names = _names()
    for stage in ("parse.py", "normalize.py", "chrome.py", "segment.py", "tables.py", "meta.py", "regions.py",
                  "status.py", "deadline_finder.py", "figures.py", "read/web.py", "read/word.py",
                  "read/pdf.py", "read/decode.py"):
        assert f"parser/{stage}" in names, stage
    for shared in ("models.py", "vocab.py", "messages.py", "config.py"):
        assert shared in names, shared
    writer = {f"writer/{m}" for m in ("store.py", "rows.py", "ingest.py", "pool.py", "accept.py",
                                      "overrides.py", "fingerprint.py", "lineage.py")}
    assert not names & (writer | {"__main__.py"}), names & writer
    assert not any(n.startswith("queries") for n in names)


def test_a_module_the_parser_starts_importing_joins_the_fingerprint(tmp_path: Path, monkeypatch) -> None:
    # A copy of the package where figures.py imports a new shared helper module, and the parser package holds
    # a new module nothing imports yet: both are found without a list.
    before = _names()
    root = tmp_path / "proj"
    pkg = root / "loaders"
    pkg.mkdir(parents=True)
    for src in fingerprint.parser_sources():
        dest = pkg / src.relative_to(LOADERS)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(src.read_bytes())
    (pkg / "units_helper.py").write_text("X = 1\n", encoding="utf-8")
    (pkg / "parser" / "new_stage.py").write_text("Y = 2\n", encoding="utf-8")
    figures = pkg / "parser" / "figures.py"
    source = figures.read_text(encoding="utf-8")
    figures.write_text("from loaders import units_helper\n" + source, encoding="utf-8")
    monkeypatch.setattr(fingerprint, "_ROOT", root)
    got = {p.relative_to(pkg).as_posix() for p in fingerprint.parser_sources()}
    assert {"units_helper.py", "parser/new_stage.py"} <= got
    assert got - {"units_helper.py", "parser/new_stage.py"} == before


def test_the_vocabulary_counts_only_where_the_parser_writes_it(monkeypatch) -> None:
    v = vocab()
    base = fingerprint.parser_fingerprint.__wrapped__()  # uncached: the patched vocabulary is read
    black = tuple(dataclasses.replace(s, colour="#000000") for s in v.statuses)
    recoloured = dataclasses.replace(v, statuses=black)
    monkeypatch.setattr(fingerprint, "vocab", lambda: recoloured)
    assert fingerprint.parser_fingerprint.__wrapped__() == base  # a colour re-parses nothing
    added = dataclasses.replace(v, statuses=(*v.statuses, dataclasses.replace(v.statuses[-1], value="暂缓")))
    monkeypatch.setattr(fingerprint, "vocab", lambda: added)
    assert fingerprint.parser_fingerprint.__wrapped__() != base  # a new status value does
