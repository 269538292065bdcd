"""A web page → the report's text: main content via trafilatura, site chrome dropped, a paragraph per line."""

from __future__ import annotations

import copy
import itertools
import re

import lxml.html
from lxml import etree

from loaders.messages import reason, warning
from loaders.models import ParseWarning
from loaders.parser.chrome import (
    is_chrome_element,
    is_web_chrome,
    max_chrome_chars,
    source_url_in_text,
    source_url_labels,
)
from loaders.parser.read.base import HAN, ReadError, han_count

# (text, source URL, warnings, aside lines): what extract_page returns
PageText = tuple[str, str | None, tuple[ParseWarning, ...], tuple[str, ...]]

_BLOCK_TAGS = frozenset(
    ("p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table",
     "tr", "blockquote", "pre", "center", "dl", "dt", "dd", "header", "footer", "nav", "aside", "form",
     "figure", "figcaption", "address", "hr")
)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "form", "select",
              "button", "input", "textarea", "nav", "header", "footer", "aside", "svg", "canvas")
_NO_SPACE = re.compile(r"\s+")
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|——| - | — )\s*")
_MIN_PARAGRAPH_CJK = 20  # an article has at least one real paragraph
_MIN_FALLBACK_SHARE = 0.4  # trafilatura keeping less than this share of the page's Chinese text has failed
# <meta> names under which CMSs print the publication date (PubDate, publishdate, firstpublishedtime …).
_META_DATE = re.compile(r"pubdate|publishdate|publish_date|firstpublishedtime|releasedate|dc\.date", re.I)
_ISO_DAY = re.compile(r"((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})")


def extract_page(page: str, name: str) -> PageText:
    """(text, source URL, warnings, aside) of the article in an HTML page. `aside` holds the short lines of
    the page that are not in the text (its 发布时间 / 来源 / 成文日期 chrome, and a 发布日期 line made from a
    <meta> publication date): the parser reads the page's date and publisher from them."""
    tree = _parse(page, name)
    source_url = page_source_url(tree)
    title = page_title(tree)
    unwrap_layout_tables(tree)
    fallback = render_blocks(strip_chrome_elements(copy.deepcopy(tree)))
    main = _trafilatura(copy.deepcopy(tree))
    warnings: tuple[ParseWarning, ...] = ()
    if main is None or han_count(main) < _MIN_FALLBACK_SHARE * han_count(fallback):
        main = fallback
        warnings = (warning("html_fallback", name=name),)
    else:
        main = article_span(fallback, main)
    lines = [ln.rstrip() for ln in main.splitlines()]
    lines = [ln for ln in lines if ln.strip() and not is_web_chrome(ln)]
    if title:
        lines = with_title(lines, title)
    text = "\n".join(lines)
    # A page whose every line is a few words (menus, link lists, captions) has no article on it.
    if not any(han_count(ln) >= _MIN_PARAGRAPH_CJK for ln in lines):
        raise ReadError(name, reason("web_no_article"))
    kept = set(lines)
    aside = [*page_meta_dates(tree), *(ln.strip() for ln in fallback.splitlines()
                                        if ln.strip() and ln not in kept and len(ln) <= max_chrome_chars())]
    return text, source_url or source_url_in_text(text), warnings, tuple(aside)


def _parse(page: str, name: str) -> lxml.html.HtmlElement:
    # lxml refuses str input that still carries an XML encoding declaration.
    page = re.sub(r"\A\s*<\?xml[^>]*>", "", page)
    try:
        return lxml.html.document_fromstring(page)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(name, reason("web_not_html")) from exc


def _trafilatura(tree: lxml.html.HtmlElement) -> str | None:
    import trafilatura

    # Tables kept (ledgers of issues are tables); deduplication off: reports repeat sentences on purpose.
    return trafilatura.extract(
        tree, include_tables=True, include_comments=False, include_images=False, deduplicate=False
    )


