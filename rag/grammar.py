"""The heading grammar of Chinese official documents: a table of heading styles and a classifier for one line.

Plans, opinions, reports, laws and regulations all number their headings from one small repertoire:
第X编/分编/篇/章/节/条 (ranked: they nest by rank), 一、 （一） 1. （1） ① (enumerations: they nest by
order of first appearance, which the parser decides), 专栏N boxes and 附件 annexes. Adding a style is one row in
STYLES, never code per document type. Pure: no I/O, no knowledge of the document around the line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeGuard

# Any Unicode space: half-width, ideographic (full-width) U+3000, no-break, en spaces (U+2002) from Word.
_S = r"\s"
_CN = "零〇一二两三四五六七八九十百千"
_NUM = f"(?:[{_CN}]+|[0-9０-９]+)"
_MARKDOWN = re.compile(r"(#{1,6})\s*")
# What may sit between a label and its title: "第一章 总则", "第一章：总则", "第一章、总则", "第一章．总则".
_SEP = re.compile(r"[\s:：、.．]*")
# With no separator ("第十条规定的…", "第三章所述…"), these first characters make it a cross-reference, not a title.
_REFERENCE = tuple("的所之中和或至及与以规第条款项、，。,")
_SENTENCE = re.compile("[。；;]")


@dataclass(frozen=True)
class Style:
    """One row of the grammar: how a label is written and how its heading behaves."""

    key: str  # 章, 条, 一、, （一）, 1. … ; "h<level>" for a heading known only from its outline level
    label: re.Pattern[str]  # the label at the start of the line
    rank: int | None = None  # ranked styles nest by rank; None: an enumeration, nested by first appearance
    leaf: bool = False  # nothing nests in it (条, 专栏): an enumeration inside is a list item (款/项)
    # "article": label, a space, then the article's text (第十条　为了……);
    # "titled": a short title ended by 。 then text (（一）指导思想。全面贯彻……); "": the heading is the whole line.
    run_in: str = ""
    max_title: int = 60  # a longer "title" is prose that happens to start with a label

    @property
    def enumerated(self) -> bool:
        return self.rank is None and self.key != "专栏" and not self.key.startswith("h")


def _ranked(unit: str, rank: int) -> Style:
    return Style(unit, re.compile(f"第{_S}*{_NUM}{_S}*{unit}"), rank)


STYLES: tuple[Style, ...] = (
    _ranked("编", 0),
    _ranked("分编", 1),
    _ranked("篇", 2),
    _ranked("章", 3),
    _ranked("节", 4),
    Style("条", re.compile(f"第{_S}*{_NUM}{_S}*条(?:之[{_CN}]+)?"), 5, leaf=True, run_in="article"),
    # An annex (附件三：…, 附件2, 附：名单) follows the body at the top level, whatever was open before it.
    Style("附件", re.compile(f"附(?:件{_S}*(?:[0-9０-９]+|[{_CN}]+)?)?(?=[：:]|{_S}|$)"), -1),
    Style("专栏", re.compile(f"专栏{_S}*(?:[0-9０-９{_CN}]+(?:[-－.．][0-9０-９]+)*)?"), leaf=True),
    Style("一、", re.compile(f"[{_CN}]+{_S}*、"), run_in="titled", max_title=40),
    Style("（一）", re.compile(f"[（(]{_S}*[{_CN}]+{_S}*[)）]"), run_in="titled", max_title=40),
    # Small enumerations are headings only when short: a plan's list paragraphs often start with 1. or （1）.
    Style("1.", re.compile("[0-9０-９]{1,2}(?:[.．](?![0-9０-９])|、)"), max_title=30),
    Style("（1）", re.compile(f"[（(]{_S}*[0-9０-９]{{1,2}}{_S}*[)）]"), max_title=30),
    Style("①", re.compile("[①-⑳]"), max_title=30),
)
_RUN_IN_TITLE = 30  # longest title of a run-in （一）指导思想。


@dataclass(frozen=True)
class Heading:
    """A heading line: its style, label as written (inner spaces removed), title, and any run-in text."""

    style: Style
    label: str  # 第二篇, 第十条之一, 三、, （二）, 专栏1; for an outline-only heading, its title
    title: str  # "" when the heading has none (a run-in 第十条)
    level: int | None = None  # the outline level from markdown '#' or a reader's hint
    body: int | None = None  # run-in: offset in the line where the heading's own text starts


def is_grammar(h: Heading | None) -> TypeGuard[Heading]:
    """Is this a heading by the grammar (not only by its outline level)?"""
    return h is not None and not h.style.key.startswith("h")


def strip_markdown(line: str) -> tuple[int | None, int]:
    """(markdown heading level or None, offset of the text after the '#' marks and spaces)."""
    lead = len(line) - len(line.lstrip())
    m = _MARKDOWN.match(line, lead)
    return (len(m.group(1)), m.end()) if m else (None, lead)


def classify(line: str, level: int | None = None) -> Heading | None:
    """The heading this line is, if any. `level` is a reader's hint (Word style, <h2>): the line is a heading
    whatever it says, labelled by the grammar when it matches, else by its title. A markdown '#' line is
    hinted by its own marks."""
    md_level, off = strip_markdown(line)
    level = level or md_level
    text = line[off:].rstrip()
    for style in STYLES:
        m = style.label.match(text)
        if m:
            found = _read(style, text, m.end(), level is not None)
            if found is not None:
                title, body = found
                label = re.sub(_S, "", m.group())
                return Heading(style, label, title, level, None if body is None else off + body)
            break
    if level is None or not text:
        return None
    return Heading(Style(f"h{level}", re.compile("")), text, text, level)


def _read(style: Style, text: str, end: int, hinted: bool) -> tuple[str, int | None] | None:
    """(title, offset of run-in text or None) after a label ending at `end`, or None if it is no heading.
    A hinted line is a heading whatever its title looks like (### 第五节 生活、卫生。)."""
    rest = text[end:]
    if style.run_in == "article":
        if not rest:
            return "", None
        if not rest[0].isspace():  # 第十条规定的… is a cross-reference
            return None
        return "", len(text) - len(rest.lstrip())
    sep = _SEP.match(rest)
    start = end + (sep.end() if sep else 0)
    title = text[start:]
    if hinted:
        return title, None
    if style.rank is not None and start == end and title.startswith(_REFERENCE):
        return None
    if style.run_in == "titled" and "。" in title:
        head, _, after = title.partition("。")
        if not head or len(head) > _RUN_IN_TITLE or re.search("[，,；;：:]", head):
            return None  # a numbered sentence, not a titled item
        after_at = start + len(head) + 1
        after_at += len(text[after_at:]) - len(text[after_at:].lstrip())
        return head, (after_at if after.strip() else None)
    if len(title) > style.max_title or _SENTENCE.search(title):
        return None
    if style.enumerated and (not title or title.endswith(("：", ":", "，", ",", "、"))):
        return None  # "1. 主要目标：" introduces a list; an enumeration needs a title
    return title, None


# A table of contents: a 目录 line, then its entries, often with dot leaders and page numbers.
_TOC_MARK = re.compile(f"(?:#{{1,6}})?{_S}*目{_S}*录{_S}*")
_LEADER = re.compile(f"(?:{_S}+|[.．…·⋯_-]{{2,}}{_S}*)[0-9]{{1,4}}$|[.．…·⋯_-]{{2,}}$")
_TOC_WORDS = frozenset({"序言", "前言", "引言", "导言", "结束语", "结语", "附件", "附录", "后记", "说明"})


def _toc_key(line: str) -> str | None:
    """The entry a table-of-contents line names (label + title, spaces removed), or None if it names none."""
    bare = _LEADER.sub("", line.rstrip()).rstrip()
    h = classify(bare)
    if is_grammar(h) and h.body is None:
        return h.label + re.sub(_S, "", h.title)
    text = re.sub(f"^#+|{_S}", "", bare)
    if text in _TOC_WORDS or (bare != line.rstrip() and 0 < len(text) <= 30 and not _SENTENCE.search(text)):
        return text
    return None


def find_toc(lines: Sequence[str]) -> range:
    """Indices of a table of contents among the lines of a document (an empty range if it has none).

    A 目录 line before the first heading starts one; without it, a run of bare headings that starts over
    from its first entry is one too (the headings listed, then the same headings with their text), and so is
    a run of three or more whose later entries come again (a source that lost its first headings). The
    contents end where the first entry comes again, else (after a 目录 line) at the first line of text.
    """
    first = next((i for i, line in enumerate(lines) if is_grammar(classify(line))), None)
    if first is None:
        return range(0)
    mark = next((i for i in range(first) if _TOC_MARK.fullmatch(lines[i].strip())), None)
    start = first if mark is None else mark + 1
    keys: list[str] = []
    for line in lines[start:]:
        key = _toc_key(line)
        if key is None:
            break
        keys.append(key)
    begin = start if mark is None else mark
    for j in range(1, len(keys)):
        if keys[j] == keys[0]:
            return range(begin, start + j)
    if mark is None and len(keys) >= 3:
        # Listed bare, then text whose own first headings the source lost: later entries still come again.
        later = {_toc_key(line) for line in lines[start + len(keys) :]}
        if later & set(keys[1:]):
            return range(begin, start + len(keys))
    return range(begin, start + len(keys)) if mark is not None and keys else range(0)


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
# The numerals headings write, 0..9999, and nothing else: a run such as 一一一 or 十十 is not a number (the
# loose reading below would take it for 1 or 20). 两 only before 百/千; 零 or 〇 marks a skipped place.
_D = "[一二三四五六七八九]"
_TENS = f"{_D}?十{_D}?"  # 十, 十五, 一十五, 二十, 二十三
_HUNDREDS = f"[{_D[1:-1]}两]百(?:{_TENS}|[零〇]{_D})?"  # 一百, 一百一十, 一百十五, 一百零五
_STRICT = re.compile(f"[零〇]|{_D}|{_TENS}|{_HUNDREDS}|[{_D[1:-1]}两]千(?:{_HUNDREDS}|[零〇](?:{_TENS}|{_D}))?")


def cn_to_int(s: str) -> int:
    """Chinese or Arabic numeral to int: 十一 -> 11, 二十三 -> 23, 一百零五 -> 105, 12 -> 12, １３ -> 13.

    ValueError for anything else, malformed numerals included (一一一, 十十, 百, 一千百).
    """
    s = s.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if s.isascii() and s.isdigit():
        return int(s)
    if not _STRICT.fullmatch(s):
        raise ValueError(f"not a numeral: {s!r}")
    total, digit = 0, 0
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            total += (digit or 1) * _UNITS[ch]
            digit = 0
    return total + digit
