"""The parser on real documents (a district plan, a congress report, laws and regulations) with exact structure,
and on synthetic texts for the shapes the real ones do not cover."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.parse import ParseError, cn_to_int, doc_id_for, parse
from rag.types import Document

ROOT = Path(__file__).resolve().parents[1]
ERDAO = ROOT / "corpus" / "erdao-14th-fyp.txt"
CPC = Path("/work/shared/corpora/dev/cpc-20th-congress-report-2022.txt")
LAW = Path("/work/shared/corpora/lawrefbook")
CN = "一二三四五六七八九十"

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


def cn(n: int) -> str:
    """1..99 as written in headings: 一 … 十 … 十三 … 二十."""
    tens, ones = divmod(n, 10)
    return (CN[tens - 1] if tens > 1 else "") + ("十" if tens else "") + (CN[ones - 1] if ones else "")


def assert_spans(doc: Document, text: str) -> None:
    for s in doc.sections:
        for p in s.paragraphs:
            assert text[p.start : p.end] == p.text


@pytest.fixture(scope="module")
def erdao() -> tuple[str, Document]:
    text = ERDAO.read_text(encoding="utf-8")
    return text, parse(text, "erdao", str(ERDAO))


# --- the default plan: 13 篇, 46 章 -------------------------------------------------------------------


def test_real_plan_structure(erdao: tuple[str, Document]) -> None:
    _, doc = erdao
    intros = [s for s in doc.sections if s.kind == "intro"]
    chapters = [s for s in doc.sections if s.kind == "body"]
    assert [s.kind for s in doc.sections].count("preamble") == 1 and len(doc.sections) == 1 + 13 + 46
    assert [s.titles for s in intros] == [(t,) for t in PARTS]
    assert [s.path for s in intros] == [(f"第{cn(n)}篇",) for n in range(1, 14)]
    assert [cn_to_int(s.path[0][1:-1]) for s in intros] == list(range(1, 14))
    assert len(chapters) == 46 and all(len(s.path) == 2 and s.path[1].endswith("章") for s in chapters)
    for n, count in enumerate(CHAPTERS_PER_PART, 1):
        in_part = [s for s in chapters if s.path[0] == f"第{cn(n)}篇"]
        assert [s.path[1] for s in in_part] == [f"第{cn(k)}章" for k in range(1, count + 1)], n
        assert all(s.titles[0] == PARTS[n - 1] for s in in_part)
    assert doc.section(("第二篇", "第一章")).titles[-1] == "推进产城空间扩容提质"  # type: ignore[union-attr]
    assert doc.section(("第十一篇", "第二章")).titles[-1] == "提升医药卫生发展水平"  # type: ignore[union-attr]
    assert doc.section(("第十三篇", "第六章")).titles[-1] == "加强实施评估和公众监督"  # type: ignore[union-attr]
    assert doc.section(("第六篇", "第一章")).titles[-1] == "推进“工业+文旅”融合发展"  # type: ignore[union-attr]
    assert doc.warnings == ()


def test_real_plan_preamble_and_metadata(erdao: tuple[str, Document]) -> None:
    _, doc = erdao
    pre = doc.sections[0]
    assert pre.kind == "preamble" and pre.path == () and pre.titles == ()
    assert pre.part is None and pre.chapter is None
    assert doc.title == "长春市二道区国民经济和社会发展第十四个五年规划和2035年远景目标纲要"
    assert doc.date == "2021-11-05"
    assert doc.source == "区发改局"
    assert doc.approved_by == "二道区第十八届人民代表大会第六次会议"
    assert doc.version is None and doc.path == str(ERDAO)
    assert "第十八届人民代表大会第六次会议审查批准" in pre.text
    assert "主要阐明未来五年二道区经济社会发展战略" in pre.text
    # Site furniture is gone.
    for junk in ("一网搜", "【字体", "首页 >", "登录| 注册", "政府信息公开"):
        assert junk not in pre.text
    roles = [(p.role, p.text[:8]) for p in pre.paragraphs]
    assert roles == [
        ("notice", "长春市二道区人民"),
        ("notice", "时间:2021-"),
        ("notice", "英俊镇人民政府,"),
        ("notice", "《长春市二道区国"),
        ("title", "长春市二道区国民"),
        ("title", "第十四个五年规划"),
        ("title", "远景目标纲要"),
        ("body", "长春市二道区国民"),
    ]


def test_real_plan_intros_and_spans(erdao: tuple[str, Document]) -> None:
    text, doc = erdao
    intro = doc.section(("第十二篇",))
    assert intro is not None and intro.kind == "intro" and len(intro.paragraphs) == 2
    assert doc.section(("第二篇",)).text.startswith("坚持主城区突出提质更新")  # type: ignore[union-attr]
    assert_spans(doc, text)
    # No heading leaks into a body, and no paragraph is an empty string.
    assert all(not re.match("第.{1,3}[篇章]", p.text) for s in doc.sections for p in s.paragraphs)
    assert all(p.text and p.page is None for s in doc.sections for p in s.paragraphs)
    assert all(p.role == "body" for s in doc.sections[1:] for p in s.paragraphs)


# --- the 20th congress report: 一、 … 十五、 ----------------------------------------------------------


def test_congress_report() -> None:
    text = CPC.read_text(encoding="utf-8")
    doc = parse(text, "cpc20", str(CPC))
    assert doc.title == "中国共产党第二十次全国代表大会报告" and doc.warnings == ()
    pre, *parts = doc.sections
    assert pre.kind == "preamble" and pre.paragraphs[0].role == "title"
    assert pre.paragraphs[1].text == "同志们：" and len(pre.paragraphs) == 6
    assert "现在，我代表第十九届中央委员会向大会作报告。" in pre.text
    assert [s.path for s in parts] == [(f"{cn(n)}、",) for n in range(1, 16)]
    assert all(s.kind == "body" and s.paragraphs for s in parts)
    assert parts[0].titles == ("过去五年的工作和新时代十年的伟大变革",)
    assert parts[3].titles == ("加快构建新发展格局，着力推动高质量发展",)
    assert parts[10].titles == ("推进国家安全体系和能力现代化，坚决维护国家安全和社会稳定",)
    assert parts[14].titles == ("坚定不移全面从严治党，深入推进新时代党的建设新的伟大工程",)
    assert parts[14].paragraphs[-1].text.endswith("为全面建设社会主义现代化国家、全面推进中华民族伟大复兴而团结奋斗！")
    assert_spans(doc, text)


# --- laws and regulations (lawrefbook): counts checked against a plain regex over the file ---------

N = "[零〇一二两三四五六七八九十百千]+"


def regex_counts(text: str) -> dict[str, int]:
    body = text.split("<!-- INFO END -->", 1)[1]
    count = {u: len(re.findall(rf"^#+\s*第{N}{u}", body, re.M)) for u in ("编", "章", "节")}
    count["条"] = len(re.findall(rf"^第{N}条(?:之{N})?[ \u3000]", body, re.M))
    return count


def parsed_counts(doc: Document) -> dict[str, int]:
    heads = {s.path[:k] for s in doc.sections for k in range(1, len(s.path) + 1)}
    return {u: sum(bool(re.fullmatch(rf"第{N}{u}(?:之{N})?", p[-1])) for p in heads) for u in ("编", "章", "节", "条")}


# file, title, version, full paths that must exist, with the start of their text
LAWS = [
    (
        "刑法/刑法.md",  # 编/章/节 as ##/###/####, 条之一
        "中华人民共和国刑法",
        None,
        {
            ("第一编", "第二章", "第一节", "第十七条之一"): "已满七十五周岁的人故意犯罪的",
            ("第二编", "第一章", "第一百零二条"): "勾结外国，危害中华人",
        },
    ),
    (
        "民法典/合同编.md",  # 分编, two '#' title lines
        "中华人民共和国民法典",
        None,
        {
            ("第一分编", "第四章", "第五百零九条"): "当事人应当按照约定全面履行自己的义务",
            ("第二分编", "第十三章", "第二节", "第六百九十一条"): "保证的范围包",
        },
    ),
    (
        "诉讼与非诉讼程序法/行政诉讼法(2017-06-27).md",  # cross-references inside articles
        "中华人民共和国行政诉讼法",
        "2017-06-27",
        {
            ("第三章", "第十八条"): "行政案件由最初作出行政行为的",
            ("第七章", "第二节", "第七十条"): "行政行为有下列情形之一的",
        },
    ),
    (
        "DLC/北京地方法规/地方性法规/北京/北京市专业技术人员继续教育规定.md",  # no 章, only 条
        "北京市专业技术人员继续教育规定",
        None,
        {("第一条",): "为促进本市继续教", ("第十九条",): "本规定自"},
    ),
    (
        "行政法/文物保护法(2017-11-04).md",  # an amendment record line starting with 第三十一条…
        "中华人民共和国文物保护法",
        "2017-11-04",
        {("第一章", "第一条"): "为了加强对文物的保护"},
    ),
    (
        "司法解释/最高人民法院关于审理融资租赁合同纠纷案件适用法律问题的解释(2020-12-29).md",  # ## 一、 groups of 条
        "最高人民法院关于审理融资租赁合同纠纷案件适用法律问题的解释",
        "2020-12-29",
        {("一、", "第一条"): "人民法院应", ("五、", "第十五条"): "本解释自"},
    ),
    (
        "行政法/监狱法(2012-10-26).md",  # ### 第五节 生活、卫生。 (a title ending in 。)
        "中华人民共和国监狱法",
        "2012-10-26",
        {("第四章", "第五节", "第五十条"): "罪犯的生活"},
    ),
    (
        "DLC/河南地方法规/地方性法规/河南/郑州市城市市容和环境卫生管理条例(2020-08-05).md",  # ### 章 over ## 节
        "郑州市城市市容和环境卫生管理条例",
        "2020-08-05",
        {("第三章", "第三节", "第二十六条"): "设置门头牌匾"},
    ),
]


@pytest.mark.parametrize(("rel", "title", "version", "paths"), LAWS, ids=[law[0].rsplit("/", 1)[-1] for law in LAWS])
def test_lawrefbook(rel: str, title: str, version: str | None, paths: dict[tuple[str, ...], str]) -> None:
    path = LAW / rel
    text = path.read_text(encoding="utf-8")
    doc = parse(text, doc_id_for(path.name), str(path), fmt="markdown")
    assert (doc.title, doc.version, doc.warnings) == (title, version, ())
    assert parsed_counts(doc) == regex_counts(text)
    assert regex_counts(text)["条"] > 10
    for p, start in paths.items():
        s = doc.section(p)
        assert s is not None and s.kind == "body" and s.text.startswith(start), p
    # Every article is a citable unit: a body section whose text is the article's.
    articles = [s for s in doc.sections if s.path and re.fullmatch(rf"第{N}条(?:之{N})?", s.path[-1])]
    assert len(articles) == regex_counts(text)["条"]
    assert all(s.kind == "body" and s.paragraphs and s.titles[-1] == "" for s in articles)
    # The title and the adoption record (every line before INFO END) are metadata, never body text.
    # The title line is kept without its markdown '#' marks: they are markup, not the document's words.
    record = [line.lstrip("# ") for line in text.split("<!-- INFO END -->")[0].splitlines() if line.strip()]
    pre = doc.sections[0]
    assert pre.kind == "preamble" and [p.text for p in pre.paragraphs[: len(record)]] == record
    assert pre.paragraphs[0].role == "title"
    assert {p.role for p in pre.paragraphs[1 : len(record)]} <= {"title", "notice"}
    assert all("INFO END" not in p.text for s in doc.sections for p in s.paragraphs)
    assert_spans(doc, text)


def test_lawrefbook_details() -> None:
    doc = parse((LAW / "诉讼与非诉讼程序法/行政诉讼法(2017-06-27).md").read_text(encoding="utf-8"))
    art = doc.section(("第六章", "第四十九条"))
    assert art is not None and art.paragraphs[1].text.startswith("（一）原告是符合本法第二十五条规定的")
    assert len(art.paragraphs) == 5  # the article and its four 项, which are list items, not headings
    doc = parse((LAW / "行政法/文物保护法(2017-11-04).md").read_text(encoding="utf-8"))
    assert doc.sections[1].path == ("第一章", "第一条")
    assert [p.role for p in doc.sections[0].paragraphs if p.text.startswith("第三十一条的决定》")] == ["notice"]
    doc = parse((LAW / "民法典/合同编.md").read_text(encoding="utf-8"))
    assert doc.sections[1].titles == ("通则", "一般规定", "")  # en spaces around the titles are stripped
    assert [p.role for p in doc.sections[0].paragraphs[:2]] == ["title", "title"]


def test_lawrefbook_titles_with_spaces_and_unmarked_contents() -> None:
    # The chapters are listed once without text (a contents list with no 目录 line), then again with articles.
    path = LAW / "DLC/北京地方法规/地方性法规/北京/北京中轴线文化遗产保护条例(2022-05-25).md"
    text = path.read_text(encoding="utf-8")
    doc = parse(text, doc_id_for(path.name), str(path))
    assert regex_counts(text)["章"] == 10 and parsed_counts(doc)["章"] == 5
    assert parsed_counts(doc)["条"] == regex_counts(text)["条"] == 31
    assert doc.sections[1].path == ("第一章", "第一条") and doc.sections[1].titles == ("总 则", "")
    assert doc.section(("第五章", "第三十一条")).titles == ("附 则", "")  # type: ignore[union-attr]
    assert [s.path for s in doc.sections if len(s.path) == 1] == [] and doc.warnings == ()
    assert doc.version == "2022-05-25" and doc_id_for(path.name) == "北京中轴线文化遗产保护条例-2022-05-25"


# --- synthetic shapes ---------------------------------------------------------------------------------

OPINION = """国务院关于加快建设全国统一大市场的意见
（2022年3月25日）
建设全国统一大市场是构建新发展格局的基础支撑和内在要求。现提出如下意见。
一、总体要求
（一）指导思想。以习近平新时代中国特色社会主义思想为指导，全面贯彻党的十九大精神。
（二）工作原则。
——立足内需，畅通循环。以高质量供给创造和引领需求。
——立破并举，完善制度。从制度建设着眼，明确阶段性目标要求。
（三）主要目标。
1. 持续推动国内市场高效畅通和规模拓展，发挥市场促进竞争、深化分工等优势。
2. 加快营造稳定公平透明可预期的营商环境，以市场主体需求为导向。
二、强化市场基础制度规则统一
（四）完善统一的产权保护制度。完善依法平等保护各种所有制经济产权的制度体系。
（五）实行统一的市场准入制度。严格落实“全国一张清单”管理模式。
三、组织实施保障
各地区各部门要充分认识建设全国统一大市场的重要意义。
"""


def test_opinion_with_run_in_headings() -> None:
    doc = parse(OPINION, "opinion")
    assert doc.title == "国务院关于加快建设全国统一大市场的意见"
    assert [(s.kind, s.path, s.titles[-1:]) for s in doc.sections] == [
        ("preamble", (), ()),
        ("body", ("一、", "（一）"), ("指导思想",)),
        ("body", ("一、", "（二）"), ("工作原则",)),
        ("body", ("一、", "（三）"), ("主要目标",)),
        ("body", ("二、", "（四）"), ("完善统一的产权保护制度",)),
        ("body", ("二、", "（五）"), ("实行统一的市场准入制度",)),
        ("body", ("三、",), ("组织实施保障",)),
    ]
    assert [p.role for p in doc.sections[0].paragraphs] == ["title", "notice", "body"]
    s = doc.section(("一、", "（一）"))
    assert s is not None and s.text == "以习近平新时代中国特色社会主义思想为指导，全面贯彻党的十九大精神。"
    assert s.titles == ("总体要求", "指导思想")
    # Long numbered sentences are list items of their item, not headings.
    assert [p.text[:2] for p in doc.section(("一、", "（三）")).paragraphs] == ["1.", "2."]  # type: ignore[union-attr]
    assert_spans(doc, OPINION)


NATIONAL_PLAN = """中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要

