"""Web pages saved from government sites: the article as lines, without the site around it.

A saved policy page carries the site with it: top bar, navigation, search box, breadcrumbs ("首页 > …"), the
"【字体：大 中 小】 打印" tools, share widgets, related-article lists, and a footer with 网站标识码 and ICP备案.
This reader removes them in four steps, each cheap to reason about:

1. prune elements that are never article text: scripts, styles, forms' controls, nav/header/footer/aside, hidden
   elements, elements whose class or id names site furniture (BreadcrumbNav, share, footer, ...), and blocks that
   are mostly links (menus, "相关稿件" lists; links to attached files count as text);
2. narrow to the smallest element that still holds nearly all remaining text and the page's title heading;
3. walk it into lines: block elements (p, div, li, h1-h6, tr, br, ...) end a line, <h1>-<h6> give heading hints,
   a table row of short cells is one line with cells joined by two spaces (as the Word reader does);
4. drop lines that are site furniture by their words (breadcrumbs, font-size tools, 分享到, footers).

trafilatura 2.3.1 and readability-lxml 0.9 were tried on such pages first. readability dropped <ul> lists and
tables of the article (its conditional cleaning counts ASCII commas, which Chinese text does not use), and
trafilatura folded short notices into one line together with the navigation; with its size limits lowered it
still lost lists and tables in div-based layouts. Lines are what the parser works on, so lxml it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.readers.base import BadFile, SourceText, TextBuilder, join_wrapped, read_bytes
from rag.readers.text import decode

__all__ = ["HtmlReader"]

_Element = Any  # lxml.html.HtmlElement; lxml is imported lazily, and its stubs are optional

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's whitespace; U+3000 and &nbsp; are text, kept as written

_NEVER_TEXT = {
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe", "frame", "frameset",
    "object", "embed", "applet", "svg", "math", "canvas", "video", "audio", "map", "input", "button", "select",
    "textarea", "option",
}  # fmt: skip
_LANDMARKS = {"nav", "header", "footer", "aside", "menu"}  # furniture unless they hold the title (<header><h1>)
_BLOCKS = {
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "hr", "html", "li", "main",
    "menu", "nav", "ol", "p", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}

# Words in class/id names that government CMS templates (TRS, 政府网站集约化平台, WordPress themes) give furniture.
_FURNITURE_NAMES = {
    "nav", "navbar", "navigation", "menu", "menus", "submenu", "breadcrumb", "breadcrumbs", "crumb", "crumbs",
    "bread", "position", "location", "weizhi", "dqwz", "header", "topbar", "toolbar", "tools", "share", "bdshare",
    "sharebox", "footer", "foot", "bottom", "copyright", "banner", "logo", "search", "sidebar", "side", "related",
    "relate", "xgwz", "xglj", "print", "printico", "font", "fontsize", "zoombtn", "qrcode", "ewm", "erweima",
    "wechat", "weibo", "comment", "comments", "login", "register", "skip", "wza", "pagination", "prevnext",
    "ad", "ads", "advert", "top", "dh", "daohang", "fx", "fenxiang",
}  # fmt: skip
# ...unless the name also says content: id="printContent" is the printable article on some sites.
_CONTENT_NAMES = {"content", "article", "text", "zoom", "detail", "body", "main", "zw", "zhengwen", "con", "cont"}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SENTENCE_MARKS = re.compile(r"[，。；！？]")
_DOCUMENT_LINK = re.compile(r"\.(?:docx?|wps|pdf|ofd|xlsx?|et|zip|rar|7z)(?:[?#].*)?$", re.I)

_KEEP_TEXT = 400  # an element with this much own text is content whatever its class says ("printContent")
_NEARLY_ALL = 0.85  # step 2: a child holding this share of the text (and the title) stands for the page
_ROW_TEXT = 500  # a table row longer than this is layout (a cell holds the article), not a data row

# Step 4: furniture lines, by their words.
_BREADCRUMB = re.compile(
    r"^(?:当前位置|您当前的位置|您的位置|您现在的位置|你的位置|你现在的位置|所在位置)\s*[:：]|^首页\s*[>＞»›/|｜]"
)
# The font-size tool: "【字体：大 中 小】", "字号：大中小", or the remains "【字体: " (bracketed or with 大中小, so that
# an article's "标题字体：方正小标宋" stays).
_SIZES = r"[【\[〖(（]?\s*(?:大\s*中\s*小|小\s*中\s*大)\s*[】\]〗)）]?"
_FONT_TOOL = re.compile(rf"[【\[]\s*字\s*[体号]\s*[:：]?\s*(?:{_SIZES})?\s*[】\]]?|字\s*[体号]\s*[:：]?\s*{_SIZES}")
# Page tools in brackets are never document text: "【打印】", "[关闭窗口]", "【我要纠错】".
_BRACKETED_TOOL = re.compile(
    r"[【\[]\s*(?:打印(?:本页|此页|文章)?|关闭(?:窗口|本页)?|返回(?:顶部|首页|列表)?|收藏(?:本页)?|我要纠错|纠错|"
    r"分享)\s*[】\]]"
)
_TOOL_WORDS = re.compile(
    r"^(?:[【\[]?\s*(?:打印(?:本页|此页|文章)?|关闭(?:窗口|本页)?|返回(?:顶部|首页|列表)?|回到顶部|收藏(?:本页)?|"
    r"分享(?:到)?|我要纠错|纠错|保存|默认|大|中|小)\s*[】\]]?\s*[:：|｜/]?\s*)+$"
)
_TOOL_LINE = re.compile(
    r"^(?:分享到|分享至|扫一扫|扫描二维码|用手机扫|今天是|【?我要纠错】?|责任编辑\s*[:：]|上一篇\s*[:：]?|下一篇\s*[:：]?|"
    r"(?:相关(?:链接|稿件|文章|阅读|新闻|文件|解读))\s*[:：]?$|(?:浏览|阅读|访问|点击)(?:次数|量|数)\s*[:：])"
)
_FOOTER_WORDS = re.compile(r"网站标识码|ICP\s*备|公网安备|版权所有|Copyright|©|技术支持\s*[:：]|建议使用.{0,20}浏览器")
# A line of nothing but site-wide links ("无障碍 | 长者模式 | English | 登录 | 注册").
_NAV_WORDS = re.compile(
    r"^(?:(?:首页|网站首页|网站地图|联系我们|网站声明|无障碍(?:浏览|阅读)?|长者模式|关怀版|English|ENGLISH|手机版|"
    r"登录|注册|简体|繁体|繁體|RSS|邮箱|[|｜/·•\s])\s*)+$"
)
_GRAMMAR_START = re.compile(
    r"^(?:第[一二三四五六七八九十百千零〇两\d]+[编篇章节条款]|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）])"
)
_FOOTER_MAX = 100  # a footer line is short; a long line naming 版权所有 is article text (copyright rules)


@dataclass
class _Weight:
    """Non-space characters under an element: all of them, and those inside links (file links count as text)."""

    text: int = 0
    links: int = 0
    anchors: int = 0


@dataclass
class _Lines:
    """Step 3's output: (line, heading level or None), and the line being collected."""

    out: list[tuple[str, int | None]] = field(default_factory=list)
    buf: list[str] = field(default_factory=list)

    def emit(self, text: str, level: int | None = None) -> None:
        self.emit_as_is(_WHITESPACE.sub(" ", text), level)

    def emit_as_is(self, text: str, level: int | None = None) -> None:
        if text.strip():
            self.out.append((text.strip(), level))

    def flush(self) -> None:
        self.emit("".join(self.buf))
        self.buf.clear()


