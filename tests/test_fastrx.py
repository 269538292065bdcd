"""The faster scan of slow alternations (fastrx.Finder) must not change a single match."""

import re
from pathlib import Path

import pytest

from loaders.parser import fastrx
from loaders.parser.status import rules

SAMPLES = sorted((Path(__file__).parent.parent / "data" / "reports").glob("*.txt"))


def test_first_chars_reads_literals_classes_branches_and_lookarounds():
    assert fastrx.first_chars(r"(?<!行动)计划|\d+项|[一-三]x|(?:需|待)") == r"[\d一-三待计需]"
    assert fastrx.first_chars(r"a?b") == "[ab]"


@pytest.mark.parametrize("pattern", [r"a*", r"[^a]b", r".x", r"(?i)ab", r"(a|)", r"(?:a+|b)(\d)\1"])
def test_plain_scan_when_a_match_can_start_anywhere_or_be_empty(pattern):
    assert fastrx.Finder(pattern)._starts is None


@pytest.mark.parametrize("pattern", [
    r"(?:ab|b)c*|(?<=x)bb", r"(?:a+|b)(\d)(?P<x>\d)?", r"(?:(?<!行动)计划|[一二三]项)[^。]{0,3}?完成",
    r"(?:a+a|ba)(?!a)", r"(?:a+|b)(\d)\1",
])
def test_finder_finds_the_matches_of_finditer(pattern):
    """Overlapping candidates, groups, lookarounds: the Match objects finditer gives, in order (a
    backreference falls back to the plain scan)."""
    text = "xbbc abccc bb aaa ba baa a11 b22 b23 行动计划 计划一项完成。二项未完成 abab xbbbc" * 3
    finder = fastrx.Finder(pattern)
    assert (finder._starts is None) == ("\\1" in pattern)
    want = [(m.span(), m.groups()) for m in re.finditer(pattern, text)]
    assert want and [(m.span(), m.groups()) for m in finder.finditer(text)] == want
    assert finder.spans(text) == [s for s, _ in want]
    for part in (text, text[:7], "xyz", "", "行动计划", "xbbc", " xbb", "a1"):
        assert finder.found(part) == (re.search(pattern, part) is not None), part
        # spans: one search first, then the scan resumed at the first match (its look-behind still sees
        # the text before it)
        assert finder.spans(part) == [m.span() for m in re.finditer(pattern, part)], part


def test_status_prefilters_find_the_same_matches_as_the_plain_alternation():
    texts = [p.read_text(encoding="utf-8-sig") for p in SAMPLES]
    assert texts
    checked = 0
    for rule in rules().rules:
        if rule.any is None or any("$" in p.pattern for p in rule.patterns):  # anchored: next test
            continue
        plain = re.compile("|".join(f"(?:{p.pattern})" for p in rule.patterns))
        for text in texts:
            assert [m.span() for m in rule.any.finditer(text)] == [m.span() for m in plain.finditer(text)]
        checked += rule.any._starts is not None
    assert checked  # at least one rule got a lookahead, else this test checks nothing


def test_every_sentence_a_rule_matches_in_is_a_candidate_of_its_prefilter():
    """The prefilters (anchored rules included, `$` dropped) may only add sentences, never lose one."""
    from loaders.parser import status
    from loaders.parser.parse import parse_text

    cfg = rules()
    bodies = ["\n".join(i.measures) for p in SAMPLES for r in parse_text(p.read_text(encoding="utf-8-sig"))
              for i in r.issues]
    anchored = [r for r in cfg.rules if r.any is not None and any("$" in p.pattern for p in r.patterns)]
    assert anchored and len(bodies) > 100
    found = 0
    for body in bodies:
        masked = status.mask(body, cfg.ignore)
        sentences = status._sentences(masked, cfg)
        for rule in cfg.rules:
            if rule.any is None or rule.deadline:
                continue
            candidates = set(status._overlapping(sentences, rule.any.spans(masked)))
            matching = {s for s in sentences if status._first_match(rule.patterns, masked[s[0]:s[1]])}
            assert matching <= candidates, (rule.name, body)
            found += len(matching) if rule in anchored else 0
    assert found  # the anchored rules do match somewhere in the samples


