"""Each answerability rule on its own, on examples written for this test (not taken from the eval sets)."""

from __future__ import annotations

import numpy as np
import pytest

from rag import focus, grounding, items, policy, prompts
from rag.config import Settings
from rag.retrieval import Retrieval
from rag.sparse import Tokenizer
from rag.types import Chunk, Hit, Locator

CORPUS = "甲区 乙镇 开发区 发展冰雪旅游，建设温泉康养基地，到2025年游客达到500万人次。"


def _retrieval(top: float, steered: bool = False) -> Retrieval:
    locs = [Locator("d", ("第一章",)), Locator("d", ("第二章",)), Locator("d", ("第三章",)), Locator("d", ("第四章",))]
    chunk = Chunk("d:1", "d", "甲区规划", "body", locs[0].path, "冰雪旅游", "第一章 冰雪旅游", 0, 4, "发展冰雪", 3)
    return Retrieval(
        question="q",
        query_vector=np.zeros(4, np.float32),
        hits=[Hit(chunk, top)],
        sections=[(loc, top - i) for i, loc in enumerate(locs)],
        steered=steered,
        titles={locs[0]: "冰雪旅游", locs[1]: "温泉康养"},
        doc_titles={"d": "甲区规划"},
    )


@pytest.fixture(scope="module")
def jieba_tokenizer() -> Tokenizer:
    """The project's jieba, with its own dictionary instance: tests elsewhere may change jieba's global one."""
    return Tokenizer()


@pytest.fixture
def rules() -> policy.Policy:
    return policy.Policy(Settings.from_env({}), CORPUS, segment=lambda q: list(_jieba_like(q)), num_docs=100)


def _jieba_like(q: str) -> list[str]:
    import jieba

    return jieba.lcut(q)


def test_instructions_only_is_refused(rules: policy.Policy) -> None:
    r = rules.before("", _retrieval(5.0))
    assert r is not None and r.code == policy.INSTRUCTIONS_ONLY


def test_places_the_documents_never_mention(rules: policy.Policy) -> None:
    assert policy.foreign_places(["丙山市", "的", "温泉"], CORPUS) == ["丙山市"]
    assert policy.foreign_places(["丁山", "县"], CORPUS) == ["丁山县"]
    assert policy.foreign_places(["甲区", "开发区", "全市"], CORPUS) == []
    # A count of places names none: 一个镇加几个街道, 两个区, 三所学校 are not places the documents miss.
    assert policy.foreign_places(["一个镇", "两个区", "十几个县", "每个乡"], CORPUS) == []
    assert policy.foreign_places(["跟", "哪俩", "区", "合作"], CORPUS) == []  # which two districts: no name
    # 省 before an aspect mark is the verb "to save": 泡温泉讲究省着点儿 names no province.
    assert policy.foreign_places(["泡温泉", "讲究", "省", "着", "点儿"], CORPUS) == []
    assert policy.foreign_places(["丁山", "省", "着力", "发展"], CORPUS) == ["丁山省"]
    # 2025年 + 甲区: the segmenter gives 年甲区 for a name it does not know; the year's 年 is no part of it.
    assert policy.foreign_places(["到", "2025", "年甲区", "的", "目标"], CORPUS) == []
    assert policy.foreign_places(["到", "2025", "年丙山市", "的", "目标"], CORPUS) == ["丙山市"]
    assert policy.foreign_places(["哪两个", "县"], CORPUS) == []
    r = rules.before("黄石县的冰雪旅游怎么样", _retrieval(5.0))
    assert r is not None and r.code == policy.FOREIGN_PLACE and "黄石县" in r.reason


def test_a_zone_named_for_its_function_is_no_place(jieba_tokenizer: Tokenizer) -> None:
    # 物流区, 旅游区: what the area is for, in words the documents use on their own; 丙山区 is a name.
    corpus = "建设物流枢纽，发展现代物流，物流企业集聚。发展冰雪旅游，旅游产业，旅游基地。"
    tag = jieba_tokenizer.tag
    assert policy.foreign_places(["要", "建", "物流区", "吗"], corpus, tag) == []
    assert policy.foreign_places(["旅游", "区"], corpus, tag) == []
    assert policy.foreign_places(["丙山区", "的", "物流"], corpus, tag) == ["丙山区"]
    # A place's name stays one even when the documents use its stem once or twice (a street, 朝阳路).
    assert policy.foreign_places(["朝阳区", "的", "物流"], corpus + "朝阳路", tag) == ["朝阳区"]
    # Without a tagger the rule is off: every unknown …区 is a place.
    assert policy.foreign_places(["物流区"], corpus) == ["物流区"]


def test_a_day_counted_from_today_is_no_documents_matter(rules: policy.Policy) -> None:
    # Written once, a document knows no "today": tomorrow's weather, this weekend's opening, last month's fee.
    for q in (
        "后天甲区会下雨吗？",
        "这周末温泉开放吗",
        "下周一冰雪节开幕吗",
        "上个月取暖费涨了没",
        "Is the spa open today?",
    ):
        assert policy.day_bound(q), q
    # A date or a period the documents can name is not one: 2025年, 今年, 今后五年, 每周, 周一到周五, 本周期.
    for q in (
        "到2025年游客达到多少",
        "今年的重点是什么",
        "今后五年怎么发展",
        "每周开放几天",
        "周一到周五开放吗",
        "本周期内的目标",
    ):
        assert not policy.day_bound(q), q
    r = rules.after("明天甲区会下雪吗？", ["发展冰雪旅游。"], _retrieval(5.0)).refusal
    assert r is not None and r.code == policy.DAY_BOUND and "某一天" in r.reason
    # A day named in passing, with the question's things in the evidence: the question stands.
    v = rules.after("我这个月去温泉康养基地，基地有什么规划？", ["建设温泉康养基地。"], _retrieval(5.0))
    assert v.refusal is None


def test_what_another_instrument_says_is_refused(rules: policy.Policy) -> None:
    r = rules.before("《丙市冰雪旅游促进条例》规定的门票优惠是什么？", _retrieval(5.0))
    assert r is not None and r.code == policy.NOT_COVERED and "丙市冰雪旅游促进条例" in r.reason
    r = rules.before("本规划和《丙市旅游法》在门票管理上有什么区别？", _retrieval(5.0))
    assert r is not None and r.code == policy.NOT_COVERED and "丙市旅游法" in r.reason
    assert rules.before("冰雪旅游有什么规划？", _retrieval(5.0)) is None


def test_a_request_for_the_bots_own_judgement_is_refused(rules: policy.Policy) -> None:
    for q in (
        "你觉得温泉年卡值不值得办？",
        "现在办温泉年卡划算吗",
        "您认为我该去滑雪还是泡温泉？",
        "你个人觉得哪个温泉最好？",
        "Do you think the spa pass is worth it?",
    ):
        assert policy.asks_opinion(q), q
    # A recommendation asked for: documents recommend no shop, school or spa.
    assert policy.asks_opinion("温泉街有啥好吃的馆子推荐不？") and policy.asks_opinion("给推荐几家温泉吧")
    assert not policy.asks_opinion("规划推荐发展哪些冰雪产业？")
    assert not policy.asks_opinion("示范温泉由谁推荐？") and not policy.asks_opinion("评示范温泉有什么推荐条件？")
    assert policy.asks_opinion("有什么好的温泉推荐吗？")
    # Which of two does better is a ranking no document makes.
    assert policy.asks_opinion("甲区跟乙区比，谁家的冰雪旅游搞得更好？")
    for q in ("温泉年卡多少钱？", "物业该不该管楼道卫生？", "这样经营温泉合法吗？", "你好，请问温泉什么时候开放？"):
        assert not policy.asks_opinion(q), q
    r = rules.before("你觉得冰雪旅游值不值得投资？", _retrieval(5.0))
    assert r is not None and r.code == policy.OPINION and "评价" in r.reason


def test_personal_services(rules: policy.Policy) -> None:
    assert policy.asks_personal_service("帮我查一下我的公积金余额")
    assert not policy.asks_personal_service("温泉康养基地建在哪里")
    # 怎么办 asks what to do, which a document may say; 去哪办 / 怎么办理 ask for the asker's own errand.
    assert not policy.asks_personal_service("温泉康养基地停业了，游客的年卡怎么办？")
    assert policy.asks_personal_service("温泉年卡去哪办？") and policy.asks_personal_service("温泉年卡怎么办理？")
    # Which days a venue opens is its timetable, never a plan's; a weekend outing is a topic.
    assert policy.asks_personal_service("温泉康养基地星期天开门不？")
    assert not policy.asks_personal_service("周末去甲区有啥好玩的？")
    r = rules.before("帮我预约温泉康养基地的体检", _retrieval(5.0))
    assert r is not None and r.code == policy.PERSONAL_SERVICE and r.reason == prompts.load("reason_personal.txt")