class HtmlReader:
    """.html/.htm pages: the article's lines and heading hints, the title from <title> or the page heading."""

    suffixes: tuple[str, ...] = (".html", ".htm")

    def read(self, path: Path) -> SourceText:
        root = _parse(path)
        title_element = _title_element(root)
        shown = _text(title_element) if title_element is not None else None
        title = _meta_title(root) or shown or _page_title(root)
        body = root.find("body")
        body = root if body is None else body
        _prune(body, title_element)
        lines = _Lines()
        try:
            _walk_inside(_region(body, title_element), lines)
        except RecursionError:
            raise BadFile(path, "is nested too deeply to read; save the page again or as text") from None
        lines.flush()
        builder = TextBuilder()
        for line, level in lines.out:
            kept = _without_furniture(line)
            if kept:
                builder.add(kept, level)
        return builder.build(path, "html", title)


def _parse(path: Path) -> _Element:
    try:
        import lxml.html
    except ImportError:
        raise BadFile(path, "reading .html files needs lxml; pip install lxml") from None
    raw = read_bytes(path)
    declared = _META_CHARSET.search(raw[:4096])
    text = _XML_DECLARATION.sub("", decode(raw, path, declared.group(1).decode("ascii") if declared else None))
    if not text.strip():
        raise BadFile(path, "is empty (no text after reading it); add the full document instead")
    try:
        return lxml.html.document_fromstring(text)
    except Exception as e:  # lxml raises ParserError / ValueError subclasses on hopeless input
        raise BadFile(path, f"is not a readable HTML page ({e}); save the page again from the browser") from None


