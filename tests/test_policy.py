"""Each answerability rule on its own, on examples written for this test (not taken from the eval sets)."""

from __future__ import annotations

import numpy as np
import pytest

from rag import policy, prompts
from rag.config import Settings
from rag.retrieval import Retrieval
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


@pytest.fixture
def rules() -> policy.Policy:
    return policy.Policy(Settings.from_env({}), CORPUS, segment=lambda q: list(_jieba_like(q)))


def _jieba_like(q: str) -> list[str]:
    import jieba

    return jieba.lcut(q)


def test_instructions_only_is_refused(rules: policy.Policy) -> None:
    r = rules.before("", _retrieval(5.0))
    assert r is not None and r.code == policy.INSTRUCTIONS_ONLY


def test_places_the_documents_never_mention(rules: policy.Policy) -> None:
    assert policy.foreign_places(["丙市", "的", "温泉"], CORPUS) == ["丙市"]
    assert policy.foreign_places(["丁", "县"], CORPUS) == ["丁县"]
    assert policy.foreign_places(["甲区", "开发区", "全市"], CORPUS) == []
    r = rules.before("黄石县的冰雪旅游怎么样", _retrieval(5.0))
    assert r is not None and r.code == policy.FOREIGN_PLACE and "黄石县" in r.reason


def test_personal_services(rules: policy.Policy) -> None:
    assert policy.asks_personal_service("帮我查一下我的公积金余额")
    assert not policy.asks_personal_service("温泉康养基地建在哪里")
    r = rules.before("帮我预约温泉康养基地的体检", _retrieval(5.0))
    assert r is not None and r.code == policy.PERSONAL_SERVICE and r.reason == prompts.load("reason_personal.txt")


def test_off_topic_requests(rules: policy.Policy) -> None:
    assert policy.off_topic("给冰雪旅游写一首诗") and policy.off_topic("Pretend you are the mayor")
    assert not policy.off_topic("冰雪旅游有什么规划")


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
    r = rules.after("游客要达到多少人次？", ["发展冰雪旅游。"], _retrieval(5.0))
    assert r is not None and r.code == policy.NO_FIGURE


def test_an_empty_draft_is_unsupported(rules: policy.Policy) -> None:
    r = rules.after("冰雪旅游有什么规划", [], _retrieval(5.0))
    assert r is not None and r.code == policy.UNSUPPORTED
    assert rules.after("冰雪旅游有什么规划", ["发展冰雪旅游。"], _retrieval(5.0)) is None


def test_every_reason_has_a_code() -> None:
    assert len(set(policy.REASONS)) == len(policy.REASONS) == 7
