"""normalize(): one punctuation form, clean whitespace, broken paragraphs re-joined, headings never merged."""

from __future__ import annotations

import pytest
from conftest import sample_paths

from loaders.parser.normalize import normalize

# (input, expected) — punctuation and whitespace, one line each.
CHARACTER_CASES = [
    ("(一)关于“X”问题的整改", "(一)关于“X”问题的整改"),  # full-width brackets fold to the canonical ASCII
    ("整改结果:已完成", "整改结果:已完成"),
    ("1.关于学习的问题。", "1.关于学习的问题。"),  # full-width digits and dot
    ("于2023 年 4 月 11 日上午召开", "于2023年4月11日上午召开"),
    ("(交通运输局) 2023 年5 月4 日出具", "(交通运输局)2023年5月4日出具"),
    ("已化解 111.18亩,养殖场 (户) 开展", "已化解111.18亩,养殖场(户)开展"),
    ("深化 “清风行动”专项督查", "深化“清风行动”专项督查"),
    ("“千年溇港 太湖明珠”", "“千年溇港 太湖明珠”"),  # a space between two Chinese words may be deliberate
    ("\u3000\u3000一是加强领导。\u00a0", "一是加强领导。"),  # ideographic indent, NBSP
    ("\ufeff整改\u200b情况", "整改情况"),  # BOM and zero-width space
    ('关于"四风"问题', "关于“四风”问题"),  # ASCII quotes pair up in Chinese text
    ("推进‘三转’落实", "推进‘三转’落实"),
    ("关于'三转'问题", "关于‘三转’问题"),
    (
        "已整改到位.下一步继续推进.",
        "已整改到位。下一步继续推进。",
    ),  # ASCII full stop ending Chinese sentences
    ("完成率仅69%.2018年又发现", "完成率仅69%。2018年又发现"),
    ("一.关于学习的问题", "一.关于学习的问题"),  # a chapter number is not a sentence end
    ("增长1.5倍,总额3.2亿元", "增长1.5倍,总额3.2亿元"),
    ("「两个维护」", "“两个维护”"),
    ("运用Tik Tok等新媒体", "运用Tik Tok等新媒体"),
    ("巡(xún)视(shì)整改", "巡视整改"),  # pinyin inserted by mirror sites
    ("产业(2023-2025年)规划", "产业(2023-2025年)规划"),
]


