"""Draws bench/scale.png from bench/scale_results.json: query p95 and recall@10 against collection size, per store.

    .venv/bin/python bench/scale_chart.py

Left: single-query p95 latency (log scale) of each vector store (bench/scale.py) and of BM25
(bench/scale_bm25.py: tokenise, score every chunk, keep the top candidates). Right: recall@10 against
exact search for the vector stores (BM25 is exact by construction). A store that could not be measured
at a size (Milvus Lite at 1M) has no point there.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "scale_results.json"
OUT = ROOT / "bench" / "scale.png"
STYLE = {
    "faiss": ("faiss flat (exact)", "o-"),
    "faiss-hnsw": ("faiss-hnsw (M 32, efSearch 128)", "s-"),
    "faiss-ivf": ("faiss-ivf (2·sqrt(n) lists, nprobe 16)", "^-"),
    "milvus": ("Milvus Lite", "d-"),
    "bm25": ("BM25 (bm25s arrays, jieba)", "x-"),
}


def series(results: dict) -> dict[str, list[tuple[int, float, float | None]]]:
    """store -> [(n, p95 ms, recall@10)] in size order, measured points only."""
    out: dict[str, list[tuple[int, float, float | None]]] = {}
    for r in results.get("runs", {}).values():
        if r.get("p95_ms") is not None:
            out.setdefault(r["store"], []).append((int(r["size"]), float(r["p95_ms"]), r.get("recall@10")))
    for r in results.get("bm25", {}).get("runs", []):
        out.setdefault("bm25", []).append((int(r["n"]), float(r["p95_ms"]), None))
    return {k: sorted(v) for k, v in out.items()}


def main() -> int:
    data = series(json.loads(RESULTS.read_text("utf-8")))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for store, (label, fmt) in STYLE.items():
        points = data.get(store)
        if not points:
            continue
        left.plot([n for n, _, _ in points], [p for _, p, _ in points], fmt, label=label)
        recall = [(n, r) for n, _, r in points if r is not None]
        if recall:
            right.plot([n for n, _ in recall], [r for _, r in recall], fmt, label=label)
    left.set(xscale="log", yscale="log", xlabel="chunks in the collection", ylabel="query p95 (ms)")
    left.set_title("Single-query p95 latency, 2 shared cores")
    left.axhline(100, color="grey", lw=0.8, ls=":")
    left.annotate("100 ms target", (1.1e4, 110), color="grey", fontsize=8)
    right.set(xscale="log", xlabel="chunks in the collection", ylabel="recall@10 vs exact")
    right.set_title("Recall@10 against exact (flat) search")
    right.axhline(0.95, color="grey", lw=0.8, ls=":")
    right.set_ylim(0.9, 1.005)
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