目　录
第一篇　开启全面建设社会主义现代化国家新征程
第一章　发展环境 ……………… 1
第二章　指导方针 ……………… 3
第二篇　坚持创新驱动发展　全面塑造发展新优势
第三章　强化国家战略科技力量 ………… 5
第四章　提升企业技术创新能力 ………… 8

第一篇　开启全面建设社会主义现代化国家新征程

“十四五”时期是我国全面建成小康社会、实现第一个百年奋斗目标之后的第一个五年。

第一章　发展环境

第一节　发展基础
“十三五”规划目标任务胜利完成，经济实力、科技实力、综合国力跃上新的大台阶。
第二节　机遇和挑战
当前和今后一个时期，我国发展仍然处于重要战略机遇期。

第二章　指导方针
第一节　指导思想
高举中国特色社会主义伟大旗帜，深入贯彻党的十九大精神。

第二篇　坚持创新驱动发展　全面塑造发展新优势
坚持创新在我国现代化建设全局中的核心地位。
第三章　强化国家战略科技力量
制定科技强国行动纲要，健全社会主义市场经济条件下新型举国体制。
第一节　整合优化科技资源配置
以国家战略性需求为导向推进创新体系优化组合。
专栏1　科技前沿领域攻关
01 人工智能
前沿基础理论突破，专用芯片研发，深度学习框架等开源算法平台构建。
02 量子信息
城域、城际、自由空间量子通信技术研发。
第二节　加强原创性引领性科技攻关
在事关国家安全和发展全局的基础核心领域，制定实施战略性科学计划。
第四章　提升企业技术创新能力
完善技术创新市场导向机制，强化企业创新主体地位。
"""


def test_national_plan_with_contents_sections_and_boxes() -> None:
    doc = parse(NATIONAL_PLAN, "fyp14")
    assert [(s.kind, s.path) for s in doc.sections] == [
        ("preamble", ()),
        ("intro", ("第一篇",)),
        ("body", ("第一篇", "第一章", "第一节")),
        ("body", ("第一篇", "第一章", "第二节")),
        ("body", ("第一篇", "第二章", "第一节")),
        ("intro", ("第二篇",)),
        ("intro", ("第二篇", "第三章")),
        ("body", ("第二篇", "第三章", "第一节")),
        ("body", ("第二篇", "第三章", "第一节", "专栏1")),
        ("body", ("第二篇", "第三章", "第二节")),
        ("body", ("第二篇", "第四章")),
    ]
    # The contents list is skipped: the preamble is only the title line.
    assert [(p.role, p.text) for p in doc.sections[0].paragraphs] == [("title", doc.title)]
    assert doc.title == "中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要"
    assert doc.section(("第二篇",)).titles == ("坚持创新驱动发展　全面塑造发展新优势",)  # type: ignore[union-attr]
    box = doc.section(("第二篇", "第三章", "第一节", "专栏1"))
    assert box is not None and box.titles[-1] == "科技前沿领域攻关" and len(box.paragraphs) == 4
    assert box.paragraphs[0].text == "01 人工智能"
    assert_spans(doc, NATIONAL_PLAN)


REGULATION = """某市数据条例
第一章　总则
第一条　为了规范数据处理活动，根据《中华人民共和国数据安全法》，制定本条例。
第二条　本条例适用于本市行政区域内的数据处理活动。
依照本条例第十条规定，公共数据应当依法共享。
第三章所述事项，按照国家有关规定执行。
第十条规定的数据目录，由市大数据中心编制。
第二章 公共数据
第十条 市大数据中心负责编制公共数据目录，目录包括：
（一）公共管理和服务机构的数据；
（二）法律、法规规定的其他组织的数据。
第十一条
公共数据按照共享属性分为无条件共享、有条件共享和不予共享三类。
"""


def test_cross_references_are_not_headings() -> None:
    doc = parse(REGULATION, "data")
    assert [s.path for s in doc.sections] == [
        (),
        ("第一章", "第一条"),
        ("第一章", "第二条"),
        ("第二章", "第十条"),
        ("第二章", "第十一条"),
    ]
    art = doc.section(("第一章", "第二条"))
    assert art is not None and [p.text[:6] for p in art.paragraphs] == [
        "本条例适用于",
        "依照本条例第",
        "第三章所述事",
        "第十条规定的",
    ]
    art = doc.section(("第二章", "第十条"))
    assert art is not None and art.paragraphs[0].text.startswith("市大数据中心") and len(art.paragraphs) == 3
    assert doc.section(("第二章", "第十一条")).text.startswith("公共数据按照共享属性")  # type: ignore[union-attr]
    assert_spans(doc, REGULATION)


def test_no_headings_is_one_unit_with_a_warning() -> None:
    text = "首页 > 通知公告\n关于做好春节期间安全生产工作的通知\n各区人民政府：\n为做好春节期间安全生产工作，现就有关事项通知如下。\n特此通知。\n"
    doc = parse(text, "notice")
    assert doc.warnings == ("no headings found: indexed as one unit",)
    (only,) = doc.sections
    assert (only.kind, only.path, only.titles) == ("body", (), ())
    assert [p.text for p in only.paragraphs] == [  # the site furniture is dropped
        "关于做好春节期间安全生产工作的通知",
        "各区人民政府：",
        "为做好春节期间安全生产工作，现就有关事项通知如下。",
        "特此通知。",
    ]
    assert doc.title == "关于做好春节期间安全生产工作的通知" and only.paragraphs[0].role == "title"


def test_markdown_prefixes_and_fullwidth_spaces() -> None:
    text = "# 某省数据条例\n\n## 第 一 章　总　　则\n\n第一条　为了规范数据处理。\n\n## 第二章 数据安全\n\n### 第一节 一般规定\n\n第二条 数据安全由各部门负责。\n\n### 第二节：监督\n\n第三条 监督检查。\n"
    doc = parse(text, "md", "某省数据条例(2023-01-01).md", fmt="markdown")
    assert doc.title == "某省数据条例" and doc.version == "2023-01-01" and doc.fmt == "markdown"
    assert [(s.path, s.titles) for s in doc.sections] == [
        ((), ()),
        (("第一章", "第一条"), ("总　　则", "")),
        (("第二章", "第一节", "第二条"), ("数据安全", "一般规定", "")),
        (("第二章", "第二节", "第三条"), ("数据安全", "监督", "")),
    ]
    assert [p.role for p in doc.sections[0].paragraphs] == ["title"]
    assert doc.section(("第一章", "第一条")).text == "为了规范数据处理。"  # type: ignore[union-attr]


def test_plan_with_chapters_only_and_sections() -> None:
    text = "某市规划\n前言内容。\n第一章　总体要求\n第一节 指导思想\n坚持发展。\n第二节：目标\n目标明确。\n第二章、重点任务\n任务一。\n第三章 保障措施\n"
    doc = parse(text, "x")
    assert [(s.kind, s.path) for s in doc.sections] == [
        ("preamble", ()),
        ("body", ("第一章", "第一节")),
        ("body", ("第一章", "第二节")),
        ("body", ("第二章",)),
        ("body", ("第三章",)),  # a heading with no text and no children keeps its place
    ]
    assert doc.section(("第一章", "第一节")).titles == ("总体要求", "指导思想")  # type: ignore[union-attr]
    assert doc.section(("第二章",)).titles == ("重点任务",)  # type: ignore[union-attr]
    assert doc.section(("第三章",)).paragraphs == ()  # type: ignore[union-attr]


def test_headings_with_fullwidth_space_and_punctuation() -> None:
    text = "标题\n第　三　篇：产业发展\n篇首。\n第十一章．数字经济\n内容。\n"
    doc = parse(text, "x")
    assert doc.section(("第三篇",)).titles == ("产业发展",)  # type: ignore[union-attr]
    assert doc.section(("第三篇",)).kind == "intro"  # type: ignore[union-attr]
    assert doc.section(("第三篇", "第十一章")).titles == ("产业发展", "数字经济")  # type: ignore[union-attr]


def test_prose_starting_with_a_numeral_is_not_a_heading() -> None:
    text = "第一章 总则\n第一章所述目标要在五年内完成，并且要持续推进各项工作的落实和评估。\n"
    doc = parse(text, "x")
    assert len(doc.sections) == 1 and len(doc.sections[0].paragraphs) == 1


def test_hints_and_pages() -> None:
    text = "某区工作方案\n总体要求\n坚持稳中求进。\n（一）主要目标\n到2025年取得进展。\n重点任务\n推进改革。\n"
    hints = [(text.index("总体要求"), 1), (text.index("重点任务"), 1), (text.index("（一）"), 2)]
    pages = [0, text.index("重点任务")]
    doc = parse(text, "docx", hints=hints, pages=pages, title="某区工作方案", fmt="docx")
    assert [(s.kind, s.path) for s in doc.sections] == [
        ("preamble", ()),
        ("intro", ("总体要求",)),
        ("body", ("总体要求", "（一）")),
        ("body", ("重点任务",)),
    ]
    assert [p.page for s in doc.sections for p in s.paragraphs] == [1, 1, 1, 2]
    assert doc.sections[1].titles == ("总体要求",) and doc.title == "某区工作方案"


def test_empty_text_is_an_error() -> None:
    with pytest.raises(ParseError, match="the document is empty"):
        parse("   \n\u3000\n", "x")
    with pytest.raises(ParseError, match="the document is empty"):
        parse("首页 > 政府信息公开\n【字体：大 中 小】 打印\n", "x")  # nothing but site furniture


def test_doc_id_for() -> None:
    assert doc_id_for("corpus/erdao-14th-fyp.txt") == "erdao-14th-fyp"
    assert doc_id_for("北京市优化营商环境条例(2024-03-28).md") == "北京市优化营商环境条例-2024-03-28"
    assert doc_id_for("刑法修正案（十二）(2023-12-29).md") == "刑法修正案-十二-2023-12-29"
    assert doc_id_for("My Plan.PDF") == "my-plan" and doc_id_for("《》.txt") == "doc"


def law(rel: str) -> tuple[str, Document]:
    text = (LAW / rel).read_text(encoding="utf-8")
    return text, parse(text, doc_id_for(rel), str(LAW / rel), fmt="markdown")


def outline(doc: Document) -> list[tuple[tuple[str, ...], str]]:
    """Each section's path and the start of its text."""
    return [(s.path, s.paragraphs[0].text[:7] if s.paragraphs else "") for s in doc.sections]