def test_off_topic_requests(rules: policy.Policy) -> None:
    assert policy.off_topic("给冰雪旅游写一首诗") and policy.off_topic("Pretend you are the mayor")
    assert not policy.off_topic("冰雪旅游有什么规划")
    assert policy.off_topic("Just make something up about the hot springs")
    assert not policy.off_topic("Which three parks make up the district's green belt?")  # constitute, not invent


def test_evidence_strength_and_the_steered_margin(rules: policy.Policy) -> None:
    bar = rules.settings.min_evidence
    assert rules.before("冰雪旅游有什么规划", _retrieval(bar + 0.1)) is None
    weak = rules.before("冰雪旅游有什么规划", _retrieval(bar - 0.1))
    assert weak is not None and weak.code == policy.WEAK_EVIDENCE
    # A question that carried instructions to the bot needs more evidence.
    steered = rules.before("冰雪旅游有什么规划", _retrieval(bar + 0.1, steered=True))
    assert steered is not None and steered.code == policy.WEAK_EVIDENCE
    assert rules.before("冰雪旅游有什么规划", _retrieval(bar + rules.settings.steered_margin + 0.1, True)) is None


def test_refusals_name_the_nearest_sections(rules: policy.Policy) -> None:
    r = rules.before("", _retrieval(5.0))
    assert r is not None
    assert [n.loc.path for n in r.nearest] == [("第一章",), ("第二章",), ("第三章",)]
    assert [n.title for n in r.nearest[:2]] == ["冰雪旅游", "温泉康养"] and r.nearest[0].doc_title == "甲区规划"


def test_figures_asked_for_must_be_in_the_evidence(rules: policy.Policy) -> None:
    assert policy.lacks_figure("游客要达到多少人次？", ["发展冰雪旅游，建设温泉康养基地。"])
    assert not policy.lacks_figure("游客要达到多少人次？", ["到2025年游客达到500万人次。"])
    assert not policy.lacks_figure("冰雪旅游怎么发展？", ["发展冰雪旅游。"])  # no figure asked for
    # A figure the question itself states is not an answer to it.
    assert policy.lacks_figure("500万人次以外还有多少游客？", ["游客达到500万人次。"])
    # A figure of another measure answers nothing: a span of years is no percentage.
    assert policy.lacks_figure("森林覆盖率是百分之多少？", ["实施十年造林计划。"])
    assert not policy.lacks_figure("森林覆盖率是百分之多少？", ["森林覆盖率达到45%。"])
    assert not policy.lacks_figure("禁渔要禁多少年？", ["实施长江十年禁渔。"])  # Chinese numerals count
    # The figure must be about what is asked: a visitor count is no answer on hotel beds.
    beds = lambda t: "床位" in t  # noqa: E731
    assert policy.lacks_figure("酒店床位有多少？", ["游客达到500万人次。"], beds)
    assert not policy.lacks_figure("酒店床位有多少？", ["新增酒店床位3000个。"], beds)
    r = rules.after("游客要达到多少人次？", ["发展冰雪旅游。"], _retrieval(5.0)).refusal
    assert r is not None and r.code == policy.NO_FIGURE


def test_an_empty_draft_is_unsupported(rules: policy.Policy) -> None:
    r = rules.after("冰雪旅游有什么规划", [], _retrieval(5.0)).refusal
    assert r is not None and r.code == policy.UNSUPPORTED
    v = rules.after("冰雪旅游有什么规划", ["发展冰雪旅游。"], _retrieval(5.0))
    assert v.refusal is None and v.uncovered == () and v.score > 0


def test_answer_type_when_where_who() -> None:
    # 几月份 asks which month (a date answers it), 几个月 how many months (a span does).
    assert focus.wants("温泉每年几月份开放？") == "when" and focus.wants("温泉要修几个月？") == "how_long"
    assert focus.wants("温泉基地什么时候建成？") == "when" and focus.wants("When will the spa open?") == "when"
    assert focus.wants("温泉基地建在哪里？") == "where" and focus.wants("由哪个部门负责？") == "who"
    assert focus.wants("温泉康养有什么规划？") is None
    # 什么颜色 is answered by a colour named as one, not by the thing coloured.
    q = "温泉毛巾统一是什么颜色的？"
    assert focus.wants(q) == "color" and focus.wants("What colour are the spa towels?") == "color"
    assert policy.lacks_answer_type(q, ["温泉毛巾应当统一配发。"]) == "color"
    assert policy.lacks_answer_type(q, ["温泉毛巾统一使用白色。"]) is None
    # 用在哪些方面 asks which kind of use, not where; 在哪些地方 still asks where.
    assert focus.wants("温泉门票收入用在哪些方面？") is None and focus.wants("在哪些地方建温泉？") == "where"
    # English when / where ask only as the question's word, not in a clause (what happens when it is sold).
    assert focus.wants("What happens to the spa's permit when it is sold?") is None
    assert focus.wants("When does the spa open?") == "when" and focus.wants("Where can I buy a ticket?") == "where"
    assert focus.holds("when", "到2025年游客达到500万人次") and not focus.holds("when", "建设温泉康养基地")
    assert focus.holds("where", "在滨江路建设温泉康养基地") and focus.holds("who", "由区文旅局牵头")
    assert policy.lacks_answer_type("温泉基地什么时候建成？", ["建设温泉康养基地。"]) == "when"
    assert policy.lacks_answer_type("温泉基地什么时候建成？", ["2024年底建成温泉康养基地。"]) is None
    # The date must be said of what is asked: the year of a visitor target says nothing about the spa.
    spa = lambda t: "温泉" in t  # noqa: E731
    assert policy.lacks_answer_type("温泉基地什么时候建成？", ["到2025年游客达到500万人次。"], spa) == "when"
    assert policy.lacks_answer_type("温泉基地什么时候建成？", ["2024年底建成温泉康养基地。"], spa) is None
    # A question about a year's event is not answered by a date said of another year.
    q = "2019年修订的温泉条例从哪天起施行？"
    assert policy.lacks_answer_type(q, ["本条例自2012年5月1日起施行。"]) == "when"
    assert policy.lacks_answer_type(q, ["2019年修订的本条例自2020年1月1日起施行。"]) is None


def test_a_value_must_be_said_of_every_specific_thing_asked(rules: policy.Policy) -> None:
    """names_things: a text names what is asked when it holds each specific thing, or a close counterpart."""
    names = rules.names_things(rules.terms("温泉康养基地每年接待多少游客？"))
    assert names("温泉康养基地每年接待游客30万人次。")
    assert not names("到2025年游客达到500万人次。")  # visitors, but not the spa's
    assert not names("建设温泉康养基地。")
    # A thing no document holds (索道) is named nowhere: no figure can be said of it.
    assert not rules.names_things(rules.terms("温泉索道有多长？"))("温泉康养基地长3公里。")
    r = rules.after("温泉康养基地每年接待多少游客？", ["到2025年游客达到500万人次。"], _retrieval(5.0))
    assert r.refusal is not None and r.refusal.code == policy.NO_FIGURE
    # 金额 names the value asked for, not a thing it is said of: the fine's text need not hold the word.
    assert rules.names_things(rules.terms("温泉康养基地超员接待的罚款金额是多少？"))(
        "温泉康养基地超员接待的，处五千元罚款。"
    )


def test_an_answer_of_the_wrong_type_is_refused(rules: policy.Policy) -> None:
    v = rules.after("温泉康养基地什么时候建成？", ["建设温泉康养基地。"], _retrieval(5.0))
    assert v.refusal is not None and v.refusal.code == policy.NO_ANSWER_TYPE and "时间" in v.refusal.reason


