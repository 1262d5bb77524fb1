"""The readers on real documents: a district plan, the congress report and lawrefbook regulations, written out
as GB18030/BOM text, Word files, government web pages and PDFs printed by chromium, must all give back the same
paragraph lines; broken, encrypted, scanned and empty files must give one-line BadFile messages."""

from __future__ import annotations

import base64
import html
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.readers import SUFFIXES, BadFile, SourceText, read
from rag.readers.pdf import fix_radicals

PLAN = Path("/work/shared/corpus/000_bfccae62de0f4535.txt")
REPORT = Path("/work/shared/corpora/dev/cpc-20th-congress-report-2022.txt")
LAW = Path("/work/shared/corpora/lawrefbook")
REG_CHAPTERS = LAW / "行政法规" / "不动产登记暂行条例(2019-03-24).md"  # 章 only
REG_SECTIONS = LAW / "行政法规" / "反倾销条例(2004-03-31).md"  # 章 and 节
REG_FLAT = LAW / "行政法规" / "世界博览会标志保护条例(2004-10-20).md"  # 条 only, no 章
FIXTURES = Path(__file__).parent / "fixtures" / "readers"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
RADICALS = re.compile(r"[\u2e80-\u2fdf]")
FURNITURE = [
    "无障碍", "长者模式", "English", "登录", "注册", "网站地图", "一网搜", "中华人民共和国中央人民政府", "要闻",
    "当前位置", "首页", "您现在的位置", "字体", "打印", "关闭窗口", "我要纠错", "责任编辑", "分享到", "微博",
    "QQ空间", "相关稿件", "修改和废止部分行政法规", "网站标识码", "ICP备", "公网安备", "版权所有", "访问量",
    "hm.baidu", "doZoom", "信息公开目录", "机构职能", "政务动态",
]  # fmt: skip


# --- real documents as lines ------------------------------------------------------------------------------


def squash(text: str) -> list[str]:
    """Non-blank lines with all whitespace removed: the comparison that survives layout and indentation."""
    return ["".join(line.split()) for line in text.split("\n") if line.strip()]


def law_lines(path: Path) -> list[tuple[str, int | None]]:
    """A lawrefbook regulation as (line, markdown heading level): the "# 标题" first, then the body."""
    text = path.read_text(encoding="utf-8")
    head, body = text.split("<!-- INFO END -->")
    title = next(line[2:].strip() for line in head.splitlines() if line.startswith("# "))
    out: list[tuple[str, int | None]] = [(title, 1)]
    for line in body.splitlines():
        m = re.match(r"^(#+)\s*(.*)$", line)
        if m:
            out.append((m.group(2).strip(), len(m.group(1))))
        elif line.strip():
            out.append((line.strip(), None))
    return out


def plan_parts() -> tuple[str, str, list[str]]:
    """The plan as its site published it: (title, dateline, article lines after the font-size tool)."""
    lines = [line.strip() for line in PLAN.read_text(encoding="utf-8").split("\n") if line.strip()]
    title = next(line for line in lines if line.startswith("长春市二道区人民政府关于印发"))
    dateline = next(line for line in lines if line.startswith("时间:"))
    return title, dateline, lines[lines.index("【字体: 打印") + 1 :]


def article_html(lines: list[tuple[str, int | None]]) -> str:
    """Lines as a government page's article: headings as <hN>, paragraphs as <p> with a first-line indent."""
    out = []
    for text, level in lines:
        if level:
            out.append(f'<h{level} style="text-align:center">{html.escape(text)}</h{level}>')
        else:
            out.append(f'<p style="text-indent:2em">{html.escape(text)}</p>')
    return "\n".join(out)


def gov_page(template: str, title: str, dateline: str, article: str) -> str:
    page = (FIXTURES / template).read_text(encoding="utf-8")
    return (
        page.replace("{{TITLE}}", html.escape(title))
        .replace("{{DATELINE}}", html.escape(dateline))
        .replace("{{ARTICLE}}", article)
    )


