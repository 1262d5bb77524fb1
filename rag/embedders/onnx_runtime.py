"""The ONNX backend (default): an exported model run by onnxruntime, tokenised by the `tokenizers` library.

This is the query path of `rag ask`, so it imports neither torch nor transformers: a cold start is
onnxruntime (~0.2 s) plus reading the int8 model (~120 MB). The folder it reads is made once by
rag.embedders.onnx_export and holds model.onnx (pooling and L2 normalisation are inside the graph,
so the first output is the sentence vector; the second is the encoder's token states), tokenizer.json,
and embedder.json describing both.

With RAG_SENTENCE_VECTORS=pooled a build embeds each chunk once and takes its sentences' vectors
from that same run (embed_passages_with_spans): the mean of the token states inside the sentence,
which reads the sentence in its context ("late chunking"). That halves a build; the price is measured
in the README (sentences of one article are less apart), so it is the choice for large libraries only.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any, Literal

import numpy as np

from rag.embedders.vocab_tiers import TIERS_DIR, TieredTokenizer, write_tiers
from rag.errors import IndexProblem

META_FILE = "embedder.json"
Precision = Literal["int8", "fp32"]
FORMAT = 3  # bump when the folder layout, the graph's inputs/outputs or the export recipe change


def read_meta(folder: Path) -> dict[str, Any]:
    """embedder.json of an exported folder; an IndexProblem naming the folder if it is not a usable one."""
    try:
        meta = json.loads((folder / META_FILE).read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise IndexProblem(
            f"cannot load embedding model {str(folder)!r} (ONNX folder without a readable {META_FILE}: "
            f"{type(e).__name__}); delete the folder to rebuild it"
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IndexProblem(
            f"cannot load embedding model {str(folder)!r} (ONNX folder of another format); delete it to rebuild it"
        )
    return meta


def is_complete(folder: Path) -> bool:
    """An exported folder that was fully written (folders are renamed into place only when complete)."""
    try:
        read_meta(folder)
    except IndexProblem:
        return False
    return (folder / "model.onnx").is_file() and (folder / "tokenizer.json").is_file()


def batches(lengths: list[int], budget: int) -> list[list[int]]:
    """Indices grouped longest first so that each batch's padded size (rows x longest) fits the token budget.

    Sorting first means each batch pads to almost nothing; a passage longer than the budget goes alone.
    The sort is stable, so equal lengths keep input order and the grouping is deterministic.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    out: list[list[int]] = []
    cur: list[int] = []
    longest = 0
    for i in order:
        if cur and max(longest, lengths[i]) * (len(cur) + 1) > budget:
            out.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, lengths[i])
    if cur:
        out.append(cur)
    return out