def test_numbered_sentences_of_a_decision_are_units() -> None:
    # 一、 is a titled heading, 二、 and 三、 are sentences: they are items of the same run, not text of 一、.
    _, doc = law(
        "DLC/北京地方法规/地方性法规/北京/北京市人民代表大会常务委员会关于北京市耕地占用税适用税额的决定(2019-07-26).md"
    )
    assert outline(doc)[1:] == [
        (("一、",), "朝阳区、海淀区"),
        (("二、",), "北京市人均耕地"),
        (("三、",), "北京市对占用园"),
    ]
    assert doc.section(("一、",)).titles == ("北京市各区耕地占用税的适用税额",)  # type: ignore[union-attr]
    assert doc.section(("二、",)).titles == ("",) and not doc.warnings  # type: ignore[union-attr]
    # Every item a sentence: all of them units (the file was "one unit, no headings" before).
    _, doc = law("DLC/北京地方法规/地方性法规/北京/关于议案的若干暂行规定(2010-12-23).md")
    assert [s.path for s in doc.sections[1:]] == [(f"{cn(n)}、",) for n in range(1, 9)] and not doc.warnings
    assert doc.section(("四、",)).text.startswith("北京市人民代表大会常务委员会主任会议")  # type: ignore[union-attr]
    # An amendment: three sentence items, then "四、本修正案自公布之日起施行。", which is an item too, not a title.
    _, doc = law("刑法/刑法修正案（五）.md")
    assert outline(doc)[1:] == [
        (("一、",), "在刑法第一百七"),
        (("二、",), "将刑法第一百九"),
        (("三、",), "在刑法第三百六"),
        (("四、",), "本修正案自公布"),
    ]
    art = doc.section(("一、",))
    assert art is not None and art.paragraphs[1].text.startswith("“（一）明知是伪造的信用卡")  # a quoted 项 stays text
    # The first item a sentence, the rest titled: the first is an item too, not preamble.
    _, doc = law("DLC/河南地方法规/地方性法规/河南/河南省人民代表大会常务委员会关于进一步加强水污染防治工作的决议.md")
    assert [s.path for s in doc.sections[1:]] == [("一、",), ("二、",), ("三、",), ("四、",)]
    assert doc.sections[0].text.endswith("特作如下决议：")


