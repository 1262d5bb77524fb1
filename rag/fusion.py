"""Pure score fusion of the dense and lexical rankings: reciprocal rank fusion and min-max weighting."""

from __future__ import annotations

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


def minmax(scores: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; a constant list maps to zeros (it carries no preference)."""
    lo, hi = float(scores.min(initial=0.0)), float(scores.max(initial=0.0))
    if hi - lo < 1e-12:
        return np.zeros_like(scores, dtype=np.float64)
    return (scores - lo) / (hi - lo)


def weighted(dense: np.ndarray, sparse: np.ndarray, dense_weight: float = 0.5) -> np.ndarray:
    """Convex combination of min-max scaled scores."""
    return dense_weight * minmax(dense) + (1.0 - dense_weight) * minmax(sparse)
