"""Normalised lines → reports (main + 附件N) → categories → issues → measures, by the grammar in config.yaml.

The engine walks a report's lines once. Chapter headings (一、) set the section; a chapter that is itself
an issue (`一、关于“X”问题的整改情况`) takes the following (一) items and paragraphs as measures. Elsewhere a
(一) heading followed by numbered items is a category; a heading matching an issue pattern, or followed by
`整改结果:`, is an issue. Items that name themselves (`【问题一】`, `问题3:`) are issues wherever they
stand; a chapter grouping items by status or kind (`二、已完成整改的问题(共12个)`) makes its numbered
items issues and lends them its status. Tables (`| 序号 | 反馈问题 | … |` rows, see tables.py)
give one issue per row.
Organisation and next-step chapters, contacts, signatures and attachment lists hold no issues. What the
walker cannot place becomes a warning, never an exception.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from re import Match

from loaders import messages
from loaders.models import ParseWarning
from loaders.parser import fastrx
from loaders.parser.grammar import classify, cn_number, grammar
from loaders.parser.status import explicit_status, first_clause
from loaders.parser.tables import TableReader

# Line kinds that start an item or a category (for look-ahead: does a heading follow?).
_HEADINGS = ("chapter", "paren", "number", "item", "table")


# --- report level: the structure walker ---------------------------------------------------------------


@dataclass
class RawIssue:
    label: str
    number: int | None  # printed number, for numbering-gap checks
    level: str  # "chapter" | "paren" | "number"
    category: str
    title: str
    section: str
    explicit: str | None = None  # the printed result value (`已完成`), when it names a status
    explicit_evidence: str = ""  # the line that printed it (`完成情况:已完成`)
    bracketed: bool = False  # the explicit status came from a trailing `(已完成)`, not from a label
    heading: str = ""  # the status/kind group heading it sits under (`二、已完成整改的问题(共12个)`)
    owner: str | None = None  # 责任单位 / 牵头单位 as printed
    due: str | None = None  # 整改时限 / 完成时限 as printed
    measures: list[str] = field(default_factory=list)
    open_sub: bool = False  # the last measure is a (1) sub-point waiting for its 整改情况


@dataclass
class Segmented:
    issues: list[RawIssue] = field(default_factory=list)
    context: list[str] = field(default_factory=list)  # preamble and summaries: where totals live
    warnings: list[ParseWarning] = field(default_factory=list)


def segment(lines: list[str]) -> Segmented:
    """Issues, context text and structural warnings of one report's body lines."""
    walker = _Walker(split_inline_labels([line for line in lines if line.strip()]))
    walker.run()
    out = walker.out
    out.warnings.extend(numbering_warnings(out.issues))
    return out


