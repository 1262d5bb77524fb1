"""How the vector stores scale: build time, size on disk, memory, latency and recall at 10k to 1M vectors.

    .venv/bin/python bench/scale.py                                   # sizes 10000,100000,1000000, every store
    .venv/bin/python bench/scale.py --sizes 10000,100000 --stores faiss,faiss-hnsw --queries 300

A script, not a test. For each size and store it builds the store in one subprocess (add + save, as
`rag build` does) and loads and queries it in another, so that each memory figure starts from a clean
process and a run past --timeout can be stopped without losing the others. Results are printed and
merged into bench/scale_results.json (keyed by store and size; --fresh starts the file anew).

The vectors imitate multilingual-e5-small passage vectors, which are not available without the model:
384-d, unit length, a strong shared direction (e5 gives unrelated passages cosines around 0.7), a few
thousand topics grouped into domains, each vector a noisy mix of one to three topics, and noise with a
decaying spectrum (real embeddings use some directions far more than others). Queries are drawn the
same way, so they are near neighbours but never copies. Measured here: random pairs ~0.67 cosine, a
query's best match ~0.92, its 10th ~0.88.

IVF's nprobe, HNSW's efSearch and Milvus's ef are swept to show the recall/latency trade-off. (Until
2026-12-06 "faiss-ivf" was a bench-only IndexIVFFlat with the same list count, 2·sqrt(n), trained on a
sample; it is now the store rag.stores.faiss_ivf, measured like the others.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.stores import KINDS, StoreOptions, create, load  # noqa: E402

DIM = 384
K = 10
SEED = 20240611
RESULTS = ROOT / "bench" / "scale_results.json"
BENCH_KINDS = KINDS
SWEEP = {
    "faiss-hnsw": [16, 32, 64, 128, 256],  # efSearch
    "milvus": [32, 64, 128, 256],  # ef
    "faiss-ivf": [4, 8, 16, 32, 64, 128],  # nprobe
}


# -- data -----------------------------------------------------------------------------------------


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


class E5Like:
    """Draws clustered unit vectors shaped like e5 passage embeddings (see the module docstring)."""

    def __init__(self, seed: int = SEED, topics: int = 3000, domains: int = 100) -> None:
        rng = np.random.default_rng(seed)
        self.common = _unit(rng.standard_normal(DIM))
        domain = _unit(rng.standard_normal((domains, DIM)))
        self.topics = _unit(domain[rng.integers(0, domains, topics)] + 0.8 * _unit(rng.standard_normal((topics, DIM))))
        basis, _ = np.linalg.qr(rng.standard_normal((DIM, DIM)))
        scale = (1.0 + np.arange(DIM)) ** -0.6
        scale /= math.sqrt(float((scale**2).sum()))
        self.noise = (basis * scale[:, None]).astype(np.float32)  # z @ noise: anisotropic, norm ~1

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mixes = rng.integers(1, 4, n)
        picks = rng.integers(0, len(self.topics), (n, 3))
        weights = rng.dirichlet(np.full(3, 0.7), n) * (np.arange(3)[None, :] < mixes[:, None])
        weights /= weights.sum(axis=1, keepdims=True)
        mix = _unit(np.einsum("nk,nkd->nd", weights, self.topics[picks]))
        noise = rng.standard_normal((n, DIM)).astype(np.float32) @ self.noise
        return _unit(0.8 * self.common + 0.45 * mix + 0.35 * noise)


def prepare_data(work: Path, size: int, queries: int) -> None:
    """corpus-N.npy, queries-Q.npy and the exact top-10 truth-N-Q.npy, generated once per work folder."""
    gen = E5Like()
    corpus, qfile, truth = (
        work / f"corpus-{size}.npy",
        work / f"queries-{queries}.npy",
        work / f"truth-{size}-{queries}.npy",
    )
    if not corpus.exists():
        out = np.lib.format.open_memmap(corpus, mode="w+", dtype=np.float32, shape=(size, DIM))
        rng = np.random.default_rng(SEED + size)
        for start in range(0, size, 50_000):
            out[start : start + 50_000] = gen.draw(rng, min(50_000, size - start))
        out.flush()
        del out
    if not qfile.exists():
        np.save(qfile, gen.draw(np.random.default_rng(SEED - 1), queries), allow_pickle=False)
    if not truth.exists():
        x = np.load(corpus, mmap_mode="r")
        q = np.load(qfile)
        best_s = np.full((queries, K), -np.inf, np.float32)
        best_i = np.zeros((queries, K), np.int64)
        for start in range(0, size, 100_000):
            s = q @ np.asarray(x[start : start + 100_000]).T
            top = (
                np.argpartition(-s, K, axis=1)[:, :K]
                if s.shape[1] > K
                else np.tile(np.arange(s.shape[1]), (queries, 1))
            )
            cand_s = np.concatenate([best_s, np.take_along_axis(s, top, 1)], axis=1)
            cand_i = np.concatenate([best_i, top + start], axis=1)
            keep = np.argsort(-cand_s, axis=1)[:, :K]
            best_s, best_i = np.take_along_axis(cand_s, keep, 1), np.take_along_axis(cand_i, keep, 1)
        np.save(truth, best_i, allow_pickle=False)


# -- workers (one subprocess each) ----------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _loadavg() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def _disk_bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def build_worker(store: str, size: int, work: Path, directory: Path) -> dict[str, Any]:
    vectors = np.ascontiguousarray(np.load(work / f"corpus-{size}.npy"))
    _warm_imports(store)
    gc.collect()
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    vs = create(store, StoreOptions(dim=DIM), directory)
    vs.add(np.arange(size, dtype=np.int64), vectors)
    t1 = time.perf_counter()
    vs.save(directory)
    vs.close()
    t2 = time.perf_counter()
    return {
        "add_s": round(t1 - t0, 2),
        "save_s": round(t2 - t1, 2),
        "build_s": round(t2 - t0, 2),
        "disk_mb": round(_disk_bytes(directory) / 2**20, 1),
        "build_peak_rss_mb": round(_peak_rss_mb() - rss0, 1),  # over the process with the corpus loaded
    }


def _warm_imports(store: str) -> None:
    """Import the backend's packages before the baseline, so memory figures count the index, not the code."""
    import faiss  # noqa: F401

    if store == "milvus":
        import milvus_lite.server_manager  # noqa: F401
        import pymilvus  # noqa: F401


