"""Answerability: every decision to refuse, for every generator, is made here and returned as data.

The pipeline asks `Policy.before` once retrieval is done (may the question be answered from what was
found?) and `Policy.after` once a generator has drafted sentences (does the draft answer what was
asked, in full or in part?). Refusals carry a reason code, a sentence from prompts/ and the nearest
sections. The rules are general mechanisms, each a named function (here or in rag.focus) with its
thresholds in Settings:
- scope: places no document mentions (rag.places), personal services, fabrication or role play;
- evidence strength: the best passage must stand out from the other candidates;
- focus coverage: the question's content terms must be in the cited evidence, literally or by a close
  counterpart (embedding similarity; proper names literally only); terms no document holds mean the documents
  do not say; a comparison needs both of its sides;
- answer type: a when / where / who / how-many / which-one question needs evidence holding that type, in a
  text that names every specific thing the question asks about (Policy.names_things); a which-ones question
  needs answer sentences holding the kind it lists (Policy._lists_kind).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rag import definitions, focus, grounding, items, prompts, questions, scope
from rag.config import Settings
from rag.places import foreign_latin_places, foreign_places, place_spellings, unheard_places
from rag.retrieval import Retrieval
from rag.types import NearSection, Refusal

# Reason codes, for programs (the API, the eval) and tests; the texts people read are in prompts/.
INSTRUCTIONS_ONLY = "instructions_only"  # nothing but instructions to the bot
FOREIGN_PLACE = "foreign_place"  # names a place the documents never mention
PERSONAL_SERVICE = "personal_service"  # asks the bot to do or look up something personal
OFF_TOPIC = "off_topic"  # fabrication or role play
WEAK_EVIDENCE = "weak_evidence"  # nothing found stands out from the rest of the documents
NO_FIGURE = "no_figure"  # asks for a figure the evidence does not hold
NO_ANSWER_TYPE = "no_answer_type"  # asks when / where / who, and the evidence holds no such expression
NOT_COVERED = "not_covered"  # what the question is about is not in the evidence, nor anything close
UNSUPPORTED = "unsupported"  # the draft held no sentence the sources support
DAY_BOUND = "day_bound"  # the answer depends on the day it is asked (明天会不会下雪, 今天限行吗)
OPINION = "opinion"  # asks the bot's own judgement or advice (你觉得值不值得告, 现在买划算吗)
REASONS = (
    INSTRUCTIONS_ONLY,
    FOREIGN_PLACE,
    PERSONAL_SERVICE,
    OFF_TOPIC,
    DAY_BOUND,
    OPINION,
    WEAK_EVIDENCE,
    NO_FIGURE,
    NO_ANSWER_TYPE,
    NOT_COVERED,
    UNSUPPORTED,
)

_REASON_TEXT = {
    FOREIGN_PLACE: "reason_place.txt",
    PERSONAL_SERVICE: "reason_personal.txt",
    NO_FIGURE: "reason_number.txt",
    NO_ANSWER_TYPE: "reason_type.txt",
    NOT_COVERED: "reason_not_covered.txt",
    DAY_BOUND: "reason_day.txt",
    OPINION: "reason_opinion.txt",
}
_TYPE_NAMES = {
    "person": "担任这一职务的具体人员",
    "how_long": "具体期限",
    "when": "具体时间",
    "where": "具体地点",
    "who": "具体负责的单位或人员",
    "name": "具体名称",
    "color": "具体的颜色",
}

# Personal services: a request to act for the asker, the asker's own records, or a transaction's
# logistics (booking, paperwork, contact details, opening hours) — a plan never holds these.
_PERSONAL = re.compile(
    r"帮我|替我|给我(办|查|开|申请|预约|报)|(我|我家|我们家)的[一-鿿]{1,6}(能|可以|怎么|要|该|会|是|有)"
    r"|(我|我们|我家)(要|想|得|需要)?办理"
    r"|(电话|联系方式)(号码|号)?(是|打)?(多少|什么|几号|呢|$|[？?])|打(什么|哪个)电话|办公地址|上班时间|营业时间|开放时间|几点"
    # Which days an office or a venue opens: 周末上班吗, 星期天开门不, 节假日营业吗.
    r"|(周[一二三四五六日末]|星期[一二三四五六日天]|礼拜[一二三四五六天日]|节假日|假期)[^，。？?]{0,4}(上班|开门|营业|办公|开放)"
    r"|\bmy (account|application|pension|appointment|case)\b|\bbook (a|an)\b|how (do|can) i (apply|register|get)"
    r"|\b(phone|telephone|hotline|contact) number\b|\bopening hours\b|\bwhat time does\b",
    re.I,
)
# An errand (预约, 挂号, 去哪申请, 要带什么材料): a personal service, unless the documents regulate the thing it is
# about (a hospital regulation says what 挂号 needs; a district plan says nothing of 营业执照).
_ERRAND = re.compile(
    r"预约|挂号|(如何|怎么|怎样|去哪|在哪|到哪)[\u4e00-\u9fff]{0,5}(申请|报名|登记|缴纳|领取|投诉|举报|办理|(?<!怎么|如何|怎样)办)"
    r"|(需要|要带|带|准备)(什么|哪些|啥)(材料|证件|手续)"
)
# What a rule was before, or what a revision changed (出台以前怎么登记, 这次修改改了哪几条, 改了条例里的哪些内容,
# 跟原来比): a document states its rules as they are now and does not describe its own history.
_HISTORY = re.compile(
    r"(出台|施行|实施|颁布|通过|修改|修订|修正)(以前|之前|前)|(改|修改|修订|变|调整)了[^，。？?]{0,8}(哪|什么|啥)"
    r"|(跟|和|与|比)(原来|以前|过去|之前|旧版|老版|旧的|老的)[^，。？?]{0,3}(比|相比|比较|不同|区别|变化)"
    r"|(原来|以前|过去)(的)?(规定|条例|办法)(是|怎么)|新旧(版|条例|规定)"
)
# Language of a revision decision: a document that states changes (将第五条修改为…, 删去第八条).
_AMENDS = re.compile(r"修改为|修正为|改为|删去|删除第|增加一[条款项]")


def asks_history(question: str) -> bool:
    """Does the question ask what the rules were before, or what a revision changed?"""
    return bool(_HISTORY.search(question))


def states_changes(corpus_text: str) -> bool:
    """Do the documents state changes to rules (a revision decision: …修改为…, 删去…)?"""
    return bool(_AMENDS.search(corpus_text))


# Requests to make something up or to play a role: not questions about a document at all.
_OFF_TOPIC = re.compile(
    r"写(一)?(首|篇|段)|作诗|写诗|讲.{0,2}笑话|编(一个|个|造|出)|捏造|虚构|假装|扮演|冒充"
    # "make up" as in invent, not as in "which rivers make up the belt".
    r"|system prompt|\bmake (it|something|things|stuff|one) up\b|\bmake up (a|an|some|stories|facts)\b|pretend"
    r"|write a (poem|story|song)|role.?play",
    re.I,
)


def asks_personal_service(question: str, regulated: Callable[[str], bool] | None = None) -> bool:
    """A request for a personal service (帮我办, 我的社保, 营业时间 …) that no plan can answer, or an errand (预约,
    去哪办) about something the documents do not regulate. `regulated(question)`: do the documents hold every
    thing the question names? Without it, every errand is a personal service."""
    if _PERSONAL.search(question):
        return True
    return bool(_ERRAND.search(question)) and not (regulated is not None and regulated(question))


# A day or a week counted from today (明天, 这周末, 上个月): a document is written once and knows no "today".
_DAY_BOUND = re.compile(
    r"明天|明早|明晚|后天|今天|今日|今早|今晚|昨天|昨晚|前天|大后天|这两天|这几天|最近几天"
    r"|(这|本|下|上)(个)?(周|星期|礼拜)(?![期年岁边围])(末|[一二三四五六日天])?|(这|本|下|上)个月|\b(today|tomorrow|yesterday|tonight)\b",
    re.I,
)


def day_bound(question: str) -> bool:
    """Does the question count a day from today (明天会不会下雪, 这周末社区医院开门吗, 今天限行吗)? No plan or
    regulation says what happens on such a day; what it says of a date it names (2025年) is another matter.
    Policy.after refuses such a question when the evidence covers none of what it asks about."""
    return bool(_DAY_BOUND.search(question))


# The asker wants the bot's own view of a choice: 你觉得值不值得, 您认为, 划不划算. Documents state rules and
# plans; whether one person's choice is worth it is no text's to say.
_OPINION = re.compile(
    r"[你您](个人|自己|自个儿)?(觉得|认为|怎么看|看来|建议|推荐)|值不值|划不划算|划算[吗不么]|合不合算"
    # A recommendation asked for (有啥好吃的馆子推荐不, 推荐几家): documents recommend no shop or school.
    # 由谁推荐, 推荐条件 ask about a procedure: only a recommendation asked of the bot counts.
    r"|有(啥|什么)[^，。？?]{0,10}推荐(吧|不|吗|呗|么|的)?[？?！!。\s]*$|推荐(一下|几[个家所])|推荐(吧|不|吗|呗|么)[？?！!。\s]*$"
    # Which of two does better (谁家的休闲农业搞得更好): a ranking the documents do not make.
    r"|(哪个|哪家|谁家|谁)[^，。？?]{0,10}更(好|强|厉害|棒|出色|优秀|有前途|有出息|值得)"
    r"|\b(do|would) you (think|recommend|suggest|advise)\b|\bin your (opinion|view)\b|\bis it worth\b",
    re.I,
)


def asks_opinion(question: str) -> bool:
    """Does the question ask the bot's own judgement or advice on a choice (你觉得我值不值得去告)?"""
    return bool(_OPINION.search(question))


