"""Pure score fusion of the dense and lexical rankings: reciprocal rank fusion and z-score weighting.

Measured on eval/datasets/erdao.jsonl (section hit@1 / hit@3 over answerable questions): dense alone
0.821 / 0.920, BM25 alone 0.866 / 0.929, RRF k=60 0.857 / 0.929, RRF k=5 0.875 / 0.955, min-max
weighting (0.7 dense) 0.902 / 0.973, z-score weighting (0.7 dense) 0.911 / 0.982: the default.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np


def rrf(*score_lists: np.ndarray, k: int = 60) -> np.ndarray:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings (rank 1 = best).

    Rank ties share the best rank, and items with a zero lexical score are still ranked (last),
    so a chunk found by only one signal still gets that signal's credit.
    """
    fused = np.zeros(len(score_lists[0]), np.float64)
    for scores in score_lists:
        order = np.argsort(-scores, kind="stable")
        ranks = np.empty(len(scores), np.float64)
        ranks[order] = np.arange(1, len(scores) + 1)
        fused += 1.0 / (k + ranks)
    return fused


def zscore(scores: np.ndarray) -> np.ndarray:
    """Standardise a score list; a constant list maps to zeros (it carries no preference)."""
    std = float(scores.std())
    if std < 1e-12:
        return np.zeros_like(scores, dtype=np.float64)
    return (scores - float(scores.mean())) / std


def group_max(values: np.ndarray, groups: Sequence[Hashable]) -> np.ndarray:
    """Each item's value replaced by the largest value in its group (a chunk's by its section's best)."""
    best: dict[Hashable, float] = {}
    for g, v in zip(groups, values.tolist()):
        best[g] = max(best.get(g, v), v)
    return np.array([best[g] for g in groups], np.float64)


def weighted(dense: np.ndarray, sparse: np.ndarray, dense_weight: float = 0.7) -> np.ndarray:
    """Convex combination of z-scored signals: cosines and BM25 live on different scales.

    A signal that is constant (BM25 finding none of an English question's words in a Chinese plan)
    carries no preference, and its weight goes to the other: the evidence bar means the same either way.
    """
    if float(sparse.std()) < 1e-12:
        return zscore(dense)
    if float(dense.std()) < 1e-12:
        return zscore(sparse)
    return dense_weight * zscore(dense) + (1.0 - dense_weight) * zscore(sparse)
