"""Dense search: FAISS inner product over L2-normalised vectors (inner product equals cosine there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as e:
        raise ImportError("dense search needs faiss: pip install faiss-cpu") from e
    return faiss


class DenseIndex:
    """An exact (flat) index: a plan has hundreds of chunks, so exhaustive search is both exact and fast."""

    def __init__(self, index: Any) -> None:
        self.index = index

    @classmethod
    def build(cls, vectors: np.ndarray) -> DenseIndex:
        faiss = _faiss()
        index = faiss.IndexFlatIP(int(vectors.shape[1]))
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine of the query with every stored vector, in index order."""
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        sims, ids = self.index.search(q, self.size)
        out = np.zeros(self.size, np.float32)
        out[ids[0]] = sims[0]
        return out

    def save(self, path: Path) -> None:
        # faiss's own binary format, not pickle.
        _faiss().write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        return cls(_faiss().read_index(str(path)))