def off_topic(question: str) -> bool:
    """A request to make something up or to play a role (everyday topics are left to focus coverage)."""
    return bool(_OFF_TOPIC.search(question))


def lacks_answer_type(question: str, texts: Sequence[str], names: Callable[[str], bool] | None = None) -> str | None:
    """The answer type (when / where / who) a question asks for when no evidence text holds one, else None.

    `names(text)`, as for lacks_figure: the date or place must be in a text naming what the question asks
    about (a 2035 goal of the district does not say when another project is finished)."""
    kind = focus.wants(question)
    if kind is None:
        return None
    if kind == "name":
        # The name must be one the question does not hold already (七个街道分别叫啥 is not answered by 一区一镇七街).
        return None if any(focus.names_given(t, question) for t in texts) else kind
    if kind == "when" and years(question) - years(" ".join(texts)):
        return kind  # when did the 2010 revision take effect: a date said of another year does not answer it
    kinds = [kind] + (["who", "contact"] if kind == "where" and focus.errand_where(question) else [])
    if any(any(focus.holds(k, t) for k in kinds) and (names is None or names(t)) for t in texts):
        return None
    return kind


@dataclass(frozen=True)
class Reading:
    """What a question asks about, read once per verdict (Policy.terms)."""

    terms: tuple[str, ...]  # content words (rag.focus.content_terms)
    things: frozenset[str]  # those naming things (rag.focus.things)
    names: frozenset[str]  # those that are proper names, matched literally only


