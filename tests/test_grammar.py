"""The heading grammar, one line at a time: which lines are headings, their labels, titles and run-in text."""

from __future__ import annotations

import pytest

from rag.grammar import STYLES, classify, cn_to_int, find_toc, is_grammar

# (line, style key, label, title, run-in text or None)
HEADINGS = [
    ("第一编 总则", "编", "第一编", "总则", None),
    ("## 第一分编  通则", "分编", "第一分编", "通则", None),
    ("第二篇 统筹区域协调发展,优化产业空间布局", "篇", "第二篇", "统筹区域协调发展,优化产业空间布局", None),
    ("第 一 章 总 则", "章", "第一章", "总 则", None),
    ("第\u3000三\u3000篇：产业发展", "篇", "第三篇", "产业发展", None),
    ("第十一章．数字经济", "章", "第十一章", "数字经济", None),
    ("第十五章、扩大内需", "章", "第十五章", "扩大内需", None),
    ("第一章总则", "章", "第一章", "总则", None),  # no separator at all
    ("第12章 数字经济", "章", "第12章", "数字经济", None),
    ("第１３章 数字政府", "章", "第１３章", "数字政府", None),
    ("## 第一章 总则", "章", "第一章", "总则", None),
    ("### 第一节 一般规定", "节", "第一节", "一般规定", None),
    ("第一章\u3000\u3000总\u3000\u3000则\u3000", "章", "第一章", "总\u3000\u3000则", None),
    ("## 第一章\u2002\u2002一般规定", "章", "第一章", "一般规定", None),  # en spaces from Word
    ("第四章", "章", "第四章", "", None),
    ("第十条", "条", "第十条", "", None),
    ("第十条 为了规范数据处理活动，制定本条例。", "条", "第十条", "", "为了规范数据处理活动，制定本条例。"),
    ("第一百条\u3000违反本条例规定的，依法处理。", "条", "第一百条", "", "违反本条例规定的，依法处理。"),
    (
        "第一百二十条之一 资助恐怖活动组织的，处五年以下有期徒刑。",
        "条",
        "第一百二十条之一",
        "",
        "资助恐怖活动组织的，处五年以下有期徒刑。",
    ),
    ("专栏1 科技前沿领域攻关", "专栏", "专栏1", "科技前沿领域攻关", None),
    ("专栏 3　重大工程", "专栏", "专栏3", "重大工程", None),
    ("三、新时代新征程中国共产党的使命任务", "一、", "三、", "新时代新征程中国共产党的使命任务", None),
    (
        "十一、推进国家安全体系和能力现代化，坚决维护国家安全和社会稳定",
        "一、",
        "十一、",
        "推进国家安全体系和能力现代化，坚决维护国家安全和社会稳定",
        None,
    ),
    ("（二）工作原则", "（一）", "（二）", "工作原则", None),
    ("(三) 主要目标", "（一）", "(三)", "主要目标", None),
    ("（一）指导思想。全面贯彻新发展理念。", "（一）", "（一）", "指导思想", "全面贯彻新发展理念。"),
    ("一、总体要求。  加快建设全国统一大市场。", "一、", "一、", "总体要求", "加快建设全国统一大市场。"),
    ("（四）完善统一的产权保护制度。", "（一）", "（四）", "完善统一的产权保护制度", None),
    ("1. 推进数字产业化", "1.", "1.", "推进数字产业化", None),
    ("2、产业数字化转型", "1.", "2、", "产业数字化转型", None),
    ("３．建设数字政府", "1.", "３．", "建设数字政府", None),
    ("（1）数据要素市场", "（1）", "（1）", "数据要素市场", None),
    ("①人工智能", "①", "①", "人工智能", None),
    ("#### 第五节 生活、卫生。", "节", "第五节", "生活、卫生。", None),  # a markdown heading even with 。
    ("附件三：在香港特别行政区实施的全国性法律", "附件", "附件三", "在香港特别行政区实施的全国性法律", None),
    ("附件 2", "附件", "附件2", "", None),
    ("## 附件一", "附件", "附件一", "", None),
    ("附：内地仲裁委员会名单", "附件", "附", "内地仲裁委员会名单", None),
]

NOT_HEADINGS = [
    "依照本条例第十条的规定，公共数据应当共享。",
    "第十条规定的数据目录，由市大数据中心编制。",  # cross-reference: no separator after the label
    "第三章所述事项，按照国家规定执行。",
    "第一章所述目标要在五年内完成，并且要持续推进各项工作的落实和评估。",
    "第十四个五年规划和2035年",
    "第一百二十八 条侦查人员对于与犯罪有关的场所应当进行勘验。",  # a typo in the source, not an article
    "一、北京市人民代表大会举行会议的时候，设立议案审查委员会。",  # a numbered sentence
    "（一）到2025年，全市地区生产总值达到一万亿元。",
    "1. 持续推动国内市场高效畅通和规模拓展，发挥市场促进竞争、深化分工等优势。",
    "（1）加快推进数字产业化，培育壮大人工智能、大数据等新兴数字产业，提升通信设备等产业竞争力。",
    "1. 主要目标：",  # introduces a list
    "1.5亿元用于基础设施建设",
    "2035年远景目标",
    "（2022年3月25日）",
    "专栏内容见附表，此处不再赘述，请参阅相关文件以获取更多信息并认真贯彻落实。",
    "目录",
    "附件三所列全国性法律的决定",  # a title wrapped before 附件三, not an annex
    "附件所列的项目，按照国家规定执行。",
    "附则",
    "",
]


