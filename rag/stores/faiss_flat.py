"""Exact search: FAISS IndexIDMap2 over IndexFlatIP, saved in FAISS's own binary format.

Exhaustive inner product is exact and, for a plan's hundreds or a few thousand chunks, faster than any
graph. It is also the reference the approximate stores are measured against.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import numpy as np

from rag.stores.base import PAD_SCORE, StoreError, StoreOptions, VectorStore, damaged, empty_result, missing, wrong_dim

INDEX_FILE = "faiss.index"
# Below this many queries faiss scans without BLAS, splitting one query's scan across OpenMP threads.
# On 2 cores that is slower (10k vectors: 2.3 ms p50 vs 1.6 ms on one thread), and when another
# process holds a core the threads wait for each other: p95 16 ms vs 2 ms. So few queries get one thread.
FEW_QUERIES = 20


def import_faiss() -> Any:
    """faiss, or a StoreError saying what to install."""
    try:
        import faiss
    except ImportError:
        raise StoreError("the faiss vector stores need faiss: pip install faiss-cpu") from None
    return faiss


def read_faiss(path: Path, kind: str) -> Any:
    """faiss.read_index with its C++ errors turned into one line for the user."""
    faiss = import_faiss()
    try:
        return faiss.read_index(str(path))
    except RuntimeError as e:
        # faiss's message is several lines of C++ location; its last clause is the useful part.
        raise damaged(path, kind, str(e).strip().splitlines()[-1].split("Error: ")[-1][:160]) from None


def open_index(directory: Path, names: list[str], kind: str, index_type: str, what: str, dim: int) -> Any:
    """The faiss index in names[0] of a saved store, checked: every file present, of this faiss type
    (`what` names it for the user), and of this dimension; StoreError otherwise."""
    missing(directory, names, kind)
    index = read_faiss(directory / names[0], kind)
    if not isinstance(index, getattr(import_faiss(), index_type)):
        raise damaged(directory / names[0], kind, f"holds a {type(index).__name__}, not {what}")
    if index.d != dim:
        raise wrong_dim(directory, kind, index.d, dim)
    return index


def read_ints(path: Path, kind: str) -> np.ndarray:
    """A saved 1-d int64 id array; StoreError when it is unreadable or of another shape."""
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise damaged(path, kind, type(e).__name__) from None
    if array.ndim != 1 or array.dtype != np.int64:
        raise damaged(path, kind, f"expected int64 ids, found {array.dtype} {array.shape}")
    return array


@contextmanager
def one_thread() -> Iterator[None]:
    """Run faiss on this thread alone for the duration (OpenMP's thread count is per calling thread)."""
    faiss = import_faiss()
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def pad_scores(ids: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """faiss pads with -1 and -FLT_MAX; we pad with -1 and -inf."""
    ids = ids.astype(np.int64, copy=False)
    scores = scores.astype(np.float32, copy=False)
    scores[ids < 0] = PAD_SCORE
    return ids, scores


class FaissFlatStore(VectorStore):
    kind = "faiss"

    def __init__(self, options: StoreOptions, index: Any = None) -> None:
        super().__init__(options)
        faiss = import_faiss()
        # IDMap2 (not IDMap) keeps a reverse map, so remove_ids and reconstruct work by our ids.
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(options.dim))
        self._files: list[str] = []

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids, vectors = self._check_add(ids, vectors)
        if not len(ids):
            return
        if self.index.ntotal:
            self._duplicates(ids, import_faiss().vector_to_array(self.index.id_map))
        self.index.add_with_ids(vectors, ids)

    def remove(self, ids: np.ndarray) -> None:
        ids = self._check_remove(ids)
        if len(ids):
            self.index.remove_ids(ids)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = self._check_queries(queries, k)
        if k == 0 or not self.index.ntotal:
            return empty_result(len(queries), k)
        if len(queries) < FEW_QUERIES:
            with one_thread():
                scores, ids = self.index.search(queries, k)
        else:
            scores, ids = self.index.search(queries, k)
        return pad_scores(ids, scores)

    def count(self) -> int:
        return int(self.index.ntotal)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        import_faiss().write_index(self.index, str(directory / INDEX_FILE))
        self._files = [INDEX_FILE]

    @classmethod
    def load(cls, directory: Path, options: StoreOptions) -> Self:
        index = open_index(directory, [INDEX_FILE], cls.kind, "IndexIDMap2", "a flat index", options.dim)
        store = cls(options, index)
        store._files = [INDEX_FILE]
        return store

    def files(self) -> list[str]:
        return list(self._files)
