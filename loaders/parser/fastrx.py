"""Faster searches for alternations of config patterns, with the same matches.

Python's regex engine skips ahead quickly only when a pattern starts with a literal or a plain character
set; an alternation of config patterns (`(?:力争)|(?:(?<!行动)计划…)|(?:\\d+项…)`) starts with neither, so
every position of the text runs every branch. `first_chars` works out the set of characters any match
must start with, and `fast` puts it in front as a lookahead `(?=[…])`: a match can only start where that
set matches, so the matches are the same, and the engine rejects all other positions at once.
"""

from __future__ import annotations

import re
from re import _compiler, _parser  # type: ignore[attr-defined]
from re import _constants as c  # type: ignore[attr-defined]

_ZERO_WIDTH = {c.ASSERT, c.ASSERT_NOT, c.AT}
_CATEGORIES = {c.CATEGORY_DIGIT: r"\d"}


def _char(code: int) -> str:
    return re.escape(chr(code))


def _in(items: list) -> set[str] | None:
    """A character class's members as class fragments; None for a negated or unusual class."""
    out: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            out.add(_char(av))
        elif op is c.RANGE:
            out.add(f"{_char(av[0])}-{_char(av[1])}")
        elif op is c.CATEGORY and av in _CATEGORIES:
            out.add(_CATEGORIES[av])
        else:
            return None
    return out


def _first(items: list) -> tuple[set[str] | None, bool]:
    """(first characters, can match empty) of a parsed sequence; (None, _) when unknown."""
    out: set[str] = set()
    first: set[str] | None
    for op, av in items:
        if op in _ZERO_WIDTH:  # a lookaround or anchor consumes nothing: the next item starts the match
            continue
        if op is c.LITERAL:
            first, empty = {_char(av)}, False
        elif op is c.IN:
            first, empty = _in(av), False
        elif op is c.BRANCH:
            first, empty = set(), False
            for alt in av[1]:
                f, e = _first(alt)
                if f is None:
                    return None, False
                first |= f
                empty = empty or e
        elif op is c.SUBPATTERN and not av[1] and not av[2]:
            first, empty = _first(av[3])
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            first, empty = _first(av[2])
            empty = empty or av[0] == 0
        else:
            return None, False
        if first is None:
            return None, False
        out |= first
        if not empty:
            return out, False
    return out, True


def first_chars(pattern: str) -> str | None:
    """A character class (`[…]`) every non-empty match of `pattern` starts with; None when the pattern can
    match empty or holds something this reading does not follow (then nothing is put in front)."""
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):  # case-folded or verbose: do not second-guess
        return None
    first, empty = _first(list(parsed))
    if first is None or empty or not first:
        return None
    return "[" + "".join(sorted(first)) + "]"


def _engine_skips(pattern: str) -> bool:
    """The engine already skips ahead for this pattern (a literal prefix or a leading character set): a
    lookahead in front would only hide that from it."""
    try:
        parsed = _parser.parse(pattern)
        flags = parsed.state.flags
        prefix = _compiler._get_literal_prefix(parsed, flags)[0]
        return bool(prefix or _compiler._get_charset_prefix(parsed, flags))
    except Exception:  # private helpers of the re module: if they change, just do not add the lookahead
        return True


def fast(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled with its first characters as a leading lookahead (same matches, found faster)."""
    chars = None if _engine_skips(pattern) else first_chars(pattern)
    return re.compile(f"(?={chars})(?:{pattern})" if chars else pattern)