def test_content_terms_are_nouns_and_rare_verbs() -> None:
    import jieba
    import jieba.posseg

    # A tokenizer of its own: other tests load documents' words into jieba's global one, which changes
    # the frequencies (温泉, 基地) this test is about.
    plain = jieba.Tokenizer()
    poss = jieba.posseg.POSTokenizer(plain)

    def tag(q: str) -> list[tuple[str, str]]:
        return [(p.word, p.flag) for p in poss.lcut(q)]

    def freq(w: str) -> int:
        plain.check_initialized()
        return int(plain.FREQ.get(w, 0) or 0)

    assert focus.content_terms("温泉康养基地有什么规划吗？", tag, freq) == ["温泉", "康养", "基地"]
    # Pronouns, place words (家里, 区里) and common verbs (照顾, 知道) say nothing; rare verbs (逛街) do.
    assert focus.content_terms("家里老人以后谁来照顾，区里知道吗？", tag, freq) == ["老人"]
    assert "逛街" in focus.content_terms("以后逛街方便吗？", tag, freq)
    # Words for the document's own text (原文, 开篇, 条文) say where it is written, not what about.
    assert focus.content_terms("纲要开篇关于冰雪旅游的原文是怎么写的？", tag, freq) == ["冰雪", "旅游"]
    # Colloquial words for measures, doing and support ask how, not what about.
    assert focus.content_terms("温泉这块儿区里有啥新招儿？", tag, freq) == ["温泉"]
    assert focus.content_terms("开温泉的小老板，区里给不给撑腰？", tag, freq) == ["温泉", "老板"]
    # A question word glued to what follows (哪些地方, 啥意思, 哪几个) asks; only what follows may be content.
    assert focus.content_terms("修温泉路是为了方便哪些地方？", tag, freq) == ["温泉"]
    assert focus.content_terms("温泉康养到底是啥意思？", tag, freq) == ["温泉", "康养"]
    assert focus.content_terms("温泉康养要从哪几个方面推进？", tag, freq) == ["温泉", "康养"]
    # 什么样子, 啥样儿 ask what something will look like: 样子 is no thing asked about.
    assert focus.content_terms("温泉康养以后要建成什么样子？", tag, freq) == ["温泉", "康养"]
    assert focus.content_terms(
        "What are the plans for ski tourism?", lambda q: [(w, "eng") for w in q.split()], freq
    ) == [
        "ski",
        "tourism?",
    ]


def test_focus_coverage_literal_semantic_and_unknown() -> None:
    evidence = "发展冰雪旅游，建设温泉康养基地。"
    corpus = evidence + "建设滑雪场。"
    close = {"滑冰": 0.9}
    cov = focus.coverage(["冰雪", "滑冰", "滑雪场", "赛马"], evidence, corpus, {}, lambda t: close.get(t, 0.1), 0.85)
    assert cov.covered == ("冰雪", "滑冰")  # literally, and by a close counterpart
    assert cov.uncovered == ("滑雪场",)  # the documents say it, but not here
    assert cov.unknown == ("赛马",)  # no document says it, and nothing close
    assert cov.score == 0.5 and cov.partial
    assert focus.coverage([], evidence, corpus, {}, lambda t: 0.0, 0.85).score == 1.0


def test_only_unknown_things_make_the_documents_silent() -> None:
    """A thing no document names (跑马场) silences them; a verb they never use (琢磨) does not, and does not
    dilute the things either; a word they hold counts for the question."""
    evidence = corpus = "鼓励创新创业，发展冰雪旅游。"
    thing = {"跑马场", "冰雪"}.__contains__
    cov = focus.coverage(["琢磨", "冰雪"], evidence, corpus, {}, lambda t: 0.0, 0.85, silencing=thing)
    assert cov.unknown == ("琢磨",) and cov.known == 1.0
    cov = focus.coverage(["跑马场", "琢磨"], evidence, corpus, {}, lambda t: 0.0, 0.85, silencing=thing)
    assert cov.known == 0.0  # its one thing is unknown: the unknown verb does not make it half known
    cov = focus.coverage(["跑马场", "鼓励"], evidence, corpus, {}, lambda t: 0.0, 0.85, silencing=thing)
    assert cov.known == 0.5  # a word the documents do hold still counts for the question
    cov = focus.coverage(["琢磨"], evidence, corpus, {}, lambda t: 0.0, 0.85, silencing=thing)
    assert cov.known == 1.0  # no thing at all: nothing says the documents are silent


def test_a_question_about_something_no_document_holds_is_refused(rules: policy.Policy) -> None:
    v = rules.after("赛马场门票多少钱一张？", ["发展冰雪旅游。"], _retrieval(5.0), "发展冰雪旅游。")
    assert v.refusal is not None and v.refusal.code in (policy.NOT_COVERED, policy.NO_FIGURE)
    v = rules.after("赛马场和跑马场有什么规划？", ["发展冰雪旅游。"], _retrieval(5.0), "发展冰雪旅游。")
    assert v.refusal is not None and v.refusal.code == policy.NOT_COVERED and "赛马场" in v.refusal.reason


def test_a_partly_covered_question_names_what_is_missing(rules: policy.Policy) -> None:
    v = rules.after("冰雪旅游和温泉康养还有赛马吗？", ["发展冰雪旅游，建设温泉康养基地。"], _retrieval(5.0))
    assert v.refusal is None and v.uncovered == ("赛马",)


def test_questions_about_the_document_itself() -> None:
    assert focus.about_document("这个规划是哪次会议批准的？") and focus.about_document("纲要由哪个部门印发？")
    assert focus.about_document("Which meeting approved the plan?")
    assert focus.asks_commencement("When did the Songjiang Hot Spring Regulations take effect?")
    assert focus.asks_commencement("Has the ski resort rule come into force yet?")
    assert not focus.about_document("温泉康养基地怎么建？")
    # Its period, its source office, its role are attributes of the document too.
    assert focus.about_document("这份纲要管到哪一年到哪一年？") and focus.about_document("这个文件的发文机关是哪个？")
    assert focus.about_document("这份通知的来源是哪里？") and focus.about_document("What years does the outline cover?")
    assert not focus.about_document("温泉康养基地的定位是什么？")
    # The plan period named as a time frame of a topic is no question about the document.
    assert focus.about_document("这份规划的规划期是几年？")
    assert not focus.about_document("规划期内温泉游客每年要增长多少？")
    assert not focus.about_document("到规划期末甲区滑雪场能建几座？")


def test_who_questions_name_a_body_or_person() -> None:
    assert focus.wants("温泉基地由哪家公司运营？") == "who" and focus.wants("哪家单位负责冰雪节？") == "who"
    assert not focus.holds("who", "发展冰雪旅游。") and focus.holds("who", "由甲区文化旅游局负责。")
    # 局 ends a bureau's name, not a word for the whole or a layout: 全局, 格局, 布局, 大变局 name nobody.
    for text in ("统筹冰雪旅游全局。", "形成“一核两带”发展格局。", "优化温泉空间布局。", "应对百年大变局。"):
        assert not focus.holds("who", text), text
    # So 路 ends a road's name, not 思路, 出路, 新路: a way of doing something is no place.
    for text in ("理清冰雪旅游发展思路。", "走出一条温泉康养新路。", "为老工业区找到出路。"):
        assert not focus.holds("where", text), text
    assert focus.holds("where", "在滨江路建设温泉康养基地")
    # Regulations name bodies by what they do: 消防救援机构, 市温泉资源管理部门, 街道办事处.
    assert focus.holds("who", "由消防救援机构责令改正。") and focus.holds("who", "由市温泉资源管理部门代管。")


def test_colloquial_function_words_are_not_content() -> None:
    def tag(q: str) -> list[tuple[str, str]]:
        return [(w, "n") for w in ["大伙", "啥", "温泉", "咋", "干吗"]]

    assert focus.content_terms("大伙啥温泉咋干吗", tag, lambda w: 0) == ["温泉"]


def test_tense_of_questions_and_sentences() -> None:
    assert focus.tense("以后看病会更方便吗？") == 1 and focus.tense("过去五年取得了哪些成绩？") == -1
    assert focus.tense("温泉基地在哪？") == 0
    assert focus.sentence_tense("“十三五”时期，累计完成投资100亿元。") == -1
    assert focus.sentence_tense("到2025年，建成温泉康养基地。") == 1


def test_every_reason_has_a_code() -> None:
    assert len(set(policy.REASONS)) == len(policy.REASONS) == 11


def test_english_place_names_the_documents_never_spell_are_foreign() -> None:
    corpus = "松江市北湖区发展冰雪旅游，推进与南岭镇协同发展。"
    spellings = policy.place_spellings(corpus)
    assert {"beihu", "songjiang", "nanling"} <= spellings

    def known() -> set[str]:
        return spellings

    assert policy.foreign_latin_places("What will Beihu District build?", known) == []
    assert policy.foreign_latin_places("Does Nanling Town get a ski resort?", known) == []
    assert policy.foreign_latin_places("Is Xishan County's plan better?", known) == ["Xishan County"]
    assert policy.foreign_latin_places("what does the plan say about tourism?", known) == []