@dataclass(frozen=True)
class Verdict:
    """The policy's word on a draft: a refusal, or an answer that may leave some terms uncovered."""

    refusal: Refusal | None
    uncovered: tuple[str, ...] = ()
    score: float = 0.0  # answerability: higher is surer (the risk-coverage curve sorts on it)


def evidence_strength(retrieval: Retrieval) -> float:
    """How far the best passage stands out from the other candidates (its fused z-score)."""
    return retrieval.hits[0].score if retrieval.hits else 0.0


_YEAR = re.compile(r"([12][0-9]{3}|[一二][〇零一二三四五六七八九]{3})\s*年")
_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def years(text: str) -> set[str]:
    """The years a text names, as Arabic digits (二〇二三年 and 2023年 are both 2023)."""
    return {y.translate(_YEAR_DIGITS) for y in _YEAR.findall(text)}


def lacks_figure(question: str, texts: Sequence[str], names: Callable[[str], bool] | None = None) -> bool:
    """A 多少/几 question whose evidence holds no figure the question did not already state (of the measure
    it asks for, when it says: a percentage, people, time, money), or whose evidence never names the year
    the figure is asked for (a 2023 target is not a 2025 one).

    `names(text)`: does the text name what the question asks about (Policy.names_things)? A figure is only
    an answer in such a text (最低工资 asked, a per-capita GDP figure found: no answer).
    """
    if not questions.needs_number(question):
        return False
    if years(question) - years(" ".join(texts)):
        return True
    asked = set(grounding.figures(question))
    # names() may embed terms: ask it only of texts holding a figure at all.
    found = [f for t in texts if (fs := grounding.figures(t)) and (names is None or names(t)) for f in fs]
    found = [f for f in found if f not in asked]
    # 百分之多少 wants a percentage, 多少名党员 a count of people: a figure of another measure answers nothing.
    kind = grounding.measure(question)
    if kind == "money":
        # The amount of the kind asked: a fine's 二百元 does not say what compensation is owed.
        of_kind = [t for t in texts if grounding.money_kind_named(question, t)]
        found = [f for t in of_kind for f in grounding.figures(t) if f in found]
    return not any(kind is None or grounding.measures(f, kind, question) for f in found)