def test_sentences_starting_with_numbers_out_of_order_stay_text() -> None:
    text = "某市决定\n一、本市加强水污染防治工作，全面落实河长制。\n各区要抓好落实。\n三、各区应当划定河湖管理范围，并向社会公布。\n"
    doc = parse(text)
    assert len(doc.sections) == 1 and doc.warnings  # a lone 一、 sentence and a 三、: no run, no units
    text = "某市决定\n一、本市加强水污染防治工作，全面落实河长制。\n二、本决定自公布之日起施行。\n"
    assert [s.path for s in parse(text).sections] == [(), ("一、",), ("二、",)]


def test_annexes_follow_the_body_at_the_top() -> None:
    # "附件：矿产资源分类细目" then "附件": one annex, not the text of the last article, and no duplicate path.
    _, doc = law("行政法规/矿产资源法实施细则(1994-03-26).md")
    (last,) = [s for s in doc.sections if s.path[-1:] == ("第四十六条",)]
    assert last.text == "本细则自发布之日起施行。"
    intro, *annex = [s for s in doc.sections if s.path[:1] == ("附件",)]
    assert intro.kind == "intro" and intro.path == ("附件",)
    assert [(s.path, s.titles) for s in annex] == [
        (("附件", f"({cn(n)})"), ("矿产资源分类细目", title))
        for n, title in enumerate(["能源矿产", "金属矿产", "非金属矿产", "水气矿产"], 1)
    ]
    assert annex[0].text.startswith("煤、煤成气") and not doc.warnings
    # Eleven numbered sentences, then "附：" and a list whose own 一、 二、 sit under the annex.
    _, doc = law("司法解释/最高人民法院关于内地与香港特别行政区相互执行仲裁裁决的安排(2000-01-24).md")
    paths = [s.path for s in doc.sections]
    assert paths[1:12] == [(f"{cn(n)}、",) for n in range(1, 12)]
    assert ("附", "一、") in paths and ("附", "二、") in paths and not doc.warnings
    seven = doc.section(("七、",))
    assert seven is not None and len(seven.paragraphs) == 8  # its (一)-(五) are 项, not headings
    # Annexes named 附件一 … 附件三 in the Basic Law: each its own unit after the last article.
    _, doc = law("宪法相关法/香港特别行政区基本法(1990-04-04).md")
    tops = [s.path[0] for s in doc.sections if s.path]
    assert [t for t in dict.fromkeys(tops) if t.startswith("附件")] == ["附件一", "附件二", "附件三"]
    assert doc.section(("第九章", "第一百六十条")) is not None


