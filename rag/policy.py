"""Answerability: every decision to refuse, for every generator, is made here and returned as data.

The pipeline asks `Policy.before` once retrieval is done (may the question be answered from what was
found?) and `Policy.after` once a generator has drafted sentences (does the draft answer what was
asked?). Both return None (answer) or a `Refusal` with a reason code, a sentence from prompts/ and
the nearest sections. Thresholds are Settings fields. Each rule is a named function below, so it
can be tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag import grounding, prompts, questions
from rag.config import Settings
from rag.retrieval import Retrieval
from rag.types import NearSection, Refusal

# Reason codes, for programs (the API, the eval) and tests; the texts people read are in prompts/.
INSTRUCTIONS_ONLY = "instructions_only"  # nothing but instructions to the bot
FOREIGN_PLACE = "foreign_place"  # names a place the documents never mention
PERSONAL_SERVICE = "personal_service"  # asks the bot to do or look up something personal
OFF_TOPIC = "off_topic"  # fabrication, role play, everyday matters no plan covers
WEAK_EVIDENCE = "weak_evidence"  # nothing found stands out from the rest of the documents
NO_FIGURE = "no_figure"  # asks for a figure the evidence does not hold
UNSUPPORTED = "unsupported"  # the draft held no sentence the sources support
REASONS = (INSTRUCTIONS_ONLY, FOREIGN_PLACE, PERSONAL_SERVICE, OFF_TOPIC, WEAK_EVIDENCE, NO_FIGURE, UNSUPPORTED)

_REASON_TEXT = {
    FOREIGN_PLACE: "reason_place.txt",
    PERSONAL_SERVICE: "reason_personal.txt",
    NO_FIGURE: "reason_number.txt",
}

_SUFFIXES = set("区县市省镇乡")
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_GENERIC_PLACE = re.compile(
    r"^(我们|你们|这个|那个|本|全|该|哪个|哪些|各|城|市|社|小|辖|园|景|街|新|老|开发|城市|主城|中心|农村|郊|山|示范|功能|产业|片)"
)
_PERSONAL = re.compile(
    r"帮我|替我|给我(办|查|开|申请|预约)|我的(社保|医保|公积金|账户|工资|退休金|养老金|户口|档案|订单|快递|房子|孩子|申请|贷款|补贴)"
    r"|预约|挂号|办理.{0,8}(手续|证|照|业务|材料)|(如何|怎么|怎样)申请|需要(什么|哪些)材料|电话(号码)?是|联系方式|办公地址|上班时间|营业时间|几点(开门|下班|上班)|怎么(投诉|举报|报名)"
    r"|my (account|application|pension|appointment)|book (a|an) ",
    re.I,
)
_OFF_TOPIC = re.compile(
    r"写(一)?首|作诗|写诗|讲.{0,2}笑话|编(一|个|造|出)|捏造|虚构|假装|扮演|宣布"
    r"|天气|气温|下雨|饭店|餐馆|好吃|股票|股价|彩票|房价|冬奥|世界杯|(区长|书记|主任|现任).{0,4}是谁"
    r"|system prompt|make up|pretend|write a poem|weather",
    re.I,
)


def foreign_places(words: Sequence[str], corpus_text: str) -> list[str]:
    """Place names (…区/县/市/省/镇) among the question's words that the documents never mention.

    words is the question segmented (jieba); a bare suffix word joins the word before it (净月 + 区).
    """
    out = []
    for i, w in enumerate(words):
        if w in _SUFFIXES and i > 0:
            w = words[i - 1] + w
        if len(w) < 3 or w[-1] not in _SUFFIXES or not _CJK.fullmatch(w):
            continue
        if w in corpus_text or _GENERIC_PLACE.match(w):
            continue
        out.append(w)
    return out


def asks_personal_service(question: str) -> bool:
    """A request for a personal service (预约, 帮我办, 我的社保 ...) that no plan can answer."""
    return bool(_PERSONAL.search(question))


def off_topic(question: str) -> bool:
    """Fabrication, role play, or everyday matters (weather, restaurants, prices) that no plan answers."""
    return bool(_OFF_TOPIC.search(question))


def evidence_strength(retrieval: Retrieval) -> float:
    """How far the best passage stands out from the other candidates (its fused z-score)."""
    return retrieval.hits[0].score if retrieval.hits else 0.0


def lacks_figure(question: str, texts: Sequence[str]) -> bool:
    """A 多少/几 question whose evidence holds no figure the question did not already state."""
    if not questions.needs_number(question):
        return False
    asked = set(grounding.figures(question))
    return not any(f not in asked for t in texts for f in grounding.figures(t))


class Policy:
    """The answer-or-refuse decisions, configured once per index."""

    def __init__(self, settings: Settings, corpus_text: str, segment: Callable[[str], list[str]]) -> None:
        self.settings = settings
        self.corpus_text = corpus_text
        self.segment = segment

    def refuse(self, code: str, retrieval: Retrieval, **fmt: str) -> Refusal:
        """A refusal with its reason sentence and the three nearest sections."""
        name = _REASON_TEXT.get(code)
        reason = prompts.load(name, self.settings.prompts_dir).format(**fmt) if name else ""
        nearest = tuple(
            NearSection(loc, retrieval.titles.get(loc, ""), retrieval.doc_titles.get(loc.doc_id, ""))
            for loc, _ in retrieval.sections[:3]
        )
        return Refusal(code, reason, nearest)

    def before(self, question: str, retrieval: Retrieval) -> Refusal | None:
        """Refusals decided from the question and the retrieval alone, before any generator runs.

        `question` is what retrieval read: instructions to the bot already stripped. A question that
        carried such instructions (retrieval.steered) must clear a higher evidence bar.
        """
        if not question:
            return self.refuse(INSTRUCTIONS_ONLY, retrieval)
        places = foreign_places(self.segment(question), self.corpus_text)
        if places:
            return self.refuse(FOREIGN_PLACE, retrieval, places="、".join(places))
        if asks_personal_service(question):
            return self.refuse(PERSONAL_SERVICE, retrieval)
        if off_topic(question):
            return self.refuse(OFF_TOPIC, retrieval)
        bar = self.settings.min_evidence + (self.settings.steered_margin if retrieval.steered else 0.0)
        if evidence_strength(retrieval) < bar:
            return self.refuse(WEAK_EVIDENCE, retrieval)
        return None

    def after(self, question: str, texts: Sequence[str], retrieval: Retrieval) -> Refusal | None:
        """Refusals decided from the drafted, verified sentences: nothing left, or no figure asked for."""
        if not texts:
            return self.refuse(UNSUPPORTED, retrieval)
        if lacks_figure(question, texts[:2]):
            return self.refuse(NO_FIGURE, retrieval)
        return None