def _latencies(search: Any, queries: np.ndarray) -> tuple[np.ndarray, list[float]]:
    for q in queries[:5]:  # warm caches and lazy connections
        search(q[None, :])
    ids, times = [], []
    for q in queries:
        t = time.perf_counter()
        found = search(q[None, :])
        times.append((time.perf_counter() - t) * 1000)
        ids.append(found[0])
    return np.stack(ids), times


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(np.intersect1d(a, b)) / K for a, b in zip(found, truth)]))


def query_worker(store: str, size: int, queries: int, work: Path, directory: Path) -> dict[str, Any]:
    q = np.load(work / f"queries-{queries}.npy")
    truth = np.load(work / f"truth-{size}-{queries}.npy")
    _warm_imports(store)
    gc.collect()
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    vs = load(store, directory, StoreOptions(dim=DIM))
    load_s = time.perf_counter() - t0

    def search(x: np.ndarray) -> np.ndarray:
        return vs.search(x, K)[0]

    def run(knob: int | None) -> dict[str, Any]:
        if knob is not None:  # efSearch / ef / nprobe is read at each search
            knob_field = "ivf_nprobe" if store == "faiss-ivf" else "hnsw_ef_search"
            vs.options = replace(vs.options, **{knob_field: knob})
        found, times = _latencies(search, q)
        return {
            "recall@10": round(_recall(found, truth), 4),
            "p50_ms": round(float(np.percentile(times, 50)), 3),
            "p95_ms": round(float(np.percentile(times, 95)), 3),
        }

    default = run(None)
    rss = _rss_mb() - rss0
    sweep = [{"knob": knob, **run(knob)} for knob in SWEEP.get(store, [])]
    vs.close()
    return {"load_s": round(load_s, 2), "rss_mb": round(rss, 1), **default, "sweep": sweep}


# -- orchestration --------------------------------------------------------------------------------


def _run_worker(role: str, args: argparse.Namespace, store: str, size: int, directory: Path) -> dict[str, Any]:
    result = directory.parent / f"{role}-{store}-{size}.json"
    cmd = [
        sys.executable,
        __file__,
        "--role",
        role,
        "--stores",
        store,
        "--sizes",
        str(size),
        "--queries",
        str(args.queries),
        "--work",
        str(args.work),
        "--store-dir",
        str(directory),
        "--result",
        str(result),
    ]
    t = time.perf_counter()
    log = directory.parent / f"{role}.log"
    peak = 0.0
    with open(log, "w") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT)
        # The machine is shared: stop a run that takes too long or too much memory, not the machine.
        while proc.poll() is None:
            time.sleep(0.5)
            peak = max(peak, _child_rss_gb(proc.pid))
            stop = None
            if time.perf_counter() - t > args.timeout:
                stop = f"{role} stopped after {args.timeout:.0f} s"
            elif peak > args.max_rss_gb:
                stop = f"{role} stopped at {peak:.1f} GB resident (--max-rss-gb {args.max_rss_gb:g})"
            if stop:
                proc.kill()
                proc.wait()
                return {"error": stop, f"{role}_wall_s": round(time.perf_counter() - t, 1)}
    if proc.returncode != 0 or not result.exists():
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        return {"error": f"{role} failed ({proc.returncode}): {' | '.join(tail)[:300]}"}
    out: dict[str, Any] = json.loads(result.read_text())
    out[f"{role}_wall_s"] = round(time.perf_counter() - t, 1)
    return out