def _tag(el: _Element) -> str:
    """The lower-case tag name; "" for comments and processing instructions (their tag is not a string)."""
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _text(el: _Element) -> str:
    return _WHITESPACE.sub(" ", "".join(el.itertext())).strip()


def _meta_title(root: _Element) -> str | None:
    """The title a CMS states outright (TRS's ArticleTitle, Open Graph)."""
    for name in ("ArticleTitle", "articletitle", "og:title"):
        for meta in root.iter("meta"):
            if name in (meta.get("name"), meta.get("property")) and (meta.get("content") or "").strip():
                return str(meta.get("content")).strip()
    return None


def _page_title(root: _Element) -> str | None:
    """<title> without the site name that sites append ("不动产登记暂行条例_国务院文件_中国政府网")."""
    el = root.find(".//title")
    if el is None or not _text(el):
        return None
    first = re.split(r"\s*[_|｜]\s*|(?<!\d)\s*[-－—]\s*(?!\d)", _text(el))[0]
    return first if len(first) >= 4 else _text(el)


def _squash(text: str) -> str:
    return "".join(text.split())


def _title_element(root: _Element) -> _Element | None:
    """The element showing the document title, which step 2 must keep: a heading named in <title> or the CMS
    meta, else the innermost element whose whole text is that title (old sites use <font><b>), else an <h1>."""
    named = _squash(_meta_title(root) or _page_title(root) or "")
    if named:
        headings = [h for h in root.iter("h1", "h2", "h3") if _squash(_text(h)) and _squash(_text(h)) in named]
        if headings:
            return max(headings, key=lambda h: len(_text(h)))
        body = root.find("body")
        same = [
            el
            for el in (root if body is None else body).iter()
            if _tag(el) and _tag(el) not in _NEVER_TEXT and _squash(_text(el)) == named
        ]
        if same:
            return same[-1]  # document order puts the innermost of nested equal elements last
    return next((h for h in root.iter("h1") if _text(h)), None)


def _names(el: _Element) -> set[str]:
    """Words of the class and id: "BreadcrumbNav pages-date" -> {breadcrumb, nav, pages, date}."""
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    return {w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub(" ", raw).lower()) if w}


def _hidden(el: _Element) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or "display:none" in style or "visibility:hidden" in style


def _weights(root: _Element) -> dict[_Element, _Weight]:
    """Post-order sums of text and link text under every element (one pass, reused by steps 1 and 2)."""
    out: dict[_Element, _Weight] = {}

    def visit(el: _Element, in_link: bool) -> _Weight:
        tag = _tag(el)
        # Menus often have <a> without href (script-driven); links to attached files are document text.
        link = tag == "a" and not _DOCUMENT_LINK.search(el.get("href") or "")
        w = _Weight(anchors=int(link))
        own = len("".join((el.text or "").split())) if tag else 0
        w.text += own
        w.links += own if (in_link or link) else 0
        for child in el:
            cw = visit(child, in_link or link)
            w.text, w.links, w.anchors = w.text + cw.text, w.links + cw.links, w.anchors + cw.anchors
            tail = len("".join((child.tail or "").split()))
            w.text += tail
            w.links += tail if (in_link or link) else 0
        out[el] = w
        return w

    visit(root, False)
    return out


def _prune(body: _Element, title: _Element | None) -> None:
    """Step 1: remove what is never article text; an element holding the title is never removed."""
    keep = set() if title is None else {title, *title.iterancestors()}
    weights = _weights(body)
    doomed = [el for el in body.iterdescendants() if el not in keep and _is_furniture(el, weights)]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()  # keeps the tail text, which belongs to the parent


