"""Approximate search for large collections: a FAISS HNSW graph over inner product.

HNSW answers a query in well under a millisecond at a million vectors with recall@10 above 0.95, at
the cost of a slow build and roughly 1.2x the raw vectors in memory. Two things it cannot do, and how
this store makes up for them:

- it has no ids of its own: the graph numbers vectors 0, 1, 2 ... in insertion order ("positions"),
  so we keep our id for each position in `hnsw_ids.npy`;
- it cannot delete: removed positions are kept in `hnsw_removed.npy` and excluded *during* the graph
  walk (a faiss IDSelector), so a search still returns k live results rather than k-minus-the-dead.
  When over half the graph is dead it is rebuilt from the live vectors, because a walk through mostly
  dead nodes gets slow and misses neighbours.

efSearch (the breadth of the walk, the recall/latency knob) comes from the options at load time; M and
efConstruction are fixed when the graph is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

import numpy as np

from rag.stores.base import StoreOptions, VectorStore, damaged, empty_result
from rag.stores.faiss_flat import import_faiss, open_index, pad_scores, read_ints

INDEX_FILE = "hnsw.index"
IDS_FILE = "hnsw_ids.npy"
REMOVED_FILE = "hnsw_removed.npy"

# Rebuild the graph once more than this share of it is removed (and it is big enough to matter).
COMPACT_SHARE = 0.5
COMPACT_MIN = 1000


class FaissHnswStore(VectorStore):
    kind = "faiss-hnsw"

    def __init__(
        self,
        options: StoreOptions,
        index: Any = None,
        ids: np.ndarray | None = None,
        removed: np.ndarray | None = None,
    ) -> None:
        super().__init__(options)
        self.index = index if index is not None else self._new_index()
        self._ids = ids if ids is not None else np.zeros(0, np.int64)  # our id at each graph position
        self._removed = removed if removed is not None else np.zeros(0, np.int64)  # sorted dead positions
        self._selector: tuple[Any, ...] | None = None
        self._files: list[str] = []
        self._update_selector()

    def _new_index(self) -> Any:
        faiss = import_faiss()
        index = faiss.IndexHNSWFlat(self.options.dim, self.options.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.options.hnsw_ef_construction
        return index

    def _update_selector(self) -> None:
        """A 'not removed' filter for the graph walk; faiss holds raw pointers, so we keep the objects."""
        if not len(self._removed):
            self._selector = None
            return
        faiss = import_faiss()
        batch = faiss.IDSelectorBatch(self._removed)
        self._selector = (faiss.IDSelectorNot(batch), batch, self._removed)

    def _live(self) -> np.ndarray:
        """Boolean mask over graph positions: not removed."""
        alive = np.ones(len(self._ids), bool)
        alive[self._removed] = False
        return alive

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids, vectors = self._check_add(ids, vectors)
        if not len(ids):
            return
        if len(self._ids):
            self._duplicates(ids, self._ids[self._live()])
        self.index.add(vectors)
        self._ids = np.concatenate([self._ids, ids])

    def remove(self, ids: np.ndarray) -> None:
        ids = self._check_remove(ids)
        if not len(ids) or not len(self._ids):
            return
        positions = np.flatnonzero(np.isin(self._ids, ids) & self._live())
        if not len(positions):
            return
        self._removed = np.union1d(self._removed, positions)
        if len(self._removed) > COMPACT_SHARE * len(self._ids) and len(self._ids) >= COMPACT_MIN:
            self._compact()
        self._update_selector()

    def _compact(self) -> None:
        """Rebuild the graph from the live vectors (HNSWFlat keeps the vectors, so no caller help is needed)."""
        alive = self._live()
        vectors = self.index.reconstruct_n(0, self.index.ntotal)[alive]
        ids = self._ids[alive]
        self.index = self._new_index()
        self.index.add(np.ascontiguousarray(vectors, np.float32))
        self._ids = ids
        self._removed = np.zeros(0, np.int64)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = self._check_queries(queries, k)
        if k == 0 or not self.count():
            return empty_result(len(queries), k)
        faiss = import_faiss()
        # The walk keeps ef candidates; fewer than k would cut the answer short.
        ef = max(self.options.hnsw_ef_search, k)
        params = faiss.SearchParametersHNSW(efSearch=ef)
        if self._selector is not None:
            params.sel = self._selector[0]
        scores, positions = self.index.search(queries, k, params=params)
        ids = np.where(positions >= 0, self._ids[np.maximum(positions, 0)], -1)
        return pad_scores(ids, scores)

    def count(self) -> int:
        return len(self._ids) - len(self._removed)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        import_faiss().write_index(self.index, str(directory / INDEX_FILE))
        np.save(directory / IDS_FILE, self._ids, allow_pickle=False)
        np.save(directory / REMOVED_FILE, self._removed, allow_pickle=False)
        self._files = [INDEX_FILE, IDS_FILE, REMOVED_FILE]

    @classmethod
    def load(cls, directory: Path, options: StoreOptions) -> Self:
        names = [INDEX_FILE, IDS_FILE, REMOVED_FILE]
        index = open_index(directory, names, cls.kind, "IndexHNSWFlat", "an HNSW graph", options.dim)
        ids = read_ints(directory / IDS_FILE, cls.kind)
        removed = read_ints(directory / REMOVED_FILE, cls.kind)
        if len(ids) != index.ntotal or (len(removed) and (removed.min() < 0 or removed.max() >= len(ids))):
            raise damaged(directory / IDS_FILE, cls.kind, "ids do not match the graph")
        store = cls(options, index, ids, np.unique(removed))
        store._files = names
        return store

    def files(self) -> list[str]:
        return list(self._files)
