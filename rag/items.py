"""Pure: a question that asks for the members of a counted term (“五治”具体是哪五治, “三河”指哪几条河) or for a
list (哪些病种, 哪几家机构), and whether an answer lists them.

Plans coin counted slogans (“五治”融合, “1+2+3+4+N”街路体系) and often never spell them out. A sentence that
only repeats the slogan holds its words, so focus coverage passes it, yet it names none of the members
asked for: such an answer is no answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A quoted term that opens with a count and goes on with what is counted: “五治”, “3核”, “十四个坚持”,
# “两步走”; not “十四五” (a period, all numerals), “21338” (a code), “第一” (an ordinal).
_QUOTED = re.compile(r"[“\"「]([^”\"」]{1,16})[”\"」]")
_COUNTED = re.compile(r"^(?:[一二两三四五六七八九十]+|[0-9]+)(?:个|大|项|条|种|类)?[\u4e00-\u9fff]")
_SUMMED = re.compile(r"^[0-9]+(?:\+(?:[0-9]+|[Nn]))+$")  # “1+2+3+4+N”: counts of several kinds at once
# What asks for the members: 哪五治, 哪几条, 分别, 包括, 指什么, 是啥 (not 是在哪里提出的: where it is said).
_ASKS_MEMBERS = re.compile(
    r"哪[几一二两三四五六七八九十]|分别|包括|包含|指(的是)?(什么|啥|哪)|是(什么|啥|哪[些几])|都(有|是)(什么|啥|哪)|有哪些"
)
# What the term does or means (概括的是什么, 的意义是什么): asked of the term, not of its members.
_NOT_MEMBERS = re.compile(r"概括|体现|说明|意味|代表|强调|目的|意义|作用|提出|为什么")
# How an answer lists members: 生产、生活、生态; clauses joined by ；. Other counted slogans (“十个明确”、“十四个
# 坚持”) are siblings of the term, not its members: they and the mark after them do not count; a quote that is
# itself the list (“源头严防、过程严管、后果严惩”) does.
_LISTED = re.compile(r"[、；;]")
_QUOTE_AND_MARK = re.compile(r"[“\"「]([^”\"」]*)[”\"」][、，,]?")
_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
MOST_MARKS = 3  # a long list may be quoted in part (……): this many marks show it is being listed


def count_of(term: str) -> int:
    """How many members a counted term has (“五治” 5, “十四个坚持” 14, “1+2+3+4+N” 5 kinds), 0 if unreadable."""
    if _SUMMED.match(term):
        return term.count("+") + 1
    m = re.match(r"[0-9]+", term)
    if m:
        return int(m.group())
    digits = re.match(r"[一二两三四五六七八九十]+", term)
    if not digits:
        return 0
    run, total, value = digits.group(), 0, 0
    for ch in run:
        if ch == "十":
            total += (value or 1) * 10
            value = 0
        else:
            value = _NUMERALS[ch]
    return total + value


def counted_term(question: str) -> str | None:
    """The counted term whose members the question asks for, else None."""
    for m in _QUOTED.finditer(question):
        term = m.group(1)
        ask = _ASKS_MEMBERS.search(question, m.end())
        if (
            (_COUNTED.match(term) or _SUMMED.match(term))
            and ask
            and not _NOT_MEMBERS.search(question, m.end(), ask.start())
        ):
            return term
    return None


def lists_members(texts: Sequence[str], term: str) -> bool:
    """Does one answer sentence list as many things as the term counts (its marks between them, up to
    MOST_MARKS), leaving out other quoted slogans?"""
    need = max(1, min(count_of(term) - 1, MOST_MARKS))
    return any(len(_LISTED.findall(_QUOTE_AND_MARK.sub(_unless_counted, t))) >= need for t in texts)


def _unless_counted(m: re.Match[str]) -> str:
    """A quoted counted slogan and its mark are dropped; any other quote stays as it was."""
    inner = m.group(1)
    return "" if _COUNTED.match(inner) or _SUMMED.match(inner) else m.group()


# 哪些, 哪几家: a question asking which ones, answered by naming them.
_ASKS_LIST = re.compile(r"哪(些|几)")
# A clause handing the list to someone to publish: 筛选并发布本市中医优势病种, 向社会公布…检测机构.
_PUBLISH = re.compile(r"(公布|发布|公开)([^，。；：]*)")


def defers_list(question: str, texts: Sequence[str], terms: Sequence[str]) -> bool:
    """Does an answer to a which-ones question only say who publishes the list? True when it lists nothing
    (no 、 or ；) and one of its clauses publishes a thing the question names: the document leaves the members
    to a list published elsewhere (市中医药主管部门应当筛选并发布本市中医优势病种 for 中医优势病种有哪些)."""
    if not _ASKS_LIST.search(question) or any(_LISTED.search(t) for t in texts):
        return False
    published = " ".join(m.group(2) for t in texts for m in _PUBLISH.finditer(t))
    return any(len(term) >= 2 and term in published for term in terms)