def test_a_foreign_place_refusal_says_which_place_the_documents_cover(rules: policy.Policy) -> None:
    import dataclasses

    retrieval = dataclasses.replace(_retrieval(5.0), doc_titles={"d": "松江市北湖区冰雪旅游规划"})
    r = rules.before("西山县的冰雪旅游怎么发展？", retrieval)
    assert r is not None and r.code == policy.FOREIGN_PLACE
    assert "西山县" in r.reason and "松江市北湖区" in r.reason  # the title of the document in scope


def test_a_figure_asked_for_a_year_the_evidence_never_names_is_missing() -> None:
    assert policy.years("二〇三〇年游客要达到多少？到2025年呢？") == {"2030", "2025"}
    assert policy.lacks_figure("二〇三〇年游客要达到多少？", ["到2025年，游客达到500万人次。"])
    assert not policy.lacks_figure("2025年游客要达到多少？", ["到2025年，游客达到500万人次。"])
    assert not policy.lacks_figure("温泉基地在哪一年建成？", ["2030年建成温泉基地。"])  # not a figure question


def test_words_most_sections_hold_are_not_named_as_missing() -> None:
    corpus = CORPUS + " 目标 温泉 "
    counts = {"目标": 60, "冰雪": 5, "温泉": 3, "旅游": 8}
    rules = policy.Policy(
        Settings.from_env({}), corpus, segment=_jieba_like, doc_freq=lambda w: counts.get(w, 0), num_docs=100
    )
    v = rules.after("冰雪旅游的目标和温泉有什么？", ["发展冰雪旅游。"], _retrieval(5.0), evidence="发展冰雪旅游。")
    assert v.refusal is None and "温泉" in v.uncovered and "目标" not in v.uncovered


def test_partial_answers_name_things_not_the_wording() -> None:
    def tag(q: str) -> list[tuple[str, str]]:
        return [("做买卖", "n"), ("折腾", "v"), ("研发", "vn"), ("干到", "v"), ("规模", "n")]

    # Verbs of a paraphrase are not named; nouns and verbal nouns are, in the order given.
    assert focus.things(["折腾", "做买卖", "研发", "干到"], "做买卖折腾研发干到规模", tag) == ["做买卖", "研发"]
    # A term the tagger did not return as a word of its own is kept (it came from the question's content).
    assert focus.things(["营商环境"], "营商环境", tag) == ["营商环境"]


def test_how_a_question_is_put_names_no_thing() -> None:
    # The segmenter tags colloquial wording as nouns or names (压根 n, 修一修 nr, 到时候 l): a verb said twice, a
    # time pointed at and colloquial adverbs are never named as not covered, nor silence the documents.
    def tag(q: str) -> list[tuple[str, str]]:
        return [("到时候", "l"), ("温泉", "n"), ("压根", "n"), ("修一修", "nr"), ("管管", "vn"), ("块儿", "n")]

    terms = ["到时候", "温泉", "压根", "修一修", "管管", "块儿"]
    assert focus.things(terms, "到时候温泉压根修一修管管块儿", tag) == ["温泉"]
    # A noun said twice is a thing: 奶奶 is who the question is about.
    assert focus.things(["奶奶", "温泉"], "奶奶温泉", lambda q: [("奶奶", "n"), ("温泉", "n")]) == ["奶奶", "温泉"]


def test_how_long_wants_a_span() -> None:
    assert focus.wants("注册商标的有效期是多久？") == "how_long"
    assert focus.wants("春节放假多少天？") == "how_long" and focus.wants("How long is the warranty?") == "how_long"
    assert focus.wants("创业补贴能领几年？") == "how_long" and focus.wants("公示要几天？") == "how_long"
    # "Some recent years" and "which years" ask for no span.
    assert focus.wants("前几年新区发展得怎么样？") is None and focus.wants("近几年有什么变化？") is None
    assert focus.wants("温泉基地什么时候建成？") == "when"
    assert focus.holds("how_long", "注册商标的有效期为十年，自核准注册之日起计算。")
    assert focus.holds("how_long", "春节，放假3天。") and focus.holds("how_long", "公示期不少于三十个工作日。")
    assert not focus.holds("how_long", "加快建设温泉康养基地。")
    refused = policy.lacks_answer_type("注册商标的有效期是多久？", ["注册商标应当在规定期限内续展。"])
    assert refused == "how_long"
    assert policy.lacks_answer_type("注册商标的有效期是多久？", ["注册商标的有效期为十年。"]) is None


def test_when_a_document_takes_effect() -> None:
    assert focus.states_commencement("本条例自2022年7月1日起施行，《深圳经济特区建筑节能条例》同时废止。")
    assert focus.states_commencement("本法自1983年3月1日起施行。") and focus.states_commencement(
        "本办法自公布之日起施行。"
    )
    assert not focus.states_commencement("本法施行前已经注册的商标继续有效。")
    assert focus.asks_commencement("青岛市控制吸烟条例哪天生效？") and focus.asks_commencement(
        "商标法是什么时候开始施行的？"
    )
    assert not focus.asks_commencement("规划是哪次会议批准的？") and not focus.asks_commencement("禁烟措施怎么实施？")
    # "自公布之日起" is a time: the document's own.
    assert focus.holds("when", "本办法自公布之日起施行。")
    # Asking when it takes effect names no missing term: 施行 and 生效 frame the question.
    assert focus.content_terms(
        "条例哪天生效？", lambda q: [("条例", "n"), ("哪天", "r"), ("生效", "v")], lambda w: 0
    ) == ["条例"]


_POS: list[object] = []


def _tags(text: str) -> list[tuple[str, str]]:
    """jieba's tagger on a tokenizer of its own (other tests add documents' words to the global one)."""
    import jieba
    import jieba.posseg

    if not _POS:
        _POS.append(jieba.posseg.POSTokenizer(jieba.Tokenizer()))
    return [(p.word, p.flag) for p in _POS[0].lcut(text)]  # type: ignore[attr-defined]


def test_a_which_word_in_a_conditional_clause_asks_nothing() -> None:
    # 要是哪家温泉…: any spa, a case stated; the question asks yes or no, not which one or when.
    assert focus.which("要是哪家温泉把水弄脏了，能罚款吗？", _tags) is None
    assert focus.which("哪家温泉的水最干净？", _tags) == "温泉"
    assert focus.wants("万一哪天温泉关门了，年卡能退吗？") is None
    assert focus.wants("温泉哪天关门？") == "when"
    assert focus.in_condition("如果哪天下雪，温泉开吗？", 2) and not focus.in_condition("如果下雪，哪天开？", 6)


def test_from_where_asks_for_a_source_not_a_place() -> None:
    assert focus.wants("温泉修建的钱从哪里来？") is None
    assert focus.wants("温泉的水从哪儿来？") is None
    assert focus.wants("温泉在哪里？") == "where"


def test_which_one_of_a_kind_a_question_asks() -> None:
    assert focus.which("这条街上哪家银行的利息最高？", _tags) == "银行"
    assert focus.which("新区会引进哪个大型超市品牌？", _tags) == "品牌"
    assert focus.which("新区要开哪几路公交车？", _tags) == "公交车"
    assert focus.which("规划提出了哪些措施？", _tags) is None  # a list, which documents do give
    assert focus.which("这个窗口在哪里？", _tags) is None  # the where type
    assert focus.which("文件用哪句话概括了目标？", _tags) is None  # 话: one character says too little
    # Abstract kinds ask for a list of what the document says, which never repeats the word.
    assert focus.which("冰雪旅游要从哪几个方面发力？", _tags) is None
    assert focus.which("温泉基地分哪几个阶段建设？", _tags) is None
    # A count asked with the names: each one named must be of the kind counted.
    assert focus.which("沿河要建几个公园，都叫啥名字？", _tags) == "公园"
    assert focus.which("沿河要建几个公园？", _tags) is None  # a count only: any figure may answer
    # 哪些 with a kind whose members have proper names asks for those names, as 哪家 does.
    assert focus.which("温泉小镇已经引进了哪些企业？", _tags) == "企业"
    assert focus.which("温泉小镇周边有哪些学校？", _tags) == "学校"
    assert focus.which("温泉小镇要推进哪些工作？", _tags) is None  # a list of what the document says
    # 什么 before such a kind asks for a name too (什么品牌); before any other kind, what the document says.
    assert focus.which("温泉小镇要引进什么酒店品牌？", _tags) == "品牌"
    assert focus.which("温泉小镇旁边要建啥商场？", _tags) == "商场"
    assert focus.which("温泉小镇有什么扶持措施？", _tags) is None
    assert focus.which("温泉小镇要推进什么工作？", _tags) is None
    # A Latin word is a kind too: 哪个APP wants the app's name, which a text holds in any case.
    assert focus.which("温泉年卡要用哪个APP预约？", _tags) == "APP"
    assert policy.Policy.names_kind("APP", ["在“冰雪通”app上办理。"])
    assert not policy.Policy.names_kind("APP", ["到温泉服务中心办理。"])