class _Walker:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.kinds = [classify(line) for line in lines]
        self.heading_after = _headings_ahead([kind for kind, _ in self.kinds])
        self.out = Segmented()
        self.chapter = ""  # text of the current plain chapter: passed on as the issue's section
        self.zone = "plain"  # "plain" | "issue" | "closed" (organisation, next steps, tail)
        self.category: str | None = None
        self.issue: RawIssue | None = None
        self.started = False  # an issue or category has been seen
        self.summary = False  # inside a summary heading (its text is context)
        self.unparsed: list[str] = []  # headings that look like issue headings but match no pattern
        self.skipped: list[str] = []  # issue-like items in a closed zone (after next steps, a date line…)
        self.closed_by = self.skipped_after = ""  # the line that closed the list (before the first skip)
        self.group = ""  # the chapter heading grouping items by status or kind, when in one
        self.paren_group = ""  # the same at the (一) level: `(一)已完成整改的问题`
        self.default_category = ""  # the chapter's aspect (`一、…方面的问题`) for items with no category
        self.table: TableReader | None = None  # the header of the table being read
        self.table_category = ""  # the table's last category row (`| 一、…方面` spanning the row)

    def run(self) -> None:
        for i, line in enumerate(self.lines):
            kind, m = self.kinds[i]
            if self.table is not None and kind != "table":
                self._leave_table()
            getattr(self, f"_on_{kind}")(i, line, m)
        self._close()
        if self.unparsed:
            examples = messages.joined((f"“{_clip(line)}”" for line in self.unparsed[:3]), en="; ", zh="；")
            more = "…" if len(self.unparsed) > 3 else ""
            self.out.warnings.append(
                messages.warning("unparsed_heading", n=len(self.unparsed), examples=examples, more=more))
        if self.skipped:  # a misplaced heading or date line must not drop items silently
            examples = messages.joined((f"“{_clip(line)}”" for line in self.skipped[:3]), en="; ", zh="；")
            more = "…" if len(self.skipped) > 3 else ""
            self.out.warnings.append(messages.warning(
                "skipped_items", n=len(self.skipped), after=_clip(self.skipped_after), examples=examples,
                more=more))

    # helpers -----------------------------------------------------------------------------------------
    def _close(self) -> None:
        if self.issue is not None:
            self.issue.title = self.issue.title or self.issue.label  # a bare `问题5:` with no problem text
            self.out.issues.append(self.issue)
        self.issue = None

    def _leave_table(self) -> None:
        """A line after a table's rows is not part of its last row: that row's issue is complete."""
        if self.issue is not None and self.issue.level == "table":
            self._close()
        self.table, self.table_category = None, ""

    def _next_kind(self, i: int) -> str:
        return self.kinds[i + 1][0] if i + 1 < len(self.kinds) else ""

    def _open(self, m: Match[str], level: str, title: str, label: str) -> None:
        self._close()
        self.started, self.summary = True, False
        self.issue = RawIssue(label=label, number=cn_number(m.group("num")), level=level,
                              category=self.category or self.default_category, title=title,
                              section=self.chapter if self.zone == "plain" else "",
                              heading=self.paren_group or self.group)
        self.issue.title = clean_title(self._trailing_status(title))

    def _trailing_status(self, text: str) -> str:
        """`…设立采购监督小组。(已完成)` → the item's explicit status; the text without the bracket."""
        m = fastrx.search_at_end(grammar().rx("trailing_status"), text)
        status = explicit_status(m.group("text")) if m is not None and self.issue is not None else None
        if m is None or self.issue is None or status is None:
            return text
        # Several measures each closing with a status: the item is done only when all are (an open one wins).
        issue = self.issue
        reopened = issue.bracketed and explicit_status(issue.explicit or "") == "完成" and status != "完成"
        if issue.explicit is None or reopened:
            issue.explicit, issue.explicit_evidence = m.group("text"), m.group(0).rstrip("。.;")
            issue.bracketed = True
        return text[:m.start()].rstrip()

    def _add_measures(self, text: str) -> None:
        assert self.issue is not None
        text = self._trailing_status(text)
        if not text:
            return
        if self.issue.open_sub and self.issue.measures:
            self.issue.measures[-1] = f"{self.issue.measures[-1]}{text}"
            self.issue.open_sub = False
            return
        self.issue.measures.extend(split_measures(text))

    def _skip(self, i: int, line: str, text: str) -> None:
        """A heading in a closed zone that reads like an issue (or carries an 整改结果 line) is remembered."""
        if issue_title(text)[0] is not None or self._next_kind(i) == "result":
            if not self.skipped:
                self.skipped_after = self.closed_by
            self.skipped.append(line)

    def _warn_unparsed(self, line: str) -> None:
        if self.zone == "plain" and grammar().rx("looks_like_issue").search(line):
            self.unparsed.append(line)

    # line kinds --------------------------------------------------------------------------------------
    def _on_chapter(self, i: int, line: str, m: Match[str]) -> None:
        self._close()
        self.category, self.summary, self.table = None, False, None
        self.group = self.paren_group = self.default_category = ""
        text = m.group("text")
        title, _ = issue_title(text)
        if title is not None and self._next_kind(i) in ("number", "item") and _is_category_title(text):
            # `一、关于…方面的问题` followed by numbered items: an aspect holding issues, not an issue
            self.zone, self.chapter, self.default_category = "plain", text, category_title(text)
        elif title is not None:
            self.zone, self.chapter = "issue", ""
            self._open(m, "chapter", title, m.group("num"))
        elif chapter_kind(text) != "plain":
            self.zone, self.closed_by = "closed", line
        elif grammar().rx("summary_headings").search(text):
            # `四、关于巡视移交信访件和问题线索办理情况`: its paragraphs hold report-level figures (context)
            self.zone, self.chapter, self.summary = "plain", text, True
            self.out.context.append(line)
        else:
            self.zone, self.chapter = "plain", text
            if grammar().rx("item_groups").search(text):
                self.group = line
            elif grammar().rx("category_chapters").search(text):
                self.default_category = category_title(text)

    def _on_paren(self, i: int, line: str, m: Match[str]) -> None:
        text = m.group("text")
        if self.zone == "closed":
            self._skip(i, line, text)
            return self._on_text(i, line, None)
        if self.zone == "issue" and self.issue is not None:
            return self.issue.measures.append(text)
        self._close()
        self.category, self.summary = None, False
        title, label = issue_title(text)
        nxt = self._next_kind(i)
        self.paren_group = ""
        if nxt in ("number", "item", "table") and grammar().rx("item_groups").search(text):
            self.paren_group, self.started = line, True  # `(一)已完成整改的问题`: a group, not a category
        elif nxt in ("number", "item", "table"):
            self.category, self.started = category_title(text), True
        elif title is not None or nxt == "result" or (self.group and nxt != "table"):
            title = title if title is not None else clean_title(text)
            self._open(m, "paren", title, label or f"({m['num']})")
        elif grammar().rx("summary_headings").search(text):
            self.summary = True
            self.out.context.append(line)
        else:
            self._warn_unparsed(line)
            if not self.started:  # `(一)强化组织领导。…梳理形成62项整改任务`: the preamble goes on
                self.out.context.append(line)

    def _on_number(self, i: int, line: str, m: Match[str]) -> None:
        text = m.group("text")
        if self.zone == "closed":
            self._skip(i, line, text)
            return self._on_text(i, line, None)
        title, label = issue_title(text)
        in_chapter_issue = self.issue is not None and self.issue.level == "chapter"
        if (self.category is not None or (self.issue is None and self._next_kind(i) == "result")
                or (title is not None and not in_chapter_issue)
                or ((self.group or self.paren_group or self.default_category) and not in_chapter_issue)):
            return self._open(m, "number", title if title is not None else clean_title(text),
                              label or m.group("num"))
        if self.issue is not None:
            return self._add_measures(text)
        self._warn_unparsed(line)

    def _on_sub(self, i: int, line: str, m: Match[str]) -> None:
        grouped = (self.group or self.paren_group) and self.zone == "plain"
        if grouped and (self.issue is None or self.issue.level == "sub"):
            # `二、已完成整改的问题` listing `(1)…` items: each is an issue of the group
            return self._open(m, "sub", clean_title(m.group("text")), f"({m.group('num')})")
        if self.issue is None:
            return self._on_text(i, line, None)
        self.issue.measures.append(m.group("text"))
        self.issue.open_sub = True

    def _on_item(self, i: int, line: str, m: Match[str]) -> None:
        text = m.group("text")
        if self.zone == "closed":
            self._skip(i, line, text)
            return self._on_text(i, line, None)
        title, _ = issue_title(text)
        self._open(m, "item", title if title is not None else clean_title(text), f"问题{m.group('num')}")

    def _on_result(self, i: int, line: str, m: Match[str]) -> None:
        if self.issue is None:
            return self._on_text(i, line, None)
        value = m.group("text").strip()
        if explicit_status(value) is None:
            # 整改进展:/完成情况: followed by a report of the work rather than a status: measures
            if value:
                self._add_measures(value)
            return
        head, rest = first_clause(value)
        if self.issue.explicit is None or self.issue.bracketed:  # a label beats a trailing bracket
            self.issue.explicit, self.issue.bracketed = head, False
            self.issue.explicit_evidence = _clip(line[:m.start("text")] + head, 80)
        if rest:  # `完成情况:已完成,清退资金5万元`: what follows the status is part of the measures
            self._add_measures(rest)

    def _on_owner(self, i: int, line: str, m: Match[str]) -> None:
        if self.issue is None:
            return self._on_text(i, line, None)
        self.issue.owner = self.issue.owner or m.group("text").strip().rstrip("。;") or None

    def _on_due(self, i: int, line: str, m: Match[str]) -> None:
        if self.issue is None:
            return self._on_text(i, line, None)
        self.issue.due = self.issue.due or m.group("text").strip().rstrip("。;") or None

    def _on_table(self, i: int, line: str, m: Match[str]) -> None:
        cells = TableReader.cells(line)
        header = TableReader.from_header(cells)
        if header is not None:
            self._close()
            self.table, self.started = header, True
            return
        if self.table is None or self.zone == "closed":
            return self._on_text(i, line, None)
        row = self.table.row(cells)
        if row is None:
            return
        if row.category is not None:
            self._close()
            self.table_category = row.category
            return
        if (not row.title or row.continued) and self.issue is not None and self.issue.level == "table":
            # the problem cell spans several rows, one measure each: more of the same issue
            self.issue.measures.extend(m for cell in row.measures for m in split_measures(cell))
            if self.issue.explicit is None and row.status and explicit_status(row.status) is not None:
                self.issue.explicit, self.issue.explicit_evidence = row.status, row.status_evidence
            return
        if not row.title:
            return
        self._close()
        self.started, self.summary = True, False
        label = row.label or str(sum(1 for x in self.out.issues if x.level == "table") + 1)
        self.issue = RawIssue(
            label=label, number=cn_number(row.label) if row.label else None, level="table",
            category=row.category_cell or self.table_category or self.category or self.default_category,
            title=clean_title(row.title),
            section=self.chapter if self.zone == "plain" else "", heading=self.paren_group or self.group,
            owner=row.owner,
            due=row.due, measures=[m for cell in row.measures for m in split_measures(cell)])
        if row.status is not None:
            if explicit_status(row.status) is not None:
                self.issue.explicit, self.issue.explicit_evidence = row.status, row.status_evidence
            elif row.status:
                self.issue.measures.append(row.status)

    def _on_progress(self, i: int, line: str, m: Match[str]) -> None:
        if self.issue is None:
            return self._on_text(i, line, None)
        if m.group("text").strip():
            self._add_measures(m.group("text").strip())

    def _on_stop(self, i: int, line: str, m: Match[str] | None) -> None:
        self._close()
        self.zone, self.category, self.closed_by = "closed", None, line

    def _on_next(self, i: int, line: str, m: Match[str] | None) -> None:
        # `下一步,…` ends the issues, unless more headings follow: then it is this issue's own plan.
        if self.issue is not None and self.heading_after[i]:
            return self._on_text(i, line, None)
        self._on_stop(i, line, m)

    def _on_attachment_list(self, i: int, line: str, m: Match[str] | None) -> None:
        self._on_stop(i, line, m)

    def _on_date(self, i: int, line: str, m: Match[str] | None) -> None:
        self._on_stop(i, line, m)

    def _on_text(self, i: int, line: str, m: Match[str] | None) -> None:
        if self.issue is not None and self.zone != "closed" and not self.issue.title:
            self.issue.title = clean_title(self._trailing_status(line))  # `问题5:` alone, its text below
        elif self.issue is not None and self.zone != "closed":
            self._add_measures(line)
        elif not self.started or self.summary:
            self.out.context.append(line)


