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


# A regulation whose penalties restate the duties instead of citing them by number.
RESTATING = {
    (
        "第四章",
        "第二十条",
    ): "滑雪场游客不得有下列行为：（一）擅自进入未开放的雪道；（二）在索道运行时跳离吊椅；（三）损坏造雪设备。",
    ("第四章", "第二十一条"): "滑雪场经营者应当在雪道入口公示雪道难度和开放时间。",
    ("第七章", "第四十条"): "违反规定，游客有下列行为之一的，由体育主管部门责令改正，可以处二百元以下罚款："
    "（一）擅自进入未开放的雪道的；（二）在索道运行时跳离吊椅的；（三）损坏造雪设备的。",
    ("第七章", "第四十一条"): "滑雪场经营者未在雪道入口公示雪道难度的，由体育主管部门责令改正。",
}
CHAPTERS = {"第四章": "游客", "第七章": "法律责任"}


def _restating(*paths: tuple[str, ...]) -> tuple[list[tuple[Locator, float]], dict[Locator, str]]:
    found = [(Locator("ski", p), 3.0 - i * 0.5) for i, p in enumerate(paths)]
    return found, {loc: CHAPTERS[loc.path[0]] for loc, _ in found}


def _restating_text(loc: Locator) -> str:
    return RESTATING.get(loc.path, "")


def test_a_penalty_restating_a_duty_points_at_it() -> None:
    others = [(p[-1], t) for p, t in RESTATING.items() if p[0] == "第四章"]
    assert duties.restated(RESTATING[("第七章", "第四十条")], others) == ["第二十条"]
    # Boilerplate (who orders a correction, the fine) restates no duty.
    assert duties.restated("违反规定，由体育主管部门责令改正，可以处二百元以下罚款。", others) == []
    assert duties.is_penalty(RESTATING[("第七章", "第四十一条")], "法律责任")
    assert duties.is_penalty("违反本条例第十条规定的，责令改正。")
    assert not duties.is_penalty(RESTATING[("第四章", "第二十条")], "游客")


def test_a_restated_duty_is_lifted_above_its_penalty() -> None:
    found, titles = _restating(("第七章", "第四十条"), ("第四章", "第二十一条"), ("第四章", "第二十条"))
    got = duties.lift_duties("坐索道的时候能从吊椅上跳下来吗？", found, _restating_text, titles=titles)
    assert [loc.path[-1] for loc, _ in got] == ["第二十条", "第四十条", "第二十一条"]
    # Without the chapter titles a penalty that cites no article points nowhere: nothing moves.
    assert duties.lift_duties("坐索道的时候能从吊椅上跳下来吗？", found, _restating_text) is found
    # Asking what it costs puts the penalty first.
    ask, titles = _restating(("第四章", "第二十条"), ("第四章", "第二十一条"), ("第七章", "第四十条"))
    got = duties.lift_duties("从吊椅上跳下来会被罚款吗？", ask, _restating_text, titles=titles)
    assert [loc.path[-1] for loc, _ in got] == ["第四十条", "第二十条", "第二十一条"]