# A change to a value the question itself puts forward: 会不会提高到一万元, 延长到十二年, 降到5%以下.
_PROPOSED = re.compile(
    r"(?:提高|提升|延长|增加|增长|降低|下降|减少|缩短|扩大|调整|涨|跌|降|提|调|改|变)(?:到|至|成|为)|达到|突破|超过"
)


def proposed_values(question: str) -> list[str]:
    """Figures a question puts forward for the documents to confirm (会不会提高到每月一万元)."""
    out = []
    for m in _PROPOSED.finditer(question):
        rest = question[m.end() : m.end() + 12]
        found = grounding.figures(rest)
        if found and rest.find(found[0]) <= 2:  # right after the verb, or after 每月 / 每年
            out.append(found[0])
    return out


def unconfirmed_values(question: str, evidence: str) -> list[str]:
    """The values the question puts forward that the evidence never states, in any writing (一万 = 10000).

    Whether a tax threshold will rise to 10,000 yuan is answered only by a text giving that figure: a
    sentence on the tax system in general says neither yes nor no.
    """
    stated = {grounding.figure_value(f) for f in grounding.figures(evidence)}
    return [f for f in proposed_values(question) if f not in evidence and grounding.figure_value(f) not in stated]


# Nouns that name the value asked for, not a thing it is asked of: 罚款金额是多少, 任期年限, 报送期限.
_VALUE_NOUNS = frozenset(
    {"金额", "数额", "数量", "数目", "幅度", "标准", "期限", "年限", "时限", "时间", "日期", "比例", "比重", "人数"}
    | {"次数", "面积", "长度", "规模", "额度", "多少", "上限", "下限", "范围"}
)


def _value_noun(term: str) -> str | None:
    """The noun naming the value asked for (期限, 金额), also as a span or bound (期限内, 上限前), else None."""
    for t in (term, term.rstrip("内前后以")):
        if t in _VALUE_NOUNS:
            return t
    return None


