"""Pure parsing: an official document's text -> Document (preamble, intros, citable units, paragraphs with spans).

Headings come from the grammar in rag.grammar (a table of styles) plus a reader's hints (Word heading
styles, HTML <h1>-<h6>); this module nests them into heading paths, cuts the text into sections, skips a
table of contents and site furniture, and reads the metadata (title, date, issuer, approval) from the
publishing notice. Spans index the text itself: text[p.start:p.end] == p.text for every paragraph.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from rag.grammar import Heading, classify, cn_to_int, find_toc, is_grammar, strip_markdown
from rag.numbering import settle_runs
from rag.types import Document, Paragraph, Section

__all__ = ["ParseError", "cn_to_int", "doc_id_for", "parse"]

# Site furniture around a document copied from a government site (navigation, widgets, footers).
_FURNITURE = re.compile(
    r"^(一网搜.*|.*登录\s*[|｜]\s*注册.*|首页\s*[>＞].*|政府信息公开|【字体.*|.*打印\s*】?|分享到.*|扫一扫.*|"
    r"当前位置.*|上一篇.*|下一篇.*|关闭窗口|返回顶部|.*网站标识码.*|.*ICP备.*|.*公网安备.*|【(?:关闭|打印)】.*)$"
)
_INFO_END = "<!-- INFO END -->"  # lawrefbook: the title and adoption record come before it
_NOTICE = re.compile(r"关于印发.*的?通知|印发给你们|现予印发|现印发|现予公布|予以公布|请认真贯彻|请结合实际")
_DATELINE = re.compile(
    r"(?:时间|日期|发布时间|发文日期|成文日期|来源|发文机关)[:：]|^[(（]?\d{4}年\d{1,2}月\d{1,2}日[)）]?$"
)
_DATE = re.compile(  # a dateline, or the date in brackets under a central document's title: （2022年3月25日）
    r"(?:时间|日期|发布时间|发文日期|成文日期)[:：]\s*(\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)|"
    r"^[(（](\d{4}年\d{1,2}月\d{1,2}日)[)）]$",
    re.M,
)
_SOURCE = re.compile(r"来源[:：]\s*(\S+)")
_APPROVED = re.compile(r"经(?:过)?([^，,。《》]*?会议)(?:审查|审议)?批准")
_BOOK_TITLE = re.compile(r"《([^》]{6,})》")
_PRINTED = re.compile(r"关于印发(.{6,}?)的通知")
_VERSION = re.compile(r"[(（](\d{4}-\d{1,2}-\d{1,2})[)）]|(\d{4}-\d{2}-\d{2})")
NO_HEADINGS = "no headings found: indexed as one unit"


class ParseError(ValueError):
    """The text cannot be read as a document (it is empty)."""


@dataclass
class _Line:
    start: int
    end: int
    text: str


@dataclass
class _Unit:
    """A section being built: the heading path, and whether sub-headings (not boxes) nest in it."""

    path: tuple[str, ...]
    titles: tuple[str, ...]
    paras: list[Paragraph] = field(default_factory=list)
    parent: bool = False


@dataclass
class _Open:
    heading: Heading
    unit: _Unit


def doc_id_for(name: str) -> str:
    """A stable, URL-safe document id from a file name: its stem, lower-cased, Chinese kept, the rest '-'."""
    return re.sub(r"[^\w\-]+", "-", _stem(name)).strip("-").lower() or "doc"


# The visible content of a line: from its first to its last character that is neither a space nor a zero-width
# character (U+200B..U+200D, U+2060, U+FEFF; web exports put them on lines meant to be empty).
_INVISIBLE = r"\s\u200b-\u200d\u2060\ufeff"
_CONTENT = re.compile(f"[^{_INVISIBLE}](?:.*[^{_INVISIBLE}])?")


def _lines(text: str) -> list[_Line]:
    """Non-blank lines with the span of their visible content (spaces and zero-width characters trimmed)."""
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        m = _CONTENT.search(raw.rstrip("\r\n"))
        if m:
            out.append(_Line(pos + m.start(), pos + m.end(), m.group()))
        pos += len(raw)
    return out


def _cut(stack: list[_Open], h: Heading) -> int:
    """How many open headings stay open (are ancestors of h)."""
    if h.level is not None:  # outline levels decide where the grammar cannot: for a heading it does not know
        for i, o in enumerate(stack):
            lvl = o.heading.level
            if lvl is not None and lvl >= h.level and not (is_grammar(h) and is_grammar(o.heading)):
                return i
    rank = h.style.rank
    if rank is not None and rank < 0:
        return 0  # an annex closes everything: the body is over
    for i, o in enumerate(stack):
        if rank is not None and o.heading.style.rank is not None and o.heading.style.rank >= rank:
            return i  # a ranked heading closes the open one of its rank or deeper
        if rank is None and o.heading.style.key == h.style.key:
            return i  # an enumeration style already open: its next item is a sibling
    # A new enumeration style nests one level deeper; nothing nests in a 条 or a 专栏 box.
    return len(stack) - 1 if stack and stack[-1].heading.style.leaf else len(stack)


def parse(
    text: str,
    doc_id: str = "doc",
    path: str | None = None,
    *,
    pages: Sequence[int] = (),
    hints: Sequence[tuple[int, int]] = (),
    title: str | None = None,
    fmt: str = "text",
    version: str | None = None,
) -> Document:
    """Parse a document. `pages`: start offsets of PDF pages; `hints`: (offset, level) of lines a reader knows
    to be headings (Word heading styles, HTML <h1>-<h6>); `title`: the reader's title, if it knows one."""
    lines = _lines(text)
    if not lines:
        raise ParseError("the document is empty")
    info = next((i for i, line in enumerate(lines) if line.text == _INFO_END), -1)
    meta, body = lines[: max(info, 0)], lines[info + 1 :]
    ends = [line.end for line in lines]
    levels = {bisect.bisect_left(ends, off) - (info + 1): lvl for off, lvl in hints if off <= ends[-1]}
    heads = [classify(line.text, levels.get(i)) for i, line in enumerate(body)]
    settle_runs([line.text for line in body], heads)
    # A lone top-level line the grammar does not know, before any heading, is the title ("# 标题", an <h1>).
    tops = [i for i, h in enumerate(heads) if h and h.level == 1 and not is_grammar(h)]
    if len(tops) == 1 and not any(heads[: tops[0]]):
        heads[tops[0]] = None
    md_title = next((x.text for x in meta if x.text.startswith("#")), None)
    md_title = md_title or next((body[i].text for i in tops if heads[i] is None), None)

    def para(start: int, end: int) -> Paragraph:
        page = (bisect.bisect_right(pages, start) or None) if pages else None  # 1-based
        return Paragraph(start, end, text[start:end], None, page)

    # A markdown title line is quoted without its '#' marks (they are markup, not the document's words).
    preamble = _Unit((), (), [para(x.start + strip_markdown(x.text)[1], x.end) for x in meta])
    units = _nest(body, heads, find_toc([x.text for x in body]), preamble, para)
    pre = preamble.paras
    doc_title = title or _title(pre, md_title) or (_stem(path) if path else doc_id)
    notice = any(_NOTICE.search(p.text) for p in pre)
    preamble.paras = [
        replace(p, role=_role(meta[k].text if k < len(meta) else p.text, doc_title, notice, k < len(meta)))
        for k, p in enumerate(pre)
    ]
    warnings: list[str] = []
    if len(units) == 1:
        if not preamble.paras:
            raise ParseError("the document is empty")  # nothing but site furniture
        warnings.append(NO_HEADINGS)
        sections = [Section(doc_id, "body", (), (), tuple(preamble.paras))]
    else:
        # A heading's own text is its intro when headings nest in it; a heading with neither is an empty unit.
        sections = [_section(doc_id, u, u is preamble) for u in units if u.paras or not (u.parent or u is preamble)]
    counts = Counter(s.path for s in sections)
    warnings += ["duplicate heading path: " + "·".join(p) for p, n in counts.items() if n > 1]
    head = "\n".join(p.text for p in pre)
    return Document(
        doc_id=doc_id,
        title=doc_title,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        sections=tuple(sections),
        date=_first(_DATE, head),
        source=_first(_SOURCE, head),
        approved_by=_first(_APPROVED, head),
        path=path,
        fmt=fmt,
        version=version or _version(path),
        warnings=tuple(warnings),
    )


