"""Site chrome and the source URL have one definition (config.yaml `page:`, read by loaders/parser/chrome.py):
the web reader and the text path ask the same rules, and a rule or a URL label added there reaches both."""

from __future__ import annotations

import re

import pytest

from loaders import config
from loaders.parser import chrome
from loaders.parser.read import read_document

RULE_KEYS = {"rx", "max", "web"}


def test_every_chrome_rule_is_a_regex_or_a_known_mapping() -> None:
    page = config.section("page")
    assert int(page["chrome_short_chars"]) < int(page["chrome_max_chars"])
    for rule in page["chrome_lines"]:
        rule = rule if isinstance(rule, dict) else {"rx": rule}
        assert set(rule) <= RULE_KEYS and "rx" in rule, rule
        assert rule.get("max") in (None, "short", "any"), rule
        re.compile(rule["rx"])
    assert page["source_url_labels"]
    assert chrome.is_chrome_element("bdshare_t bds_tools") and not chrome.is_chrome_element("article content")


def test_no_other_section_keeps_chrome_or_source_url_rules() -> None:
    for name in ("read", "segment", "text"):
        keys = set(config.section(name))
        assert not {k for k in keys if "chrome" in k or "source" in k}, (name, keys)


@pytest.fixture
def with_page(monkeypatch: pytest.MonkeyPatch):
    """config.yaml's `page:` with extra rules, the compiled rules rebuilt (and rebuilt again afterwards)."""
    real = config.section

    def install(**extra):
        page = dict(real("page"))
        page.update({k: [*page[k], *v] for k, v in extra.items()})
        monkeypatch.setattr(chrome, "section", lambda name: page if name == "page" else real(name))
        chrome._rules.cache_clear()
        chrome.is_chrome.cache_clear()
        chrome._text_chrome.cache_clear()

    yield install
    monkeypatch.undo()
    chrome._rules.cache_clear()
    chrome.is_chrome.cache_clear()
    chrome._text_chrome.cache_clear()


def test_a_web_rule_added_once_reaches_the_web_reader_and_the_text_path(with_page) -> None:
    line = "本页面由测试站点维护"
    assert not chrome.is_chrome(line) and not chrome.is_web_chrome(line)
    with_page(chrome_lines=[{"web": True, "rx": "由测试站点维护"}])
    assert chrome.is_chrome(line) and chrome.is_web_chrome(line)
    assert not chrome.is_chrome(line, strict=True)  # pieces of hard-wrapped paragraphs ignore web rules
    page = ("<html><body><article><p>" + "关于巡察整改进展情况的通报内容正文段落。" * 3 + "</p>"
            f"<p>{line}</p></article></body></html>")
    assert line not in read_document("x.html", page.encode()).text


def test_the_length_limits_of_a_rule() -> None:
    short = config.section("page")["chrome_short_chars"]
    assert chrome.is_web_chrome("扫一扫")  # a short-line rule
    assert not chrome.is_web_chrome("扫一扫" + "。" * short)
    assert chrome.is_chrome("扫一扫" + "。" * 300)  # an any-length rule for copied text
    longest = config.section("page")["chrome_max_chars"]
    assert chrome.is_chrome("作者:" + "。" * (longest - 3))  # a default rule: up to chrome_max_chars
    assert not chrome.is_chrome("作者:" + "。" * longest)


def test_a_source_url_label_added_once_reaches_text_lines_and_web_pages(with_page) -> None:
    url = "https://www.example.gov.cn/a/1.html"
    assert chrome.source_link(f"原文链接:{url}") == url
    assert chrome.source_url_in_text(f"见原文链接 {url}。") == url
    assert chrome.source_link(f"出处网址:{url}") is None
    with_page(source_url_labels=["出处网址"])
    assert chrome.source_link(f"出处网址:{url}") == url
    assert chrome.source_url_in_text(f"正文。出处网址:{url}") == url
    page = ("<html><body><article><p>" + "关于巡察整改进展情况的通报内容正文段落。" * 3 + "</p>"
            f'<p>出处网址:<a href="{url}">点此</a></p></article></body></html>')
    assert read_document("x.html", page.encode()).source_url == url