UNIFIED_MARKET = """中共中央\u3000国务院关于加快建设全国统一大市场的意见
（2022年3月25日）
\u3000\u3000建设全国统一大市场是构建新发展格局的基础支撑和内在要求。现提出如下意见。
\u3000\u3000一、总体要求
\u3000\u3000（一）指导思想。以习近平新时代中国特色社会主义思想为指导，全面贯彻党的十九大精神。
\u3000\u3000（二）工作原则
\u3000\u3000——立足内需，畅通循环。以高质量供给创造和引领需求。
\u3000\u3000（三）主要目标
\u3000\u3000——持续推动国内市场高效畅通和规模拓展。
\u3000\u3000二、强化市场基础制度规则统一
\u3000\u3000（四）完善统一的产权保护制度。完善依法平等保护各种所有制经济产权的制度体系。
\u3000\u3000（五）实行统一的市场准入制度。
\u3000\u3000（六）到2025年，各地区要全面清理妨碍统一市场的规定，并将清理结果向社会公开。
\u3000\u3000（七）健全统一的社会信用制度。编制出台全国公共信用信息基础目录。
\u3000\u3000九、组织实施保障
\u3000\u3000（二十九）加强党的领导。各地区各部门要充分认识建设全国统一大市场的重要意义。
"""


