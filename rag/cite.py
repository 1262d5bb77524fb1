"""Pure citation formatting and validation against the section tree."""

from __future__ import annotations

import re

from rag.errors import UnknownSection
from rag.parse import cn_to_int
from rag.types import Document, Section, SectionKey, label_for

_CN = "零一二三四五六七八九"


def int_to_cn(n: int) -> str:
    """1..99 to Chinese numerals as plans write them: 11 -> 十一, 20 -> 二十."""
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


def tag(part: str | None, chapter: str | None) -> str:
    """The inline citation that ends an answer sentence: 【第二篇·第一章】, 【第二篇】, 【前言】."""
    return f"【{label_for(part, chapter)}】"


_TAG = re.compile(r"【([^】]+)】")


def parse_tags(text: str) -> list[SectionKey]:
    """The (part, chapter) keys named by the 【…】 tags in a text, in order."""
    out: list[SectionKey] = []
    for label in _TAG.findall(text):
        if label == "前言":
            out.append((None, None))
            continue
        bits = label.split("·")
        part = next((b for b in bits if b.endswith("篇")), None)
        chapter = next((b for b in bits if b.endswith("章")), None)
        out.append((part, chapter))
    return out


def formal(doc: Document, section: Section) -> str:
    """Copy-ready citation: 《长春市二道区…纲要》第十二篇第一章 (篇 only for an intro; 前言 for the preamble)."""
    where = (section.part or "") + (section.chapter or "")
    return f"《{doc.title}》{where or '前言'}"


def _normalise_ref(ref: str, level: str) -> str | None:
    """'2', '二', '第二篇', '第 二 篇' -> '第二篇' (level 篇 or 章); None when the text is not such a reference."""
    ref = re.sub(r"[\s\u3000]", "", ref)
    m = re.fullmatch(rf"第?([零〇一二两三四五六七八九十百\d]+){level}?", ref)
    if not m:
        return None
    try:
        return f"第{int_to_cn(cn_to_int(m.group(1)))}{level}"
    except ValueError:
        return None


def find_section(doc: Document, part: str | None = None, chapter: str | None = None) -> Section:
    """Resolve user-typed references (第二篇 第一章, 2 1, 第二篇 intro, 前言) to a section, or UnknownSection."""
    if part is not None and chapter is None:
        joined = re.sub(r"[\s\u3000·.\-/]", "", part)
        m = re.fullmatch(r"(第[^篇]+篇)(第[^章]+章)", joined)
        if m:
            part, chapter = m.group(1), m.group(2)
    if part in (None, "", "前言", "preamble"):
        key: SectionKey = (None, None)
    else:
        p = _normalise_ref(part, "篇") if part else None
        if chapter in (None, "", "intro", "篇首"):
            c = None
        else:
            c = _normalise_ref(chapter, "章")
            if c is None:
                raise UnknownSection(f"not a chapter reference: {chapter!r} (try 第一章 or 1, or intro)")
        if p is None:
            # A plan without 篇: the first argument may be the 章 itself.
            p2 = _normalise_ref(part or "", "章")
            if p2 is None:
                raise UnknownSection(f"not a part reference: {part!r} (try 第二篇 or 2)")
            key = (None, p2)
        else:
            key = (p, c)
    section = doc.section(*key)
    if section is None:
        raise UnknownSection(f"the plan has no section {label_for(*key)}; `rag sections` lists them")
    return section
