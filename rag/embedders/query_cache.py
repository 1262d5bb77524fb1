"""An embedder wrapper that remembers the vectors of short queries: the question terms the policy embeds.

Answering one question embeds the question and then, to judge coverage, some of its terms one by one
(医疗, 看病, 交通 …). Terms recur from question to question, and a term embedded alone always gets the
same vector, so the server keeps them: a cached term costs a dictionary look-up instead of a model run
(about a tenth of a core's time per answer under load). Whole questions are not kept (they rarely repeat
word for word, and a cache of them would only flatter a benchmark that replays a fixed list). Batches
are passed through untouched: with int8 dynamic quantisation a text's vector depends on its batch.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np


class QueryCache:
    """Wraps an embedder; single queries of at most `max_chars` characters are remembered (LRU)."""

    def __init__(self, inner: Any, max_chars: int = 12, size: int = 50_000) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.dim: int = inner.dim
        self.reentrant: bool = getattr(inner, "reentrant", False)
        self.max_chars, self.size = max_chars, size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # guards the dictionary only; the model runs outside it

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if len(texts) != 1 or len(texts[0]) > self.max_chars:
            return np.asarray(self.inner.embed_queries(texts))
        text = texts[0]
        with self._lock:
            hit = self._vectors.get(text)
            if hit is not None:
                self._vectors.move_to_end(text)
                return hit
        vector = np.asarray(self.inner.embed_queries(texts), np.float32)
        vector.flags.writeable = False  # shared by every caller from now on
        with self._lock:
            self._vectors[text] = vector
            if len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vector

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.inner.embed_passages(texts))

    def __getattr__(self, name: str) -> Any:
        # Anything else the wrapped embedder offers (batch_tokens, token_lengths, ready …) is its own.
        return getattr(self.inner, name)
