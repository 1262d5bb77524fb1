"""How BM25 scales: query latency (p50/p95) and memory at 10k, 100k and 1M chunks, next to bench/scale.py's stores.

    nice -n 10 .venv/bin/python bench/scale_bm25.py [--sizes 10000,100000,1000000] [--queries 300]

A script, not a test. The chunks are real: every lawrefbook document read, parsed and chunked as
`rag build` does (RAG_CHUNK_TOKENS), each passage tokenised by rag.sparse.Tokenizer (jieba, search
mode, stop words dropped). Past the real chunks, synthetic ones are made from them: the first half of
one real chunk's tokens followed by the second half of another's (so lengths and the word-frequency
curve stay those of the laws). The index is built with bm25s's own Lucene weights (checked equal to
bm25s.BM25.index on the first 10k), saved as bm25s saves it, and queried the way `rag ask` queries it
(rag.bm25_saved: tokenise, score every chunk, keep the top RAG_CANDIDATES with argpartition), each size
in a fresh process so that its memory figure starts clean. Queries: the eval questions and the first
sentence of randomly chosen real chunks. Results are merged into bench/scale_results.json under
"bm25" (the vector stores' figures there are left as they are).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "scale_results.json"
LAW = Path("/work/shared/corpora/lawrefbook")
K1, B = 1.5, 0.75  # bm25s's defaults, as rag.sparse builds with
CANDIDATES = 300  # RAG_CANDIDATES' default: what the retriever keeps from BM25


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def real_chunks(work: Path) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """(flat token ids, offsets, vocabulary, query sentences) of every real lawrefbook chunk; cached in work."""
    cached = work / "real.npz"
    if cached.is_file():
        z = np.load(cached, allow_pickle=False)
        meta = json.loads((work / "real.json").read_text("utf-8"))
        return z["tokens"], z["offsets"], meta["vocab"], meta["queries"]
    from rag import tokens
    from rag.chunk import chunk_document
    from rag.config import Settings
    from rag.indexer import load_documents, passage_text
    from rag.sparse import Tokenizer

    settings = Settings.from_env()
    files = sorted(p for p in LAW.rglob("*") if p.suffix.lower() in (".md", ".txt"))
    vocab: dict[str, int] = {}
    flat: list[int] = []
    offsets = [0]
    firsts: list[str] = []
    tok = Tokenizer(cache_dir=settings.cache_path)
    start, chars = time.perf_counter(), 0
    for i in range(0, len(files), 50):
        try:
            docs, sources = load_documents(files[i : i + 50])
        except Exception as e:  # a file the readers refuse: the rest still count
            print(f"skipped files {i}-{i + 49}: {e}", file=sys.stderr)
            continue
        for d in docs:
            for c in chunk_document(d, sources[d.doc_id], tokens.count, settings.chunk_tokens, 1):
                text = passage_text(c)
                chars += len(text)
                flat += [vocab.setdefault(t, len(vocab)) for t in tok(text)]
                offsets.append(len(flat))
                firsts.append(c.text.split("。")[0][:60])
        print(f"  {min(i + 50, len(files))}/{len(files)} files, {len(offsets) - 1} chunks, {chars} chars", flush=True)
    rng = np.random.default_rng(1)
    queries = [firsts[j] for j in rng.choice(len(firsts), 150, replace=False) if len(firsts[j]) >= 6]
    arr, offs = np.asarray(flat, np.int32), np.asarray(offsets, np.int64)
    np.savez(cached, tokens=arr, offsets=offs)
    meta = {"vocab": list(vocab), "queries": queries, "chars": chars, "seconds": time.perf_counter() - start}
    (work / "real.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    return arr, offs, list(vocab), queries


def corpus(tokens: np.ndarray, offsets: np.ndarray, size: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """size chunks: the real ones first, then halves of two random real chunks joined."""
    real = len(offsets) - 1
    if size <= real:
        return tokens[: offsets[size]], offsets[: size + 1]
    rng = np.random.default_rng(seed)
    n = size - real
    a, b = rng.integers(0, real, n), rng.integers(0, real, n)
    mid_a = (offsets[a] + offsets[a + 1]) // 2
    mid_b = (offsets[b] + offsets[b + 1]) // 2
    parts_start = np.stack([offsets[a], mid_b], 1).ravel()
    parts_end = np.stack([mid_a, offsets[b + 1]], 1).ravel()
    lengths = parts_end - parts_start
    idx = np.repeat(parts_start - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) + np.arange(lengths.sum())
    synth = tokens[idx]
    doc_len = lengths[0::2] + lengths[1::2]
    offs = np.concatenate([offsets, offsets[-1] + np.cumsum(doc_len)])
    return np.concatenate([tokens, synth]), offs


def build(tokens: np.ndarray, offsets: np.ndarray, vocab_size: int) -> dict[str, Any]:
    """bm25s's Lucene BM25 weights as a token-major sparse matrix (data, indices, indptr), vectorised."""
    n = len(offsets) - 1
    doc = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    pairs, tf = np.unique(tokens.astype(np.int64) * n + doc, return_counts=True)  # sorted by token, then doc
    tok, docs = pairs // n, (pairs % n).astype(np.int32)
    df = np.bincount(tok, minlength=vocab_size)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    dl = np.diff(offsets).astype(np.float64)
    norm = K1 * (1 - B + B * dl / dl.mean())
    data = (idf[tok] * tf / (tf + norm[docs])).astype(np.float32)
    indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
    return {"data": data, "indices": docs, "indptr": indptr, "num_docs": n}