class OnnxEmbedder:
    """Runs an exported folder with onnxruntime on the CPU; no torch, no transformers."""

    # Padded tokens per run. Larger batches barely help on 2 cores and widen int8's per-batch
    # activation range (the dynamic quantisation scale is taken over the whole batch).
    batch_tokens = 2048
    # onnxruntime sessions and `tokenizers` may be called from several threads at once: a server's
    # answer threads run their queries side by side (one core each) instead of queueing for a lock.
    reentrant = True

    def __init__(self, folder: Path, name: str | None = None, threads: int = 2) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            import onnxruntime as ort
            import tokenizers  # noqa: F401  (only checked here; rag.embedders.vocab_tiers loads it)
        except ImportError as e:
            raise ImportError(
                "the onnx embedding backend needs onnxruntime and tokenizers: pip install onnxruntime tokenizers"
            ) from e
        meta = read_meta(folder)
        self.folder = folder
        self.name = name or str(meta["name"])
        self.dim = int(meta["dim"])
        self.precision = str(meta.get("precision", ""))
        # Sentence vectors pooled from a chunk's tokens stand in for the model's own only when the model
        # itself mean-pools; a CLS model's sentences are embedded one by one (rag.indexer).
        self.pools_spans = meta.get("pooling") == "mean"
        self._q, self._p = (str(p) for p in meta["prefixes"])
        self._pad = int(meta["pad_id"])
        opts = ort.SessionOptions()
        # Two cores: one intra-op pool across them; inter-op parallelism only adds contention.
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.log_severity_level = 3  # no "removing initializer" chatter on stderr
        # Cold start: onnxruntime releases the GIL while it builds the session (~0.6 s), so the session
        # is built on a thread and waited for at the first embedding; the caller meanwhile loads the
        # index and the tokenizer. A model that cannot be loaded is an IndexProblem at that first call.
        self._box: dict[str, Any] = {}
        self._loader = threading.Thread(target=self._build, args=(ort, opts), name="onnx-session", daemon=True)
        self._loader.start()
        try:
            if not (folder / TIERS_DIR / "tiers.json").is_file():
                # Exports before the tiers existed get them here, once. If they cannot be written (a
                # read-only cache, another tokenizer type), the full tokenizer encodes everything.
                with contextlib.suppress(OSError, ValueError):
                    write_tiers(folder, (self._q, self._p))
            self._tok = TieredTokenizer(folder, int(meta["max_tokens"]))
        except Exception as e:  # tokenizers raises its own types for a damaged file
            raise self._problem(e) from None

    def _build(self, ort: Any, opts: Any) -> None:
        try:
            self._box["session"] = ort.InferenceSession(
                str(self.folder / "model.onnx"), opts, providers=["CPUExecutionProvider"]
            )
        except Exception as e:  # re-raised in the caller's thread, by _session_ready()
            self._box["error"] = e

    def _problem(self, err: BaseException) -> IndexProblem:
        first = (str(err).strip().splitlines() or [""])[0][:200]
        return IndexProblem(
            f"cannot load embedding model {str(self.folder)!r} ({type(err).__name__}: {first}); "
            "delete the folder to rebuild it"
        )

    def ready(self) -> OnnxEmbedder:
        """Wait until the model is loaded; IndexProblem if it cannot be. Every embedding call does this."""
        if "session" not in self._box:
            self._loader.join()
            if "error" in self._box:
                raise self._problem(self._box["error"])
        return self

    def _ids(self, texts: list[str]) -> list[list[int]]:
        return self._tok.ids(texts)

    def token_lengths(self, texts: list[str]) -> list[int]:
        """Tokens each passage takes, prefix and special tokens included (for length-sorted batching)."""
        return [len(x) for x in self._ids([self._p + t for t in texts])]

    def _run(self, ids: list[list[int]], rows: list[int], outputs: list[str]) -> list[np.ndarray]:
        """One padded batch of the given rows through the graph."""
        width = max(len(ids[i]) for i in rows)
        input_ids = np.full((len(rows), width), self._pad, np.int64)
        mask = np.zeros((len(rows), width), np.int64)
        for r, i in enumerate(rows):
            input_ids[r, : len(ids[i])] = ids[i]
            mask[r, : len(ids[i])] = 1
        session = self.ready()._box["session"]
        return list(session.run(outputs, {"input_ids": input_ids, "attention_mask": mask}))

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        if not texts:
            return out
        ids = self._ids(texts)
        for rows in batches([len(x) for x in ids], self.batch_tokens):
            out[rows] = self._run(ids, rows, ["sentence_embedding"])[0]
        return out

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._q + t for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._p + t for t in texts])

    def embed_passages_with_spans(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors, and for each passage one unit vector per character span (start, end) of it.

        A span's vector is the mean of the token states of the tokens its characters fall in, from the
        passage's own run. A span with no token left (cut by the model's 512-token limit) gets a zero
        row: the caller embeds that sentence on its own.
        """
        vecs = np.zeros((len(texts), self.dim), np.float32)
        pooled = [np.zeros((len(s), self.dim), np.float32) for s in spans]
        if not texts:
            return vecs, pooled
        encoded = self._tok.encode([self._p + t for t in texts])
        ids = [e[0] for e in encoded]
        shift = len(self._p)  # spans index the text; offsets index prefix + text
        for rows in batches([len(x) for x in ids], self.batch_tokens):
            out, states = self._run(ids, rows, ["sentence_embedding", "token_embeddings"])
            vecs[rows] = out
            for r, i in enumerate(rows):
                offsets = np.asarray(encoded[i][1], np.int64).reshape(-1, 2)
                starts, ends = offsets[:, 0] - shift, offsets[:, 1] - shift
                real = ends > np.maximum(starts, 0)  # special tokens are (0, 0); the prefix falls below 0
                for j, (a, b) in enumerate(spans[i]):
                    inside = real & (starts < b) & (ends > a)
                    if inside.any():
                        v = states[r, : len(offsets)][inside].mean(axis=0)
                        pooled[i][j] = v / max(float(np.linalg.norm(v)), 1e-12)
        return vecs, pooled
