"""The parser on the real Erdao plan (exact structure) and on other plan shapes."""

from __future__ import annotations

import pytest

from rag.parse import ParseError, cn_to_int, parse

PARTS = [
    "立足新时代,开创高质量发展新局面",
    "统筹区域协调发展,优化产业空间布局",
    "提升重点产业发展水平,推动现代服务业高质量发展",
    "聚焦三大产业集群,助推实体经济发展",
    "打造现代休闲农业,推动乡村振兴",
    "发展文旅创意产业,打造文化名片",
    "构建数字体系,发展数字产业",
    "全面深化改革,持续优化营商环境",
    "加快区内交通建设,建设顺畅城区",
    "发扬绿色生态势能,建设宜居城区",
    "聚焦民生福祉,建设幸福城区",
    "加强综合治理,建设法治城区",
    "全面加强综合保障,促进规划高效推进",
]
CHAPTERS_PER_PART = [6, 2, 5, 3, 2, 3, 4, 2, 3, 3, 3, 4, 6]


def test_real_plan_structure(real_text: str) -> None:
    doc = parse(real_text, "erdao")
    intros = [s for s in doc.sections if s.kind == "intro"]
    chapters = [s for s in doc.sections if s.kind == "chapter"]
    assert [s.part_title for s in intros] == PARTS
    assert [s.part_no for s in intros] == list(range(1, 14))
    assert len(chapters) == 46
    for n, count in enumerate(CHAPTERS_PER_PART, 1):
        nums = [s.chapter_no for s in chapters if s.part_no == n]
        assert nums == list(range(1, count + 1)), n
    assert doc.section("第二篇", "第一章").chapter_title == "推进产城空间扩容提质"  # type: ignore[union-attr]
    assert doc.section("第十一篇", "第二章").chapter_title == "提升医药卫生发展水平"  # type: ignore[union-attr]
    assert doc.section("第十三篇", "第六章").chapter_title == "加强实施评估和公众监督"  # type: ignore[union-attr]
    assert doc.section("第六篇", "第一章").chapter_title == "推进“工业+文旅”融合发展"  # type: ignore[union-attr]


def test_real_plan_preamble_and_metadata(real_text: str) -> None:
    doc = parse(real_text, "erdao")
    pre = doc.sections[0]
    assert pre.kind == "preamble" and pre.part is None and pre.chapter is None
    assert doc.title == "长春市二道区国民经济和社会发展第十四个五年规划和2035年远景目标纲要"
    assert doc.date == "2021-11-05"
    assert doc.source == "区发改局"
    assert doc.approved_by == "二道区第十八届人民代表大会第六次会议"
    assert "第十八届人民代表大会第六次会议审查批准" in pre.text
    assert "主要阐明未来五年二道区经济社会发展战略" in pre.text
    # Site furniture is gone.
    for junk in ("一网搜", "【字体", "首页 >", "登录| 注册"):
        assert junk not in pre.text


def test_real_plan_intros_and_spans(real_text: str) -> None:
    doc = parse(real_text, "erdao")
    intro = doc.section("第十二篇", None)
    assert intro is not None and len(intro.paragraphs) == 2  # 第十二篇 has two intro paragraphs
    assert doc.section("第二篇", None).text.startswith("坚持主城区突出提质更新")  # type: ignore[union-attr]
    for s in doc.sections:
        for p in s.paragraphs:
            assert real_text[p.start : p.end] == p.text
    # No heading leaks into a body.
    assert all(not p.text.startswith("第") or "章" not in p.text[:5] for s in doc.sections for p in s.paragraphs)


@pytest.mark.parametrize(
    ("text", "value"),
    [("一", 1), ("十", 10), ("十一", 11), ("二十三", 23), ("一百零五", 105), ("12", 12), ("１３", 13)],
)
def test_cn_to_int(text: str, value: int) -> None:
    assert cn_to_int(text) == value


def test_plan_with_chapters_only_and_sections() -> None:
    text = "某市规划\n前言内容。\n第一章　总体要求\n第一节 指导思想\n坚持发展。\n第二节：目标\n目标明确。\n第二章、重点任务\n任务一。\n"
    doc = parse(text, "x")
    assert [s.kind for s in doc.sections] == ["preamble", "chapter", "chapter"]
    ch1 = doc.section(None, "第一章")
    assert ch1 is not None and ch1.chapter_title == "总体要求" and ch1.part is None
    assert [p.heading for p in ch1.paragraphs if p.text == "坚持发展。"] == ["第一节 指导思想"]
    assert doc.section(None, "第二章").chapter_title == "重点任务"  # type: ignore[union-attr]


def test_headings_with_fullwidth_space_and_punctuation() -> None:
    text = "标题\n第　三　篇：产业发展\n篇首。\n第十一章．数字经济\n内容。\n"
    doc = parse(text, "x")
    assert doc.section("第三篇", None).part_title == "产业发展"  # type: ignore[union-attr]
    assert doc.section("第三篇", "第十一章").chapter_no == 11  # type: ignore[union-attr]


def test_prose_starting_with_a_numeral_is_not_a_heading() -> None:
    text = "第一章 总则\n第一章所述目标要在五年内完成，并且要持续推进各项工作的落实和评估。\n"
    doc = parse(text, "x")
    assert len(doc.sections) == 1 and len(doc.sections[0].paragraphs) == 1


def test_empty_and_headingless_text_is_an_error() -> None:
    with pytest.raises(ParseError):
        parse("   \n", "x")
    with pytest.raises(ParseError):
        parse("只是一段文字，没有篇章。", "x")
