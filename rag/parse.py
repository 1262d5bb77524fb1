"""Pure parsing: plan text -> Document (preamble, 篇, intros, 章, paragraphs), each paragraph with its span."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from rag.types import Document, Paragraph, Section

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"[零〇一二两三四五六七八九十百千\d０-９]+"
# A heading: 第X篇/章/节, then optional spaces (half or full width) or punctuation, then a short title.
_SEP = r"[\s\u3000:：、.．,，]*"
_HEADING = re.compile(rf"^[\s\u3000]*(第[\s\u3000]*({_NUM})[\s\u3000]*([篇章节]))(?:{_SEP}(.*?))?[\s\u3000]*$")
_MAX_TITLE = 60  # longer "headings" are prose that happens to start with 第X章

# Site furniture that is not part of the plan (navigation, print/font widgets, login links).
_BOILERPLATE = re.compile(
    r"^(一网搜.*|.*登录\s*[|｜]\s*注册.*|首页\s*[>＞].*|政府信息公开|【字体.*|.*打印\s*】?|分享到.*|扫一扫.*|"
    r"当前位置.*|上一篇.*|下一篇.*|关闭窗口|返回顶部)$"
)
_DATE = re.compile(r"(?:时间|日期|发布时间)[:：]\s*(\d{4}-\d{1,2}-\d{1,2})")
_SOURCE = re.compile(r"来源[:：]\s*(\S+)")
_APPROVED = re.compile(r"经(?:过)?([^，,。《》]*?会议)(?:审查|审议)?批准")
_BOOK_TITLE = re.compile(r"《([^》]{6,})》")


class ParseError(ValueError):
    """The text is not a plan this parser can read (empty, or no 篇/章 headings)."""


def cn_to_int(s: str) -> int:
    """Chinese or Arabic numeral to int: 十一 -> 11, 二十三 -> 23, 一百零五 -> 105, 12 -> 12."""
    s = s.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if s.isdigit():
        return int(s)
    total, digit = 0, 0
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (digit or 1) * _UNITS[ch]
            digit = 0
        else:
            raise ValueError(f"not a numeral: {s!r}")
    return total + digit


@dataclass
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> list[_Line]:
    """Non-blank lines with the span of their stripped content."""
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped = body.strip(" \t\u3000\xa0")
        if stripped:
            lead = len(body) - len(body.lstrip(" \t\u3000\xa0"))
            out.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw)
    return out


def _heading(line: str) -> tuple[str, int, str, str] | None:
    """(as written e.g. 第二篇, number, level 篇/章/节, title) if the line is a heading."""
    m = _HEADING.match(line)
    if not m:
        return None
    title = (m.group(4) or "").strip()
    if len(title) > _MAX_TITLE or title.endswith(("。", "；", ";")):
        return None
    try:
        number = cn_to_int(m.group(2))
    except ValueError:
        return None
    written = re.sub(r"[\s\u3000]", "", m.group(1))
    return written, number, m.group(3), title


def doc_id_for(name: str) -> str:
    """A document id from a file name: its stem, lower-cased, safe for URLs and chunk ids."""
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", name.rsplit("/", 1)[-1])
    return re.sub(r"[^\w\-]+", "-", stem).strip("-").lower() or "plan"


def parse(text: str, doc_id: str = "plan", path: str | None = None) -> Document:
    """Parse a plan. Spans index `text` itself, so text[p.start:p.end] == p.text for every paragraph."""
    if not text.strip():
        raise ParseError("the plan file is empty")
    lines = _lines(text)
    sections: list[Section] = []
    part: tuple[str, int, str] | None = None
    chapter: tuple[str, int, str] | None = None
    subheading: str | None = None
    paras: list[Paragraph] = []
    kind = "preamble"
    seen_heading = False

    def flush() -> None:
        # A section with no body still exists (a 篇 with no intro has none; a 章 always keeps its place).
        if kind in ("intro", "preamble") and not paras:
            return
        sections.append(
            Section(
                doc_id=doc_id,
                kind=kind,  # type: ignore[arg-type]
                part=part[0] if part else None,
                part_no=part[1] if part else None,
                part_title=part[2] if part else None,
                chapter=chapter[0] if chapter else None,
                chapter_no=chapter[1] if chapter else None,
                chapter_title=chapter[2] if chapter else None,
                paragraphs=tuple(paras),
            )
        )

    for line in lines:
        h = _heading(line.text)
        if h is not None and h[2] in "篇章":
            flush()
            paras, subheading, seen_heading = [], None, True
            if h[2] == "篇":
                part, chapter, kind = (h[0], h[1], h[3]), None, "intro"
            else:
                chapter, kind = (h[0], h[1], h[3]), "chapter"
            continue
        if h is not None and h[2] == "节" and kind == "chapter":
            subheading = f"{h[0]} {h[3]}".strip()
        if not seen_heading and _BOILERPLATE.match(line.text):
            continue
        paras.append(Paragraph(line.start, line.end, line.text, subheading))
    flush()
    if not seen_heading:
        raise ParseError("no 篇 or 章 headings found: is this a plan outline?")

    preamble = next((s for s in sections if s.kind == "preamble"), None)
    head = preamble.text if preamble else ""
    return Document(
        doc_id=doc_id,
        title=_title(head, lines),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        sections=tuple(sections),
        date=_first(_DATE, head),
        source=_first(_SOURCE, head),
        approved_by=_first(_APPROVED, head),
        path=path,
    )


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    m = pattern.search(text)
    return m.group(1).strip() if m else None


def _title(head: str, lines: list[_Line]) -> str:
    """The plan's title: the 《…》 name in the notice, else the first line that is not site furniture."""
    m = _BOOK_TITLE.search(head)
    if m:
        return m.group(1)
    for line in lines:
        if not _BOILERPLATE.match(line.text) and not _heading(line.text):
            return line.text[:80]
    return "规划纲要"