def print_page(body: str, header: str, css: str = "p { text-indent: 2em; margin: 0; line-height: 1.6; }") -> str:
    """A page made for printing: A4, a running header and "- N -" page numbers in the page margins."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(header)}</title><style>
@page {{ size: A4; margin: 25mm 20mm;
  @top-center {{ content: "{header}"; font-size: 9pt; }}
  @bottom-center {{ content: "- " counter(page) " -"; font-size: 10pt; }} }}
body {{ font-family: "Noto Serif CJK SC", serif; font-size: 12pt; }}
h1 {{ font-size: 20pt; text-align: center; }} h2, h3 {{ font-size: 14pt; text-align: center; }}
{css}
</style></head><body>{body}</body></html>"""


def chromium_pdf(html_text: str, folder: Path, name: str) -> Path:
    """Print a page to PDF with Debian's chromium, the way a user saves a web page as PDF."""
    folder.mkdir(parents=True, exist_ok=True)
    page, pdf = folder / f"{name}.html", folder / f"{name}.pdf"
    page.write_text(html_text, encoding="utf-8")
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", f"--user-data-dir={folder / 'profile'}",
        f"--print-to-pdf={pdf}", page.as_uri(),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    assert pdf.stat().st_size > 0
    return pdf


def write_docx(path: Path, lines: list[tuple[str, int | None]], styled: bool, core_title: str = "") -> Path:
    import docx

    doc = docx.Document()
    doc.core_properties.title = core_title
    for i, (text, level) in enumerate(lines):
        if styled and i == 0:
            doc.add_paragraph(text, style="Title")
        elif styled and level:
            doc.add_paragraph(text, style=f"Heading {level}")
        else:
            doc.add_paragraph(text)
    doc.save(str(path))
    return path