class Policy:
    """The answer-or-refuse decisions, configured once per index."""

    def __init__(
        self,
        settings: Settings,
        corpus_text: str,
        segment: Callable[[str], list[str]],
        doc_freq: Callable[[str], int] | None = None,
        num_docs: int = 1,
        similar: Callable[[str, str], float] | None = None,
        tag: Callable[[str], Sequence[tuple[str, str]]] | None = None,
        general_freq: Callable[[str], int] | None = None,
    ) -> None:
        self.settings = settings
        self.corpus_text = corpus_text
        self._corpus_lower = corpus_text.lower()  # lower-cased once: it can be a whole library
        self.segment = segment
        self.doc_freq = doc_freq or (lambda w: 1 if w in corpus_text else 0)
        self.num_docs = max(1, num_docs)
        # similar(term, evidence text) -> best cosine with the evidence's words; None: literal matches only.
        self.similar = similar
        self.tag = tag or (lambda q: [(w, "n") for w in segment(q)])
        self.general_freq = general_freq or (lambda w: 0)
        self._dictionary = general_freq is not None  # without one, no word can be told a segmentation guess
        self._spellings: set[str] | None = None  # pinyin of the documents' place names, read on first use

    @functools.cached_property
    def defined(self) -> dict[str, str]:
        """The documents' defined terms and the instances their definitions list (rag.definitions)."""
        return definitions.instances(self.corpus_text, self.tag)

    @functools.cached_property
    def _states_changes(self) -> bool:
        return states_changes(self.corpus_text)

    def _place_spellings(self) -> set[str]:
        if self._spellings is None:
            self._spellings = place_spellings(self.corpus_text)
        return self._spellings

    def refuse(self, code: str, retrieval: Retrieval, **fmt: str) -> Refusal:
        """A refusal with its reason sentence and the three nearest sections."""
        name = _REASON_TEXT.get(code)
        reason = prompts.load(name, self.settings.prompts_dir).format(**fmt) if name else ""
        nearest = tuple(
            NearSection(loc, retrieval.titles.get(loc, ""), retrieval.doc_titles.get(loc.doc_id, ""))
            for loc, _ in retrieval.sections[:3]
        )
        return Refusal(code, reason, nearest)

    def salience(self, term: str) -> float:
        """Inverse document frequency of a term over chunks; a term no chunk holds weighs most."""
        df = self.doc_freq(term)
        if df == 0 and term in self.corpus_text:
            df = 1  # in the text but not a token of its own (jieba cut it differently)
        return math.log((self.num_docs + 1) / (df + 0.5))

    def before(self, question: str, retrieval: Retrieval, asked: str = "") -> Refusal | None:
        """Refusals decided from the question and the retrieval alone, before any generator runs.

        `question` is what retrieval read: instructions to the bot already stripped, and the scope every
        document shares (二道区, “十四五”规划); `asked` is the question with that scope, when it differs. A
        question that carried such instructions (retrieval.steered) must clear a higher evidence bar.
        """
        if not question:
            return self.refuse(INSTRUCTIONS_ONLY, retrieval)
        places = foreign_places(self.segment(question), self.corpus_text, self.tag)
        places += [
            w
            for w in unheard_places(question, self.tag, self.general_freq, self._corpus_lower)
            if not any(w in p for p in places)
        ]
        places += foreign_latin_places(question, self._place_spellings)
        other = scope.other_places_document(asked or question, retrieval.doc_titles)
        if other and not any(other in p for p in places):
            places.append(other)  # its own plan or regulation, which is not here: mentioning the place is not that
        if places:
            # Say which place the documents in scope do cover, when they share one.
            docs = dict.fromkeys(h.chunk.doc_id for h in retrieval.hits)
            home = scope.governing(retrieval.doc_titles.get(d, "") for d in docs) if docs else ""
            within = prompts.load("scope_place.txt", self.settings.prompts_dir).format(places=home) if home else ""
            return self.refuse(FOREIGN_PLACE, retrieval, places="、".join(places), scope=within)
        # 旧《城市房屋拆迁管理条例》规定的标准, 本条例和《安全生产法》哪个更重: the text asked about is not here.
        instrument = scope.asks_what_another_says(asked or question, retrieval.doc_titles)
        if instrument is None and focus.compares(question):
            instrument = scope.other_instrument(asked or question, retrieval.doc_titles)
        if instrument is not None:
            return self.refuse(NOT_COVERED, retrieval, terms=f"《{scope.clean_name(instrument)}》的内容")
        if asks_personal_service(question, self._regulated):
            return self.refuse(PERSONAL_SERVICE, retrieval)
        if asks_history(asked or question) and not self._states_changes:
            return self.refuse(NOT_COVERED, retrieval, terms="此前的规定或修改的内容")
        if off_topic(question):
            return self.refuse(OFF_TOPIC, retrieval)
        if asks_opinion(asked or question):
            return self.refuse(OPINION, retrieval)
        bar = self.settings.min_evidence + (self.settings.steered_margin if retrieval.steered else 0.0)
        if evidence_strength(retrieval) < bar:
            return self.refuse(WEAK_EVIDENCE, retrieval)
        return None

    def _regulated(self, question: str) -> bool:
        """Does the question name things, every one of which the documents hold (挂号 in a hospital regulation)?"""
        things = self.terms(question).things
        return bool(things) and all(t in self._corpus_lower for t in things)

    def terms(self, question: str) -> Reading:
        """The question's content terms, the things among them (rag.focus.things) and its proper names."""
        terms = focus.content_terms(question, self.tag, self.general_freq, self._corpus_lower.__contains__)
        # A string in no dictionary and no document is jieba's guess at how to cut colloquial words (日内报备案
        # gives 内报): no thing the question names.
        guessed = {
            t
            for t in terms
            if self._dictionary and not t.isascii() and not self.general_freq(t) and t not in self._corpus_lower
        }
        things = [t for t in focus.things(terms, question, self.tag) if t not in guessed]
        names = focus.names(terms, question, self.tag, self.general_freq)
        return Reading(tuple(terms), frozenset(things), frozenset(names))

    def _close(self, read: Reading, evidence: str) -> Callable[[str], float]:
        """How far each term's best match in the evidence stands out (0 without embeddings; infinite for an
        abbreviation of its words). A proper name is matched literally only: 美国 is not 中国, however close
        their vectors are."""
        similar = self.similar

        def close(t: str) -> float:
            if focus.expansion(t, evidence) is not None:
                return math.inf  # an abbreviation of the evidence's words (业委会 for 业主委员会) is those words
            if definitions.placed_under(t, evidence, self.defined) is not None:
                return math.inf  # the documents define the evidence's term to include it (幼儿园, 学前教育机构)
            return 0.0 if similar is None or t in read.names else similar(t, evidence)

        return close

    def coverage(self, question: str, evidence: str, read: Reading | None = None) -> focus.Coverage:
        """How much of the question's content the evidence covers (see rag.focus.coverage); `read` is
        self.terms(question) when the caller has it already."""
        read = read or self.terms(question)
        return focus.coverage(
            read.terms,
            evidence,
            self._corpus_lower,
            self.salience,
            self._close(read, evidence),
            self.settings.min_term_sigma,
            silencing=read.things.__contains__,
        )

    def names_things(self, read: Reading, spare: int = 0) -> Callable[[str], bool]:
        """Does a text name every specific thing the question asks about, literally or by a close counterpart?

        A value (a figure, a date) is an answer only where it is said of the question's things: the share of
        R&D spending is not in a sentence about GDP, however many percentages that sentence holds. Words
        most sections hold (目标, 发展) are not specific, and a thing no document holds is named nowhere.
        """
        limit = self.settings.partial_max_df * self.num_docs
        # 哪个部门, 哪条道路: the kind names the answer's slot, which a body or a road fills (focus.KIND_TYPES).
        specific = [
            t
            for t in read.terms
            if t in read.things and self.doc_freq(t) <= limit and _value_noun(t) is None and t not in focus.KIND_TYPES
        ]
        # Of three things or more, `spare` may go unnamed: the context a resident gives (小区, 打电话, 上门).
        allowed = spare if len(specific) >= 3 else 0

        def names(text: str) -> bool:
            mentioned = self._mentioned(read, text)
            return sum(not mentioned(t) for t in specific) <= allowed

        return names

    def _mentioned(self, read: Reading, text: str) -> Callable[[str], bool]:
        """Does the text hold a term of the question, literally or by a close counterpart?"""
        low, close, sigma = text.lower(), self._close(read, text), self.settings.min_term_sigma
        return lambda t: t in low or close(t) >= sigma

    @staticmethod
    def _in_context(names: Callable[[str], bool], said_of: Mapping[str, str] | None) -> Callable[[str], bool]:
        """`names` read over a text with its context (said_of): what a value is said of may be named there."""
        if not said_of:
            return names
        return lambda t: names(" ".join([t, said_of.get(t, "")]))

    def _lists_kind(self, read: Reading, kind: str, texts: Sequence[str]) -> bool:
        """Can the texts list members of the kind a list question asks for (哪些X, X有哪些)? They must hold the
        kind: a kind whose members go by proper names (企业) literally, as 哪家企业 needs; another thing of the
        question literally or by a close counterpart; a word that names no thing (a generic one) says nothing."""
        if kind in focus.NAMED_KINDS:
            return self.names_kind(kind, texts)
        if kind not in read.things:
            return True
        return self._mentioned(read, "\n".join(texts))(kind)

    @staticmethod
    def names_kind(kind: str, texts: Sequence[str]) -> bool:
        """Can the answer say which one of this kind? Only if it holds the word: a related word (教育 for 学校)
        names no particular school (a semantic match let one such answer through on dev). A kind whose
        particulars are bodies or places (focus.KIND_TYPES) is named by one: 哪个部门 by 区人民政府."""
        typed, kind = focus.KIND_TYPES.get(kind), kind.lower()  # 哪个app: the documents may write APP
        return any(kind in t.lower() or (typed is not None and focus.holds(typed, t)) for t in texts)

    def after(
        self,
        question: str,
        texts: Sequence[str],
        retrieval: Retrieval,
        evidence: str = "",
        said_of: Mapping[str, str] | None = None,
    ) -> Verdict:
        """The verdict on a drafted answer.

        texts: the answer's sentences with the full sentences they quote; evidence: the text of the
        cited sections (what the question's terms must be found in); said_of: per text, its context (its
        whole article when short, else the sentence before it). A figure or a date must be in the answer's own
        sentence, but what it is said of may be named there (编制涉及垃圾处理设施的城乡规划…。规划草案…不得少于30日。).
        """
        strength = evidence_strength(retrieval)
        if not texts:
            return Verdict(self.refuse(UNSUPPORTED, retrieval))
        read = self.terms(question)
        if day_bound(question) and not self.coverage(question, evidence or "\n".join(texts), read).covered:
            # Tomorrow's snow, this weekend's opening: nothing the documents say is about that day. A day named
            # in passing (这个月的燃气账单，多久回复) leaves the question's things in the evidence, and it stands.
            return Verdict(self.refuse(DAY_BOUND, retrieval))
        # English words against Chinese text are too flat to say what a text names (see below); a question about
        # a document itself is answered by its notice or its commencement article, which call it 本条例 / 本纲要.
        skip_names = questions.is_english(question) or retrieval.about_document
        names = None if skip_names else self._in_context(self.names_things(read), said_of)
        typed = None if skip_names else self._in_context(self.names_things(read, spare=1), said_of)
        if lacks_figure(question, texts[:2], names):
            return Verdict(self.refuse(NO_FIGURE, retrieval))
        unconfirmed = unconfirmed_values(question, evidence or "\n".join(texts))
        if unconfirmed:
            return Verdict(self.refuse(NOT_COVERED, retrieval, terms="、".join(unconfirmed)))
        kind = lacks_answer_type(question, texts, typed)
        if kind is not None:
            return Verdict(self.refuse(NO_ANSWER_TYPE, retrieval, what=_TYPE_NAMES[kind]))
        term = items.counted_term(question)
        listed = focus.listed_kind(question, self.tag)
        # “十个明确”是哪些会议提出的 asks which meetings (a kind of its own), not the members of “十个明确”.
        if term is not None and listed is None and not items.lists_members(texts, term):
            # “五治”具体是哪五治 answered by a sentence that only repeats “五治”: the members are not given.
            return Verdict(self.refuse(NO_ANSWER_TYPE, retrieval, what=f"“{term}”的具体内容"))
        if items.defers_list(question, texts, read.terms):
            # 中医优势病种有哪些 answered by 应当筛选并发布本市中医优势病种: the list is published elsewhere.
            return Verdict(self.refuse(NO_ANSWER_TYPE, retrieval, what="具体名单"))
        thing = focus.which(question, self.tag)
        if thing is not None and not self.names_kind(thing, texts):
            return Verdict(self.refuse(NO_ANSWER_TYPE, retrieval, what=f"具体的{thing}"))
        if listed is not None and not self._lists_kind(read, listed, texts):
            # 发展指标有哪些 answered by sentences that hold no 指标 (nor anything close): they list none of them.
            return Verdict(self.refuse(NO_ANSWER_TYPE, retrieval, what=f"具体的{listed}"))
        if questions.is_english(question):
            # Single English words against Chinese evidence: their similarities are too flat to judge
            # coverage (measured on dev), so English questions rely on evidence strength and answer type.
            return Verdict(None, (), strength)
        cov = self.coverage(question, evidence or "\n".join(texts), read)
        # Words most sections hold (目标, 体系, 产业) frame a question; their absence from the cited
        # section says nothing, so only specific ones are named as not covered.
        specific = [t for t in cov.uncovered if self.doc_freq(t) <= self.settings.partial_max_df * self.num_docs]
        # A word of a document's own title (北京市 in 《北京市…规定》什么时候施行) names the document, not a topic.
        titles = "".join(retrieval.doc_titles.values())
        missing = tuple(t for t in cov.unknown + tuple(specific) if t in read.things and t not in titles)
        # Only terms no document holds (and nothing close to them) can make the documents silent;
        # terms the documents hold elsewhere make the answer partial, named in the answer.
        # A comparison the evidence holds only one side of is not made by the documents.
        if cov.known < self.settings.min_focus_coverage or (missing and focus.compares(question)):
            return Verdict(self.refuse(NOT_COVERED, retrieval, terms="、".join(missing[:4]) or "这一内容"))
        return Verdict(None, tuple(missing), strength * cov.score)