def test_a_which_question_needs_an_answer_naming_that_kind() -> None:
    rules = policy.Policy(Settings.from_env({}), CORPUS, segment=_jieba_like, num_docs=100, tag=_tags)
    text = "引进银行、保险等金融机构，发展冰雪旅游。"
    v = rules.after("冰雪旅游区里哪个酒店最便宜？", [text], _retrieval(5.0), text)
    assert v.refusal is not None and v.refusal.code == policy.NO_ANSWER_TYPE and "酒店" in v.refusal.reason
    v = rules.after("冰雪旅游区会引进哪个银行？", [text], _retrieval(5.0), text)
    assert v.refusal is None or v.refusal.code != policy.NO_ANSWER_TYPE
    v = rules.after("冰雪旅游区要建什么酒店？", [text], _retrieval(5.0), text)
    assert v.refusal is not None and v.refusal.code == policy.NO_ANSWER_TYPE and "酒店" in v.refusal.reason


def test_a_body_or_a_road_names_a_department_or_a_road() -> None:
    rules = policy.Policy(Settings.from_env({}), CORPUS, segment=_jieba_like, num_docs=100, tag=_tags)
    text = "冰雪旅游规划由区文化旅游局负责实施，沿温泉大路布置游客服务站。"
    for question in ("冰雪旅游规划由哪个部门负责实施？", "游客服务站沿哪条道路布置？"):
        v = rules.after(question, [text], _retrieval(5.0), text)
        assert v.refusal is None or v.refusal.code != policy.NO_ANSWER_TYPE, question
    v = rules.after("冰雪旅游规划由哪个部门负责实施？", ["发展冰雪旅游。"], _retrieval(5.0), "发展冰雪旅游。")
    assert v.refusal is not None and v.refusal.code == policy.NO_ANSWER_TYPE  # no body named: no department


def test_an_abstract_kind_frames_the_answer_and_is_never_missing() -> None:
    assert focus.which("温泉产业主要往哪几个方向发展？", _tags) is None
    assert focus.things(["方向", "温泉"], "温泉产业主要往哪几个方向发展？", _tags) == ["温泉"]


def test_a_phone_number_is_personal_but_a_phone_is_a_topic() -> None:
    assert policy.asks_personal_service("社区服务中心的电话是多少？")
    assert policy.asks_personal_service("打什么电话投诉？")
    assert not policy.asks_personal_service("老接到诈骗电话，有人管吗？")


def test_where_in_the_document_is_no_place() -> None:
    assert focus.wants("“三治”融合是在哪里提出的？") is None and focus.wants("文件在哪里提到了托育？") is None
    assert focus.wants("托育中心建在哪里？") == "where" and focus.wants("哪里有公共停车场？") == "where"


def test_chinese_numeral_years_answer_when() -> None:
    assert focus.holds("when", "到二〇三五年基本实现现代化。") and not focus.holds("when", "推进现代化建设。")


def test_only_nouns_name_what_is_missing() -> None:
    """Verbs (折腾) and fixed expressions (差不多) say how a question is put, not what it is about."""
    question = "差不多到明年，孩子入学的学位会不会又折腾？"
    assert focus.things(["差不多", "入学", "学位", "折腾"], question, _tags) == ["入学", "学位"]


def test_well_known_names_are_matched_literally_and_never_generic() -> None:
    """A famous name no document holds (丙国) is what the question is about, and a close vector (甲国) is not it."""
    tags = {"丙国": "ns", "丁河": "ns", "的": "uj", "冰雪": "n", "旅游": "vn"}
    tag = lambda q: [(w, tags.get(w, "x")) for w in ("丙国", "的", "冰雪", "旅游", "丁河") if w in q]  # noqa: E731
    freq = {"丙国": 40000, "丁河": 90}.get
    common = lambda w: freq(w) or 0  # noqa: E731
    # 丙国 is as common as 地方 in general Chinese: kept only when the documents never mention it.
    assert "丙国" in focus.content_terms("丙国的冰雪旅游", tag, common, in_documents=lambda w: False)
    assert "丙国" not in focus.content_terms("丙国的冰雪旅游", tag, common, in_documents=lambda w: True)
    # A rare string tagged as a place is jieba's guess at an unknown word, not a well-known name.
    assert focus.names(["丙国", "丁河", "冰雪"], "丙国 丁河 冰雪", tag, common) == ["丙国"]
    rules = policy.Policy(
        Settings.from_env({}), "甲国 冰雪旅游", segment=lambda q: [w for w, _ in tag(q)], num_docs=100,
        similar=lambda term, text: 9.0, tag=tag, general_freq=common,
    )  # fmt: skip
    cov = rules.coverage("丙国的冰雪旅游", "甲国发展冰雪旅游。")
    assert "丙国" in cov.unknown and "冰雪" in cov.covered  # every other term has a close counterpart here


def test_fixed_expressions_that_are_compound_nouns_name_things() -> None:
    """jieba tags 个人所得税 and 义务教育 as fixed expressions (l), like 差不多: only the first two end in a noun."""
    assert _tags("个人所得税") == [("个人所得税", "l")] and _tags("差不多") == [("差不多", "l")]
    terms = ["个人所得税", "义务教育", "差不多", "一般来说"]
    assert focus.things(terms, "一般来说个人所得税和义务教育差不多", _tags) == ["个人所得税", "义务教育"]


def test_a_comparison_needs_both_sides(rules: policy.Policy) -> None:
    assert focus.compares("冰雪旅游和滑翔伞比起来哪个更好玩？") and focus.compares("甲区跟乙区相比差多少")
    assert focus.compares("温泉和滑雪哪个更热门") and focus.compares("How does it compare with Shanghai?")
    assert not focus.compares("和平与发展是时代主题吗") and not focus.compares("游客同比增长多少")
    # 和…比，哪个…更; 和…有什么区别.
    assert focus.compares("本条例和《丙省温泉条例》比，哪个对无证经营罚得更重？")
    assert focus.compares("温泉年卡和次卡有什么区别？") and focus.compares("滑雪和滑冰的区别")
    assert not focus.compares("我和家人想去泡温泉，有什么推荐？")
    # What the two are compared on may come between them.
    assert focus.compares("本条例和《丙省温泉法》在收费程序上的规定有什么区别？")
    evidence = ["发展冰雪旅游。"]
    v = rules.after("冰雪旅游和滑翔伞比起来哪个更好玩？", evidence, _retrieval(5.0))
    assert v.refusal is not None and v.refusal.code == policy.NOT_COVERED and "滑翔伞" in v.refusal.reason
    # Not a comparison: the side the documents hold is answered, the other named as not covered.
    v = rules.after("冰雪旅游和滑翔伞有什么规划？", evidence, _retrieval(5.0))
    assert v.refusal is None and "滑翔伞" in v.uncovered


def test_well_known_places_the_documents_never_mention(jieba_tokenizer: Tokenizer) -> None:
    tag, freq = jieba_tokenizer.tag, jieba_tokenizer.general_freq
    corpus = CORPUS.lower()
    assert policy.unheard_places("广州的冰雪旅游搞得怎么样？", tag, freq, corpus) == ["广州"]
    assert policy.unheard_places("日本和甲区比，谁的温泉多？", tag, freq, corpus) == ["日本"]
    # A place the documents name, a word for "abroad", or a place brought in as a likeness is no foreign place.
    assert policy.unheard_places("甲区的温泉康养基地建在哪？", tag, freq, corpus) == []
    assert policy.unheard_places("跟外国比，甲区的冰雪旅游有啥特色？", tag, freq, corpus) == []
    assert policy.unheard_places("甲区能不能建个像广州那样的花市？", tag, freq, corpus) == []
    # jieba's dictionary tags some common nouns as places: 往窗外扔东西 names no place.
    assert tag("往窗外扔东西")[-1] == ("东西", "ns")
    assert policy.unheard_places("温泉旅馆往窗外扔东西罚不罚？", tag, freq, corpus) == []
    rules = policy.Policy(Settings.from_env({}), CORPUS, segment=jieba_tokenizer.segment, tag=tag, general_freq=freq)
    r = rules.before("广州的冰雪旅游搞得怎么样？", _retrieval(5.0))
    assert r is not None and r.code == policy.FOREIGN_PLACE and "广州" in r.reason


