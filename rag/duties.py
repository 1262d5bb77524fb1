"""Pure: penalty articles point at the duties they enforce; a question about the duty is answered by the duty.

A regulation's 法律责任 chapter restates each duty it enforces ("违反本条例第十条规定，向游客提供一次性洗浴用品
的，处……罚款"), so a question about the duty itself ("温泉能不能给客人一次性拖鞋？") matches the penalty article
about as well as the duty article, often better (dev, Beijing regulations: hit@1 0.62 -> 0.64 on bj-regs2).
Unless the question asks about the consequence (罚不罚, 后果, 法律责任), the duty article it references, when
retrieval found it too, is ranked just above the penalty. When it does ask, the converse: a penalty article among
the first candidates goes just above the duty it enforces (dev, Beijing regulations: hit@1 0.662 -> 0.676).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from rag.types import Locator

_N = "[一二三四五六七八九十百零〇]+"
# 违反本条例第十条规定, 违反本条例第十一条、第十条第二款规定: the articles named in one breach.
_REFERENCE = re.compile(
    rf"违反本(?:条例|办法|规定|细则|法)((?:第{_N}条(?:第{_N}款)?(?:第[（(]?{_N}[）)]?项)?[、，和或及与者]*)+)"
)
_ARTICLE = re.compile(rf"第({_N})条")
_ASKS_CONSEQUENCE = re.compile(
    r"罚|处分|追究|法律责任|责任追究|后果|违法|违规|吊销|没收|会怎样|会怎么样|咋处理|怎么处理|怎么处置"
    r"|\bfines?\b|\bfined\b|penalt|punish|sanction|consequence",
    re.I,
)


def asks_consequence(question: str) -> bool:
    """Does the question ask what happens to whoever breaks a rule (a fine, a sanction)?"""
    return bool(_ASKS_CONSEQUENCE.search(question))


def duties_of(text: str) -> list[str]:
    """The article labels a penalty text says were broken (第二十七条), in order, once each."""
    return list(dict.fromkeys(f"第{n}条" for ref in _REFERENCE.findall(text) for n in _ARTICLE.findall(ref)))


# A chapter of penalties: 法律责任, 罚则. Its articles restate the duties they enforce.
_PENALTY_CHAPTER = re.compile(r"法律责任|罚则")
_BREACH = re.compile(r"违反本(?:条例|办法|规定|细则|法)")
RESTATED_SHARE = 0.12  # share of a penalty's 8-character runs a duty article must hold to be the one it restates
_RUN = 8


def is_penalty(text: str, chapter_title: str = "") -> bool:
    """Is this a penalty article: in a 法律责任 / 罚则 chapter, or punishing a breach of the regulation itself?"""
    return bool(_PENALTY_CHAPTER.search(chapter_title)) or bool(_BREACH.search(text))


def _runs(text: str) -> set[str]:
    t = "".join(text.split())
    return {t[i : i + _RUN] for i in range(len(t) - _RUN + 1)}


def restated(penalty: str, others: list[tuple[str, str]]) -> list[str]:
    """The articles (labels) whose duties a penalty restates without citing them by number: 违反本条例规定，燃气用户
    有下列行为之一的…（一）擅自操作公用燃气阀门的 restates 燃气用户不得有下列行为：（一）擅自操作公用燃气阀门….

    `others` are (label, text) of the same document's articles that are not penalties. An article restates a
    duty when it holds RESTATED_SHARE of the penalty's eight-character runs: whole clauses, not the names of
    bodies every article shares (on the regulations at hand restatements hold 0.12-0.42, other pairs 0.07 or less).
    """
    runs = _runs(penalty)
    if not runs:
        return []
    shares = [(len(runs & _runs(text)) / len(runs), label) for label, text in others]
    return [label for share, label in sorted(shares, reverse=True) if share >= RESTATED_SHARE]


def lift_duties(
    question: str,
    sections: list[tuple[Locator, float]],
    text_of: Callable[[Locator], str],
    top: int = 3,
    titles: Mapping[Locator, str] | None = None,
) -> list[tuple[Locator, float]]:
    """Sections re-ranked: each duty a top penalty article references, if among the candidates, just above it;
    for a question about the consequence, each top penalty just above the top duty it enforces.

    A penalty names its duties by number (违反本条例第十条规定) or restates them (rag.duties.restated), which
    `titles` (each section's chapter title) lets this find among the candidates. Only the first `top` sections
    are looked at (for a penalty, both the duty and the penalty); a section moves up, never down, past
    sections it is not ranked against, and no section is dropped.
    """
    if not sections:
        return sections
    broken_by = _breaches(sections, text_of, top, titles)
    order = list(range(len(sections)))
    if asks_consequence(question):
        # The converse: what breaking a duty costs is in the penalty article naming it, so a penalty among
        # the first `top` candidates goes just above the top-ranked duty it enforces.
        penalties = [(p, broken_by[p]) for p in range(min(top, len(sections)))]
        for rank, (loc, _) in enumerate(sections[:top]):
            if not loc.path:
                continue
            for p, broken in penalties:
                same_doc = sections[p][0].doc_id == loc.doc_id
                if loc.path[-1] in broken and same_doc and order.index(p) > order.index(rank):
                    order.remove(p)
                    order.insert(order.index(rank), p)
                    break
    else:
        by_article = {(loc.doc_id, loc.path[-1]): i for i, (loc, _) in enumerate(sections) if loc.path}
        for rank, (loc, _) in enumerate(sections[:top]):
            for label in broken_by[rank]:
                i = by_article.get((loc.doc_id, label))
                if i is None or order.index(i) <= order.index(rank):
                    continue
                order.remove(i)
                order.insert(order.index(rank), i)
    if order == list(range(len(sections))):
        return sections
    # Scores follow the new order: a lifted duty takes the score of the place it moved into.
    scores = [s for _, s in sections]
    return [(sections[i][0], scores[pos]) for pos, i in enumerate(order)]


def _breaches(
    sections: list[tuple[Locator, float]],
    text_of: Callable[[Locator], str],
    top: int,
    titles: Mapping[Locator, str] | None,
) -> list[list[str]]:
    """Per top section, the duty articles (labels) it enforces: cited by number, else restated among the
    candidates of its document (only with `titles`, which tell penalty chapters)."""
    out = []
    duties_in: dict[str, list[tuple[str, str]]] = {}  # per document: its candidates that are not penalties
    for loc, _ in sections[:top]:
        text = text_of(loc)
        cited = duties_of(text)
        if cited or titles is None or not loc.path or not is_penalty(text, titles.get(loc, "")):
            out.append(cited)
            continue
        if loc.doc_id not in duties_in:
            # Read once per document, not once per penalty among the top sections.
            duties_in[loc.doc_id] = [
                (other.path[-1], body)
                for other, _ in sections
                if other.doc_id == loc.doc_id
                and other.path
                and not is_penalty(body := text_of(other), titles.get(other, ""))
            ]
        out.append(restated(text, duties_in[loc.doc_id]))
    return out
