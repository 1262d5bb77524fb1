"""Pure citation formatting: inline tags, answer and refusal texts, and resolving typed section references."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rag import prompts
from rag.errors import UnknownSection
from rag.parse import cn_to_int
from rag.types import PREAMBLE, AnswerSentence, Citation, Document, Locator, NearSection, Refusal, Section

_CN = "零一二三四五六七八九"


def int_to_cn(n: int) -> str:
    """Non-negative integers as documents write them: 11 -> 十一, 20 -> 二十, 105 -> 一百零五."""
    if n < 0:
        raise ValueError(n)
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n - 10] if n > 10 else "")
    out, zero = "", False
    for value, unit in ((10**8, "亿"), (10**4, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            out += ("零" if zero and out else "") + (int_to_cn(d) if value >= 10**4 else _CN[d]) + unit
            zero = False
        elif out:
            zero = True
    return out


def tag(citation: Citation, many_docs: bool = False) -> str:
    """The inline tag ending an answer sentence: 【第二篇·第一章】; with several documents, 【《title》第三章】."""
    if many_docs:
        return f"【{citation.loc.formal(citation.doc_title)}】"
    return f"【{citation.label}】"


def answer_text(
    sentences: Sequence[AnswerSentence], uncovered: Sequence[str] = (), lead: str = "", unanswered: Sequence[str] = ()
) -> str:
    """Each sentence followed by its citation tags (documents named when there are several), then what the
    documents do not say, when the answer covers the question only in part."""
    many = len({c.doc_id for s in sentences for c in s.citations}) > 1
    body = "".join(s.text + "".join(dict.fromkeys(tag(c, many) for c in s.citations)) for s in sentences)
    return lead + body + partial_note(uncovered, unanswered)


def partial_note(uncovered: Sequence[str], unanswered: Sequence[str] = ()) -> str:
    """The fixed sentences naming the question's terms the answer does not cover and the asks of a question of
    several (rag.asks) the documents leave open; "" when there are none."""
    note = prompts.load("partial.txt").format(terms="、".join(uncovered)) if uncovered else ""
    if unanswered:
        # Quoted inside the note's quotes, an ask's own double quotes become single ones (““十四五”期间…” reads
        # as a typo; the house style nests ‘’ in “”).
        nested = (a.replace("“", "‘").replace("”", "’") for a in unanswered)
        note += prompts.load("partial_ask.txt").format(asks="、".join(f"“{a}”" for a in nested))
    return note


def unique(citations: Iterable[Citation]) -> tuple[Citation, ...]:
    """One citation per section in first-cited order (first = primary); its quote stays verbatim."""
    by_loc: dict[Locator, Citation] = {}
    for c in citations:
        by_loc.setdefault(c.loc, c)
    return tuple(by_loc.values())


def _titled(near: NearSection) -> bool:
    """Does the section have a title of its own (an article's "title" is often just 第七条, a preamble's 前言)?"""
    return bool(near.title) and near.title not in (near.loc.label, *near.loc.path[-1:])


def refusal_text(refusal: Refusal, prompts_dir: object = None) -> str:
    """The fixed refusal sentence, the reason if one is known, and the nearest sections to read."""
    parts = [prompts.refusal(), refusal.reason]
    if refusal.nearest:
        many = len({n.loc.doc_id for n in refusal.nearest}) > 1
        listing = "；".join(
            (n.loc.formal(n.doc_title) if many else n.loc.label) + (f" {n.title}" if _titled(n) else "")
            for n in refusal.nearest
        )
        parts.append(f"{prompts.load('nearest.txt')}{listing}。")
    return "".join(p for p in parts if p)


def formal(doc: Document, section: Section) -> str:
    """Copy-ready citation: 《长春市二道区…纲要》第十二篇第一章 (篇 only for an intro; 前言 for the preamble)."""
    pages = section.pages
    where = f"（第{pages[0]}页）" if len(pages) == 1 else (f"（第{pages[0]}–{pages[-1]}页）" if pages else "")
    return section.loc.formal(doc.title) + where


_LEVELS = "编篇章节条"
_NUMERAL = "零〇一二两三四五六七八九十百千"
_REF = re.compile(rf"第([{_NUMERAL}\d]+)([{_LEVELS}])|([{_NUMERAL}\d]+)")


def normalise_label(ref: str, template: str | None = None) -> str | None:
    """'第 2 篇' -> '第二篇'; a bare '2' or '二' fills the level's template ('第{}篇', '{}、'); else as written."""
    ref = re.sub(r"[\s\u3000]", "", ref)
    m = _REF.fullmatch(ref)
    if not m:
        return ref or None
    try:
        if m.group(2):
            return f"第{int_to_cn(cn_to_int(m.group(1)))}{m.group(2)}"
        if template is None:
            return None
        return template.format(int_to_cn(cn_to_int(m.group(3))))
    except ValueError:
        return None


def _templates(doc: Document) -> list[str | None]:
    """How each heading level of the document writes its label, from its deepest path: ['第{}篇', '第{}章']."""
    deepest = max((s.path for s in doc.sections), key=len, default=())
    out: list[str | None] = []
    for label in deepest:
        m = re.fullmatch(rf"(第|（|\()?[{_NUMERAL}\d]+([{_LEVELS}]|、|）|\)|\.)?", label)
        out.append(re.sub(rf"[{_NUMERAL}\d]+", "{}", label, count=1) if m else None)
    return out


def resolve(doc: Document, refs: Sequence[str]) -> Section:
    """The section named by typed references: ("第二篇", "第一章"), ("2", "1"), ("第三章", "第十条"), ("前言",).

    Bare numbers take the document's own heading levels in order (篇 then 章 for a plan); "intro" or
    "篇首" names an intro; an empty list or 前言 names the preamble. UnknownSection when nothing matches.
    """
    refs = [r for r in (x.strip() for x in refs) if r and r not in ("intro", "篇首")]
    if not refs or refs == [PREAMBLE] or refs == ["preamble"]:
        section = doc.section(())
        if section is None:
            raise UnknownSection(f"{doc.title} has no preamble")
        return section
    if len(refs) == 1:  # "第二篇第一章" typed as one word
        split = re.findall(rf"第[^{_LEVELS}]+[{_LEVELS}]", re.sub(r"[\s\u3000·./\-]", "", refs[0]))
        if len(split) > 1 and "".join(split) == re.sub(r"[\s\u3000·./\-]", "", refs[0]):
            refs = split
    templates = _templates(doc)
    path = []
    for i, r in enumerate(refs):
        label = normalise_label(r, templates[i] if i < len(templates) else None)
        if label is None:
            raise UnknownSection(f"not a section reference: {r!r} (try 第二篇 第一章, 2 1, or 前言)")
        path.append(label)
    section = doc.section(tuple(path))
    if section is None:
        label = Locator(doc.doc_id, tuple(path)).label
        raise UnknownSection(f"{doc.title} has no section {label}; `rag sections` lists them")
    return section