def test_any_of_matches_where_one_of_the_patterns_does():
    patterns = [r"(?P<n>\d+)个方面", r"(?<![纪党])政务处分", r"(?P<n>\d+)项问题"]
    union = fastrx.any_of(patterns)
    assert union is not None
    for text in ("共3个方面", "给予政务处分2人", "党政务处分", "12项问题中", "没有数字", "方面3个"):
        assert (union.search(text) is not None) == any(re.search(p, text) for p in patterns), text
    assert fastrx.any_of([r"(\d)\1", "x"]) is None and fastrx.any_of([r"(?P<a>x)(?P=a)"]) is None
    assert fastrx.any_of([]) is None


@pytest.mark.parametrize(("pattern", "free"), [
    (r"[,、;:][,、;:。!?]|[。;!?][,、]|己", True), (r"(?:ab)+c{2}", True), (r"a$", False), (r"^a", False),
    (r"(?<=。)[,]", False), (r"x(?:a|(?!b)c)*", False), (r"(a)?(?(1)b|c)", False),
])
def test_context_free_patterns_read_nothing_past_their_match(pattern, free):
    assert fastrx.context_free(pattern) is free


def test_normalize_skips_the_fixes_only_when_no_line_needs_one():
    from loaders.parser import normalize

    assert normalize._whole_text_trigger() is not None  # the configured trigger is context-free
    assert normalize.normalize("整改己完成,,。\n第二行。").split("\n") == ["整改已完成。", "第二行。"]
    assert not normalize._may_need_fixes(["已完成整改。", "第二行"])


def test_deadline_mentions_scan_finds_the_mention_patterns_matches():
    """The mention pattern's conditionals cannot stand in a look-behind: its Finder looks for starts with a
    pattern of its own (deadline_finder._mention_starts), which must not miss one."""
    from loaders.parser import deadline_finder

    cfg = deadline_finder.rules()
    assert cfg.mentions._starts is not None
    texts = [p.read_text(encoding="utf-8-sig") for p in SAMPLES]
    texts.append("力争2024年7月前、明年底、第三季度末、“十四五”末、上半年、2023年度、5月份、十二月底前完成")
    found = 0
    for text in texts:
        want = [(m.span(), m.groups()) for m in cfg.mention.finditer(text)]
        assert [(m.span(), m.groups()) for m in cfg.mentions.finditer(text)] == want
        found += len(want)
    assert found > 100


def test_split_prefilter_finds_every_line_the_split_points_split():
    from loaders.parser import segment

    assert fastrx.split_prefilter(r"(?<=[。])a|b") is None and fastrx.split_prefilter(r"a(?<=[。])") is None
    lines = [line for p in SAMPLES for line in p.read_text(encoding="utf-8-sig").splitlines()]
    lines += ["一是加强学习。二是完善制度;三是强化监督", "问题。整改情况:已完成", "无切分点的一行"]
    for name in ("inline_label", "ordinal_split"):
        pattern, quick = segment._split_point(name)
        assert quick is not None
        split = [line for line in lines if len(pattern.split(line)) > 1]
        assert split and all(quick.search(line) for line in split)
        assert all(segment._split(name, line) == pattern.split(line) for line in lines)


def test_last_split_end_is_the_end_of_the_last_split_in_the_span():
    splitter = re.compile(r"[,,;;。!?!?\n]")
    assert fastrx.last_end(splitter) is not None and fastrx.last_end(re.compile(r"。(?=\d)")) is None
    text = "ab,cd。ef\ngh,ij;k"
    for split in (splitter, re.compile(r"。(?=e)|,")):  # the fast path, then the plain one
        for pos in range(len(text) + 1):
            for end in range(len(text) + 1):
                want = max((m.end() for m in split.finditer(text, pos, end)), default=-1)
                assert fastrx.last_split_end(split, text, pos, end, -1) == want, (pos, end)


