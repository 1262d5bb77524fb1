"""A question of several asks: cut into its asks, each answered or named open; on examples written for this test."""

from __future__ import annotations

import pytest

from rag import asks, grounding, questions
from rag.cite import partial_note
from rag.types import Answer, AnswerSentence, Citation, Refusal


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # Two questions: two asks, the statement before the first going with it.
        ("我家搬到甲区了。甲区有几所小学？学区怎么划？", ["我家搬到甲区了。甲区有几所小学？", "学区怎么划？"]),
        ("温泉怎么去?另外门票多少钱?", ["温泉怎么去?", "另外门票多少钱?"]),
        ("Where is the spa? How much is a ticket?", ["Where is the spa?", "How much is a ticket?"]),
        ("甲区修了哪些路；乙区建了哪些桥？", ["甲区修了哪些路；", "乙区建了哪些桥？"]),
        # A comma joining two clauses that each ask by a word of their own: two asks (whether the second stands
        # alone is the pipeline's to judge).
        # Each asking clause ends as the question it is.
        ("温泉有什么特色，门票多少钱？", ["温泉有什么特色？", "门票多少钱？"]),
        ("甲区是什么定位，面临什么挑战？", ["甲区是什么定位？", "面临什么挑战？"]),
        ("甲区要建温泉吗，另外乙区有没有滑雪场？", ["甲区要建温泉吗？", "另外乙区有没有滑雪场？"]),
        ("甲区那片老房子要拆吗，啥时候动工？", ["甲区那片老房子要拆吗？", "啥时候动工？"]),
        # 多大, 多久 ask a measure; 许多大型 states one.
        ("温泉是按什么思路建的，占地面积有多大？", ["温泉是按什么思路建的？", "占地面积有多大？"]),
        ("甲区要建温泉，要等多久？", ["甲区要建温泉，要等多久？"]),
        ("甲区建了许多大型温泉，有哪些？", ["甲区建了许多大型温泉，有哪些？"]),
        # One question: a clause that states (a case, the context) goes with the ask; a statement is not an ask.
        ("我家暖气不热，找谁修？", ["我家暖气不热，找谁修？"]),
        ("要是哪天温泉关了，门票怎么退？", ["要是哪天温泉关了，门票怎么退？"]),
        ("我家暖气不热。能退钱吗？", ["我家暖气不热。能退钱吗？"]),
        ("房子这么贵。几年能买上？", ["房子这么贵。几年能买上？"]),
        # Too short to be an ask of its own: it elaborates the one before.
        ("甲区有哪些湖？都叫啥？", ["甲区有哪些湖？都叫啥？"]),
        ("甲区修了哪些路；乙区呢？", ["甲区修了哪些路；乙区呢？"]),
    ],
)
def test_split(question: str, expected: list[str]) -> None:
    assert asks.split(question) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("规划对温泉区和滑雪场分别有什么要求？", ["规划对温泉区有什么要求？", "规划对滑雪场有什么要求？"]),
        ("温泉和冰雪方面规划分别有什么安排？", ["温泉方面规划有什么安排？", "冰雪方面规划有什么安排？"]),
        ("温泉旅游与冰雪运动各有什么任务？", ["温泉旅游有什么任务？", "冰雪运动有什么任务？"]),
        (
            "甲区在温泉康养和冰雪旅游方面，分别要打造什么载体？",
            ["甲区在温泉康养方面，要打造什么载体？", "甲区在冰雪旅游方面，要打造什么载体？"],
        ),
        # One thing asked of, or no pair before 分别: one ask.
        ("三条河分别叫什么？", ["三条河分别叫什么？"]),
        ("各街道要做什么？", ["各街道要做什么？"]),
    ],
)
def test_each_of_a_pair(question: str, expected: list[str]) -> None:
    assert asks.split(question) == expected


def test_a_long_list_is_read_whole() -> None:
    wishes = "能修路吗？能建校吗？能开医院吗？能通地铁吗？能建公园吗？"
    assert asks.split(wishes) == [wishes]


def test_label_drops_the_question_mark() -> None:
    assert asks.label("门票多少钱？ ") == "门票多少钱"
    assert asks.label("How much is a ticket?") == "How much is a ticket"


def test_a_yes_or_no_clause_cut_at_a_comma_is_still_yes_or_no() -> None:
    first, _ = asks.split("甲区那片老房子要拆吗，啥时候动工？")
    assert questions.is_yes_no(first)  # so the pipeline never lets it stand alone (silence is no "no")


def test_label_drops_the_comma_and_the_joining_word() -> None:
    assert asks.label("温泉有什么特色，") == "温泉有什么特色"
    assert asks.label("另外门票多少钱？") == "门票多少钱"
    assert asks.label("还有滑雪场在哪？") == "滑雪场在哪"


def _cite(chapter: str, quote: str) -> Citation:
    return Citation("plan", (chapter,), "甲区规划", "标题", quote, f"plan:{chapter}")