def _headings_ahead(kinds: list[str]) -> list[bool]:
    """For each line: does a heading follow it before the contacts, the date or the attachment list?"""
    ahead, seen = [False] * len(kinds), False
    for i in range(len(kinds) - 1, -1, -1):
        ahead[i] = seen
        if kinds[i] in _HEADINGS:
            seen = True
        elif kinds[i] in ("stop", "date", "attachment_list"):
            seen = False
    return ahead


# --- titles, measures, numbering ---------------------------------------------------------------------


def issue_title(text: str) -> tuple[str | None, str | None]:
    """(title, label) when `text` is an issue heading's text by one of the configured patterns."""
    for pattern in grammar().issue_titles:
        m = pattern.match(text)
        if m:
            label = m.groupdict().get("label")
            return clean_title(m.group("title")), (f"问题{label}" if label else None)
    return None, None


def _is_category_title(text: str) -> bool:
    return any(pattern.match(text) for pattern in grammar().category_titles)


def category_title(text: str) -> str:
    for pattern in grammar().category_titles:
        m = pattern.match(text)
        if m:
            return clean_title(m.group("title"))
    return clean_title(text)


def clean_title(text: str) -> str:
    """Trim the closing 。 and quotes around the whole title (`“经济要稳住”` → 经济要稳住)."""
    text = text.strip().rstrip("。;,:").strip()
    if text.startswith("“") and text.endswith("”") and text.count("“") == 1:
        text = text[1:-1]
    return text


