"""Several documents in one knowledge base, with the real model: a question naming a document by title is read in
that document, scoped retrieval keeps the scores of the whole knowledge base, and a list's lead-in brings its items."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.config import Settings
from rag.embed import Embedder, load_embedder
from rag.generate.extractive import Extractive
from rag.indexer import build_index
from rag.pipeline import Pipeline
from rag.store import load_index
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[1]
REGULATION = Path(__file__).parent / "fixtures" / "formats" / "regulation.txt"
TITLE = "重大行政决策程序暂行条例"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder(make_settings())


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Settings, Pipeline]:
    folder = tmp_path_factory.mktemp("two")
    files = (shutil.copy(REGULATION, folder / "regulation.txt"), ROOT / "corpus" / "erdao-14th-fyp.txt")
    settings = make_settings(corpus=tuple(Path(f) for f in files), index_dir=folder / "index")
    build_index(settings, embedder=embedder)
    return settings, Pipeline(settings, index=load_index(settings.index_path), embedder=embedder)


def reg_id(pipe: Pipeline) -> str:
    return next(d.doc_id for d in pipe.index.documents if d.title == TITLE)


def test_a_question_naming_a_document_is_read_in_it(kb: tuple[Settings, Pipeline]) -> None:
    _, pipe = kb
    request = pipe.prepare(f"{TITLE}规定听证会按照什么程序举行？")
    assert request.doc_ids is not None and set(request.doc_ids) == {reg_id(pipe)}
    assert TITLE not in request.topic and "听证会" in request.topic
    answer = pipe.ask(f"{TITLE}规定听证会按照什么程序举行？")
    assert not answer.refused
    assert {c.doc_id for c in answer.citations} == {reg_id(pipe)}
    # When it takes effect: the article that says so, not the preamble's adoption date.
    effective = pipe.ask(f"{TITLE}什么时候开始施行？")
    assert not effective.refused and effective.citations[0].loc.path[-1:] == ("第四十四条",)
    assert "2019年9月1日" in effective.text
    # Without the title the question is read everywhere.
    assert pipe.prepare("听证会按照什么程序举行？").doc_ids is None


def test_scoped_scores_are_the_knowledge_base_scores(kb: tuple[Settings, Pipeline]) -> None:
    _, pipe = kb
    question = "决策草案应当经过什么会议讨论？"
    assert len(pipe.index.chunks) < pipe.settings.candidates  # every chunk is a candidate either way
    everywhere = {h.chunk.id: h.score for h in pipe.retriever.search(question).hits}
    scoped = pipe.retriever.search(question, doc_ids=[reg_id(pipe)]).hits
    assert scoped and all(h.chunk.doc_id == reg_id(pipe) for h in scoped)
    assert all(h.score == pytest.approx(everywhere[h.chunk.id]) for h in scoped)


def test_a_lead_in_brings_the_items_it_introduces(kb: tuple[Settings, Pipeline]) -> None:
    settings, pipe = kb
    extractive = Extractive(pipe.index, settings)
    (loc,) = [loc for loc in extractive.by_section if loc.doc_id == reg_id(pipe) and loc.path[-1:] == ("第十七条",)]
    sentences = extractive.by_section[loc]
    lead = next(i for i, s in enumerate(sentences) if s.text.endswith("："))
    picked = extractive._with_items(sentences, [lead], budget=10_000)
    items = [sentences[i].text for i in picked[1:]]
    assert len(items) == 3 and all(t.startswith("(") for t in items), items
    # No budget for any item: the lead-in goes rather than end an answer with a colon.
    before = [s for k, v in extractive.by_section.items() if k != loc and k.doc_id == loc.doc_id for s in v][:1]
    assert extractive._with_items(before + sentences, [0, 1 + lead], budget=0) == [0]


def test_a_short_article_is_read_whole_for_what_its_values_are_said_of(kb: tuple[Settings, Pipeline]) -> None:
    from rag.generate import Draft
    from rag.types import AnswerSentence, Citation

    settings, pipe = kb
    extractive = Extractive(pipe.index, settings)
    chunks = {c.id: c for c in pipe.index.chunks}

    def context(loc, k):  # type: ignore[no-untyped-def]
        s = extractive.by_section[loc][k]
        draft = Draft((AnswerSentence(s.text, (Citation.of(chunks[s.chunk_id], s.text),)),))
        return pipe._said_of(draft)[0]

    def text(loc):  # type: ignore[no-untyped-def]
        return pipe.index.document(loc.doc_id).section(loc).text

    # One short provision: all of it is what its sentences speak of.
    short = next(
        loc
        for loc, ss in extractive.by_section.items()
        if loc.doc_id == reg_id(pipe) and len(ss) >= 2 and len(text(loc)) <= settings.whole_section_chars
    )
    assert context(short, len(extractive.by_section[short]) - 1) == text(short)
    # A plan's long chapter: only the sentence before the quote in its paragraph.
    long = next(
        loc for loc, ss in extractive.by_section.items() if loc.doc_id != reg_id(pipe) and loc.path and len(ss) >= 6
    )
    k = next(k for k in range(1, 6) if context(long, k))
    got = context(long, k)
    assert got and len(got) < len(text(long)) and got == extractive.by_section[long][k - 1].text.strip()