def test_top_level_alternatives_cut_outside_groups_and_classes():
    cut = fastrx.top_level_alternatives(r"a[]|]b|c[^]|]|(x|y)|[\[|]z")
    assert cut == ["a[]|]b", "c[^]|]", "(x|y)", r"[\[|]z"]
    assert fastrx.top_level_alternatives(r"a\|b") == [r"a\|b"]


def test_any_of_says_what_one_alternation_of_the_chrome_rules_says():
    """chrome's groups of rules are tested with fastrx.AnyOf: on every line of the samples and the page
    shapes (stripped or not, short and long), it answers as the rules joined in one pattern do."""
    from loaders.config import section
    from loaders.parser.read import read_document

    rules = [r if isinstance(r, str) else r["rx"] for r in section("page")["chrome_lines"]]
    paths = [*SAMPLES, *sorted((Path(__file__).parent / "realworld").rglob("*.html"))]
    lines = [line for p in paths for line in read_document(str(p), p.read_bytes()).text.splitlines()]
    lines += ["发布时间:2023-01-02", " 来源:某县", "首页 > 要闻", "【打印本页】", "扫一扫", "www.a.gov.cn"]
    for group in (rules, rules[:3], rules[-5:]):
        joined, fast = re.compile("|".join(f"(?:{p})" for p in group)), fastrx.AnyOf(group)
        answers = [bool(joined.search(line)) for line in lines]
        assert any(answers) and [fast.search(line) for line in lines] == answers


def test_search_at_end_finds_what_search_finds():
    from loaders.parser.grammar import grammar

    g = grammar()
    patterns = [g.rx("trailing_status"), g.sub("join", "sentence_end"), g.sub("join", "title_end"),
                re.compile(r"a{1,3}$"), re.compile(r"(?<=x)b$"), re.compile(r"a+$"), re.compile(r"a$|b")]
    assert fastrx._longest_tail_match(r"a{1,3}$", 0) == 3 and fastrx._longest_tail_match(r"a+$", 0) is None
    texts = [line for p in SAMPLES for line in p.read_text(encoding="utf-8-sig").splitlines()]
    texts += ["设立监督小组。(已完成)", "已完成。”", "xaaaa", "xab", "xb", "aaa\n", "情况的通报", "b", ""]
    for pattern in patterns:
        for text in texts:
            want, got = pattern.search(text), fastrx.search_at_end(pattern, text)
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups()))


def test_lookahead_prefilter_finds_every_text_the_split_point_is_in():
    """normalize splits run-on lines only where the prefilter (the split point's lookahead, consumed)
    finds something: it must find something wherever the split point matches."""
    from loaders.parser import normalize

    assert fastrx.lookahead_prefilter(r"(?<=a)(?=bc)").pattern.pattern == "bc"
    assert fastrx.lookahead_prefilter(r"(?<=a)b(?=c)") is None  # consumes: not a split point
    assert fastrx.lookahead_prefilter(r"(?=a)|(?=b)") is None  # a top-level alternation
    assert fastrx.lookahead_prefilter(r"(?=\d{4}年$)", re.M) is None  # `$` reads the flag
    text = "".join(p.read_text(encoding="utf-8-sig").replace("\n", "") for p in SAMPLES)
    pieces = [text[k:k + 900] for k in range(0, len(text), 300)]
    pieces += ["某某委员会2023年5月4日", "情况的通报根据省委部署", "附件1关于某问题的通报", "问题1.已完成"]
    quick = 0
    for pattern, pre in normalize._run_on()[1]:
        quick += pre is not None
        for piece in pieces:
            assert pre is None or not pattern.search(piece) or pre.search(piece)
    assert quick >= len(normalize._run_on()[1]) // 2
