"""The hybrid retriever on a real build of a small plan (bag-of-bigrams vectors: no model needed)."""

from __future__ import annotations

import dataclasses

import numpy as np

from rag.config import Settings
from rag.retriever import Retriever
from rag.store import load_index
from tests.conftest import FakeEmbedder


def test_a_section_is_credited_with_its_best_sentence(fake_index: Settings, fake_embedder: FakeEmbedder) -> None:
    with load_index(fake_index.index_path) as index:
        retriever = Retriever(index, fake_embedder, fake_index)
        qv = fake_embedder.embed_queries(["培育新材料产业"])[0]  # one sentence of 第二篇·第二章, among others
        ids = np.arange(len(index.chunks))
        match = retriever.sentence_match(ids, qv)
        best = {index.chunks[i].path for i in ids[np.isclose(match, match.max())].tolist()}
        assert best == {("第二篇", "第二章")}
        assert abs(float(match.mean())) < 1e-9  # z-scored, like the fused score it is added to
        # Every passage of one section carries that section's best sentence, whichever passage holds it.
        by_section: dict[tuple[str, ...], set[float]] = {}
        for i, m in zip(ids.tolist(), match.tolist()):
            by_section.setdefault(index.chunks[i].path, set()).add(round(m, 9))
        assert all(len(v) == 1 for v in by_section.values())


def test_sentence_weight_zero_leaves_the_passage_ranking(fake_index: Settings, fake_embedder: FakeEmbedder) -> None:
    with load_index(fake_index.index_path) as index:
        question = "发展现代物流和电子商务"
        plain = Retriever(index, fake_embedder, dataclasses.replace(fake_index, sentence_weight=0.0)).search(question)
        mixed = Retriever(index, fake_embedder, fake_index).search(question)
        assert plain.sections[0][0].path == mixed.sections[0][0].path == ("第二篇", "第一章")
        # The same candidates, rescored: the sentence signal moves scores, it adds or drops no passage.
        assert {h.chunk.id for h in plain.hits} == {h.chunk.id for h in mixed.hits}
        assert [h.score for h in plain.hits] != [h.score for h in mixed.hits]
