"""One real regulation as .txt, .docx, .html and .pdf (tests/fixtures/formats, made by make.py there): each file is
built into its own knowledge base with the real embedding model, and all four must give the same document — the
same section paths and titles, the same paragraphs — and the same answers with the same citations, the PDF's
citations adding the page. Also: files that cannot be indexed get one line from `rag add` and leave the
knowledge base exactly as it was, and a file with no headings is indexed as one unit with a warning."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from rag import builds
from rag.cli import main
from rag.config import Settings
from rag.embed import Embedder, load_embedder
from rag.indexer import build_index
from rag.store import Index, load_index
from rag.types import Answer, Document
from tests.conftest import make_settings

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
FORMATS = ("txt", "docx", "html", "pdf")
TITLE = "重大行政决策程序暂行条例"
# Questions a civil servant would ask of this regulation, each answered by one article.
QUESTIONS = [
    ("重大行政决策事项包括哪些？", ("第一章", "第三条")),
    ("对专业性、技术性较强的决策事项，要组织专家论证吗？", ("第二章", "第三节", "第十九条")),
    ("决策草案提交讨论前要经过合法性审查吗？", ("第三章", "第一节", "第二十五条")),
    ("决策草案应当经过什么会议讨论？", ("第三章", "第二节", "第三十条")),
    ("本条例从什么时候开始施行？", ("第六章", "第四十四条")),
]
UNANSWERABLE = "重大行政决策的专家劳务费标准是多少元？"

pytestmark = pytest.mark.slow


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder(make_settings())


@pytest.fixture(scope="module")
def kbs(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> dict[str, tuple[Settings, Index]]:
    """A knowledge base per format, each holding the one file (named alike, so the doc_id is the same)."""
    out = {}
    for fmt in FORMATS:
        folder = tmp_path_factory.mktemp(fmt)
        source = shutil.copy(FIXTURES / f"regulation.{fmt}", folder / f"regulation.{fmt}")
        settings = make_settings(corpus=(Path(source),), index_dir=folder / "index")
        build_index(settings, embedder=embedder)
        out[fmt] = (settings, load_index(settings.index_path))
    return out


@pytest.fixture(scope="module")
def answers(kbs: dict[str, tuple[Settings, Index]], embedder: Embedder) -> dict[str, list[Answer]]:
    from rag.pipeline import Pipeline

    out = {}
    for fmt, (settings, index) in kbs.items():
        pipe = Pipeline(settings, index=index, embedder=embedder)
        out[fmt] = [pipe.ask(q) for q, _ in QUESTIONS] + [pipe.ask(UNANSWERABLE)]
    return out


def document(kbs: dict[str, tuple[Settings, Index]], fmt: str) -> Document:
    (doc,) = kbs[fmt][1].documents
    return doc


def test_fixtures_are_what_make_py_says(kbs: dict[str, tuple[Settings, Index]]) -> None:
    for fmt in (*FORMATS, "plain.docx", "encrypted.pdf", "scanned.pdf"):
        path = FIXTURES / {"plain.docx": "regulation-plain.docx"}.get(fmt, fmt if "." in fmt else f"regulation.{fmt}")
        assert path.stat().st_size < 300_000, path
    assert {document(kbs, fmt).fmt for fmt in FORMATS} == {"text", "docx", "html", "pdf"}


def test_every_format_gives_the_same_document(kbs: dict[str, tuple[Settings, Index]]) -> None:
    want = document(kbs, "txt")
    assert want.doc_id == "regulation" and want.title == TITLE and not want.warnings
    labels = [s.path for s in want.sections]
    # 6 章, 6 节 inside 第二章 and 第三章, 44 条; every 条 is a citable unit, with the preamble in front.
    assert len(labels) == 45 and labels[0] == () and labels[-1] == ("第六章", "第四十四条")
    assert ("第二章", "第四节", "第二十二条") in labels and ("第三章", "第二节", "第三十一条") in labels
    assert ("第四章", "第三十四条") in labels
    for fmt in FORMATS[1:]:
        got = document(kbs, fmt)
        assert (got.doc_id, got.title, got.version, got.date) == (want.doc_id, want.title, want.version, want.date)
        assert [(s.path, s.title) for s in got.sections] == [(s.path, s.title) for s in want.sections], fmt
        assert [[squash(p.text) for p in s.paragraphs] for s in got.sections] == [
            [squash(p.text) for p in s.paragraphs] for s in want.sections
        ], fmt


def test_a_word_file_without_heading_styles_gives_the_same_document(kbs: dict[str, tuple[Settings, Index]]) -> None:
    # Every paragraph in Word's Normal style: the headings are known by their words alone.
    from rag.parse import parse
    from rag.readers import read

    src = read(FIXTURES / "regulation-plain.docx")
    assert src.headings == ()
    got = parse(src.text, "regulation", "regulation-plain.docx", hints=src.headings, title=src.title, fmt=src.fmt)
    want = document(kbs, "docx")
    assert got.title == want.title
    assert [(s.path, s.titles, [squash(p.text) for p in s.paragraphs]) for s in got.sections] == [
        (s.path, s.titles, [squash(p.text) for p in s.paragraphs]) for s in want.sections
    ]


def test_only_the_pdf_has_pages_and_they_run_in_order(kbs: dict[str, tuple[Settings, Index]]) -> None:
    for fmt in FORMATS[:3]:
        assert all(p.page is None for s in document(kbs, fmt).sections for p in s.paragraphs)
    pages = [p.page for s in document(kbs, "pdf").sections for p in s.paragraphs]
    assert pages[0] == 1 and pages == sorted(pages) and pages[-1] == 8  # type: ignore[type-var]
    pdf = document(kbs, "pdf")
    article = pdf.section(("第五章", "第四十条"))
    assert article is not None and article.paragraphs[0].page == 8  # "第四十条 决策执行单位…" starts page 8


def citations(answer: Answer) -> list[tuple[Any, ...]]:
    return [(c.doc_id, c.path, c.title, squash(c.quote)) for c in answer.citations]


def test_every_format_gives_the_same_answers(answers: dict[str, list[Answer]]) -> None:
    want = answers["txt"]
    for (question, path), answer in zip(QUESTIONS, want):
        assert not answer.refused, question
        # Among the citations rather than first: the generator's choice of primary is not what this file tests.
        assert path in [c.path for c in answer.citations], (question, answer.text)
    assert want[-1].refused
    for fmt in FORMATS[1:]:
        for a, b in zip(want, answers[fmt]):
            assert b.refused == a.refused, (fmt, a.question)
            if a.refusal is not None and b.refusal is not None:
                # The same reason and the same nearest sections; their order may differ where two sections score
                # within rounding of each other, as the text file's indentation (　　) reaches the embedding and
                # the Word file's does not.
                assert (b.refusal.code, b.refusal.reason) == (a.refusal.code, a.refusal.reason), fmt
                assert {n.loc for n in b.refusal.nearest} == {n.loc for n in a.refusal.nearest}, fmt
                continue
            assert squash(b.text) == squash(a.text), (fmt, a.question)
            assert citations(b) == citations(a), (fmt, a.question)


def test_pdf_citations_add_the_page(answers: dict[str, list[Answer]], kbs: dict[str, tuple[Settings, Index]]) -> None:
    pdf = document(kbs, "pdf")
    for answer in answers["pdf"][:-1]:
        for c in answer.citations:
            section = pdf.section(c.path)
            assert section is not None
            assert c.page == section.paragraphs[0].page and c.page is not None
            assert c.formal == f"{c.loc.formal(TITLE)}（第{c.page}页）" and c.formal.startswith(f"《{TITLE}》")
            assert c.to_json()["citation"] == c.formal
    for fmt in FORMATS[:3]:
        for answer in answers[fmt][:-1]:
            assert all(c.page is None and "页" not in c.formal for c in answer.citations)


# --- files that cannot be indexed, through the command line ---------------------------------------------------


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kbs: dict[str, tuple[Settings, Index]]) -> Path:
    """A copy of the .txt regulation's knowledge base (real model); RAG_* point `rag` at it."""
    index = shutil.copytree(kbs["txt"][0].index_path, tmp_path / "index")
    monkeypatch.setenv("RAG_INDEX_DIR", str(index))
    monkeypatch.setenv("RAG_CACHE_DIR", str(make_settings().cache_path))
    return Path(index)


