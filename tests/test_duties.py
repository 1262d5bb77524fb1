"""Penalty articles and the duties they enforce (rag.duties), on articles written for this test."""

from __future__ import annotations

from rag import duties
from rag.types import Locator

TEXTS = {
    ("第三章", "第十条"): "温泉经营者不得向游客提供一次性洗浴用品。",
    ("第三章", "第十一条"): "温泉经营者应当公示水质检测结果。",
    ("第六章", "第三十条"): "违反本条例第十条规定，温泉经营者向游客提供一次性洗浴用品的，处五百元罚款。",
    ("第六章", "第三十一条"): "违反本条例第十一条、第十条规定的，责令改正。",
}


def _sections(*paths: tuple[str, ...]) -> list[tuple[Locator, float]]:
    return [(Locator("spa", p), 3.0 - i * 0.5) for i, p in enumerate(paths)]


def _text(loc: Locator) -> str:
    return TEXTS.get(loc.path, "")


def test_the_duties_a_penalty_enforces() -> None:
    assert duties.duties_of(TEXTS[("第六章", "第三十一条")]) == ["第十一条", "第十条"]
    assert duties.duties_of(TEXTS[("第三章", "第十条")]) == []


def test_a_question_about_the_duty_gets_the_duty_first() -> None:
    found = _sections(("第六章", "第三十条"), ("第三章", "第十一条"), ("第三章", "第十条"))
    got = duties.lift_duties("温泉能不能给客人一次性拖鞋？", found, _text)
    assert [loc.path for loc, _ in got] == [("第三章", "第十条"), ("第六章", "第三十条"), ("第三章", "第十一条")]
    assert [s for _, s in got] == [s for _, s in found]  # the ranks keep their scores; sections move
    # Asking about the consequence keeps the penalty first; a duty already above it stays where it is.
    assert duties.lift_duties("温泉给客人一次性拖鞋会被罚款吗？", found, _text) is found
    above = _sections(("第三章", "第十条"), ("第六章", "第三十条"))
    assert duties.lift_duties("温泉能不能给客人一次性拖鞋？", above, _text) is above


def test_a_duty_retrieval_did_not_find_is_not_added() -> None:
    found = _sections(("第六章", "第三十条"), ("第三章", "第十一条"))
    assert duties.lift_duties("温泉能不能给客人一次性拖鞋？", found, _text) is found


def test_a_question_about_the_consequence_gets_the_penalty_first() -> None:
    found = _sections(("第三章", "第十条"), ("第三章", "第十一条"), ("第六章", "第三十条"))
    got = duties.lift_duties("温泉给客人一次性拖鞋会被罚款吗？", found, _text)
    assert [loc.path for loc, _ in got] == [("第六章", "第三十条"), ("第三章", "第十条"), ("第三章", "第十一条")]
    assert [s for _, s in got] == [s for _, s in found]
    # A penalty moves above the duty it enforces only, never above a duty ranked higher than that one.
    other = _sections(("第三章", "第十一条"), ("第三章", "第十条"), ("第六章", "第三十条"))
    got = duties.lift_duties("不公示水质会被罚款吗？", other, _text)
    assert [loc.path for loc, _ in got] == [("第三章", "第十一条"), ("第六章", "第三十条"), ("第三章", "第十条")]
    # A penalty beyond the first candidates is not looked at.
    far = _sections(("第三章", "第十条"), ("第三章", "第十一条"), ("第一章", "第一条"), ("第六章", "第三十条"))
    assert duties.lift_duties("温泉给客人一次性拖鞋会被罚款吗？", far, _text) is far