def test_a_value_the_question_puts_forward_must_be_stated() -> None:
    evidence = "到2025年，游客达到500万人次。温泉康养基地门票降至每人80元。"
    assert policy.proposed_values("门票会不会降到每人五十元？") == ["五十元"]
    assert policy.unconfirmed_values("门票会不会降到每人五十元？", evidence) == ["五十元"]
    assert policy.unconfirmed_values("游客能不能突破八百万人次？", evidence) == ["八百万人"]
    # The same value in other numerals confirms it; a question asking for a value puts none forward.
    assert policy.unconfirmed_values("游客会达到五百万人次吗？", evidence) == []
    assert policy.unconfirmed_values("门票会降到80元吗？", evidence) == []
    assert policy.proposed_values("到2025年游客要达到多少？") == []
    assert policy.proposed_values("报告提到的温泉基地叫什么？") == []


def test_a_cut_in_no_dictionary_and_no_document_is_no_thing(jieba_tokenizer: Tokenizer) -> None:
    corpus = "温泉经营合同签订之日起十五日内，向区文旅局备案。"
    tk = jieba_tokenizer
    rules = policy.Policy(Settings.from_env({}), corpus, segment=tk.segment, tag=tk.tag, general_freq=tk.general_freq)
    read = rules.terms("温泉经营合同签了以后多少日内报备案？")  # jieba cuts 日内报 into 日 / 内报
    assert "内报" in read.terms and "内报" not in read.things and "备案" in read.things
    assert rules.names_things(read)("温泉经营合同签订之日起十五日内，向区文旅局备案。")
    # A real word no document holds is still a thing the documents are silent on.
    assert "索道" in rules.terms("温泉索道多少日内备案？").things


def test_a_figure_may_be_said_of_what_the_sentence_before_it_names(jieba_tokenizer: Tokenizer) -> None:
    """The figure must be in the answer's sentence; what it is about may be named in the sentence before it."""
    tk = jieba_tokenizer
    corpus = "新建温泉度假村项目，应当进行环境影响评价。评价报告公示前，建设单位应当征求意见，公示时间不得少于20日。"
    rules = policy.Policy(
        Settings.from_env({}), corpus, segment=tk.segment, num_docs=100, tag=tk.tag, general_freq=tk.general_freq
    )
    question = "温泉度假村的评价报告要公示多少天？"
    answer = ["评价报告公示前，建设单位应当征求意见，公示时间不得少于20日。"]
    before = {answer[0]: "新建温泉度假村项目，应当进行环境影响评价。"}
    alone = rules.after(question, answer, _retrieval(5.0), corpus)
    assert alone.refusal is not None and alone.refusal.code == policy.NO_FIGURE
    assert rules.after(question, answer, _retrieval(5.0), corpus, before).refusal is None
    # The sentence before naming something else does not make the figure one of the question's thing.
    other = {answer[0]: "新建滑雪场项目，应当进行环境影响评价。"}
    verdict = rules.after(question, answer, _retrieval(5.0), corpus + other[answer[0]], other)
    assert verdict.refusal is not None and verdict.refusal.code == policy.NO_FIGURE


def test_spans_of_time_in_arabic_numerals_are_figures() -> None:
    assert grounding.figures("公示时间不得少于20日。") == ["20日"]
    assert grounding.figures("应当在15个工作日内答复，3个月内办结。") == ["15个工作日", "3个月"]
    # A date's day and a year are not spans of time.
    assert grounding.figures("自2020年5月1日起施行。") == []


def test_an_abbreviation_is_covered_by_its_full_form() -> None:
    assert focus.expansion("温协会", "甲区温泉协会负责行业自律。") == "温泉协会"
    assert focus.expansion("文旅局", "报区文化和旅游局备案。") == "文化和旅游局"
    # Two characters would find words they do not shorten; characters far apart are no abbreviation.
    assert focus.expansion("温度", "温泉度假村") is None
    assert focus.expansion("温协会", "温泉旅馆应当配合行业主管部门和社会组织开展协作，召开会议") is None
    rules = policy.Policy(Settings.from_env({}), CORPUS, segment=lambda q: list(_jieba_like(q)), num_docs=100)
    read = policy.Reading(("温协会",), frozenset({"温协会"}), frozenset())
    assert rules.names_things(read)("甲区温泉协会负责行业自律。")
    assert not rules.names_things(read)("甲区滑雪协会负责行业自律。")


def test_an_instance_the_documents_define_is_named_by_its_kind(jieba_tokenizer: Tokenizer) -> None:
    """A provision about 温泉经营单位 answers about 温泉酒店 when the documents' definition lists it."""
    tk = jieba_tokenizer
    corpus = (
        "本办法所称温泉经营单位，是指利用温泉资源经营的温泉酒店、温泉度假村等单位。"
        "温泉经营单位停业，应当提前30日向区文旅局报告。"
    )
    rules = policy.Policy(
        Settings.from_env({}), corpus, segment=tk.segment, num_docs=100, tag=tk.tag, general_freq=tk.general_freq
    )
    answer = ["温泉经营单位停业，应当提前30日向区文旅局报告。"]
    assert rules.after("温泉酒店停业要提前多少天报告？", answer, _retrieval(5.0), corpus).refusal is None
    # Something the definition does not list is not named by the kind: the figure is not said of it.
    verdict = rules.after("温泉浴场停业要提前多少天报告？", answer, _retrieval(5.0), corpus)
    assert verdict.refusal is not None and verdict.refusal.code == policy.NO_FIGURE


def test_a_neighbours_own_plan_is_refused_as_another_place() -> None:
    rules = policy.Policy(Settings.from_env({}), CORPUS, segment=lambda q: list(_jieba_like(q)), num_docs=100)
    # Retrieval reads the question without the scope every document shares; the policy sees it as asked.
    r = rules.before("丙丁区的温泉怎么安排？", _retrieval(5.0), asked="丙丁区的“十四五”规划里温泉怎么安排？")
    assert r is not None and r.code == policy.FOREIGN_PLACE and "丙丁区" in r.reason
    assert rules.before("甲区的温泉怎么安排？", _retrieval(5.0), asked="甲区的“十四五”规划里温泉怎么安排？") is None


def test_where_to_go_for_an_errand_is_answered_by_the_office_or_its_contact() -> None:
    question = "温泉旅馆乱收费，我该上哪儿投诉？"
    assert focus.wants(question) == "where" and focus.errand_where(question)
    assert policy.lacks_answer_type(question, ["消费者可以向区市场监督管理部门投诉。"]) is None
    assert policy.lacks_answer_type(question, ["区文旅局应当公布投诉电话。"]) is None
    assert policy.lacks_answer_type(question, ["温泉旅馆应当明码标价。"]) == "where"
    assert focus.errand_where("温泉馆虚假宣传，该上哪儿告去？")
    # Colloquial errands: 上哪儿补, 去哪儿重新弄一张, 到哪拿.
    assert focus.errand_where("温泉年卡丢了，上哪儿重新弄一张？") and focus.errand_where("体检报告去哪拿？")
    # Where a thing is, not where to go for an errand: an office is no answer.
    assert not focus.errand_where("温泉康养基地建在哪儿？")
    assert policy.lacks_answer_type("温泉康养基地建在哪儿？", ["由区文旅局负责建设。"]) == "where"


def test_a_government_named_by_its_level_is_a_body() -> None:
    assert focus.holds("who", "市、区人民政府对做出突出贡献的单位给予表彰。")
    assert not focus.holds("who", "人民政府应当加强领导。")  # which government, it does not say


def test_how_long_and_its_kin_are_question_words_not_things(jieba_tokenizer: Tokenizer) -> None:
    tk = jieba_tokenizer
    rules = policy.Policy(Settings.from_env({}), CORPUS, segment=tk.segment, tag=tk.tag, general_freq=tk.general_freq)
    read = rules.terms("温泉经营许可证的有效期是多长？")
    assert "多长" not in read.terms and "有效期" in read.terms


def test_a_fine_set_as_a_share_or_multiple_of_a_sum_answers_how_much() -> None:
    question = "温泉旅馆超量取水，罚款标准是多少？"
    assert grounding.measure(question) == "money"
    assert not policy.lacks_figure(question, ["处应缴水资源费百分之五以上百分之十以下罚款。"])
    assert not policy.lacks_figure(question, ["处违法所得一倍以上三倍以下罚款。"])
    assert policy.lacks_figure(question, ["超量取水的，责令限期改正，并处罚款。"])