def chapter_kind(text: str) -> str:
    """"organisation", "next_steps" or "plain" for a chapter heading that is not itself an issue."""
    for kind in ("organisation", "next_steps"):
        if grammar().sub("chapter_kinds", kind).search(text):
            return kind
    return "plain"


@functools.cache
def _split_point(name: str) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """A grammar split pattern and its prefilter (fastrx.split_prefilter): most lines hold no split point,
    and the prefilter finds that faster than the split itself."""
    pattern = grammar().rx(name)
    return pattern, fastrx.split_prefilter(pattern.pattern)


def _split(name: str, text: str) -> list[str]:
    pattern, quick = _split_point(name)
    return pattern.split(text) if quick is None or quick.search(text) else [text]


def split_inline_labels(lines: list[str]) -> list[str]:
    """Lines holding a label after a sentence end (`1.问题…。整改情况:…`) → one line per label."""
    out: list[str] = []
    for line in lines:
        out.extend(piece.strip() for piece in _split("inline_label", line) if piece.strip())
    return out


def split_measures(text: str) -> list[str]:
    """A paragraph → measures, split before inline ordinals (一是…。二是…)."""
    parts = _split("ordinal_split", text)
    return [p.strip() for p in parts if p.strip()]


def numbering_warnings(issues: list[RawIssue]) -> list[ParseWarning]:
    """One warning per gap in printed numbering (1, 2, 6 → 3–5 missing). A restart (1 again) is fine, and so
    is numbering that runs on across sections (【问题四】 in 一、, 【问题五】 in 二、)."""
    warnings: list[ParseWarning] = []
    last: dict[tuple[str, str], tuple[int, str]] = {}
    last_of_level: dict[str, int] = {}
    for issue in issues:
        if issue.number is None:
            continue
        key = (issue.section, issue.level)
        prev, _ = last.get(key, (0, ""))
        if issue.number <= prev:
            prev = 0  # numbering restarts under a new category
        if prev == 0 and issue.number == last_of_level.get(issue.level, 0) + 1:
            prev = issue.number - 1  # runs on from the previous section
        if issue.number > prev + 1:
            warnings.append(_gap_warning(prev, issue))
        last[key] = (issue.number, issue.category)
        last_of_level[issue.level] = issue.number
    return warnings


def _gap_warning(prev: int, issue: RawIssue) -> ParseWarning:
    number = issue.number or 0
    if number == prev + 2:
        missing = messages.phrase("gap.one", first=prev + 1)
    else:
        missing = messages.phrase("gap.many", first=prev + 1, last=number - 1)
    heading = issue.category or issue.section
    where = messages.Msg(_clip(heading), _clip(heading)) if heading else messages.phrase("gap.whole_report")
    return messages.warning("numbering_gap", where=where, prev=prev, number=number, missing=missing)


def _clip(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[:size] + "…"
