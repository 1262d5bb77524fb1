"""Table rows read with their header (rag.tables), on rows laid out as the Word and web readers give them."""

from __future__ import annotations

from rag import grounding, tables
from rag.generate.base import Draft
from rag.pipeline import evidence_texts
from rag.types import AnswerSentence, Citation, Locator

SECTION = "\n".join(
    [
        "“十四五”时期经济社会发展主要指标如下。",
        "类别  指标  2020年  2025年  年均/累计  属性",
        "经济发展  地区生产总值增长（%）  3.5  —  6左右  预期性",
        "常住人口城镇化率（%）  63.4  67  —  预期性",
        "民生福祉  每千人口拥有执业（助理）医师数（人）  2.9  3.4  —  预期性",
        "城镇新增就业（万人）  —  —  [8]  预期性",
        "到2025年，城乡居民收入增长与经济增长基本同步。",
    ]
)


def test_a_row_is_read_with_its_header_and_its_label_s_unit() -> None:
    row = "常住人口城镇化率（%）  63.4  67  —  预期性"
    read = tables.reading(SECTION, row)
    assert read == "常住人口城镇化率（%）：2020年63.4%，2025年67%，年均/累计—，属性预期性。"
    assert "67%" in grounding.figures(read)
    # The category cell merged over several rows is given once: the row is the header's last cells.
    assert "2025年3.4人" in (
        tables.reading(SECTION, "民生福祉  每千人口拥有执业（助理）医师数（人）  2.9  3.4  —  预期性") or ""
    )
    assert tables.header_line(SECTION, row) == "类别  指标  2020年  2025年  年均/累计  属性"
    # A five-year total in brackets, empty cells as dashes: values too, and the unit goes inside the bracket.
    assert "年均/累计[8万人]" in (tables.reading(SECTION, "城镇新增就业（万人）  —  —  [8]  预期性") or "")


def test_a_unit_column_gives_the_unit() -> None:
    text = "指标  单位  2020年  2025年\n森林覆盖率  %  41.2  42\n城镇新增就业  万人  —  [8]"
    assert tables.reading(text, "森林覆盖率  %  41.2  42") == "森林覆盖率 %：2020年41.2%，2025年42%。"
    assert "2025年[8万人]" in (tables.reading(text, "城镇新增就业  万人  —  [8]") or "")


def test_lines_that_are_no_table_rows_read_as_nothing() -> None:
    assert tables.reading(SECTION, "到2025年，城乡居民收入增长与经济增长基本同步。") is None
    assert tables.reading(SECTION, "类别  指标  2020年  2025年  年均/累计  属性") is None  # the header itself
    assert tables.cells("地区生产总值  增长") == []  # two cells: a label and a value, no table
    # Rows with no header above them (a list of figures) have no columns to name.
    assert tables.reading("甲  1  2\n乙  3  4", "乙  3  4") is None


def test_the_policy_reads_a_quoted_row_with_its_header() -> None:
    row = "常住人口城镇化率（%）  63.4  67  —  预期性"
    cite = Citation("plan", ("第一章",), "甲市规划", "发展目标", row, "plan:1")
    draft = Draft((AnswerSentence(row, (cite,)),))
    texts = evidence_texts(draft, lambda loc: SECTION if loc == Locator("plan", ("第一章",)) else "")
    assert "2025年67%" in texts[0] and row in texts[0]
    assert evidence_texts(draft) == [f"{row} {row}"]  # without the section's text: the quote as it is