def test_opinion_numbered_across_sections_with_one_odd_item() -> None:
    # (N) numbered through the whole opinion; "（五）…制度。" alone is a titled heading with no text of its own,
    # and the one sentence item (六) among titled siblings does not turn the run into a list: it is text.
    doc = parse(UNIFIED_MARKET)
    assert doc.date == "2022年3月25日" and doc.title == "中共中央\u3000国务院关于加快建设全国统一大市场的意见"
    assert [s.path for s in doc.sections[1:]] == [
        ("一、", "（一）"), ("一、", "（二）"), ("一、", "（三）"),
        ("二、", "（四）"), ("二、", "（五）"), ("二、", "（七）"), ("九、", "（二十九）"),
    ]  # fmt: skip
    five = doc.section(("二、", "（五）"))
    assert five is not None and five.titles[-1] == "实行统一的市场准入制度" and five.text.startswith("（六）到2025年")


# Where the regex over the file and the parser rightly differ: a contents list the regex counts twice (北京 2022),
# 第五章 without its '##' (循环经济), a one-line contents (人事任免), a 第二章 missing and 第七章 twice in the
# source (南水北调), a source that lost its first three chapter headings (长江防护林), an amendment inserting
# "第七节 监察委员会" into the Constitution.
COUNTS_DIFFER = {
    "北京中轴线文化遗产保护条例(2022-05-25).md", "北京市国民经济和社会发展计划审查监督条例(2022-05-26).md",
    "北京市数字经济促进条例(2022-11-25).md", "北京市献血条例(2021-11-26).md", "北京市种子条例(2022-01-10).md",
    "北京市节水条例(2022-11-25).md", "山东省南水北调条例(2015-04-01).md", "山东省循环经济条例(2016-07-22).md",
    "重庆市各级人民代表大会常务委员会人事任免工作条例(2022-06-10).md", "重庆市长江防护林体系管理条例(2019-05-31).md",
    "宪法修正案（2018年）.md",
}  # fmt: skip


