"""Chunk invariants on the real plan with the real tiktoken encoding."""

from __future__ import annotations

import itertools

from rag import tokens
from rag.chunk import chunk_document, chunk_sentences, split_sentences
from rag.parse import parse


def test_split_sentences_keeps_terminators_and_spans() -> None:
    text = "第一句。第二句；第三句！第四句？尾巴"
    spans = split_sentences(text, 10)
    assert [text[a - 10 : b - 10] for a, b in spans] == ["第一句。", "第二句；", "第三句！", "第四句？", "尾巴"]


def test_chunks_of_real_plan(real_text: str) -> None:
    doc = parse(real_text, "erdao", "corpus/erdao-14th-fyp.txt")
    chunks = chunk_document(doc, real_text, tokens.count, max_tokens=300, overlap=1)
    assert len({c.id for c in chunks}) == len(chunks)
    sections = {s.key: s for s in doc.sections}
    for c in chunks:
        # The span maps back to the source exactly.
        assert real_text[c.start : c.end] == c.text
        # A chunk never crosses a 章 or intro boundary.
        a, b = sections[c.key].span
        assert a <= c.start and c.end <= b
        # Token budget: only a single over-long sentence may exceed it.
        if c.n_tokens > 300:
            assert len(split_sentences(c.text)) == 1
        assert c.doc_title == doc.title
    c = next(c for c in chunks if c.path == ("第二篇", "第一章"))
    assert c.breadcrumb == "第二篇 统筹区域协调发展,优化产业空间布局 › 第一章 推进产城空间扩容提质"
    assert (c.part, c.chapter, c.title, c.doc_id) == ("第二篇", "第一章", "推进产城空间扩容提质", "erdao")
    assert c.id == "erdao:2.1:body:000"
    # Every section is covered.
    assert {c.key for c in chunks} == set(sections)


def test_overlap_and_stable_ids(real_text: str) -> None:
    doc = parse(real_text, "erdao")
    a = chunk_document(doc, real_text, tokens.count, max_tokens=120, overlap=1)
    b = chunk_document(doc, real_text, tokens.count, max_tokens=120, overlap=1)
    assert [c.id for c in a] == [c.id for c in b]
    same_section = [(x, y) for x, y in itertools.pairwise(a) if x.key == y.key and x.kind != "preamble"]
    multi = [(x, y) for x, y in same_section if len(split_sentences(x.text)) > 1]
    assert multi and all(y.start < x.end for x, y in multi)  # the last sentence is shared
    sentences = chunk_sentences(a)
    assert len({s.start for s in sentences}) == len(sentences)
    assert all(real_text[s.start : s.end] == s.text for s in sentences)


def test_site_furniture_inside_preamble_never_enters_a_chunk(real_text: str) -> None:
    doc = parse(real_text, "erdao")
    chunks = chunk_document(doc, real_text, tokens.count)
    assert not any("【字体" in c.text or "打印" in c.text for c in chunks)


def test_a_passage_leads_with_its_documents_title_and_spans_its_sentences(real_text: str) -> None:
    """What is embedded for a chunk names the document and the headings; each sentence's span points into it."""
    from rag.indexer import passage_text, span_in_passage

    doc = parse(real_text, "erdao", "corpus/erdao-14th-fyp.txt")
    chunks = chunk_document(doc, real_text, tokens.count, max_tokens=300, overlap=1)
    by_id = {c.id: c for c in chunks}
    assert doc.title and all(passage_text(c).startswith(f"{doc.title} › {c.breadcrumb}\n") for c in chunks)
    for s in chunk_sentences(chunks):
        c = by_id[s.chunk_id]
        a, b = span_in_passage(s, c)
        assert passage_text(c)[a:b] == s.text