def _answer(question: str, *quotes: tuple[str, str], ms: float = 2.0) -> Answer:
    sentences = tuple(AnswerSentence(q, (_cite(ch, q),)) for ch, q in quotes)
    return Answer(question, "", sentences, tuple(s.citations[0] for s in sentences), (), timings_ms={"total": ms})


def test_combine_answers_the_answered_asks_and_names_the_open_ones() -> None:
    whole = Answer("温泉在哪？门票多少钱？", "抱歉。", (), (), (), Refusal("no_figure", ""), {"total": 5.0})
    first = _answer("温泉在哪？", ("第一章", "温泉位于北山。"), ("第二章", "北山通公交。"))
    out = asks.combine(whole, ["温泉在哪？", "门票多少钱？"], [first, None])
    assert not out.refused and out.question == "温泉在哪？门票多少钱？"
    assert out.unanswered == ("门票多少钱",)
    assert out.text.startswith("温泉位于北山。【第一章】北山通公交。【第二章】")
    assert out.text.endswith("以下问题文件未具体提及：“门票多少钱”。")
    assert [c.loc.path for c in out.citations] == [("第一章",), ("第二章",)]
    assert out.timings_ms["total"] == 7.0  # the whole question's work and the ask's
    assert out.to_json()["unanswered"] == ["门票多少钱"]


def test_combine_quotes_a_sentence_two_asks_share_once() -> None:
    whole = Answer("甲？乙？", "抱歉。", (), (), (), Refusal("no_figure", ""), {"total": 1.0})
    a = _answer("甲？", ("第一章", "温泉位于北山。"))
    b = _answer("乙？", ("第一章", "温泉位于北山。"), ("第三章", "门票免费。"))
    out = asks.combine(whole, ["甲？", "乙？"], [a, b])
    assert [s.text for s in out.sentences] == ["温泉位于北山。", "门票免费。"]
    assert out.unanswered == () and "未具体提及" not in out.text


def test_combine_keeps_the_refusal_when_no_ask_is_answered() -> None:
    whole = Answer("甲？乙？", "抱歉。", (), (), (), Refusal("no_figure", ""), {"total": 1.0})
    assert asks.combine(whole, ["甲？", "乙？"], [None, None]) is whole


def test_extend_adds_an_asks_own_answer_from_another_section() -> None:
    whole = _answer("温泉在哪？门票多少钱？", ("第一章", "温泉位于北山。"), ms=3.0)
    same = _answer("温泉在哪？", ("第一章", "温泉位于北山。"))
    other = _answer("门票多少钱？", ("第三章", "门票免费。"), ("第一章", "温泉位于北山。"))
    asked = ["温泉在哪？", "门票多少钱？", "几点开门？"]
    out = asks.extend(whole, asked, [same, other, None])
    assert [s.text for s in out.sentences] == ["温泉位于北山。", "门票免费。"]
    assert [c.loc.path for c in out.citations] == [("第一章",), ("第三章",)]  # the whole answer's primary stays first
    assert out.text == "温泉位于北山。【第一章】门票免费。【第三章】" and out.timings_ms["total"] == 7.0
    assert out.unanswered == ()  # an ask not judged alone (None) is not named
    assert asks.extend(whole, asked[:2], [same, None]) is whole  # nothing new: the answer as it was


def test_extend_names_an_ask_the_documents_refuse_alone() -> None:
    whole = _answer("温泉在哪？几月开放？", ("第一章", "温泉位于北山。"), ms=3.0)
    same = _answer("温泉在哪？", ("第一章", "温泉位于北山。"))
    refused = Answer("几月开放？", "抱歉。", (), (), (), Refusal("no_answer_type", ""), {"total": 1.0})
    out = asks.extend(whole, ["温泉在哪？", "温泉几月开放？"], [same, refused])
    assert out.unanswered == ("温泉几月开放",) and out.citations == whole.citations
    assert out.text == "温泉位于北山。【第一章】以下问题文件未具体提及：“温泉几月开放”。"


@pytest.mark.parametrize(
    ("question", "yes_no"),
    [
        ("温泉会不会涨价？", True),
        ("门票涨不涨", True),
        ("能带狗进去吗？", True),
        ("温泉在哪？", False),
        ("门票多少钱？", False),
        ("有哪些温泉？", False),
    ],
)
def test_is_yes_no(question: str, yes_no: bool) -> None:
    assert questions.is_yes_no(question) is yes_no


def test_a_count_is_answered_only_in_the_classifier_asked() -> None:
    assert grounding.measure("甲区要拆迁多少户？") == "count"
    assert grounding.measures("120户", "count", "甲区要拆迁多少户？")
    assert not grounding.measures("8节点", "count", "甲区要拆迁多少户？")
    assert not grounding.measures("3家", "count", "甲区有几所小学？")
    assert grounding.measures("3所", "count", "甲区有几所小学？") and grounding.measures(
        "5个", "count", "甲区有几所小学？"
    )


def test_an_open_ask_holding_quotes_is_named_with_nested_quotes() -> None:
    note = partial_note((), ("“冰雪季”期间门票多少钱",))
    assert note.endswith("以下问题文件未具体提及：“‘冰雪季’期间门票多少钱”。") and "““" not in note