def bad(path: Path) -> str:
    """The BadFile message for reading `path`, checked to be one line naming the file."""
    with pytest.raises(BadFile) as info:
        read(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert isinstance(info.value, CorpusError) and info.value.exit_code == 2
    return message


def assert_no_furniture(text: str, article: str) -> None:
    """No site words beyond those the article itself uses ("数字体系" holds 字体)."""
    for word in FURNITURE:
        assert text.count(word) == article.count(word), word


def assert_line_starts(src: SourceText) -> None:
    for offset, level in src.headings:
        assert 1 <= level <= 9
        assert offset == 0 or src.text[offset - 1] == "\n"


# --- the shared contract ----------------------------------------------------------------------------------


def test_suffixes_cover_every_format() -> None:
    assert set(SUFFIXES) == {".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"}


def test_page_at_maps_offsets_to_one_based_pages() -> None:
    src = SourceText("a" * 30, "pdf", pages=(0, 10, 20))
    assert [src.page_at(o) for o in (0, 9, 10, 19, 20, 29)] == [1, 1, 2, 2, 3, 3]
    assert SourceText("abc", "text").page_at(1) is None


def test_line_conventions_and_no_nfkc(tmp_path: Path) -> None:
    raw = "第一条\u3000为了规范（试行），制定本办法：\r\n第二条\r第三条\u2028第四条\u2029第五条\u0085末\x00尾\x1b\x0b\t句。"
    path = tmp_path / "conventions.txt"
    path.write_bytes(raw.encode("utf-8"))
    src = read(path)
    assert src.text == "第一条\u3000为了规范（试行），制定本办法：\n第二条\n第三条\n第四条\n第五条\n末尾\t句。"
    assert (src.fmt, src.title, src.pages, src.headings) == ("text", None, (), ())


def test_heavy_libraries_are_imported_only_when_needed() -> None:
    code = "import sys, rag.readers; print(sorted(m for m in ('docx', 'pdfplumber', 'lxml', 'charset_normalizer') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_a_missing_library_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_docx(tmp_path / "reg.docx", law_lines(REG_FLAT), styled=True)
    monkeypatch.setitem(sys.modules, "docx", None)  # importing it now raises ImportError
    assert "pip install python-docx" in bad(path)


# --- text -------------------------------------------------------------------------------------------------


def test_plan_in_gb18030_and_with_a_bom_reads_back_identical(tmp_path: Path) -> None:
    original = PLAN.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert read(PLAN).text == original
    variants = {
        "gb18030.txt": original.encode("gb18030"),
        "bom.txt": b"\xef\xbb\xbf" + original.encode("utf-8"),
        "crlf.txt": original.replace("\n", "\r\n").encode("utf-8"),
        "utf16.txt": original.encode("utf-16"),  # Notepad's "Unicode": UTF-16 LE with a BOM
    }
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        src = read(tmp_path / name)
        assert src.text == original, name
        assert src.fmt == "text"


def test_gbk_regulation_with_rare_characters(tmp_path: Path) -> None:
    text = REG_SECTIONS.read_text(encoding="utf-8") + "\n附：堃、喆、犇、镕\n"
    (tmp_path / "reg.txt").write_bytes(text.encode("gb18030"))
    assert read(tmp_path / "reg.txt").text == text


def test_markdown_is_kept_as_written() -> None:
    src = read(REG_CHAPTERS)
    assert src.fmt == "markdown"
    assert src.text == REG_CHAPTERS.read_text(encoding="utf-8")
    assert "\n## 第一章 总则\n" in src.text


# --- Word -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("regulation", [REG_CHAPTERS, REG_SECTIONS, REG_FLAT], ids=["chapters", "sections", "flat"])
def test_docx_with_heading_styles_gives_the_text_lines_and_hints(tmp_path: Path, regulation: Path) -> None:
    lines = law_lines(regulation)
    txt = tmp_path / "reg.txt"
    txt.write_text("\n\n".join(text for text, _ in lines), encoding="utf-8")
    src = read(write_docx(tmp_path / "reg.docx", lines, styled=True))
    assert src.fmt == "docx"
    assert src.text.split("\n") == [text for text, _ in lines]
    assert squash(src.text) == squash(read(txt).text)
    assert src.title == lines[0][0]  # the Title-style paragraph
    hinted = {src.text[o:].split("\n", 1)[0]: level for o, level in src.headings}
    assert hinted == {text: level for text, level in lines[1:] if level}
    assert all(re.match(r"第.+[章节]", text) for text in hinted)
    assert_line_starts(src)


def test_docx_without_styles_gives_the_same_lines_and_no_hints(tmp_path: Path) -> None:
    lines = law_lines(REG_SECTIONS)
    styled = read(write_docx(tmp_path / "styled.docx", lines, styled=True))
    plain = read(write_docx(tmp_path / "plain.docx", lines, styled=False, core_title="反倾销条例"))
    assert plain.text == styled.text
    assert plain.headings == ()
    assert plain.title == "反倾销条例"  # from the core properties


def test_docx_tables_are_rows_in_body_order(tmp_path: Path) -> None:
    import docx

    doc = docx.Document()
    doc.add_paragraph("附件：重点任务分工表")
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate([["序号", "重点任务", "牵头单位"], ["1", "加快区内交通建设", "区交通局"], ["2", "", ""]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(2, 1).merge(table.cell(2, 2))  # one cell spanning two columns counts once
    merged.text = "建设宜居城区"
    table.cell(1, 1).add_paragraph("（含道路改造）")
    doc.add_paragraph("各单位要按照分工抓好落实。")
    doc.save(str(tmp_path / "table.docx"))
    assert read(tmp_path / "table.docx").text.split("\n") == [
        "附件：重点任务分工表",
        "序号  重点任务  牵头单位",
        "1  加快区内交通建设 （含道路改造）  区交通局",
        "2  建设宜居城区",
        "各单位要按照分工抓好落实。",
    ]


def test_docx_reads_inserted_revisions_and_outline_levels(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    doc = docx.Document()
    heading = doc.add_paragraph("第一章 总则")
    heading._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="1"/>'))  # as WPS does
    para = doc.add_paragraph("第一条 为了规范管理，")
    para._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="1" w:author="a"><w:r><w:t>制定本办法。</w:t></w:r></w:ins>'))
    doc.save(str(tmp_path / "revised.docx"))
    src = read(tmp_path / "revised.docx")
    assert src.text == "第一章 总则\n第一条 为了规范管理，制定本办法。"
    assert src.headings == ((0, 2),)


def test_docx_chinese_style_names_and_styles_based_on_headings(tmp_path: Path) -> None:
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    doc = docx.Document()
    wps = doc.styles.add_style("标题 3", WD_STYLE_TYPE.PARAGRAPH)  # WPS names the built-in styles in Chinese
    custom = doc.styles.add_style("公文一级标题", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = doc.styles["Heading 1"]
    doc.add_paragraph("第一编 总则", style=custom)
    doc.add_paragraph("第一节 一般规定", style=wps)
    doc.add_paragraph("第一条 正文。")
    doc.save(str(tmp_path / "styles.docx"))
    src = read(tmp_path / "styles.docx")
    assert src.headings == ((0, 1), (src.text.index("第一节"), 3))


# --- HTML -------------------------------------------------------------------------------------------------


def test_gov_page_gives_the_article_without_the_site(tmp_path: Path) -> None:
    title, dateline, article = plan_parts()
    page = gov_page("govcn_page.html", title, dateline, article_html([(line, None) for line in article]))
    (tmp_path / "plan.html").write_text(page, encoding="utf-8")
    src = read(tmp_path / "plan.html")
    assert src.fmt == "html"
    assert src.title == title  # the CMS's ArticleTitle meta
    expected = "\n".join([title, dateline, *article])
    assert squash(src.text) == squash(expected)
    assert_no_furniture(src.text, expected)
    assert src.headings == ((0, 1),)  # the <h1>


def test_old_table_layout_page_in_gb2312(tmp_path: Path) -> None:
    title, dateline, article = plan_parts()
    body = "".join(f"　　{html.escape(line)}<br>\n" for line in article)  # old sites: <br> between paragraphs
    page = gov_page("district_table_page.html", title, dateline, body)
    (tmp_path / "plan.htm").write_bytes(page.encode("gb18030"))  # declared gb2312, as such sites do
    src = read(tmp_path / "plan.htm")
    assert src.title == title  # <title> without "-长春市二道区人民政府"
    expected = "\n".join([title, dateline, *article])
    assert squash(src.text) == squash(expected)
    assert_no_furniture(src.text, expected)


def test_province_page_keeps_the_title_the_article_and_its_attachments(tmp_path: Path) -> None:
    # A title in a plain <div>, a metadata table before it, a menu of <a> without href, "【打印】【关闭】 扫一扫…"
    # tools, and attachment links, which are document text.
    lines = law_lines(REG_FLAT)
    title, body = lines[0][0], "\n".join(f"<p>　　{html.escape(t)}</p>" for t, _ in lines[1:])
    (tmp_path / "page.html").write_text(gov_page("province_page.html", title, "", body), encoding="utf-8")
    src = read(tmp_path / "page.html")
    assert src.title == title
    got = src.text.split("\n")
    start = got.index(title)
    assert all("：" in line for line in got[:start])  # the metadata table's rows, when step 2 keeps it
    attachments = ["附件：", "1.重点任务分工表.docx", "2.名词解释.pdf", "3.指标体系.xlsx"]
    assert got[start:] == [t for t, _ in lines] + attachments
    assert_no_furniture(src.text, "\n".join(t for t, _ in lines))
    for word in ("今天是", "走进吉林", "扫一扫", "【关闭】", "主办单位"):
        assert word not in src.text


def test_headings_lists_tables_and_short_notices_survive(tmp_path: Path) -> None:
    # The shapes that boilerplate libraries dropped: a short notice, <ul> items, a table, div paragraphs.
    article = """
<div style="text-align:center"><strong>第一章　总则</strong></div>
<div>　　第一条　为了规范管理，制定本办法。</div>
<h2>第二章　管理</h2>
<ul><li>（一）加强检查；</li><li>（二）做好宣传；</li></ul>
<table><tbody><tr><td>序号</td><td>任务</td><td>牵头单位</td></tr><tr><td>1</td><td><p>检查</p><p>督导</p></td><td>市应急局</td></tr></tbody></table>
<div>附件：<a href="/files/fenGongBiao.docx">1.任务分工表</a></div>"""
    (tmp_path / "notice.html").write_text(gov_page("govcn_page.html", "关于做好安全生产工作的通知", "", article))
    src = read(tmp_path / "notice.html")
    assert src.text.split("\n") == [
        "关于做好安全生产工作的通知",
        "第一章　总则",
        "第一条　为了规范管理，制定本办法。",
        "第二章　管理",
        "（一）加强检查；",
        "（二）做好宣传；",
        "序号  任务  牵头单位",
        "1  检查 督导  市应急局",
        "附件：1.任务分工表",
    ]
    assert src.headings == ((0, 1), (src.text.index("第二章"), 2))


def test_a_page_of_nothing_but_site_is_empty(tmp_path: Path) -> None:
    (tmp_path / "nav.html").write_text(gov_page("govcn_page.html", "", "", ""), encoding="utf-8")
    assert "empty" in bad(tmp_path / "nav.html")


# --- PDF --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def short_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A regulation of a page or two (encrypting and reading it back is quicker than the plan)."""
    lines = law_lines(REG_FLAT)
    folder = tmp_path_factory.mktemp("short")
    return chromium_pdf(print_page(article_html(lines), lines[0][0]), folder, "flat"), [t for t, _ in lines]


@pytest.fixture(scope="module")
def plan_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    title, dateline, article = plan_parts()
    lines = [title, dateline, *article]
    body = article_html([(title, 1), (dateline, None), *((line, None) for line in article)])
    return chromium_pdf(print_page(body, "长春市二道区人民政府文件"), tmp_path_factory.mktemp("plan"), "plan"), lines


@pytest.mark.slow
def test_chromium_pdf_of_the_plan_gives_its_paragraphs_and_pages(plan_pdf: tuple[Path, list[str]]) -> None:
    import pypdf

    path, lines = plan_pdf
    src = read(path)
    assert src.fmt == "pdf"
    assert src.title == "长春市二道区人民政府文件"  # chromium writes <title> into the metadata
    assert squash(src.text) == squash("\n".join(lines))  # wrapped lines joined, header and "- N -" gone
    assert not RADICALS.search(src.text)  # "⼀" and "⻓" mapped back to 一 and 长
    assert "第一篇" in src.text and "长春" in src.text
    pages = len(pypdf.PdfReader(path).pages)
    assert pages >= 5 and len(src.pages) == pages
    assert src.pages[0] == 0 and list(src.pages) == sorted(src.pages)
    last = src.text.rindex("\n") + 1
    assert src.page_at(0) == 1 and src.page_at(last) == pages
    middle = src.text.index("第七篇")
    assert 1 < src.page_at(middle) < pages  # type: ignore[operator]


@pytest.mark.slow
def test_chromium_pdf_of_a_regulation_without_indents(tmp_path: Path) -> None:
    # Block paragraphs (no first-line indent, space between), justified: breaks come from gaps and short lines.
    lines = law_lines(REG_SECTIONS)
    css = "p { text-indent: 0; margin: 0.6em 0; line-height: 1.5; text-align: justify; }"
    pdf = chromium_pdf(print_page(article_html(lines), "反倾销条例", css), tmp_path, "reg")
    src = read(pdf)
    assert squash(src.text) == squash("\n".join(text for text, _ in lines))
    assert len(src.pages) >= 2 and src.page_at(src.text.index("第五十九条")) == len(src.pages)


@pytest.mark.slow
def test_chromium_pdf_of_the_congress_report(tmp_path: Path) -> None:
    text = REPORT.read_text(encoding="utf-8")
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())
    pdf = chromium_pdf(print_page(body, "中国共产党第二十次全国代表大会报告"), tmp_path, "report")
    src = read(pdf)
    assert squash(src.text) == squash(text)
    assert not RADICALS.search(src.text)
    assert len(src.pages) >= 5


@pytest.mark.slow
def test_chromium_pdf_of_the_whole_gov_page_keeps_the_article_together(tmp_path: Path) -> None:
    # Saving the page itself as PDF prints the site too: that is page content now, but the article's
    # paragraphs must still come out whole and in order.
    lines = law_lines(REG_CHAPTERS)
    page = gov_page("govcn_page.html", lines[0][0], "2019-03-24 10:00 来源：中国政府网", article_html(lines[1:]))
    src = read(chromium_pdf(page, tmp_path, "page"))
    got, want = squash(src.text), squash("\n".join(text for text, _ in lines))
    start = got.index(want[1])
    assert got[start : start + len(want) - 1] == want[1:]
    assert want[0] in got[:start]
    assert len(src.pages) >= 2


@pytest.mark.slow
def test_same_document_as_txt_docx_html_and_pdf_gives_the_same_lines(tmp_path: Path) -> None:
    lines = law_lines(REG_SECTIONS)
    txt = tmp_path / "reg.txt"
    txt.write_text("\n\n".join(text for text, _ in lines) + "\n", encoding="utf-8")
    docx_file = write_docx(tmp_path / "reg.docx", lines, styled=True)
    page = tmp_path / "reg.html"
    page.write_text(gov_page("govcn_page.html", lines[0][0], "", article_html(lines[1:])), encoding="utf-8")
    pdf = chromium_pdf(print_page(article_html(lines), "反倾销条例"), tmp_path, "print")
    results = {p.suffix: read(p) for p in (txt, docx_file, page, pdf)}
    expected = squash(results[".txt"].text)
    assert len(expected) == len(lines)
    for suffix, src in results.items():
        assert squash(src.text) == expected, suffix
        assert_line_starts(src)
    chapters = {t for t, level in lines if level == 2}
    for suffix in (".docx", ".html"):
        src = results[suffix]
        assert {src.text[o:].split("\n", 1)[0] for o, level in src.headings if level == 2} == chapters


def test_word_style_pdf_loses_its_running_header_and_page_numbers() -> None:
    # LibreOffice's export of a GB/T 9704 layout (fixtures/readers/make_word_pdf.py): justified 16 pt text on a
    # fixed 28 pt pitch, indented first lines, "— N —" footers, a running header with a number in it, and
    # cross-references wrapped at line starts ("(二)、(三)项") that must not start paragraphs.
    src = read(FIXTURES / "word_gbt9704.pdf")
    lines = [text for text, _ in law_lines(REG_FLAT)]
    assert squash(src.text) == squash("\n".join(lines))
    assert "国务院令" not in src.text and not re.search(r"—\s*\d+\s*—", src.text)
    assert len(src.pages) == 5 and src.page_at(src.text.index("第十六条")) == 5
    assert src.title is None  # LibreOffice wrote no title


def pdf_writer_copy(source: Path, target: Path, **encrypt: str) -> Path:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(source))
    writer.encrypt(**encrypt)
    writer.write(target)
    return target


@pytest.mark.slow
def test_encrypted_pdf_is_a_bad_file_but_a_permissions_only_one_reads(
    short_pdf: tuple[Path, list[str]], tmp_path: Path
) -> None:
    source, lines = short_pdf
    locked = pdf_writer_copy(source, tmp_path / "locked.pdf", user_password="secret", owner_password="owner")
    message = bad(locked)
    assert "encrypted" in message and "unprotected copy" in message
    # An owner password only restricts printing/copying; every reader opens such files without asking.
    restricted = pdf_writer_copy(source, tmp_path / "restricted.pdf", user_password="", owner_password="owner")
    assert squash(read(restricted).text) == squash("\n".join(lines))


def png(width: int, height: int) -> bytes:
    """A plain red PNG: a 'scan' with no text layer."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xc8\x1e\x1e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.mark.slow
def test_image_only_pdf_is_a_scan_that_needs_ocr(tmp_path: Path) -> None:
    image = base64.b64encode(png(300, 400)).decode("ascii")
    page = f'<html><body style="margin:0"><img src="data:image/png;base64,{image}" style="width:100%"></body></html>'
    message = bad(chromium_pdf(page, tmp_path, "scan"))
    assert "scanned" in message and "OCR" in message


@pytest.mark.slow
def test_corrupt_pdfs_are_bad_files(short_pdf: tuple[Path, list[str]], tmp_path: Path) -> None:
    data = short_pdf[0].read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(data[: len(data) // 3])
    (tmp_path / "html.pdf").write_bytes(b"<html><body>not a pdf</body></html>")
    (tmp_path / "empty.pdf").write_bytes(b"")
    for name in ("truncated.pdf", "html.pdf", "empty.pdf"):
        assert "not a readable PDF" in bad(tmp_path / name)


def test_radicals_are_mapped_character_by_character() -> None:
    assert fix_radicals("第⼀篇 ⻓春市⼆道区⼈⺠政府") == "第一篇 长春市二道区人民政府"
    assert fix_radicals("⻔⻋⻢⻛⻓⻘⻰⾼⼒ 门⼾") == "门车马风长青龙高力 门户"
    assert fix_radicals("（一）全面加强，坚持：“十四五”⸺\u2329试行\u232a") == "（一）全面加强，坚持：“十四五”——〈试行〉"
    assert fix_radicals("ＡＢＣ，：（）") == "ＡＢＣ，：（）"  # no NFKC of anything else


@pytest.mark.slow
@pytest.mark.parametrize("font", ["Noto Serif CJK SC", "Noto Sans CJK SC"])
def test_every_character_of_the_real_texts_survives_a_chromium_pdf(tmp_path: Path, font: str) -> None:
    texts = [PLAN, REPORT, REG_CHAPTERS, REG_SECTIONS, REG_FLAT, *sorted((LAW / "行政法规").glob("*.md"))[:40]]
    chars = sorted(
        {c for path in texts for c in path.read_text(encoding="utf-8") if not c.isascii() and not c.isspace()}
    )
    assert len(chars) > 1500
    body = "".join(f"<p>{html.escape(''.join(chars[i : i + 30]))}</p>" for i in range(0, len(chars), 30))
    page = f'<html><head><meta charset="utf-8"><style>body {{ font-family: "{font}"; }}</style></head><body>{body}</body></html>'
    src = read(chromium_pdf(page, tmp_path, "chars"))
    assert "".join(src.text.split()) == "".join(chars)


# --- files that cannot be read ----------------------------------------------------------------------------


def test_empty_files_are_bad_files(tmp_path: Path) -> None:
    import docx

    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text(" \n\u3000\n\r\n", encoding="utf-8")
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf")
    (tmp_path / "empty.html").write_text("<html><head><title>空</title></head><body> </body></html>")
    docx.Document().save(str(tmp_path / "empty.docx"))
    for name in ("empty.txt", "blank.md", "bom.txt", "empty.html", "empty.docx"):
        assert "empty" in bad(tmp_path / name), name


def test_unknown_suffix_lists_the_supported_ones(tmp_path: Path) -> None:
    for name in ("plan.doc", "plan.wps", "plan"):
        (tmp_path / name).write_bytes(b"x")
        message = bad(tmp_path / name)
        assert all(suffix in message for suffix in SUFFIXES), message


def test_missing_unreadable_and_damaged_files(tmp_path: Path) -> None:
    assert "no such file" in bad(tmp_path / "missing.txt")
    (tmp_path / "folder.md").mkdir()
    assert "folder" in bad(tmp_path / "folder.md")
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)  # a .doc renamed
    assert "not a readable .docx" in bad(tmp_path / "old.docx")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    assert "save it as UTF-8 text" in bad(tmp_path / "binary.txt")
