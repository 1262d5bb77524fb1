"""A plan's indicator table in Word, read end to end with the real model: the answer quotes the row and its
header verbatim and cites the chapter; a year or an indicator the table does not give is refused.

The Word file is written here (python-docx): a constructed city plan whose 主要指标 table has the usual shape,
a category cell merged down its rows, empty cells as dashes and a five-year total in brackets. It sits in a
knowledge base beside the real Erdao plan, so retrieval and the evidence bar work at a real plan's scale."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings
from rag.embed import load_embedder
from rag.indexer import build_index
from rag.pipeline import Pipeline
from tests.conftest import REAL_PLAN, make_settings

pytestmark = pytest.mark.slow

HEADER = ["类别", "指标", "2020年", "2025年", "年均/累计", "属性"]
ROWS = [
    ["经济发展", "地区生产总值增长（%）", "3.5", "—", "6左右", "预期性"],
    ["经济发展", "常住人口城镇化率（%）", "63.4", "67", "—", "预期性"],
    ["民生福祉", "城镇新增就业（万人）", "—", "—", "[8]", "预期性"],
    ["民生福祉", "每千人口拥有执业（助理）医师数（人）", "2.9", "3.4", "—", "预期性"],
    ["绿色生态", "森林覆盖率（%）", "41.2", "42", "—", "约束性"],
]


def _plan(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("甲市国民经济和社会发展第十四个五年规划纲要")
    d.add_paragraph("第一章　发展目标")
    d.add_paragraph("锚定二〇三五年远景目标，综合考虑发展趋势和条件，甲市“十四五”时期经济社会发展主要指标如下。")
    table = d.add_table(rows=len(ROWS) + 1, cols=len(HEADER))
    for r, values in enumerate([HEADER, *ROWS]):
        for c, v in enumerate(values):
            table.cell(r, c).text = v
    # The category cell spans its indicators' rows, as in the plans' own tables.
    for first, last in ((1, 2), (3, 4)):
        table.cell(first, 0).merge(table.cell(last, 0))
        table.cell(first, 0).text = ROWS[first - 1][0]
    d.add_paragraph("第二章　建设创新型城市")
    d.add_paragraph("加快建设区域科技创新中心，支持企业建设研发平台，推动科技成果就地转化。")
    d.add_paragraph("第三章　改善人民生活品质")
    d.add_paragraph("实施就业优先战略，健全覆盖城乡的公共就业服务体系，推进健康甲市建设。")
    d.save(path)
    return path


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    folder = tmp_path_factory.mktemp("tables")
    settings: Settings = make_settings(corpus=(REAL_PLAN, _plan(folder / "jia-plan.docx")), index_dir=folder / "index")
    embedder = load_embedder(settings)
    build_index(settings, embedder=embedder)
    return Pipeline(settings, embedder=embedder)


def test_a_target_in_the_table_is_quoted_with_its_header(pipeline: Pipeline) -> None:
    a = pipeline.ask("到2025年甲市常住人口城镇化率要达到多少？")
    assert a.refusal is None, a.text
    quoted = [s.text for s in a.sentences]
    # The row as Word gives it (the merged category cell once, in the first row) and, before it, the header
    # row that says which column is 2025, both verbatim.
    assert quoted == ["类别  指标  2020年  2025年  年均/累计  属性", "常住人口城镇化率（%）  63.4  67  —  预期性"]
    assert {c.doc_id for c in a.citations} == {"jia-plan"} and a.citations[0].path == ("第一章",)
    b = pipeline.ask("甲市每千人口执业医师数2025年的目标是多少？")
    assert b.refusal is None and "3.4" in b.text, b.text


def test_a_year_or_an_indicator_the_table_does_not_give_is_refused(pipeline: Pipeline) -> None:
    a = pipeline.ask("甲市2030年常住人口城镇化率要达到多少？")
    assert a.refusal is not None, a.text
    b = pipeline.ask("甲市2025年人均预期寿命要达到多少岁？")
    assert b.refusal is not None, b.text