def state(index: Path) -> tuple[str, list[str], str]:
    build = builds.live_build(index)
    assert build is not None
    return build.name, [d.doc_id for d in load_index(index).documents], (build / "manifest.json").read_text("utf-8")


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("encrypted.pdf", None, ["encrypted", "password"]),
        ("scanned.pdf", None, ["scanned", "OCR"]),
        ("empty.docx", "docx", ["empty"]),
        ("blank.txt", " \n\u3000\n", ["empty"]),
        ("broken.pdf", "%PDF-1.7\n1 0 obj <<", ["not a readable PDF"]),
        ("missing.html", "", ["no such file"]),
        ("plan.doc", "x", ["unsupported", ".docx"]),
    ],
)
def test_a_failed_add_is_one_line_and_changes_nothing(
    kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, make: str | None, words: list[str]
) -> None:
    path = FIXTURES / name if make is None else tmp_path / name
    if make == "docx":
        import docx

        docx.Document().save(str(path))
    elif make:
        path.write_text(make, "utf-8")
    before = state(kb)
    good = tmp_path / "good.txt"
    good.write_text("某市条例\n第一条 本条例自公布之日起施行。\n", "utf-8")
    capsys.readouterr()
    # The bad file comes after a good one: nothing of the good one may be added either.
    assert main(["add", "--quiet", str(good), str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and str(path) in err, err
    assert all(word in err for word in words), err
    assert "Traceback" not in err
    assert state(kb) == before


def test_no_headings_is_one_unit_with_a_warning_the_user_sees(
    kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prose = tmp_path / "notice.txt"
    prose.write_text("各区人民政府：\n为做好重大行政决策公开工作，现将有关事项通知如下。请认真贯彻执行。\n", "utf-8")
    capsys.readouterr()
    assert main(["add", "--quiet", str(prose)]) == 0
    out = capsys.readouterr()
    assert "notice" in out.err and "no headings found" in out.err and out.err.count("\n") == 1, out.err
    doc = load_index(kb).document("notice")
    assert doc is not None and len(doc.sections) == 1 and doc.warnings
