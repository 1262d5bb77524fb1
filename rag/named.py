"""Pure: a section the question names by its number (第二篇第二章提出…, 第十四条规定了什么) leads the ranking.

Staff look clauses up by number. Retrieval reads the words around the number and may put a neighbour first (第四篇
第二章 for a question about 第二篇第二章, both on industries); the number says which section is meant. Only a
number that says one section is read: a chapter within its part (第二篇第二章), or an article (第十四条,
第三章第十四条). A lone part or chapter of a regulation (第七篇, 第三章) holds many sections, and an article named
as the rule something breaks or follows (违反第八十条规定…, 依照第十条) is context, not what is asked: the
penalty for it is elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.grammar import cn_to_int
from rag.types import Locator

_NUM = r"[一二三四五六七八九十百零〇两\d]+"
_RUN = re.compile(rf"(?:第{_NUM}[篇章节条])+")
_PART = re.compile(rf"第({_NUM})([篇章节条])")
# What an article is named after when it is the rule broken or applied, not the subject asked about.
_CONTEXT = re.compile(r"(违反|依照|依据|按照|根据|参照|适用|符合)(本(办法|条例|规定|法|细则))?$")
# What joins the articles of one list (第十二条、第十三条): a list after 违反 is context as a whole.
_JOINED = re.compile(r"\s*[、，,和及与或]\s*")

Key = tuple[tuple[str, int], ...]


def _key(parts: Sequence[str]) -> Key | None:
    """Heading numbers as (unit, number) pairs (第二篇, 第2章 → ("篇", 2), ("章", 2)), or None if one is no number."""
    out = []
    for p in parts:
        m = _PART.fullmatch(p.strip())
        if m is None:
            return None
        num = m.group(1)
        out.append((m.group(2), int(num) if num.isdigit() else cn_to_int(num)))
    return tuple(out)


def references(question: str) -> list[Key]:
    """The sections the question names by number, in the order named (each as (unit, number) pairs)."""
    refs = []
    context_end = -1
    for m in _RUN.finditer(question):
        # 违反本办法第十二条、第十三条: every article of the list after 违反 is the rule broken.
        if _CONTEXT.search(question[: m.start()]) or (
            context_end >= 0 and _JOINED.fullmatch(question[context_end : m.start()])
        ):
            context_end = m.end()
            continue
        context_end = -1
        key = _key([x.group() for x in _PART.finditer(m.group())])
        if not key:
            continue
        units = "".join(u for u, _ in key)
        if key[-1][0] in "条节" or units.endswith("篇章"):
            refs.append(key)
    return refs


def _matches(path: tuple[str, ...], ref: Key) -> bool:
    """Does the heading path end in the named numbers (第三章·第十四条 for 第十四条)?"""
    key = _key(path[-len(ref) :]) if len(path) >= len(ref) else None
    return key == ref


def by_named_section(question: str, sections: list[tuple[Locator, float]]) -> list[tuple[Locator, float]]:
    """The sections with those the question names by number moved to the front, in the order named. Scores follow
    positions, so the best score (the evidence strength the policy reads) is unchanged. Returns `sections` itself
    when the question names none of them."""
    refs = references(question)
    if not refs:
        return sections
    named = [ls for ref in refs for ls in sections if _matches(ls[0].path, ref)]
    named = list(dict.fromkeys(named))
    if not named or [ls[0] for ls in named] == [ls[0] for ls in sections[: len(named)]]:
        return sections
    rest = [ls for ls in sections if ls not in named]
    order = named + rest
    return [(loc, score) for (loc, _), (_, score) in zip(order, sections, strict=True)]
