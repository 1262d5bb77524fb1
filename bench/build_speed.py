"""Build throughput with each way of making sentence vectors, and what it projects for all of lawrefbook.

    nice -n 10 .venv/bin/python bench/build_speed.py [--documents 100]

Builds the same fixed lawrefbook selection (bench/kb_build.select) twice with the real command, once with
RAG_SENTENCE_VECTORS=separate (every chunk, then every sentence embedded on its own) and once with pooled
(sentence vectors taken from their chunk's run). Recorded per mode: wall and CPU time, characters read per
second, and the projection for the whole library: its 18.6M characters at the measured rate, which is
linear in the text embedded. Results go to bench/build_speed.json.

    nice -n 5 .venv/bin/python bench/build_speed.py --full [--mode pooled] [--store faiss-ivf] [--keep HOME]

builds all 3,243 files (an hour or more here) with one mode and records the real figures in
bench/build_full.json; --keep leaves the knowledge base in HOME (bench/kb_full.py --real measures it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kb_build import LAW, build, select  # noqa: E402

OUT = ROOT / "bench" / "build_speed.json"
OUT_FULL = ROOT / "bench" / "build_full.json"
FULL = ROOT / "bench" / "kb_full.json"  # the whole library read, parsed and chunked (no embedding)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=100, help="lawrefbook files in the selection")
    ap.add_argument("--full", action="store_true", help="build all of lawrefbook once, with --mode and --store")
    ap.add_argument("--mode", default="pooled", choices=("pooled", "separate"), help="sentence vectors (--full)")
    ap.add_argument("--store", default="faiss-ivf", help="RAG_VECTOR_STORE for --full")
    ap.add_argument("--keep", type=Path, metavar="HOME", help="build --full in HOME and keep it")
    args = ap.parse_args()
    if args.full:
        full_library(args.mode, args.store, args.keep)
        return
    files = select(args.documents)
    full = json.loads(FULL.read_text("utf-8"))["build"]
    result: dict[str, object] = {"documents": args.documents, "cpus": os.cpu_count(), "modes": {}}
    for mode in ("separate", "pooled"):
        home = Path(tempfile.mkdtemp(prefix=f"rag-speed-{mode}-"))
        os.environ["RAG_SENTENCE_VECTORS"] = mode
        try:
            got = build(home, files)
        finally:
            shutil.rmtree(home, ignore_errors=True)
        # Reading, parsing, chunking, BM25 and writing the whole library took this much without embedding;
        # the embedding share scales with the characters.
        rate = got["characters"] / got["build_s"]
        projected = full["characters"] / rate
        got["projected_full_library_min"] = round(projected / 60)
        result["modes"][mode] = got  # type: ignore[index]
        print(
            f"{mode}: {got['characters']} chars in {got['build_s']} s ({rate:.0f}/s), "
            f"all of lawrefbook projected {projected / 60:.0f} min",
            flush=True,
        )
    result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")


def full_library(mode: str, store: str, keep: Path | None) -> None:
    files = sorted(LAW.rglob("*.md"))
    home = keep or Path(tempfile.mkdtemp(prefix="rag-full-"))
    os.environ.update({"RAG_SENTENCE_VECTORS": mode, "RAG_VECTOR_STORE": store})
    try:
        got = build(home, files)
    finally:
        if keep is None:
            shutil.rmtree(home, ignore_errors=True)
    got.update({"files": len(files), "sentence_vectors": mode, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ")})
    OUT_FULL.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"all of lawrefbook: {got['characters']} chars in {got['build_s']} s ({got['build_s'] / 60:.0f} min)")


if __name__ == "__main__":
    main()