def _is_furniture(el: _Element, weights: dict[_Element, _Weight]) -> bool:
    tag = _tag(el)
    if not tag:
        return True  # comments
    if tag in _NEVER_TEXT or _hidden(el):
        return True
    w = weights.get(el, _Weight())
    if w.text - w.links >= _KEEP_TEXT:
        return False
    names = _names(el)
    if tag in _LANDMARKS or (names & _FURNITURE_NAMES and not names & _CONTENT_NAMES):
        return True
    # Menus and link lists: several links, little else, no sentence. A paragraph citing three linked documents
    # has its commas; lines naming attachments stay ("附件：1. ….docx").
    if w.anchors >= 3 and w.links > 0.6 * w.text:
        text = _text(el)
        return not _SENTENCE_MARKS.search(text) and not text.startswith("附件")
    return False


def _region(body: _Element, title: _Element | None) -> _Element:
    """Step 2: descend while one child holds nearly all the text and, when the page shows a title, contains it
    (the title line and the dateline beside it belong to the document)."""
    weights = _weights(body)
    holders = set() if title is None else set(title.iterancestors())
    node = body
    while True:
        total = weights[node].text - weights[node].links
        children = [c for c in node if _tag(c)]
        best = max(children, key=lambda c: weights[c].text - weights[c].links, default=None)
        if best is None or total <= 0 or weights[best].text - weights[best].links < _NEARLY_ALL * total:
            return node
        if title is not None and best not in holders:
            return node
        node = best


def _walk(el: _Element, lines: _Lines) -> None:
    """Step 3: lines from the element tree; inline text accumulates in lines.buf until a block ends it."""
    tag = _tag(el)
    if tag == "br":
        lines.flush()
    elif tag in _HEADINGS:
        lines.flush()
        lines.emit(_heading_text(el), _HEADINGS[tag])
    elif tag == "pre":
        lines.flush()
        for line in "".join(el.itertext()).split("\n"):
            lines.emit(line)
    elif tag == "tr" and _is_data_row(el):
        lines.flush()
        lines.emit_as_is("  ".join(filter(None, (_cell_text(c) for c in el if _tag(c) in ("td", "th")))))
    elif tag in _BLOCKS:
        lines.flush()
        _walk_inside(el, lines)
        lines.flush()
    elif tag:
        _walk_inside(el, lines)
    lines.buf.append(el.tail or "")


def _walk_inside(el: _Element, lines: _Lines) -> None:
    lines.buf.append(el.text or "")
    for child in el:
        _walk(child, lines)


def _heading_text(el: _Element) -> str:
    """A heading is one line: a <br> in it is a visual break of one title (joined without a space in Chinese)."""
    text = ""
    for part in _segments(el):
        text = join_wrapped(text, part)
    return text


def _cell_text(el: _Element) -> str:
    """A table cell on one line: its paragraphs and <br> lines joined by a space."""
    return " ".join(_segments(el))


def _segments(el: _Element) -> list[str]:
    """The non-blank pieces of text inside `el`, cut at <br> and block elements."""
    pieces: list[list[str]] = [[el.text or ""]]

    def visit(child: _Element) -> None:
        tag = _tag(child)
        if tag == "br" or tag in _BLOCKS:
            pieces.append([])
        if tag and tag != "br":
            pieces[-1].append(child.text or "")
            for grandchild in child:
                visit(grandchild)
        if tag in _BLOCKS:
            pieces.append([])
        pieces[-1].append(child.tail or "")

    for child in el:
        visit(child)
    return [t for t in (_WHITESPACE.sub(" ", "".join(p)).strip() for p in pieces) if t]


def _is_data_row(tr: _Element) -> bool:
    """A row of short cells (a table in the article), not a layout row whose cell holds the page."""
    return tr.find(".//table") is None and len(_text(tr)) <= _ROW_TEXT


def _without_furniture(line: str) -> str:
    """Step 4: "" for a furniture line; a dateline loses its font-size and print tools but stays."""
    line = _BRACKETED_TOOL.sub(" ", line).strip()
    if _BREADCRUMB.search(line) or _TOOL_LINE.search(line) or _TOOL_WORDS.match(line) or _NAV_WORDS.match(line):
        return ""
    if len(line) <= _FOOTER_MAX and _FOOTER_WORDS.search(line) and not _GRAMMAR_START.match(line):
        return ""
    tooled = _FONT_TOOL.sub(" ", line)
    if tooled != line:  # "2019-03-24 来源：中国政府网 【字体：大 中 小】 打印" -> the dateline alone
        tooled = re.sub(r"(?:\s*(?:打印|关闭|收藏|分享)\S{0,3})+\s*$", "", tooled)
        return "" if _TOOL_WORDS.match(tooled.strip() or "打印") else " ".join(tooled.split())
    return line