def test_every_fifth_lawrefbook_file_has_the_counts_of_its_markdown() -> None:
    files = sorted(LAW.rglob("*.md"))[::5]
    assert len(files) > 600
    for path in files:
        text = path.read_text(encoding="utf-8")
        if "<!-- INFO END -->" not in text:
            continue
        doc = parse(text, doc_id_for(path.name), str(path), fmt="markdown")
        want, got = regex_counts(text), parsed_counts(doc)
        assert got["条"] == want["条"], path.name
        assert got == want or path.name in COUNTS_DIFFER, (path.name, want, got)
        assert not [w for w in doc.warnings if w.startswith("duplicate")], (path.name, doc.warnings)


def test_contents_listed_bare_before_a_text_that_lost_its_first_headings() -> None:
    # 第一章 … 第八章 listed, then the articles of 第一章-第三章 with no chapter heading, then 第四章 … again: the
    # list is contents, and 第一条 is not filed under 第八章 (the last entry of the list).
    _, doc = law("DLC/重庆地方法规/地方性法规/重庆/重庆市长江防护林体系管理条例(2019-05-31).md")
    paths = [s.path for s in doc.sections]
    assert paths[1:21] == [(f"第{cn(n)}条",) for n in range(1, 21)]  # no chapter to file them under
    assert paths[21] == ("第四章", "第二十一条") and paths[-1] == ("第八章", "第四十四条") and not doc.warnings
    assert doc.sections[0].text.endswith("总 则")  # the lost heading's title, left as text before 第一条


def test_lines_of_zero_width_characters_are_blank() -> None:
    path = LAW / "DLC/北京地方法规/地方性法规/北京/北京市物业管理条例(2024-03-29).md"
    text = path.read_text(encoding="utf-8")
    assert "\n\u200b\n" in text  # the export's "empty" lines hold a zero-width space
    doc = parse(text, doc_id_for(path.name), str(path), fmt="markdown")
    paragraphs = [p.text for s in doc.sections for p in s.paragraphs]
    assert paragraphs and all(p and p == p.strip("\u200b \u3000") for p in paragraphs)
    art = doc.section(("第一章", "第一条"))
    assert art is not None and art.text.startswith("为了构建党建引领社区治理框架下的物业管理体系")
    assert_spans(doc, text)