@pytest.mark.parametrize(("line", "key", "label", "title", "body"), HEADINGS)
def test_headings(line: str, key: str, label: str, title: str, body: str | None) -> None:
    h = classify(line)
    assert h is not None, line
    assert (h.style.key, h.label, h.title) == (key, label, title)
    assert (line[h.body :] if h.body is not None else None) == body


@pytest.mark.parametrize("line", NOT_HEADINGS)
def test_not_headings(line: str) -> None:
    assert classify(line) is None


def test_markdown_level_and_hints() -> None:
    h = classify("### 第一节 一般规定")
    assert h is not None and h.level == 3 and is_grammar(h)
    # A reader's hint makes a line a heading even when the grammar does not know it: its title is its label.
    h = classify("总体要求", level=1)
    assert h is not None and (h.label, h.title, h.level) == ("总体要求", "总体要求", 1) and not is_grammar(h)
    h = classify("## 基本案情")
    assert h is not None and (h.label, h.level) == ("基本案情", 2) and not is_grammar(h)
    # A hinted line the grammar knows keeps the grammar's label.
    h = classify("第二章 发展目标", level=2)
    assert h is not None and (h.label, h.title, h.level) == ("第二章", "发展目标", 2)
    assert classify("总体要求") is None


def test_style_table() -> None:
    ranked = [s.key for s in sorted((s for s in STYLES if s.rank is not None), key=lambda s: s.rank or 0)]
    assert ranked == ["附件", "编", "分编", "篇", "章", "节", "条"]
    assert [s.key for s in STYLES if s.enumerated] == ["一、", "（一）", "1.", "（1）", "①"]
    assert {s.key for s in STYLES if s.leaf} == {"条", "专栏"}


def test_toc_with_mark_and_page_numbers() -> None:
    lines = [
        "某某规划纲要",
        "目　录",
        "第一篇　总体要求 ……………… 1",
        "第一章　发展环境 ……………… 2",
        "第二章　指导方针..........5",
        "第二篇　创新驱动\t9",
        "第一篇　总体要求",
        "第一章　发展环境",
        "当前和今后一个时期……。",
    ]
    assert find_toc(lines) == range(1, 6)


def test_toc_without_mark_repeats_its_first_entry() -> None:
    # lawrefbook: the chapters are listed, then repeated with their articles.
    lines = ["## 第一章 总 则", "## 第二章 保护规划", "## 第一章 总 则", "第一条 为了加强保护，制定本条例。"]
    assert find_toc(lines) == range(0, 2)


def test_toc_with_mark_ending_at_text() -> None:
    lines = ["目录", "序言", "第一章 总则", "第二章 附则", "某某规划纲要", "本规划是……。", "第一章 总则", "内容。"]
    assert find_toc(lines) == range(0, 4)


def test_no_toc() -> None:
    assert find_toc(["第一篇 总体要求", "第一章 发展环境", "内容。", "第二章 目标", "内容。"]) == range(0)
    assert find_toc(["只有正文。"]) == range(0)


@pytest.mark.parametrize(
    ("text", "value"),
    [("一", 1), ("十", 10), ("十一", 11), ("二十三", 23), ("一百零五", 105), ("两千", 2000), ("12", 12), ("１３", 13)],
)
def test_cn_to_int(text: str, value: int) -> None:
    assert cn_to_int(text) == value


def test_cn_to_int_rejects_words() -> None:
    with pytest.raises(ValueError):
        cn_to_int("总则")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        *(("零", 0), ("〇", 0), ("一十五", 15), ("一百一十", 110), ("一百十五", 115), ("一百〇五", 105)),
        *(("两百", 200), ("一千零五", 1005), ("一千零一十", 1010), ("二千〇二十", 2020), ("九千九百九十九", 9999)),
    ],
)
def test_cn_to_int_heading_forms(text: str, value: int) -> None:
    assert cn_to_int(text) == value


@pytest.mark.parametrize(
    "text",
    [
        *("一一一一一一一", "一一", "二二", "十十", "十十八", "百", "千", "一千百", "十百", "两", "两十", "一零"),
        *("零五", "一百五", "一百零", "一千零", "一万", "１２三", "", "²"),
    ],
)
def test_cn_to_int_rejects_malformed_numerals(text: str) -> None:
    # The loose reading took 一一一一一一一 for 1 (so `rag show` opened 第一篇) and 十十八 for 28.
    with pytest.raises(ValueError):
        cn_to_int(text)
