"""Pure: a question that asks two things, cut into its asks, so that what the documents answer is not lost.

"区里要建哪些养老设施？每个床位补贴多少钱？" asks what the plan says and a figure it does not give. Read as one
question, the missing figure refuses the whole of it, and the part the documents do answer is lost; read as one
retrieval, "我失业了，区里有啥帮扶？另外怎么治理空气污染？" follows one ask and the answer serves it only. So each ask
is also put to the pipeline alone (rag.pipeline): a question refused whole is answered in the asks the documents
answer, the others named as open (combine); a question answered whole keeps its answer, and an ask's own answer
quoting a section it does not is added (extend). Read alone, an ask loses the words the other asks give it, so the
pipeline keeps an ask's answer only on strict conditions.

A piece ends at a question mark, a semicolon, a full stop or an exclamation mark, or at a comma when two of its
clauses ask by a word of their own ("人才有什么总体思路，博士来了给多少安家费"; 要是哪天停暖了 states a case). A piece
with no interrogative word and no question mark ("我家暖气不热。") is context and goes with the ask after it (or
before it, at the end). Two sides of one topic ("二道区是什么定位，面临什么挑战") are cut too: the second names
nothing of its own, and the pipeline's guards keep the whole answer for it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from rag import focus
from rag.cite import answer_text, unique
from rag.types import Answer, AnswerSentence

MAX_ASKS = 4  # a longer list is a list of wishes, not a question; it is read whole
MIN_CHARS = 4  # "都叫啥？" alone is an elaboration of the ask before it, not an ask of its own

# Ends of a piece; whether a piece asks anything is is_ask's to say.
_END = re.compile(r"(?<=[？?；;。！!])")
_COMMA = re.compile(r"(?<=[，,])")
# A word joining an ask to the one before it (另外, 还有) is not part of what the ask asks.
_LINK = re.compile(r"^(另外|还有|以及|并且|此外|同时)")
# Without a question mark a piece asks only with a word that cannot state (几 and 这么 occur in statements);
# 多大, 多久 (占地面积有多大) ask a measure.
_INTERROGATIVE = re.compile(
    r"什么|啥|哪|多少|多[大久长远高宽深重](?=\s*(?:[？?，,。呢啊呀]|$))|[吗呢][。！!；;]?$|咋|怎么|怎样|如何|是否|有没有|能不能|可不可以|会不会|要不要|是不是|为何|为什么|何时|"
    r"\b(what|which|when|where|who|how|why)\b",
    re.IGNORECASE,
)


def is_ask(piece: str) -> bool:
    """Does the piece ask something (a question mark or an interrogative word) rather than state the context?"""
    return piece.rstrip().endswith(("？", "?")) or _asks_by_word(piece)


def _asks_by_word(clause: str) -> bool:
    """Does the clause hold an interrogative word that asks (要是哪天停暖了 states a case: rag.focus.in_condition)?"""
    text = clause.strip().rstrip("，, ")
    return any(not focus.in_condition(text, m.start()) for m in _INTERROGATIVE.finditer(text))


def clauses(piece: str) -> list[str]:
    """A piece whose comma joins two asks ("有什么总体思路，博士来了给多少安家费？") cut at the commas; [piece]
    when fewer than two of its clauses ask by a word of their own (我家暖气不热，找谁修？ asks once)."""
    parts = [p for p in _COMMA.split(piece) if p.strip(" ，,")]
    if sum(_asks_by_word(p) for p in parts) < 2:
        return [piece]
    # An asking clause ends as the question it is (老房子要拆吗， → 老房子要拆吗？): every rule reading a question's
    # end (a yes-or-no 吗？) reads it so.
    return [re.sub(r"[，,]\s*$", "？", p) if _asks_by_word(p) else p for p in parts]


def split(question: str) -> list[str]:
    """The question's asks in order, each with the context before it; [question] when it asks one thing."""
    pieces = [c for p in _END.split(question.strip()) if p.strip(" ，,。；;！!？?") for c in clauses(p.strip())]
    asks: list[str] = []
    context = ""
    for piece in pieces:
        if not is_ask(piece):
            context += piece  # a statement ("我失业了。") belongs to what is asked next
            continue
        text = context + piece
        context = ""
        core = text.rstrip("？?；;。！! ")
        if asks and len(re.sub(r"\W", "", core)) < MIN_CHARS:
            asks[-1] += text  # "都叫啥？" elaborates the ask before it
        else:
            asks.append(text)
    if context and asks:
        asks[-1] += context
    if len(asks) < 2 or len(asks) > MAX_ASKS:
        return each(question)
    return asks