def article_span(page_text: str, located: str) -> str:
    """The lines of our own rendering of the page that lie where trafilatura located the article.

    trafilatura finds the article well but drops repeated identical paragraphs even with
    deduplicate=False, and reports repeat lines on purpose (`整改结果:完成` under every item, the same
    `关于…的通报` title in each attachment). So its output only marks the span: from the first to the
    last real paragraph it kept
    (at least _MIN_PARAGRAPH_CJK Chinese characters, so a title echoed in a breadcrumb cannot anchor it),
    widened over adjacent lines it also kept (title, signature, date, table rows) and over site chrome
    between them (dropped afterwards anyway).
    """
    lines = page_text.splitlines()
    kept = {_squash(ln) for ln in located.splitlines() if ln.strip()}
    hits = [i for i, ln in enumerate(lines) if _squash(ln) in kept]
    anchors = [i for i in hits if han_count(lines[i]) >= _MIN_PARAGRAPH_CJK]
    if not anchors:
        return located
    start, end = anchors[0], anchors[-1]
    def belongs(i: int) -> bool:
        return _squash(lines[i]) in kept or is_web_chrome(lines[i])

    while start > 0 and belongs(start - 1):
        start -= 1
    while end + 1 < len(lines) and belongs(end + 1):
        end += 1
    return "\n".join(lines[start:end + 1])


def _squash(line: str) -> str:
    """A line compared without spacing or table-cell bars (the two renderings differ only there)."""
    return re.sub(r"[\s|]+", "", line)


# --- metadata ----------------------------------------------------------------------------------------------


def page_title(tree: lxml.html.HtmlElement) -> str | None:
    """The article title: the first substantial <h1>, else <title> minus the site name after "_" or "|"."""
    for h1 in tree.iter("h1"):
        text = _NO_SPACE.sub(" ", h1.text_content()).strip()
        if 5 <= len(text) <= 200 and HAN.search(text):
            return text
    node = tree.find(".//title")
    if node is None or not node.text_content().strip():
        return None
    parts = [p for p in _TITLE_SPLIT.split(node.text_content().strip()) if HAN.search(p)]
    return max(parts, key=len) if parts else None


def page_meta_dates(tree: lxml.html.HtmlElement) -> list[str]:
    """`发布日期:YYYY-MM-DD` lines from <meta name="PubDate" content="2023-10-20 16:40"> and the like."""
    out = []
    for meta in tree.iter("meta"):
        key = f"{meta.get('name', '')} {meta.get('property', '')}"
        m = _ISO_DAY.search(meta.get("content", "")) if _META_DATE.search(key) else None
        if m:
            out.append(f"发布日期:{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}")
    return out[:1]


def page_source_url(tree: lxml.html.HtmlElement) -> str | None:
    """The URL the page states as its source: a 原文链接 link (the original publication, when this page is a
    mirror) first, then <link rel="canonical">, then og:url."""
    labels = source_url_labels()
    named = {f"l{i}": label for i, label in enumerate(labels)}
    # One walk of the tree says whether any label is there at all (most pages: none), before one per label.
    anywhere = " or ".join(f"contains(text(), ${key})" for key in named)
    if not labels or not tree.xpath(f"//*[{anywhere}]", **named):
        labels = ()
    for label in labels:
        for node in tree.xpath("//*[contains(text(), $label)]", label=label):
            for anchor in [*node.iter("a"), node.getnext()]:
                href = anchor.get("href", "") if anchor is not None and anchor.tag == "a" else ""
                if href.startswith(("http://", "https://")):
                    return href.strip()
            url = source_url_in_text(node.text_content())
            if url:
                return url
    for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        found = [u.strip() for u in tree.xpath(xpath) if u.strip().startswith(("http://", "https://"))]
        if found:
            return found[0]
    return None


