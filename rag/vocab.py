"""Question words measured against the documents' own vocabulary: how far a match stands out, and the
plan's word for a word the plan never uses.

Residents ask in their words (看病, 地铁, 孩子), the plan writes its own (医疗, 轨道交通, 儿童). The index
holds a vector for every word of the documents (rag.indexer), so a question word can be compared with all
of them at once. Cosines between short texts are compressed (e5 puts almost any two words above 0.85),
so a raw threshold cannot tell 看病 ~ 医疗 from 天气 ~ 大气; measured in standard deviations of the word's
similarity to the whole vocabulary, a true counterpart stands far out and a chance one does not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def standout(sims: np.ndarray, rows: Sequence[int]) -> float:
    """How far the best of `rows` stands above the mean of all `sims`, in standard deviations."""
    if not len(rows) or not len(sims):
        return 0.0
    best = float(sims[list(rows)].max())
    return (best - float(sims.mean())) / max(float(sims.std()), 1e-6)


def counterparts(
    term_vectors: np.ndarray, vocabulary_vectors: np.ndarray, vocabulary: Sequence[str], min_sigma: float
) -> list[str | None]:
    """For each term, the vocabulary word that stands out from all others by at least min_sigma, else None."""
    if not len(vocabulary) or not len(term_vectors):
        return [None] * len(term_vectors)
    sims = term_vectors @ vocabulary_vectors.T  # terms x words
    best = sims.argmax(axis=1)
    z = (sims[np.arange(len(sims)), best] - sims.mean(axis=1)) / np.maximum(sims.std(axis=1), 1e-6)
    return [vocabulary[int(b)] if float(s) >= min_sigma else None for b, s in zip(best, z, strict=True)]
