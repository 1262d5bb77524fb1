"""End-to-end `rag ask` on a knowledge base of all of lawrefbook, with stand-in passage vectors.

    nice -n 10 .venv/bin/python bench/kb_full.py [--work /tmp/rag-kb-full] [--questions 40]

Embedding every chunk and sentence of lawrefbook's 3,243 documents takes hours on two shared cores,
so here the passages get deterministic random unit vectors (384-d, like e5-small's): reading,
parsing, chunking, BM25, the index files, loading and the whole answer pipeline are the real ones,
and each question is embedded by the real ONNX model. The answers are meaningless; the times are not.
Measured: the build without embedding (wall and CPU), the index on disk, then in a fresh process the
cold start taken apart (imports, load_index, Pipeline), the first answer, and warm answers over the
eval questions (p50/p95) with the resident memory. Results go to bench/kb_full.json.

    .venv/bin/python bench/kb_full.py --real HOME

measures the same on a real knowledge base of the whole library (built by
`bench/build_speed.py --full --keep HOME`, real vectors), and asks it the questions naming a law from
bench/kb_build.py (does the answer cite that law first?). Results go to bench/kb_full_real.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LAW = Path("/work/shared/corpora/lawrefbook")
OUT = ROOT / "bench" / "kb_full.json"
OUT_REAL = ROOT / "bench" / "kb_full_real.json"


class StandIn:
    """Random unit vectors for passages (seeded by the text), the real model for questions."""

    dim = 384

    def __init__(self, real: Any = None) -> None:
        self.real = real
        self.name = real.name if real is not None else "stand-in"

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dim)
            out[i] = v / np.linalg.norm(v)
        return out

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.real.embed_queries(texts) if self.real is not None else self.embed_passages(texts)


def _settings(work: Path) -> Any:
    from rag.config import Settings

    env = {**os.environ, "RAG_HOME": str(work), "RAG_CACHE_DIR": str(ROOT / ".cache")}
    return Settings.from_env(env)


def build(work: Path) -> dict[str, Any]:
    from rag.indexer import build_index

    files = tuple(sorted(p for p in LAW.rglob("*") if p.suffix.lower() in (".md", ".txt")))
    settings = _settings(work).replace(corpus=files)
    chars = sum(len(p.read_text("utf-8", errors="replace")) for p in files)
    t0, c0 = time.perf_counter(), time.process_time()
    manifest = build_index(settings, embedder=StandIn())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    disk = sum(p.stat().st_size for p in settings.index_path.rglob("*") if p.is_file())
    return {
        "files": len(files),
        "characters": chars,
        "counts": manifest["counts"],
        "build_without_embedding_wall_s": round(wall, 1),
        "build_without_embedding_cpu_s": round(cpu, 1),
        "index_disk_mb": round(disk / 2**20, 1),
    }


def ask_worker(work: Path, n_questions: int, out: Path) -> None:
    """A fresh process: the cold start taken apart, then warm answers."""
    t0 = time.perf_counter()
    from rag.embed import load_embedder, model_name
    from rag.pipeline import Pipeline
    from rag.store import load_index

    settings = _settings(work)
    t1 = time.perf_counter()
    index = load_index(settings.index_path, expected_model=model_name(settings), cache_dir=settings.cache_path)
    t2 = time.perf_counter()
    pipe = Pipeline(settings, index=index, embedder=StandIn(load_embedder(settings)))
    t3 = time.perf_counter()
    questions = []
    for f in sorted((ROOT / "eval" / "datasets" / "test").glob("*.jsonl")):
        questions += [json.loads(line)["question"] for line in f.read_text("utf-8").splitlines() if line.strip()]
    questions = questions[:: max(1, len(questions) // n_questions)][:n_questions]
    pipe.ask(questions[0])
    t4 = time.perf_counter()
    times = []
    for q in questions:
        s = time.perf_counter()
        pipe.ask(q)
        times.append((time.perf_counter() - s) * 1000)
    ms = np.array(times)
    result = {
        "imports_s": round(t1 - t0, 2),
        "load_index_s": round(t2 - t1, 2),
        "pipeline_init_s": round(t3 - t2, 2),
        "first_answer_s": round(t4 - t3, 2),
        "cold_total_s": round(t4 - t0, 2),
        "warm_p50_ms": round(float(np.percentile(ms, 50)), 1),
        "warm_p95_ms": round(float(np.percentile(ms, 95)), 1),
        "questions": len(questions),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average": round(os.getloadavg()[0], 2),
    }
    out.write_text(json.dumps(result), "utf-8")


def real(home: Path, n_questions: int) -> int:
    """Cold start and warm answers on a real whole-library index, then the questions naming a law."""
    sys.path.insert(0, str(ROOT / "bench"))
    from kb_build import named

    from rag.pipeline import Pipeline

    out = home / "ask.json"
    cmd = [sys.executable, __file__, "--questions", str(n_questions), "--ask-worker", str(home), str(out)]
    subprocess.run(cmd, check=True)
    asked = json.loads(out.read_text("utf-8"))
    print(json.dumps(asked), flush=True)
    settings = _settings(home)
    pipe = Pipeline(settings)
    checks = named(pipe)
    print({k: v for k, v in checks.items() if k != "rows"}, flush=True)
    result = {
        "counts": pipe.index.manifest["counts"],
        "store": pipe.index.manifest["store"]["kind"],
        "sentence_vectors": pipe.index.manifest["settings"].get("sentence_vectors", "separate"),
        "ask": asked,
        "named": checks,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    OUT_REAL.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "rag-kb-full")
    p.add_argument("--questions", type=int, default=40)
    p.add_argument("--reuse", action="store_true", help="keep an index already built in --work")
    p.add_argument("--real", type=Path, metavar="HOME", help="measure a real whole-library knowledge base")
    p.add_argument("--ask-worker", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.ask_worker:
        ask_worker(Path(args.ask_worker[0]), args.questions, Path(args.ask_worker[1]))
        return 0
    if args.real:
        return real(args.real, args.questions)
    built_file = args.work / "build.json"
    if args.reuse and built_file.is_file():
        built = json.loads(built_file.read_text("utf-8"))
    else:
        args.work.mkdir(parents=True, exist_ok=True)
        built = build(args.work)
        built_file.write_text(json.dumps(built), "utf-8")
    print(json.dumps(built), flush=True)
    out = args.work / "ask.json"
    cmd = [sys.executable, __file__, "--questions", str(args.questions), "--ask-worker", str(args.work), str(out)]
    subprocess.run(cmd, check=True)
    asked = json.loads(out.read_text("utf-8"))
    print(json.dumps(asked), flush=True)
    result = {"build": built, "ask": asked, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    result["notes"] = __doc__.split("\n\n")[2].replace("\n", " ")
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
