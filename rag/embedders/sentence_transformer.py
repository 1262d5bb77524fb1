"""The sentence-transformers backend (torch, float32): the reference every other backend is measured against."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from rag.embedders import e5_prefixes
from rag.errors import IndexProblem


class SentenceTransformerEmbedder:
    """Any local sentence-transformers folder; e5-family models get their query/passage prefixes."""

    batch_tokens = 2048  # padded tokens per batch for embed_passages_batched (16 passages of ~130 tokens)

    def __init__(self, model: str, name: str | None = None, threads: int | None = None) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging
        except ImportError as e:
            raise ImportError(
                "the sentence-transformers backend needs torch and sentence-transformers: "
                "pip install torch==2.13.0 sentence-transformers"
            ) from e

        if threads:
            torch.set_num_threads(threads)
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()  # "Loading weights" bars would clutter every CLI call
        if not Path(model).is_dir():
            # No hub here: a name that is not a local folder cannot be fetched.
            raise IndexProblem(
                f"cannot load embedding model {model!r} (not a local folder); "
                "give a local sentence-transformers folder in RAG_EMBED_MODEL, or unset it for the bundled model"
            )
        try:
            self.model = SentenceTransformer(model, device="cpu")
        except (OSError, ValueError, KeyError) as e:
            raise IndexProblem(
                f"cannot load embedding model {model!r} ({type(e).__name__}: {str(e).splitlines()[0][:200]}); "
                "give a local sentence-transformers folder in RAG_EMBED_MODEL, or unset it for the bundled model"
            ) from None
        self.name = name or model
        self.dim = int(self.model.get_embedding_dimension() or 0)
        self._q, self._p = e5_prefixes(self.name)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out = self.model.encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(out, dtype=np.float32)

    def token_lengths(self, texts: list[str]) -> list[int]:
        """Tokens each passage takes, prefix and special tokens included (for length-sorted batching)."""
        tok = self.model.tokenizer
        ids = tok([self._p + t for t in texts], truncation=True, max_length=self.model.max_seq_length)["input_ids"]
        return [len(x) for x in ids]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._q + t for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._p + t for t in texts])