def test_an_errand_is_a_personal_service_unless_the_documents_regulate_its_thing() -> None:
    # Personal in any case: someone's own affairs, an office's hours.
    assert policy.asks_personal_service("帮我查一下我的温泉年卡余额", lambda q: True)
    # An errand about a thing the documents regulate is a question about the rule (挂号 in a hospital regulation).
    assert not policy.asks_personal_service("温泉馆门口能直接挂号泡温泉吗？", lambda q: True)
    assert policy.asks_personal_service("温泉馆门口能直接挂号泡温泉吗？", lambda q: False)
    assert policy.asks_personal_service("温泉馆门口能直接挂号泡温泉吗？")  # no documents to ask: as before


def test_what_the_rules_were_before_or_what_a_revision_changed() -> None:
    for question in ["这个条例出台以前，温泉怎么管？", "这次修订改了哪几条？", "新条例跟原来的相比有什么变化？"]:
        assert policy.asks_history(question), question
    for question in ["温泉康养基地以前建了哪些？", "条例施行后温泉怎么管？", "过去五年温泉游客增长了多少？"]:
        assert not policy.asks_history(question), question
    assert policy.states_changes("一、将第五条修改为：“……”") and not policy.states_changes(CORPUS)
    rules = policy.Policy(Settings.from_env({}), CORPUS, segment=lambda q: list(_jieba_like(q)), num_docs=100)
    r = rules.before("这个条例出台以前，温泉怎么管？", _retrieval(5.0))
    assert r is not None and r.code == policy.NOT_COVERED


def test_a_word_of_a_documents_own_title_is_never_reported_as_not_covered(jieba_tokenizer: Tokenizer) -> None:
    import dataclasses

    tk = jieba_tokenizer
    rules = policy.Policy(
        Settings.from_env({}), CORPUS, segment=tk.segment, num_docs=100, tag=tk.tag, general_freq=tk.general_freq
    )
    question, answer = "青海省冰雪旅游条例怎么说冰雪旅游？", ["甲区发展冰雪旅游。"]
    plain = rules.after(question, answer, _retrieval(5.0), answer[0])
    assert "青海省" in plain.uncovered  # a place no document here names
    named = dataclasses.replace(_retrieval(5.0), doc_titles={"d": "青海省冰雪旅游条例"})
    assert "青海省" not in rules.after(question, answer, named, answer[0]).uncovered


def test_the_value_asked_for_is_not_a_thing_the_answer_must_name_even_as_a_span() -> None:
    rules = policy.Policy(Settings.from_env({}), CORPUS, segment=lambda q: list(_jieba_like(q)), num_docs=100)
    read = policy.Reading(("温泉执照", "期限内"), frozenset({"温泉执照", "期限内"}), frozenset())
    # 期限内 (within what period) asks for the value, as 期限 does: the answer names the period, not the word.
    assert rules.names_things(read)("温泉执照自吊销之日起三年内不得重新申领。")
    assert not rules.names_things(read)("滑雪执照自吊销之日起三年内不得重新申领。")


def test_a_count_in_a_classifier_wants_a_figure_in_it() -> None:
    question = "温泉馆每多少张床位要配一名救生员？"
    assert grounding.measure(question) == "count" and grounding.measure("泡一次温泉多少块钱？") == "money"
    assert not policy.lacks_figure(question, ["温泉馆每50张床位配备一名救生员。"])
    assert policy.lacks_figure(question, ["温泉馆应当24小时值守，配备三人以上。"])  # hours and people count else
    assert grounding.figures("新建两座温泉馆，购置3辆摆渡车。") == ["两座", "3辆"]


def test_an_age_in_weeks_is_no_span_of_time() -> None:
    assert not focus.holds("how_long", "本市支持开展3周岁以下婴幼儿的早期教育。")
    assert focus.holds("how_long", "应当在3周内答复。")
    assert grounding.figures("3周岁以下婴幼儿") == []


def test_dates_as_notices_write_them_and_titles_that_date_nothing() -> None:
    assert focus.holds("when", "发布时间:2023-04-18 09:30")
    assert focus.wants("温泉规划管的是哪几年？") == "when"
    # A year inside a document's title is part of its name.
    assert not focus.holds("when", "关于印发《甲区温泉发展2030年远景纲要》的通知。")
    assert focus.holds("when", "《甲区温泉发展纲要》于2023年印发。")


def test_a_question_asking_a_name_wants_one_the_question_does_not_hold() -> None:
    question = "温泉小镇规划的那个主题公园叫什么名字？"
    assert focus.wants(question) == "name" and focus.wants("首批示范温泉的名单有哪些？") == "name"
    assert policy.lacks_answer_type(question, ["规划建设温泉小镇主题公园，打造康养品牌。"]) == "name"
    assert policy.lacks_answer_type(question, ["建设“汤泉乐园”主题公园。"]) is None  # quoted
    assert policy.lacks_answer_type(question, ["打造甲区国家温泉公园。"]) is None  # a proper name in 公园
    # A name the question already gives answers nothing.
    assert policy.lacks_answer_type("“一镇三泉”里的三个泉分别叫啥名？", ["着眼“一镇三泉”协调发展。"]) == "name"


def test_a_duration_without_a_number_answers_how_long() -> None:
    assert focus.holds("how_long", "温泉保护政策长期坚持、不动摇。")
    assert policy.lacks_answer_type("温泉保护政策能坚持多久？", ["温泉保护政策长期坚持、不动摇。"]) is None
    assert policy.lacks_answer_type("温泉保护政策能坚持多久？", ["温泉保护政策要坚持不动摇。"]) == "how_long"


def test_a_post_holder_asked_for_needs_a_persons_name() -> None:
    """局长是谁 asks for a person: a body (区文旅局) or a post answers 由谁负责, not who holds the post."""
    assert focus.wants("区文旅局的局长是谁？") == "person"
    assert focus.wants("分管温泉的副区长叫什么名字？") == "person"
    assert focus.wants("Who is the director of the tourism bureau?") == "person"
    # The members of a body, by name: 常委都有谁 is answered by names, not by what the committee does.
    assert focus.wants("温泉管委会的委员都有谁？") == "person" and focus.wants("区委常委都是谁？") == "person"
    assert focus.wants("温泉管委会的委员由谁任命？") == "who" and focus.wants("委员都有哪些职责？") is None
    assert focus.wants("温泉由哪个部门负责监管？") == "who"
    assert policy.lacks_answer_type("区文旅局的局长是谁？", ["区文旅局负责温泉行业监管。"]) == "person"
    assert policy.lacks_answer_type("区文旅局的局长是谁？", ["区文旅局局长王海同志主持会议。"]) is None


def test_a_few_days_in_a_yes_no_question_asks_for_no_span() -> None:
    # 几 in a question already asked by 吗 / 行不 means "a few"; alone it asks how many.
    assert focus.wants("温泉池我想先停用几天，可以吗？") is None
    assert focus.wants("温泉池停用几天再开，行不？") is None
    assert focus.wants("温泉池停用要提前几天报告？") == "how_long"
    assert focus.wants("温泉池停用要报告几天？能不能晚点报？") == "how_long"  # the first sentence asks
    assert focus.wants("前几天新开的温泉在哪？") == "where"


def test_english_questions_of_a_measure_or_a_contact() -> None:
    assert grounding.measure("How many people visited the hot springs?") == "people"
    assert grounding.measure("How much is the fine for a spa without a permit?") == "money"
    assert grounding.measure("What percentage of spas passed inspection?") == "percent"
    # A count of people is not answered by a sum of money.
    assert policy.lacks_figure("How many people were fined last year?", ["无证经营温泉的，处五千元罚款。"])
    assert policy.asks_personal_service("What is the phone number of the tourism bureau?")
    assert policy.asks_history("这次修订改了温泉条例里的哪些条款？")


def test_what_something_is_called_asks_a_name() -> None:
    assert focus.wants("温泉小镇的三个景区分别叫啥？") == "name"
    assert focus.wants("这个温泉度假区叫什么？") == "name"
    assert focus.wants("温泉小镇为什么叫“汤泉”？") is None  # why it is so called: a reason, not a name


def test_an_amount_of_money_must_be_of_the_kind_asked() -> None:
    """A fine's figure does not say what compensation is owed, nor a fee what subsidy is paid."""
    fine = ["在温泉池内吸烟的，处二百元罚款。"]
    assert policy.lacks_figure("游客在温泉摔伤了，温泉要赔多少钱？", fine)
    assert not policy.lacks_figure("在温泉池内吸烟要罚多少钱？", fine)
    assert not policy.lacks_figure("游客在温泉摔伤了，温泉要赔多少钱？", ["温泉经营者应当赔偿游客损失二千元。"])
    assert policy.lacks_figure("温泉改造能拿多少补贴？", ["温泉门票价格为每人一百元。"])
    assert not policy.lacks_figure("温泉门票多少钱？", ["温泉门票价格为每人一百元。"])  # no kind asked: any sum


