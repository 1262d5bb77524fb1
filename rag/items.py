"""Pure: a question that asks for the members of a counted term (“五治”具体是哪五治, “三河”指哪几条河) and
whether an answer lists any.

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
# How an answer lists members: 生产、生活、生态; clauses joined by ；.
_LISTED = re.compile(r"[、；;]")


def counted_term(question: str) -> str | None:
    """The counted term whose members the question asks for, else None."""
    for m in _QUOTED.finditer(question):
        term = m.group(1)
        if (_COUNTED.match(term) or _SUMMED.match(term)) and _ASKS_MEMBERS.search(question, m.end()):
            return term
    return None


def lists_members(texts: Sequence[str]) -> bool:
    """Does any answer sentence list things (two or more joined by 、 or ；)?"""
    return any(_LISTED.search(t) for t in texts)
