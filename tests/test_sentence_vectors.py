"""Sentence vectors pooled from their chunk's run (RAG_SENTENCE_VECTORS=pooled) against each sentence embedded
on its own (separate), with the real model over a real regulation: the same sentences stay apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from rag.embed import Embedder, load_embedder
from rag.indexer import build_index, update_index
from rag.store import Index, load_index
from tests.conftest import make_settings

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder(make_settings())


def _build(root: Path, embedder: Embedder, how: str) -> tuple[dict, Index]:  # type: ignore[type-arg]
    source = shutil.copy(FIXTURES / "regulation.txt", root / "regulation.txt")
    settings = make_settings(corpus=(Path(source),), index_dir=root / "index", sentence_vectors=how)
    manifest = build_index(settings, embedder=embedder)
    return manifest, load_index(settings.index_path)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> dict[str, tuple[dict, Index]]:
    return {how: _build(tmp_path_factory.mktemp(how), embedder, how) for how in ("pooled", "separate")}


@pytest.mark.slow
def test_pooled_build_embeds_no_sentence_on_its_own(built: dict[str, tuple[dict, Index]]) -> None:
    pooled, separate = built["pooled"][0], built["separate"][0]
    n = pooled["counts"]["sentences"]
    assert n > 50
    assert pooled["embedded"]["pooled_sentences"] == n == pooled["embedded"]["sentences"]
    assert separate["embedded"]["pooled_sentences"] == 0 and separate["embedded"]["sentences"] == n
    assert pooled["settings"]["sentence_vectors"] == "pooled"
    vecs = built["pooled"][1].sentence_vectors
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)


@pytest.mark.slow
def test_a_quoted_fragment_finds_its_sentence(built: dict[str, tuple[dict, Index]], embedder: Embedder) -> None:
    """A question quoting a third of a sentence ranks it first among its article's sentences: nearly always
    with separate vectors, and with pooled ones less often (a sentence is read in its article's context:
    the price of halving a build, in the README) but still for most."""
    index = built["pooled"][1]
    by_chunk: dict[str, list[int]] = {}
    for s in index.sentences:
        by_chunk.setdefault(s.chunk_id, []).append(s.index)
    asked = [(rows, r) for rows in by_chunk.values() if len(rows) > 1 for r in rows]
    quotes = [t[len(t) // 3 : len(t) // 3 + max(6, len(t) // 3)] for t in (index.sentences[r].text for _, r in asked)]
    q = embedder.embed_queries(quotes)
    share = {}
    for how, (_, built_index) in built.items():
        vecs = built_index.sentence_vectors
        share[how] = np.mean([rows[int(np.argmax(vecs[rows] @ v))] == r for v, (rows, r) in zip(q, asked)])
    assert len(asked) > 30
    assert share["separate"] >= 0.85 and share["pooled"] >= 0.65, share
    cos = (index.sentence_vectors * built["separate"][1].sentence_vectors).sum(axis=1)
    assert cos.min() > 0.8, cos.min()


@pytest.mark.slow
def test_adding_a_document_pools_only_its_sentences(tmp_path: Path, embedder: Embedder) -> None:
    manifest, _ = _build(tmp_path, embedder, "pooled")
    other = tmp_path / "plan.txt"
    other.write_text("第一章　总则\n第一条　新建社区卫生服务中心三所。改扩建中小学校五所。\n", "utf-8")
    settings = make_settings(index_dir=tmp_path / "index", sentence_vectors="pooled")
    added = update_index(settings, add=[other], embedder=embedder)
    assert added["embedded"]["chunks"] == added["counts"]["chunks"] - manifest["counts"]["chunks"]
    new = added["counts"]["sentences"] - manifest["counts"]["sentences"]
    assert added["embedded"]["pooled_sentences"] == added["embedded"]["sentences"] == new > 0