def _nest(
    body: list[_Line],
    heads: list[Heading | None],
    toc: range,
    preamble: _Unit,
    para: Callable[[int, int], Paragraph],
) -> list[_Unit]:
    """The units in reading order (the preamble first): a stack of open headings gives each one its path."""
    units, seen = [preamble], False
    stack: list[_Open] = []
    for i, line in enumerate(body):
        h = heads[i]
        if i in toc:
            continue
        if h is not None and h.level is None and h.style.enumerated and stack and stack[-1].heading.style.leaf:
            # (一) inside a 条 is a 项, not a heading, unless its style is open above the 条 (一、 groups of 条).
            h = h if any(o.heading.style.key == h.style.key for o in stack) else None
        if h is None:
            if seen or not _FURNITURE.match(line.text):
                (stack[-1].unit if stack else preamble).paras.append(para(line.start, line.end))
            continue
        seen = True
        del stack[_cut(stack, h) :]
        parent = stack[-1].unit if stack else None
        if parent is not None and h.style.key != "专栏":
            parent.parent = True  # a box sits beside its heading's text, which stays a body
        unit = _Unit((parent.path if parent else ()) + (h.label,), (parent.titles if parent else ()) + (h.title,))
        units.append(unit)
        stack.append(_Open(h, unit))
        if h.body is not None:
            unit.paras.append(para(line.start + h.body, line.end))
    return units


