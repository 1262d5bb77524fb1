"""A saved bm25s index read with numpy alone: the query side of bm25s.BM25, without importing bm25s.

Importing bm25s pulls in scipy (0.4 s of a cold `rag ask`) though a query needs only the three
arrays bm25s saves (a token-major sparse matrix of precomputed BM25 weights). Building an index
still uses bm25s (rag.sparse.SparseIndex.build); only the reading side is here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np


class SavedBm25:
    """The attributes and methods of bm25s.BM25 that rag.sparse uses, over the saved files.

    get_scores_from_ids is bm25s 0.3's own arithmetic (the same np.add.at in the same order, the
    same dtype), so the scores are the same numbers; tests/test_store.py compares them.
    """

    def __init__(self, directory: Path) -> None:
        params = json.loads((directory / "params.index.json").read_text("utf-8"))
        self.vocab_dict: dict[str, int] = json.loads((directory / "vocab.index.json").read_text("utf-8"))
        arrays = {k: np.load(directory / f"{k}.csc.index.npy", allow_pickle=False) for k in _ARRAYS}
        self.scores: dict[str, Any] = {**arrays, "num_docs": int(params["num_docs"])}
        self.dtype = np.dtype(params.get("dtype", "float32"))
        self.int_dtype = np.dtype(params.get("int_dtype", "int32"))
        nonoccurrence = directory / "nonoccurrence_array.index.npy"  # BM25L and BM25+ only
        self.nonoccurrence = np.load(nonoccurrence, allow_pickle=False) if nonoccurrence.is_file() else None
        self.directory = directory

    def get_tokens_ids(self, tokens: list[str]) -> list[int]:
        return [self.vocab_dict[t] for t in tokens if t in self.vocab_dict]

    def get_scores_from_ids(self, ids: list[int]) -> np.ndarray:
        data, indices, indptr = (self.scores[k] for k in _ARRAYS)
        query = np.asarray(ids, dtype=self.int_dtype)
        if int(query.max(initial=0)) >= len(indptr) - 1:
            raise ValueError("a query token id is beyond the BM25 index's vocabulary")
        starts, ends = indptr[query], indptr[query + 1]
        scores = np.zeros(self.scores["num_docs"], dtype=self.dtype)
        for start, end in zip(starts, ends, strict=True):
            np.add.at(scores, indices[start:end], data[start:end])
        if self.nonoccurrence is not None:
            scores += self.nonoccurrence[query].sum()
        return scores

    def save(self, directory: str, allow_pickle: bool = False) -> None:
        shutil.copytree(self.directory, directory, dirs_exist_ok=True)


_ARRAYS = ("data", "indices", "indptr")
