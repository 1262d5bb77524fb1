"""An ask of a two-ask question read over the sections the whole question found (Pipeline._ask_within), on a
regulation written for this test and a deterministic embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.indexer import build_index
from rag.pipeline import Pipeline
from tests.conftest import FakeEmbedder, make_settings

REGULATION = """# 某市温泉疗养服务条例

<!-- INFO END -->

第一条 为了规范温泉疗养服务，保障疗养人员权益，制定本条例。

第二条 市人民政府负责全市温泉疗养服务工作，鼓励八十周岁以上老年人参加温泉疗养。

第三条 实施八十周岁以上老年人温泉疗养津贴制度，发放温泉疗养津贴的具体办法和标准由市人民政府制定。

第四条 八十周岁以上老年人进入温泉疗养机构，享受优先服务。

第五条 温泉经营场所的收费标准，由县级人民政府价格主管部门核定并公布。

第六条 温泉浴池的建设标准，由县级人民政府住房城乡建设主管部门会同有关部门制定。

第七条 温泉从业人员的培训标准，由县级人民政府人力资源社会保障主管部门制定。

第八条 温泉疗养机构的服务标准，由县级人民政府民政部门制定。

第九条 温泉浴池每次收费不超过三十元。

第十条 本条例自公布之日起施行。
"""
QUESTION = "八十岁以上老人的温泉疗养津贴每个月发多少钱？标准由哪一级政府来定？"


def _pipeline(tmp_path: Path, text: str) -> Pipeline:
    """A pipeline over one regulation written for these tests, indexed with the deterministic embedder."""
    source = tmp_path / "regulation.md"
    source.write_text(text, "utf-8")
    settings = make_settings(corpus=(source,), index_dir=tmp_path / "index", embed_model="fake-bigrams")
    build_index(settings, embedder=FakeEmbedder())
    return Pipeline(settings, embedder=FakeEmbedder())


@pytest.fixture
def spa(tmp_path: Path) -> Pipeline:
    return _pipeline(tmp_path, REGULATION)


def test_an_ask_that_finds_other_sections_alone_is_read_over_the_whole_questions(spa: Pipeline) -> None:
    # Alone, 标准由哪一级政府来定 finds the other standards (第六条, 浴池的建设标准), which the whole question did not.
    alone = spa.ask("标准由哪一级政府来定？")
    assert not alone.refused and alone.citations[0].loc.path == ("第六条",)
    # The whole question gives no amount, so it is refused as one; its second ask is answered from 第三条, the
    # section the whole question found, and the first is named as open.
    a = spa.ask(QUESTION)
    assert not a.refused
    assert [c.loc.path for c in a.citations] == [("第三条",)]
    assert "由市人民政府制定" in a.text and "每个月发多少钱" in a.text


def test_an_ask_for_a_figure_is_not_read_over_other_sections(spa: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    # A figure in the whole question's sections is easily said of something else: such an ask stands alone or not
    # at all.
    read_over: list[str] = []
    original = Pipeline._answer_over

    def spy(self: Pipeline, ask: str, *args: object, **kwargs: object) -> object:
        read_over.append(ask)
        return original(self, ask, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Pipeline, "_answer_over", spy)
    spa.ask("八十岁以上老人的温泉疗养津贴由哪一级政府定标准？温泉浴池每次收费多少钱？")
    spa.ask(QUESTION)
    assert read_over[-1] == "标准由哪一级政府来定？"
    assert read_over and all("多少" not in ask for ask in read_over)


REPORTS = """# 某市温泉浴场管理办法

<!-- INFO END -->

第一条 为了规范温泉浴场管理，制定本办法。

第二条 对温泉浴场违法行为的举报，经查证属实的，应当给予举报人奖励。

第三条 临河温泉浴场纳入城市更新范围，提升周边环境。

第四条 游泳馆应当公示营业时间。

第五条 公共停车场应当设置残疾人专用车位。

第六条 生活垃圾应当分类投放到指定的收集容器。

第七条 学校周边道路应当设置交通安全警示标志。

第八条 医疗机构应当建立突发事件应急预案。

第九条 本办法自公布之日起施行。
"""


@pytest.fixture
def baths(tmp_path: Path) -> Pipeline:
    return _pipeline(tmp_path, REPORTS)


def test_a_yes_or_no_first_ask_stands_when_its_answer_speaks_to_it(baths: Pipeline) -> None:
    # 奖励 is what the ask asks yes or no about, and 第二条 says it is given: that ask is answered, the amount
    # named as open.
    a = baths.ask("举报温泉浴场违法查实了有奖励吗？奖金给多少？")
    assert not a.refused
    assert [c.loc.path for c in a.citations] == [("第二条",)]
    assert "给予举报人奖励" in a.text and "奖金给多少" in a.text


def test_a_yes_or_no_ask_its_answer_does_not_speak_to_stays_open(baths: Pipeline) -> None:
    # 第三条 names 临河温泉浴场 but says nothing of 拆除: silence is no "no", and the whole stays refused.
    alone = baths.ask("临河温泉浴场要拆除吗？")
    assert alone.refused or "拆除" not in " ".join(s.text for s in alone.sentences)
    a = baths.ask("临河温泉浴场要拆除吗？拆除补偿多少钱？")
    assert a.refused