def _child_rss_gb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**30
    except (OSError, IndexError, ValueError):
        return 0.0  # it has just exited


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("faiss-cpu", "numpy", "pymilvus", "milvus-lite"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def _print_row(r: dict[str, Any]) -> None:
    if "error" in r:
        print(f"{r['store']:<11} {r['size']:>9,}  {r['error']}", flush=True)
        return
    print(
        f"{r['store']:<11} {r['size']:>9,} {r['build_s']:>9.1f} {r['disk_mb']:>9.1f} {r['rss_mb']:>8.1f}"
        f" {r['load_s']:>7.2f} {r['p50_ms']:>8.3f} {r['p95_ms']:>8.3f} {r['recall@10']:>7.4f}",
        flush=True,
    )


def orchestrate(args: argparse.Namespace) -> int:
    sizes = [int(s) for s in args.sizes.split(",")]
    stores = args.stores.split(",")
    unknown = sorted(set(stores) - set(BENCH_KINDS))
    if unknown:
        print(f"unknown stores {unknown}; choose from {', '.join(BENCH_KINDS)}", file=sys.stderr)
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() and not args.fresh else {}
    runs: dict[str, Any] = existing.get("runs", {})
    print(
        f"{'store':<11} {'vectors':>9} {'build s':>9} {'disk MB':>9} {'RSS MB':>8} {'load s':>7} {'p50 ms':>8}"
        f" {'p95 ms':>8} {'rec@10':>7}"
    )
    for size in sizes:
        prepare_data(args.work, size, args.queries)
        for store in stores:
            directory = Path(tempfile.mkdtemp(prefix=f"{store}-{size}-", dir=args.work)) / "vectors"
            # Another busy process on a 2-core machine moves these numbers: record how busy it was.
            row: dict[str, Any] = {"store": store, "size": size, "queries": args.queries, "loadavg_1m": _loadavg()}
            built = _run_worker("build", args, store, size, directory)
            row.update(built)
            if "error" not in built:
                row.update(_run_worker("query", args, store, size, directory))
            row["measured"] = dt.datetime.now().isoformat(timespec="seconds")
            shutil.rmtree(directory.parent, ignore_errors=True)
            _print_row(row)
            runs[f"{store}@{size}"] = row
            RESULTS.write_text(
                json.dumps(
                    {
                        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], **_versions()},
                        "options": {"dim": DIM, **{k: v for k, v in StoreOptions(dim=DIM).__dict__.items()}},
                        "notes": "one query at a time; recall@10 against exact search; rss_mb = resident memory "
                        "added by loading the store; build_s = add + save",
                        "runs": dict(sorted(runs.items(), key=lambda kv: (kv[1]["size"], kv[1]["store"]))),
                    },
                    indent=2,
                )
                + "\n"
            )
    print(f"results: {RESULTS}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated vector counts")
    p.add_argument("--stores", default=",".join(BENCH_KINDS), help=f"comma-separated, from {', '.join(BENCH_KINDS)}")
    p.add_argument("--queries", type=int, default=500, help="single queries timed per store (recall over the same)")
    p.add_argument("--timeout", type=float, default=900, help="seconds allowed to each build and each query phase")
    p.add_argument("--max-rss-gb", type=float, default=10, help="stop a phase whose memory passes this")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "rag-scale", help="data and stores")
    p.add_argument("--fresh", action="store_true", help="replace scale_results.json instead of merging into it")
    p.add_argument("--role", choices=("build", "query"), help=argparse.SUPPRESS)
    p.add_argument("--store-dir", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.role is None:
        return orchestrate(args)
    store, size = args.stores, int(args.sizes)
    if args.role == "build":
        out = build_worker(store, size, args.work, args.store_dir)
    else:
        out = query_worker(store, size, args.queries, args.work, args.store_dir)
    args.result.write_text(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
