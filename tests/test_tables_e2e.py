"""A plan's indicator table in Word and in PDF, read end to end with the real model: both readers give the same
rows, the answer quotes the row and its header verbatim and cites the chapter, and a year or an indicator the
table does not give is refused.

The plan is constructed (tests/fixtures/formats/make.py: plan-table.docx, plan-table.pdf), its table of the
usual shape: a category cell merged down its rows, empty cells as dashes, a five-year total in brackets. It
sits in a knowledge base beside the real Erdao plan, so retrieval and the evidence bar work at a real plan's
scale."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.embed import Embedder, load_embedder
from rag.indexer import build_index
from rag.pipeline import Pipeline
from rag.readers.docx import DocxReader
from rag.readers.pdf import PdfReader
from tests.conftest import REAL_PLAN, make_settings

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
HEADER = "类别  指标  2020年  2025年  年均/累计  属性"
ROWS = [
    "经济发展  地区生产总值增长（%）  3.5  —  6左右  预期性",
    "常住人口城镇化率（%）  63.4  67  —  预期性",  # its category cell is merged with the row above
    "民生福祉  城镇新增就业（万人）  —  —  [8]  预期性",
    "每千人口拥有执业（助理）医师数（人）  2.9  3.4  —  预期性",
    "绿色生态  森林覆盖率（%）  41.2  42  —  约束性",
]


def test_word_and_pdf_give_the_table_as_rows_of_cells() -> None:
    for text in (
        DocxReader().read(FIXTURES / "plan-table.docx").text,
        PdfReader().read(FIXTURES / "plan-table.pdf").text,
    ):
        lines = text.split("\n")
        at = lines.index(HEADER)
        assert lines[at + 1 : at + 1 + len(ROWS)] == ROWS


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder(make_settings())


@pytest.fixture(scope="module", params=["docx", "pdf"])
def pipeline(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Pipeline:
    folder = tmp_path_factory.mktemp(request.param)
    plan = FIXTURES / f"plan-table.{request.param}"
    settings = make_settings(corpus=(REAL_PLAN, plan), index_dir=folder / "index")
    build_index(settings, embedder=embedder)
    return Pipeline(settings, embedder=embedder)


def test_a_target_in_the_table_is_quoted_with_its_header(pipeline: Pipeline) -> None:
    a = pipeline.ask("到2025年甲市常住人口城镇化率要达到多少？")
    assert a.refusal is None, a.text
    # The header row says which column is 2025; both lines are quoted as the document has them.
    assert [s.text for s in a.sentences] == [HEADER, ROWS[1]]
    assert {c.doc_id for c in a.citations} == {"plan-table"} and a.citations[0].path == ("第一章",)
    b = pipeline.ask("甲市每千人口执业医师数2025年的目标是多少？")
    assert b.refusal is None and ROWS[3] in b.text, b.text


def test_a_year_or_an_indicator_the_table_does_not_give_is_refused(pipeline: Pipeline) -> None:
    a = pipeline.ask("甲市2030年常住人口城镇化率要达到多少？")
    assert a.refusal is not None, a.text
    b = pipeline.ask("甲市2025年人均预期寿命要达到多少岁？")
    assert b.refusal is not None, b.text
