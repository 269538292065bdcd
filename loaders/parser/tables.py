"""Problems laid out in a table: a header row naming the columns (in any order), then one problem per row.

The readers render a table row as `| cell | cell | …` (web pages and .docx alike). The header's cells are
matched to roles (序号 → label, 反馈问题 → title, 整改措施 → measures, 责任单位 → owner, 整改时限 → due,
完成情况 → status, 问题类别 → category) by the vocabulary in config.yaml `segment.tables`. A row of one cell
(a `colspan` row) is a category heading. A row shorter than the header lost its leading cells to `rowspan`:
they are carried down from the row above. The segmenter (loaders/parser/segment.py) turns rows into issues.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from loaders.config import section
from loaders.parser.status import explicit_status

_SPACES = re.compile(r"[\s:：]+")
_RULE = re.compile(r"^[-:=—\s]*$")
# What ticks a status column: `√`, `✓`, `●`, `是`.
_TICK = re.compile(r"^[√✓✔☑●■▲★是Yy]$")
# A category cell printed with its own numbering: `一、贯彻落实…方面` / `(二)…` / `3.…`.
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十百零〇]{1,4}[、.]|\([一二三四五六七八九十\d]{1,4}\)|\d{1,3}[、.])\s*")


@dataclass(frozen=True)
class Row:
    """One data row, by role. `category` is set (and nothing else) for a one-cell category row."""

    category: str | None = None
    label: str = ""
    title: str = ""
    measures: tuple[str, ...] = ()
    owner: str | None = None
    due: str | None = None
    status: str | None = None  # the status cell as printed (None: the table has no status column)
    status_evidence: str = ""  # header and cell, e.g. `完成情况:已完成` or `已完成:√`
    category_cell: str = ""  # a category column's cell, when the table has one
    continued: bool = False  # the problem cell spans from the row above (rowspan): more of the same issue


@functools.cache
def _vocabulary() -> tuple[tuple[tuple[str, str], ...], int]:
    """((name, role), …) longest name first, and the fewest roles a header row names."""
    cfg = section("segment").get("tables") or {}
    names = [(str(name), role) for role, words in (cfg.get("columns") or {}).items() for name in words]
    names.sort(key=lambda pair: -len(pair[0]))
    return tuple(names), int(cfg.get("min_columns", 2))


def column_role(cell: str) -> str | None:
    """The role a header cell names: the role of the name it equals, else of the longest name it holds."""
    text = _SPACES.sub("", cell)
    if not text or len(text) > 12:  # a header cell is a short name, never a sentence
        return None
    names, _ = _vocabulary()
    for name, role in names:
        if text == name:
            return role
    for name, role in names:
        if name in text:
            return role
    # A column per status (`已完成 | 基本完成 | 未完成`) ticked with a mark in each row.
    return "mark" if len(text) <= 6 and explicit_status(text) is not None else None


class TableReader:
    """The columns of one table (from its header row) and the carried-down cells of its last row."""

    def __init__(self, roles: list[str | None], headers: list[str]) -> None:
        self.roles = roles
        self.headers = headers
        self.previous: list[str] = [""] * len(roles)

    @staticmethod
    def cells(line: str) -> list[str]:
        """`| a | b` → ["a", "b"]. Only the leading bar is dropped: an empty last cell renders as a trailing
        bar (`| a | √ |`), and a Markdown row's closing bar gives every row, header included, one more empty
        cell alike."""
        text = line.strip()
        parts = [c.strip() for c in (text[1:] if text.startswith("|") else text).split("|")]
        return parts if any(parts) else []

    @classmethod
    def from_header(cls, cells: list[str]) -> TableReader | None:
        """A reader for the table whose header row this is; None when the row is not such a header."""
        roles = [column_role(c) for c in cells]
        named = [r for r in roles if r is not None and r != "mark"]  # a status word alone names no header
        _, least = _vocabulary()
        if "title" not in named or len(set(named)) < least:
            return None
        return cls(roles, cells)

    def row(self, cells: list[str]) -> Row | None:
        """The row by role; None for a rule row (`|---|:---:|` in a Markdown copy)."""
        filled = [c for c in cells if c]
        if all(_RULE.match(c) for c in cells):
            return None
        # One cell spanning the row, its text repeated in every merged cell, or the only text in a row
        # standing in the number column: a category heading.
        only = [n for n, c in enumerate(cells) if c]
        spanning = (len(cells) == 1 or (len(filled) > 1 and len(set(filled)) == 1)
                    or (len(only) == 1 and only[0] < len(self.roles)
                        and self.roles[only[0]] in (None, "label", "category")))
        if len(self.roles) > 1 and filled and spanning:
            return Row(category=_NUMBERING.sub("", filled[0]).strip())
        carried = max(0, len(self.roles) - len(cells))
        if carried:  # leading cells merged down from the row above (rowspan)
            cells = self.previous[:carried] + cells
        self.previous = cells[:len(self.roles)]
        by_role: dict[str, list[str]] = {}
        for role, cell in zip(self.roles, cells, strict=False):
            if role is not None and cell:
                by_role.setdefault(role, []).append(cell)
        status_at = self.roles.index("status") if "status" in self.roles else None
        status = None if status_at is None else _first(by_role, "status")
        evidence = "" if status_at is None else f"{_SPACES.sub('', self.headers[status_at])}:{status}"
        ticked = [n for n, role in enumerate(self.roles) if role == "mark" and n < len(cells)
                  and _TICK.match(cells[n].strip())]
        if not status and ticked:
            header = _SPACES.sub("", self.headers[ticked[0]])
            status, evidence = header, f"{header}:{cells[ticked[0]].strip()}"
        return Row(
            label=_first(by_role, "label"),
            title=" ".join(by_role.get("title", [])),
            measures=tuple(by_role.get("measures", [])),
            owner=_first(by_role, "owner") or None,
            due=_first(by_role, "due") or None,
            status=status,
            status_evidence=evidence,
            category_cell=_NUMBERING.sub("", _first(by_role, "category")).strip(),
            continued="title" in self.roles[:carried],
        )


def tab_rows_to_pipes(text: str) -> str:
    """A table copied from a page into plain text keeps its cells apart with tabs (`序号\t反馈问题\t…`); such
    rows become `| 序号 | 反馈问题 | …` rows, from a header row naming issue columns to the first line that is
    neither a row nor a one-line category between rows. Tabs elsewhere are left to normalisation."""
    if "\t" not in text:
        return text
    lines = text.split("\n")
    in_table = False
    for n, line in enumerate(lines):
        cells = [c.strip() for c in line.split("\t")]
        if "\t" in line.strip() and (in_table or TableReader.from_header(cells) is not None):
            lines[n], in_table = "| " + " | ".join(cells), True
        elif in_table and line.strip() and n + 1 < len(lines) and "\t" in lines[n + 1].strip():
            lines[n] = "| " + line.strip()  # a category row between rows (its cell spans the table)
        else:
            in_table = False
    return "\n".join(lines)


def _first(by_role: dict[str, list[str]], role: str) -> str:
    return (by_role.get(role) or [""])[0]
