"""Cold start: wall time and peak memory of a fresh `rag ask`, and how long `rag serve` takes to answer health.

    .venv/bin/python bench/cold_start.py [--runs 7] [--serve-runs 3] [--question "…"] [--baseline DIR]

Each `rag ask` is a new process (the real console script, so imports, index and model loading all
count), timed from spawn to exit; peak RSS and CPU seconds come from wait4() for that child alone. The
machine is shared, so the load average before and after is recorded and the CPU seconds are given
next to the wall time: on a busy machine wall time grows, CPU time much less. `rag serve` is started on
a free port and polled on /api/health until it answers 200. Uses RAG_HOME / RAG_INDEX_DIR as set (the
index must exist). --baseline DIR also times `python -m rag ask` run inside another checkout (say, an
older commit's files), alternating with this one so that both see the same machine load. Results go to
bench/cold_start.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RAG = ROOT / ".venv" / "bin" / "rag"
QUESTION = "二道区的养老服务有什么规划？"


def ask_once(question: str, tree: Path | None = None) -> dict[str, Any]:
    """One cold `rag ask`; with tree, `python -m rag ask` with that checkout's rag package first on the path."""
    cmd = [str(RAG), "ask", question] if tree is None else [sys.executable, "-m", "rag", "ask", question]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read().decode("utf-8") if proc.stdout else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode("utf-8") if proc.stderr else ""
        raise SystemExit(f"rag ask failed ({proc.returncode}): {err.strip()}")
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "answer": out.splitlines()[0] if out else "",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_once(timeout: float = 120.0) -> dict[str, Any]:
    port = _free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(RAG), "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while time.perf_counter() - start < timeout:
            if proc.poll() is not None:
                raise SystemExit(f"rag serve exited with {proc.returncode} before it was ready")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as r:
                    if r.status == 200:
                        return {"ready_s": round(time.perf_counter() - start, 3)}
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"rag serve was not ready within {timeout:.0f} s")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _median(rows: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(r[key] for r in rows), 3)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="cold `rag ask` runs (the first also warms the OS cache)")
    ap.add_argument("--serve-runs", type=int, default=3)
    ap.add_argument("--question", default=QUESTION)
    ap.add_argument("--baseline", type=Path, help="another checkout to time alternately (python -m rag ask)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "cold_start.json")
    args = ap.parse_args()

    load_before = os.getloadavg()
    ask_once(args.question)  # files into the page cache (and caches written on a first run): not counted
    if args.baseline:
        ask_once(args.question, args.baseline)
    asks, baseline = [], []
    for _ in range(args.runs):
        asks.append(ask_once(args.question))
        if args.baseline:
            baseline.append(ask_once(args.question, args.baseline))
    for r in asks:
        print(f"rag ask: {r['wall_s']:.2f} s wall, {r['cpu_s']:.2f} s CPU, {r['peak_rss_mb']:.0f} MB", flush=True)
    serves = [serve_once() for _ in range(args.serve_runs)]
    for r in serves:
        print(f"rag serve: ready in {r['ready_s']:.2f} s", flush=True)
    result = {
        "question": args.question,
        "answer_first_line": asks[-1]["answer"],
        "ask": {
            "runs": [{k: v for k, v in r.items() if k != "answer"} for r in asks],
            "median_wall_s": _median(asks, "wall_s"),
            "min_wall_s": min(r["wall_s"] for r in asks),
            "median_cpu_s": _median(asks, "cpu_s"),
            "median_peak_rss_mb": _median(asks, "peak_rss_mb"),
        },
        "baseline": None
        if not baseline
        else {
            "tree": str(args.baseline),
            "runs": [{k: v for k, v in r.items() if k != "answer"} for r in baseline],
            "median_wall_s": _median(baseline, "wall_s"),
            "median_cpu_s": _median(baseline, "cpu_s"),
            "median_peak_rss_mb": _median(baseline, "peak_rss_mb"),
            "same_answer": {r["answer"] for r in baseline} == {r["answer"] for r in asks},
        },
        "serve": {"runs": serves, "median_ready_s": _median(serves, "ready_s") if serves else None},
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    a, b = result["ask"], result["baseline"]
    if b:
        print(
            f"baseline: {b['median_wall_s']:.2f} s wall ({b['median_cpu_s']:.2f} s CPU, "
            f"{b['median_peak_rss_mb']:.0f} MB)"
        )
    print(
        f"median: rag ask {a['median_wall_s']:.2f} s wall ({a['median_cpu_s']:.2f} s CPU, "
        f"{a['median_peak_rss_mb']:.0f} MB); rag serve ready {result['serve']['median_ready_s']} s; "
        f"load {result['machine']['load_average_before']} -> {result['machine']['load_average_after']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