@pytest.mark.parametrize(("raw", "expected"), CHARACTER_CASES)
def test_characters_and_spaces(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_line_ends_and_blank_lines() -> None:
    assert normalize("一、组织整改落实情况\r\n\r\n\r\n二、集中整改期内已完成的整改事项\r附件1\u2028") == (
        "一、组织整改落实情况\n二、集中整改期内已完成的整改事项\n附件1"
    )
    assert normalize("") == "" and normalize("\n \n\u3000\n") == ""


# A paragraph broken inside a sentence is joined; headings, titles, signatures and dates never are.
JOIN_CASES = [
    (  # 004: a line that continues the previous one
        "二是坚持力度不减,持续抓好后续整改。对需要长期整治的,加大工作力度,有计划、分阶段积极推进,通\n"
        "过对账销号逐项明确整改结果,做到坚决整改、彻底整改。",
        [
            "二是坚持力度不减,持续抓好后续整改。对需要长期整治的,加大工作力度,有计划、分阶段积极推进,"
            "通过对账销号逐项明确整改结果,做到坚决整改、彻底整改。"
        ],
    ),
    (  # a title is not joined to the opening paragraph
        "中共湖州市吴兴区委关于十五届省委第二轮巡视整改进展情况的通报\n根据省委统一部署,省委第八巡视组开展了巡视。",
        [
            "中共湖州市吴兴区委关于十五届省委第二轮巡视整改进展情况的通报",
            "根据省委统一部署,省委第八巡视组开展了巡视。",
        ],
    ),
    (  # a two-line attachment title stays two lines; so do headings
        "附件1\n中共湖南湘江新区纪检监察工作委员会\n关于提级巡视整改进展情况的通报",
        ["附件1", "中共湖南湘江新区纪检监察工作委员会", "关于提级巡视整改进展情况的通报"],
    ),
    (
        "一、组织整改落实情况\n二、集中整改期内已完成的整改事项\n(一)反馈问题:贯彻落实不实,质效不高\n1.产业规模偏小。",
        [
            "一、组织整改落实情况",
            "二、集中整改期内已完成的整改事项",
            "(一)反馈问题:贯彻落实不实,质效不高",
            "1.产业规模偏小。",
        ],
    ),
    (  # signature lines and the date
        "中共苏州国家高新技术产业开发区工作委员会\n中共苏州市虎丘区委员会\n2020年4月27日",
        ["中共苏州国家高新技术产业开发区工作委员会", "中共苏州市虎丘区委员会", "2020年4月27日"],
    ),
    (  # a label alone on its line takes its value from the next line
        "1.跨境电商发展较慢。\n整改结果:\n完成\n整改情况:\n加快发展跨境电商。",
        ["1.跨境电商发展较慢。", "整改结果:完成", "整改情况:加快发展跨境电商。"],
    ),
    (  # a blank line ends a paragraph even mid-sentence
        "一是加强组织领导,成立领导小组,统筹推进各项整改任务,确保\n\n二是压实责任。",
        ["一是加强组织领导,成立领导小组,统筹推进各项整改任务,确保", "二是压实责任。"],
    ),
    (  # a heading wrapped inside its quotes is joined
        "十一、关于“区委前瞻性思考系统性谋划不够,常委会民主生活会\n相互批评环节‘辣味’不足”问题的整改情况",
        ["十一、关于“区委前瞻性思考系统性谋划不够,常委会民主生活会相互批评环节‘辣味’不足”问题的整改情况"],
    ),
]


@pytest.mark.parametrize(("raw", "lines"), JOIN_CASES)
def test_broken_lines(raw: str, lines: list[str]) -> None:
    assert normalize(raw).split("\n") == lines


def test_hard_wrapped_prose_rejoins_even_after_a_full_stop_at_the_line_end() -> None:
    # A PDF copy wrapped at 20 characters: the first line of the measure happens to end with 。.
    first, rest = "(一)推进乡村振兴。完成省对区实施考核。", "强化区强村富民集团和村集体合作,增加村集体收入。"
    assert len(first) == 20
    heading = "一、关于“增进民生福祉不够有力”问题的整改情况"
    block = [heading, first, rest[:20], rest[20:], "(二)加大养老服务供给。完成华丰社区照料中心提升改造。"]
    out = normalize("\n".join(block * 3)).split("\n")
    assert out[:3] == [heading, first + rest, block[-1]]
    assert len(out) == 9


def test_indented_line_starts_a_new_paragraph() -> None:
    text = "一是加强组织领导,成立领导小组,统筹推进各项整改任务,确保\n\u3000\u3000二是压实责任,层层传导压力。"
    assert normalize(text).split("\n") == [
        "一是加强组织领导,成立领导小组,统筹推进各项整改任务,确保",
        "二是压实责任,层层传导压力。",
    ]


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: p.name[:3])
def test_idempotent_and_lossless_on_samples(path) -> None:
    raw = path.read_text(encoding="utf-8")
    once = normalize(raw)
    assert normalize(once) == once
    # Nothing but whitespace is lost: every Chinese character survives, in order.
    assert [c for c in raw if "\u4e00" <= c <= "\u9fff"] == [c for c in once if "\u4e00" <= c <= "\u9fff"]
    assert "\r" not in once and "\n\n" not in once and " \n" not in once


def test_fold_replacements_are_final() -> None:
    """_fold searches on from the last folded character: no replacement may itself be foldable."""
    from loaders.parser import normalize as norm

    assert norm._FOLD_CHAR and all(k != v for k, v in norm._FOLD_CHAR.items())
    assert not any(norm._FOLDABLE.search(v) for v in norm._FOLD_CHAR.values())
    assert norm._fold("（一）﹐。、\u3000x\u200by") == "(一),。、 xy"


def test_fixes_reach_exactly_the_lines_their_trigger_matches() -> None:
    from loaders.parser import normalize as norm

    lines = ["已完成,,整改", "无需修改的一行", "", "己完成;。", "整改己全部完成", "最后一行,"]
    trigger = norm._fixes()[0]
    assert norm._lines_needing_fixes(lines) == [i for i, line in enumerate(lines) if trigger.search(line)]
    assert normalize("\n".join(lines)).split("\n")[0] == "已完成,整改"
