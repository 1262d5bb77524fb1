"""What the documents' own definitions place under a term: 幼儿园 is a 学前教育机构, 废电池 is 有害垃圾.

Regulations define their terms ("本条例所称学前教育机构是指幼儿园、托儿所以及其他…的机构"; "有害垃圾，
是指…主要包括废电池…、废荧光灯管…"), and then speak only of the defined term. Residents ask about the
instances ("幼儿园停办要提前多久"), so a provision about 学前教育机构 answers a question about 幼儿园 although
it never names it, and an embedding does not reliably say so. The instances are read from the enumeration
in the definition (the items a list joined by 、 names), never from the whole definition sentence (物业管理
"是指…维护环境卫生…的活动" does not make every text about 物业管理 one about 环境卫生), and what a definition
excludes ("除厨余垃圾、可回收物、有害垃圾之外的生活垃圾") is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

# "（二）厨余垃圾，是指…", "本条例所称学前教育机构是指…", "可回收物…主要包括…": the term, then its definition.
_DEFINITION = re.compile(
    r"(?:^|[。；：\n]|所称|[）)])\s*([\u4e00-\u9fff]{2,12}?)[，,]?(?:是指|主要包括|包括但是不限于|包括)([^。；\n]+)"
)
_EXCLUDED = re.compile(r"除[^，。；]*?(?:之外|以外|外)")
_CLAUSE = re.compile(r"[，,：:]")
_OWN = re.compile(r"^.*?本[\u4e00-\u9fff]{1,4}?所称")  # 本条例所称学前教育机构 defines 学前教育机构
_ACTIVITY = re.compile(r"的(?:活动|行为|过程)$")
_DUTY = re.compile(r"应|可以|须|不得")  # 应 covers 应当


def instances(text: str, tag: Callable[[str], Sequence[tuple[str, str]]]) -> dict[str, str]:
    """Each defined term -> the enumerations its definitions list (joined), from all the documents' text.

    Only a kind of thing or person has instances: 物业管理 "是指…对建筑物、构筑物…进行维修、养护" defines an
    activity by what it acts on, so a term whose last word is a verb (jieba's tag v or vn) or whose definition
    ends in 的活动 / 的行为 is skipped."""
    found: dict[str, list[str]] = {}
    for m in _DEFINITION.finditer(text):
        term, body = _OWN.sub("", m.group(1)).removeprefix("的"), _EXCLUDED.sub("", m.group(2))
        if len(term) < 2 or term.startswith("本") or _DUTY.search(term):
            continue  # 本条例包括… is about the document, 协议应当包括… states a duty: neither defines a term
        listed = [c for c in _CLAUSE.split(body) if "、" in c]
        if not listed or _ACTIVITY.search(body):
            continue  # tagging is the costly step: only for definitions that list something
        tags = tag(term)
        if tags and tags[-1][1] not in ("v", "vn"):
            found.setdefault(term, []).extend(listed)
    return {t: "、".join(parts) for t, parts in found.items()}


def placed_under(term: str, text: str, defined: Mapping[str, str]) -> str | None:
    """A term the text names by the documents' definition: the defined term in `text` whose listed
    instances hold `term` (幼儿园 under 学前教育机构), else None."""
    if len(term) < 2:
        return None
    return next((name for name, listed in defined.items() if term in listed and term != name and name in text), None)