def save(index: dict[str, Any], vocab: list[str], directory: Path) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for k in ("data", "indices", "indptr"):
        np.save(directory / f"{k}.csc.index.npy", index[k], allow_pickle=False)
    (directory / "vocab.index.json").write_text(
        json.dumps({w: i for i, w in enumerate(vocab)}, ensure_ascii=False), "utf-8"
    )
    params = {"k1": K1, "b": B, "delta": 0.5, "method": "lucene", "idf_method": "lucene", "dtype": "float32"}
    params |= {"int_dtype": "int32", "num_docs": int(index["num_docs"]), "version": "bench", "backend": "numpy"}
    (directory / "params.index.json").write_text(json.dumps(params), "utf-8")
    return sum(p.stat().st_size for p in directory.iterdir())


def check_against_bm25s(tokens: np.ndarray, offsets: np.ndarray, vocab: list[str]) -> float:
    """Largest difference between this builder's weights and bm25s.BM25.index's on the same chunks."""
    import bm25s

    n = len(offsets) - 1
    docs = [[vocab[t] for t in tokens[offsets[i] : offsets[i + 1]]] or [""] for i in range(n)]
    ref = bm25s.BM25(k1=K1, b=B)
    ref.index(docs, show_progress=False)
    mine = build(tokens, offsets, len(vocab))
    worst = 0.0
    for word in list(ref.vocab_dict)[:2000]:
        if word == "":
            continue
        want = np.asarray(ref.get_scores_from_ids([ref.vocab_dict[word]]), np.float64)
        got = np.zeros(n)
        t = vocab.index(word)
        s, e = mine["indptr"][t], mine["indptr"][t + 1]
        got[mine["indices"][s:e]] = mine["data"][s:e]
        worst = max(worst, float(np.abs(want - got).max()))
    return worst


def query_worker(directory: Path, queries: list[str], out: Path) -> None:
    """Load the saved index and time `rag ask`'s BM25 step on each query (fresh process: clean memory)."""
    from rag.config import Settings
    from rag.sparse import Tokenizer

    tok = Tokenizer(cache_dir=Settings.from_env().cache_path)
    for q in queries:
        tok(q)  # the jieba table filled for these characters, as a warm server has it
    base = _rss_mb()
    from rag.bm25_saved import SavedBm25

    t0 = time.perf_counter()
    bm25 = SavedBm25(directory)
    load_s = time.perf_counter() - t0
    loaded = _rss_mb()
    times = []
    for q in queries * 2:
        t = time.perf_counter()
        ids = bm25.get_tokens_ids(tok(q))
        scores = bm25.get_scores_from_ids(ids) if ids else np.zeros(bm25.scores["num_docs"], np.float32)
        top = np.argpartition(-scores, CANDIDATES)[:CANDIDATES]
        top = top[scores[top] > 0]
        times.append(time.perf_counter() - t)
    ms = np.array(times[len(queries) :]) * 1000  # the first pass warms caches
    result = {
        "load_s": round(load_s, 3),
        "index_rss_mb": round(loaded - base, 1),
        "process_rss_mb": round(loaded, 1),  # (ru_maxrss would carry the parent's peak over the fork)
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "mean_ms": round(float(ms.mean()), 2),
        "queries": len(queries),
    }
    out.write_text(json.dumps(result), "utf-8")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "rag-scale-bm25")
    p.add_argument("--query-worker", nargs=3, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.query_worker:
        directory, queries, out = args.query_worker
        query_worker(Path(directory), json.loads(Path(queries).read_text("utf-8")), Path(out))
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    tokens, offsets, vocab, sentences = real_chunks(args.work)
    real = len(offsets) - 1
    real_meta = json.loads((args.work / "real.json").read_text("utf-8"))
    print(f"real chunks: {real}, {len(tokens)} tokens, vocabulary {len(vocab)}", flush=True)
    worst = check_against_bm25s(*corpus(tokens, offsets, min(10000, real)), vocab)
    print(f"weights vs bm25s.BM25.index on 10k chunks: max difference {worst:.2e}", flush=True)
    questions = []
    for f in sorted((ROOT / "eval" / "datasets" / "test").glob("*.jsonl")):
        questions += [json.loads(line)["question"] for line in f.read_text("utf-8").splitlines() if line.strip()]
    queries = (questions[: args.queries // 2] + sentences)[: args.queries]
    qfile = args.work / "queries.json"
    qfile.write_text(json.dumps(queries, ensure_ascii=False), "utf-8")
    runs = []
    for size in (int(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        toks, offs = corpus(tokens, offsets, size)
        index = build(toks, offs, len(vocab))
        build_s = time.perf_counter() - t0
        directory = args.work / f"bm25-{size}"
        disk = save(index, vocab, directory)
        del index, toks, offs
        out = args.work / f"result-{size}.json"
        worker = [sys.executable, __file__, "--query-worker", str(directory), str(qfile), str(out)]
        subprocess.run(worker, check=True)
        r = {
            "store": "bm25",
            "n": size,
            "real_chunks": min(size, real),
            "build_s": round(build_s, 2),
            "disk_mb": round(disk / 2**20, 1),
            **json.loads(out.read_text("utf-8")),
            "load_average": round(os.getloadavg()[0], 2),
        }
        runs.append(r)
        print(json.dumps(r), flush=True)
    results = json.loads(RESULTS.read_text("utf-8")) if RESULTS.is_file() else {}
    results["bm25"] = {
        "notes": __doc__.split("\n\n")[2].replace("\n", " "),
        "real_chunks": real,
        "real_chars": real_meta["chars"],
        "real_tokenise_s": round(real_meta["seconds"], 1),
        "vocabulary": len(vocab),
        "max_weight_difference_vs_bm25s": worst,
        "candidates": CANDIDATES,
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