# "主城区和开发区分别有什么要求": one question asking the same of two things, each of which may have a section of
# its own. 分别 / 各自 / 各 (before a verb) marks it; the pair is joined by 和, 与, 及 or 、 just before it.
_EACH = re.compile(r"分别|各自|各(?=[有是要提作做采取怎])")
_JOIN = re.compile(r"[和与及、]")
# Where the first of the pair starts: after a clause mark or a preposition (规划对…, 在…方面).
_OPEN = re.compile(r"[，,。；;？?：:]|对|在|关于|就")
# What follows the pair and belongs to both: 方面, 这两个产业集群, "，规划".
_TAIL = re.compile(r"(两个?方面|方面|这两[个项类种]?[\u4e00-\u9fff]{0,4})?[，,]?(规划|报告|文件|条例|区里)?$")


def each(question: str) -> list[str]:
    """A question asking the same of two things ("A和B分别…") as two asks, one of each; [question] otherwise."""
    m = _EACH.search(question)
    if m is None:
        return [question]
    pre, post = question[: m.start()], question[m.end() :]
    joins = list(_JOIN.finditer(pre))
    if not joins:
        return [question]
    join = joins[-1]
    second_and_tail = pre[join.end() :]
    tail = _TAIL.search(second_and_tail)
    second = second_and_tail[: tail.start()] if tail else second_and_tail
    rest = tail.group() if tail else ""
    opens = [o.end() for o in _OPEN.finditer(pre, 0, join.start())]
    start = opens[-1] if opens else 0
    first = pre[start : join.start()]
    if not all(2 <= len(x) <= 12 and re.fullmatch(r"\w+", x) for x in (first, second)):
        return [question]
    head = pre[:start]
    return [head + first + rest + post, head + second + rest + post]


def label(ask: str) -> str:
    """The ask as the answer names it when the documents leave it open: its words, without the question mark."""
    return _LINK.sub("", ask.strip().rstrip("？?；;。！!，, "))


def combine(whole: Answer, asked: Sequence[str], answers: Sequence[Answer | None]) -> Answer:
    """The answer to a question of several asks refused as a whole, from what each ask alone was given (a
    refusal, or None when that cannot stand for the ask): the answered asks' sentences in order, a sentence quoted
    twice once, and the other asks named as open. The whole question's refusal stands when no ask is answered."""
    answered = [a for a in answers if a is not None and not a.refused]
    if not answered:
        return whole
    sentences = _once(answered)
    open_asks = tuple(label(q) for q, a in zip(asked, answers) if a is None or a.refused)
    timings = _summed(whole, answers)
    first = answered[0]
    return dataclasses.replace(
        first,
        question=whole.question,
        text=answer_text(sentences, (), first.lead or "", open_asks),
        sentences=sentences,
        citations=unique(c for s in sentences for c in s.citations),
        contexts=tuple({h.chunk.id: h for a in answered for h in a.contexts}.values()),
        timings_ms=timings,
        unanswered=open_asks,
        score=min(a.score for a in answered),
    )


def extend(whole: Answer, asked: Sequence[str], answers: Sequence[Answer | None]) -> Answer:
    """An answer given to a question of several asks as a whole, with what each ask alone was given added when it
    quotes a section the answer does not, and the asks the documents refuse alone named as open: read whole, the
    retrieval follows one ask and the answer serves it only (再就业 and 空气污染 asked together, the answer
    quoting the environment chapter alone; 年度计划怎么衔接 and 几月份发布, the month nowhere). An ask that cannot
    be judged alone (None) is neither added nor named."""
    have = {c.loc for c in whole.citations}
    extra = [a for a in answers if a is not None and not a.refused and a.citations[0].loc not in have]
    open_asks = tuple(label(q) for q, a in zip(asked, answers) if a is not None and a.refused)
    if not extra and not open_asks:
        return whole
    sentences = _once([whole, *extra])
    timings = _summed(whole, answers)
    return dataclasses.replace(
        whole,
        text=answer_text(sentences, whole.uncovered, whole.lead or "", open_asks),
        sentences=sentences,
        citations=unique(c for s in sentences for c in s.citations),
        contexts=tuple({h.chunk.id: h for a in (whole, *extra) for h in a.contexts}.values()),
        timings_ms=timings,
        unanswered=open_asks,
    )


def _once(answers: Sequence[Answer]) -> tuple[AnswerSentence, ...]:
    """The answers' sentences in order, a sentence quoted twice once (cited as the first answer to quote it)."""
    once: dict[str, AnswerSentence] = {}
    for a in answers:
        for s in a.sentences:
            once.setdefault(s.text, s)
    return tuple(once.values())


def _summed(whole: Answer, answers: Sequence[Answer | None]) -> dict[str, float]:
    """The time of the whole question and of every ask whose own answer (or refusal) was kept."""
    timings = dict(whole.timings_ms)
    for a in (a for a in answers if a is not None):
        for k, v in a.timings_ms.items():
            timings[k] = timings.get(k, 0.0) + v
    return timings