def with_title(lines: list[str], title: str) -> list[str]:
    """Put the title first unless the first lines already hold it (maybe split over two lines)."""
    head = _NO_SPACE.sub("", "".join(lines[:3]))
    return lines if _NO_SPACE.sub("", title) in head else [title, *lines]


# --- page furniture ----------------------------------------------------------------------------------------


def unwrap_layout_tables(tree: lxml.html.HtmlElement) -> None:
    """Old CMS pages lay out the whole page in nested tables. trafilatura would flatten such a "table" into
    one line per row, so tables whose cells hold blocks (paragraphs, divs, other tables) become divs."""
    layout = [t for t in tree.iter("table") if _is_layout_table(t)]
    for table in layout:
        for el in [table, *table.iter("tbody", "thead", "tfoot", "tr", "td", "th")]:
            if el is table or _owner_table(el) is table:
                el.tag = "div"
                el.attrib.pop("colspan", None)
                el.attrib.pop("rowspan", None)


def _owner_table(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _is_layout_table(table: etree._Element) -> bool:
    if _is_issue_table(table):
        return False
    for cell in table.iter("td", "th"):
        if _owner_table(cell) is not table:
            continue
        if any(child.tag in ("p", "div", "table", "h1", "h2", "h3", "ul", "ol") for child in cell.iter()):
            return True
        if len(cell.findall(".//br")) >= 2:
            return True
    return False


def _is_issue_table(table: etree._Element) -> bool:
    """A table of problems (a header row naming 反馈问题 / 整改措施 / 完成情况 … among its first rows) keeps
    its rows even when its cells hold paragraphs, as Word-exported pages write them."""
    from loaders.parser.tables import TableReader

    rows = list(itertools.islice((row for row in table.iter("tr") if _owner_table(row) is table), 3))
    return any(TableReader.from_header([c.text_content() for c in row if c.tag in ("td", "th")]) is not None
               for row in rows)


def strip_chrome_elements(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """Remove scripts, forms, nav/header/footer and elements whose class or id names page furniture."""
    doomed = list(tree.iter(*_DROP_TAGS))
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        attrs = f"{el.get('class', '')} {el.get('id', '')}"
        if attrs.strip() and is_chrome_element(attrs):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    return tree


def render_blocks(tree: lxml.html.HtmlElement) -> str:
    """All text of the page, one block element (p, div, h1, li, table row…) or <br> segment per line;
    lines that are mostly link text (menus, related-article lists) are dropped."""
    lines: list[list[tuple[str, bool]]] = [[]]
    _walk(tree.find("body") if tree.find("body") is not None else tree, lines, in_link=False)
    out = []
    for pieces in lines:
        text = _NO_SPACE.sub(" ", "".join(t for t, _ in pieces)).strip()
        linked = sum(len(t.strip()) for t, is_link in pieces if is_link)
        if text and linked <= 0.6 * len(text.replace(" ", "")):
            out.append(text)
    return "\n".join(out)


def _walk(el: etree._Element, lines: list[list[tuple[str, bool]]], in_link: bool) -> None:
    if not isinstance(el.tag, str):  # comments, processing instructions
        if el.tail:
            lines[-1].append((el.tail, in_link))
        return
    block = el.tag in _BLOCK_TAGS or el.tag == "br"
    link = in_link or el.tag == "a"
    if block:
        lines.append([])
    if el.text:
        lines[-1].append((el.text, link))
    for child in el:
        if el.tag == "tr":
            _walk_cell(child, lines, link)
        else:
            _walk(child, lines, link)
    if block:
        lines.append([])
    if el.tail:
        lines[-1].append((el.tail, in_link))


def _walk_cell(cell: etree._Element, lines: list[list[tuple[str, bool]]], in_link: bool) -> None:
    """Cells of a data table stay on their row's line, as "| a | b"."""
    lines[-1].append(("| ", False))
    lines[-1].append((cell.text_content().strip() + " ", in_link))
    if cell.tail:
        lines[-1].append((cell.tail, in_link))