def test_a_counted_term_asked_for_its_members_needs_an_answer_that_lists_them(rules: policy.Policy) -> None:
    assert items.counted_term("规划说的“四季”旅游，具体是哪四季？") == "四季"
    assert items.counted_term("“1+3+N”的温泉体系包括哪些？") == "1+3+N"
    assert items.counted_term("“两带三区”分别指什么？") == "两带三区"
    # A period (“十四五”), a code (“2035”), an ordinal (“第一”) or a question about where it is said: no members.
    for q in ("“十四五”时期温泉怎么发展？", "“2035”是什么意思", "温泉被称为“第一”什么？", "“四季”旅游是在哪里提出的？"):
        assert items.counted_term(q) is None, q
    assert items.lists_members(["打造春赏花、夏避暑、秋观叶、冬玩雪的“四季”旅游。"], "四季")
    assert not items.lists_members(["大力发展“四季”旅游，建设冰雪旅游强区。"], "四季")
    # Sibling slogans listed beside the term are not its members; twelve members need a long list.
    assert not items.lists_members(["大会提出的“两带”、“十二景”、“四季”概括了旅游布局。"], "十二景")
    assert items.lists_members(["建设甲湖;乙山;丙谷;丁岭等十二景。"], "十二景")
    assert items.lists_members(["建立“春赏花、夏避暑、秋观叶”的三季旅游。"], "三季")  # the quote is the list
    # What the terms sum up is asked, not their members.
    assert items.counted_term("“两带”、“四季”概括的是什么？") is None
    assert [items.count_of(t) for t in ("五治", "十四个坚持", "两步走", "3核", "1+2+N", "二十景")] == [
        5,
        14,
        2,
        3,
        3,
        20,
    ]
    r = rules.after("规划说的“四季”旅游，具体是哪四季？", ["大力发展“四季”旅游。"], _retrieval(5.0)).refusal
    assert r is not None and r.code == policy.NO_ANSWER_TYPE and "“四季”的具体内容" in r.reason
    v = rules.after("规划说的“四季”旅游，具体是哪四季？", ["发展春、夏、秋、冬“四季”旅游。"], _retrieval(5.0))
    assert v.refusal is None


def test_a_typed_answer_may_leave_one_of_three_things_of_context_unnamed(rules: policy.Policy) -> None:
    # 谁来办理 in 小区 about a 温泉年卡: a resident's context (小区) need not be in the sentence naming the body.
    three = policy.Reading(("温泉", "年卡", "小区"), frozenset({"温泉", "年卡", "小区"}), frozenset())
    text = "温泉年卡由区文化旅游局统一办理。"
    assert rules.names_things(three, spare=1)(text) and not rules.names_things(three)(text)
    assert not rules.names_things(three, spare=1)("由区文化旅游局统一办理。")  # two of three unnamed
    two = policy.Reading(("温泉", "年卡"), frozenset({"温泉", "年卡"}), frozenset())
    assert not rules.names_things(two, spare=1)("温泉由区文化旅游局管理。")  # of two things, both are needed
    tagged = policy.Policy(Settings.from_env({}), CORPUS, segment=_jieba_like, num_docs=100, tag=_tags)
    for question in ("住在小区里的人，温泉年卡由谁来办理？", "小区里的温泉年卡由谁来办理？"):
        v = tagged.after(question, [text], _retrieval(5.0), text)
        assert v.refusal is None or v.refusal.code != policy.NO_ANSWER_TYPE, question
    v = tagged.after("小区里的温泉年卡由谁来办理？", ["由区文化旅游局统一办理。"], _retrieval(5.0), text)
    assert v.refusal is not None and v.refusal.code == policy.NO_ANSWER_TYPE  # neither 温泉 nor 年卡 named


def test_a_place_given_by_role_or_by_measure_answers_where() -> None:
    assert focus.holds("where", "温泉年卡到本人户口所在地的服务站办理。")
    assert focus.holds("where", "雪具应当存放在管理方指定的地点。")
    assert focus.holds("where", "测温计置于池边距离水面一米处。")
    assert not focus.holds("where", "温泉康养基地建设由党中央统一部署。")  # 中央 is a body here, no place
    assert not focus.holds("where", "发展温泉康养和冰雪旅游。")


def test_a_list_left_to_be_published_elsewhere_is_no_answer_to_which_ones(rules: policy.Policy) -> None:
    deferred = ["区文旅局应当评定并公布本区温泉康养示范基地。"]
    terms = ("温泉康养", "示范基地")
    assert items.defers_list("温泉康养示范基地有哪些？", deferred, terms)
    assert items.defers_list("本区评上的示范基地是哪几家？", deferred, terms)
    # A text that lists them, a question not asking which ones, or a publication of something else: not deferred.
    assert not items.defers_list("温泉康养示范基地有哪些？", ["示范基地包括甲温泉、乙温泉、丙温泉。"], terms)
    assert not items.defers_list("示范基地由谁评定？", deferred, terms)
    assert not items.defers_list("温泉康养示范基地有哪些？", ["区文旅局应当公布冰雪旅游线路。"], terms)
    v = rules.after("温泉康养示范基地有哪些？", deferred, _retrieval(5.0), deferred[0])
    assert v.refusal is not None and v.refusal.code == policy.NO_ANSWER_TYPE and "名单" in v.refusal.reason


def test_an_instrument_the_document_orders_made_is_a_topic() -> None:
    # Who approves the 温泉专项规划 a regulation orders made is a provision; who approved this document is not.
    assert not focus.about_document("温泉专项规划由哪个部门编制，报谁批准？")
    assert not focus.about_document("禁止携带物品名录由谁发布？")
    assert focus.about_document("这份实施方案是谁印发的？")
    assert focus.about_document("这个规划是哪次会议批准的？")


def test_a_list_question_needs_an_answer_holding_its_kind() -> None:
    # 哪些X / X有哪些: the answer lists X's; a text that holds no X (nor anything close) lists none of them.
    assert focus.listed_kind("冰雪旅游有哪些配套景区？", _tags) == "景区"
    assert focus.listed_kind("冰雪旅游的配套景区都有哪些？", _tags) == "景区"
    assert focus.listed_kind("冰雪旅游要从哪些方面推进？", _tags) is None  # an abstract kind frames the list
    assert focus.listed_kind("冰雪旅游有哪些区域？", _tags) is None  # places go by their own names
    assert focus.listed_kind("要是哪些景区涨价了，怎么办？", _tags) is None  # a case stated, nothing listed
    rules = policy.Policy(
        Settings.from_env({}), CORPUS + "温泉康养基地名录。", segment=_jieba_like, num_docs=100, tag=_tags
    )
    text = "发展冰雪旅游，建设温泉康养基地。"
    v = rules.after("冰雪旅游有哪些配套景区？", [text], _retrieval(5.0), text)
    assert v.refusal is not None and v.refusal.code == policy.NO_ANSWER_TYPE and "景区" in v.refusal.reason
    v = rules.after("哪些温泉康养基地要建设？", [text], _retrieval(5.0), text)
    assert v.refusal is None


def test_a_list_of_named_members_needs_the_kind_named_and_a_kind_asked_is_no_member_list() -> None:
    rules = policy.Policy(Settings.from_env({}), CORPUS + "温泉企业。", segment=_jieba_like, num_docs=100, tag=_tags)
    # 企业都有哪些: members go by proper names, so the answer must hold the kind itself, as 哪家企业 needs.
    text = "主要发展冰雪旅游和温泉康养产业。"
    v = rules.after("甲区引进的温泉企业都有哪些？", [text], _retrieval(5.0), text)
    assert v.refusal is not None and v.refusal.code == policy.NO_ANSWER_TYPE and "企业" in v.refusal.reason
    named = "引进甲温泉企业、乙温泉企业。"
    v = rules.after("甲区引进的温泉企业都有哪些？", [named], _retrieval(5.0), named)
    assert v.refusal is None or v.refusal.code != policy.NO_ANSWER_TYPE
    # “四季”是哪些会议提出的 asks a kind (会议), not the members of “四季”: the members are not required.
    quoted = "冰雪旅游大会提出“四季”温泉的说法。"
    assert focus.listed_kind("“四季”温泉是哪些会议提出的？", _tags) == "会议"
    v = rules.after("“四季”温泉是哪些会议提出的？", [quoted], _retrieval(5.0), quoted)
    assert v.refusal is None or "“四季”的具体内容" not in v.refusal.reason