def _section(doc_id: str, u: _Unit, preamble: bool) -> Section:
    kind = "preamble" if preamble else ("intro" if u.parent else "body")
    return Section(doc_id, kind, u.path, u.titles, tuple(u.paras))  # type: ignore[arg-type]


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    m = pattern.search(text)
    return next((g.strip() for g in m.groups() if g), None) if m else None


def _stem(path: str) -> str:
    return re.sub(r"\.[A-Za-z0-9]+$", "", re.split(r"[\\/]", path)[-1])


def _version(path: str | None) -> str | None:
    """The version a file name carries: 北京市优化营商环境条例(2024-…).md -> the date in parentheses."""
    return _first(_VERSION, _stem(path)) if path else None


def _title(pre: Sequence[Paragraph], md_title: str | None) -> str | None:
    """The 《…》 named by the notice (or a line that is only 《…》), else the markdown title, else the first
    title-like line of the preamble."""
    for p in pre:
        m = _BOOK_TITLE.search(p.text) or _PRINTED.search(p.text)
        if m and (_NOTICE.search(p.text) or m.group(0) == p.text):
            return m.group(1)
    if md_title:
        return md_title[strip_markdown(md_title)[1] :].strip()
    for p in pre:
        t = p.text
        if len(t) <= 60 and not (_FURNITURE.match(t) or _DATELINE.search(t) or t.endswith(tuple("。；;：:"))):
            return t
    return None


def _role(line: str, title: str, notice: bool, meta: bool) -> str:
    """notice: the covering notice, its date/source line and addressees; title: the document's own title lines."""
    bare = re.sub(r"[#《》\s]", "", line)
    if (meta and line.startswith("#")) or (len(bare) >= 4 and bare in re.sub(r"\s", "", title)):
        return "title"
    if meta or _NOTICE.search(line) or _DATELINE.search(line):
        return "notice"
    if notice and line.endswith((":", "：")) and len(line) <= 200 and "。" not in line:
        return "notice"  # the addressee line of a covering notice
    return "body"
