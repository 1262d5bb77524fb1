"""Knowledge-base benchmark: `rag build` over 200 lawrefbook documents plus the Erdao plan, then scope checks.

    nice -n 10 .venv/bin/python bench/kb_build.py [--home DIR] [--reuse]

The 200 documents are a fixed selection across lawrefbook's top-level folders: each folder gets a share of
the 200 in proportion to its size (at least one; largest remainders fill the rest), taken evenly spaced from
its files in sorted order, so every run (and every machine) reads the same files. The build runs as the real
command (`rag build --corpus … --quiet`) in its own RAG_HOME with the shared model cache; recorded: wall
time, characters read, characters/s, documents, chunks, sentences and the index's size on disk.

Then, with one Pipeline over that index:
- scoped questions: for ten documents, a question about the document's own content asked with
  `rag ask --doc ID --json` (the command) and with Pipeline.ask(doc_ids=[ID]) (the API); every citation must
  name that document;
- unscoped questions naming a specific law (written from the documents' text): how many cite the right
  document first, and how many cite it at all.

`--reuse` skips the build when the home already holds one (its build figures are read back from
build.json there). Results go to bench/kb_results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LAW = Path("/work/shared/corpora/lawrefbook")
PLAN = ROOT / "corpus" / "erdao-14th-fyp.txt"
CACHE = ROOT / ".cache"
RESULTS = ROOT / "bench" / "kb_results.json"
COUNT = 200

# Documents of the selection, by file name, and a question about each one's own content (scoped checks). Most are
# questions many documents could answer ("违反本条例…由哪个部门处罚"): the scope, not the words, must pick the document.
SCOPED: list[tuple[str, str]] = [
    ("宁波市电梯安全条例(2020-10-10).md", "电梯维护保养单位有哪些责任？"),
    ("济宁市水环境保护条例(2021-01-29).md", "本条例适用于哪些区域？"),
    ("会计法(2017-11-04).md", "会计档案怎么保管？"),
    ("城镇燃气管理条例(2016-02-06).md", "违反本条例规定的，由哪个部门处罚？"),
    ("杭州市旅游条例(2016-12-27).md", "旅游经营者有哪些义务？"),
    ("山东省社会信用条例(2020-07-24).md", "什么是社会信用？"),
    ("文物保护法(2024-11-08).md", "文物保护单位的保护范围怎么划定？"),
    ("erdao-14th-fyp.txt", "以后在二道看病会更方便吗？"),
    ("总则.md", "自然人从什么时候起有民事权利能力？"),
    ("立法法(2023-03-13).md", "地方性法规可以就哪些事项作出规定？"),
]
# Questions naming a law, and the file whose document must be cited (unscoped checks), written from the texts.
NAMED: list[tuple[str, str]] = [
    ("全国年节及纪念日放假办法规定春节放假几天？", "全国年节及纪念日放假办法(2013-12-11).md"),
    ("商标法规定注册商标的有效期是多久？", "商标法(2019-04-23).md"),
    ("按照国籍法，父母一方是中国公民、本人出生在外国，有中国国籍吗？", "国籍法(1980-09-10).md"),
    ("北京市自动驾驶汽车条例规定自动驾驶汽车发生交通事故后怎么处理？", "北京市自动驾驶汽车条例(2024-12-31).md"),
    ("青岛市控制吸烟条例规定哪些场所禁止吸烟？", "青岛市控制吸烟条例(2013-08-01).md"),
    ("反食品浪费法要求餐饮服务经营者采取哪些措施防止食品浪费？", "反食品浪费法(2021-04-29).md"),
    ("北京市反食品浪费规定对自助餐经营者有什么要求？", "北京市反食品浪费规定(2021-05-27).md"),
    ("城镇燃气管理条例禁止在燃气设施保护范围内从事哪些活动？", "城镇燃气管理条例(2016-02-06).md"),
    ("焦作市公园管理条例规定晚上几点以后公园内禁止使用音响？", "焦作市公园管理条例(2021-08-25).md"),
    ("娱乐场所管理条例规定歌舞娱乐场所能接纳未成年人吗？", "娱乐场所管理条例(2020-11-29).md"),
    ("绍兴黄酒保护和发展条例保护哪些与传统酿制技艺有关的东西？", "绍兴黄酒保护和发展条例(2021-08-09).md"),
    ("民用机场管理条例对机场净空保护区域有什么规定？", "民用机场管理条例(2019-03-02).md"),
]


def select(count: int = COUNT) -> list[Path]:
    """A fixed selection of `count` lawrefbook files, spread over its top-level folders by their size."""
    folders = {d.name: sorted(d.rglob("*.md")) for d in sorted(LAW.iterdir()) if d.is_dir()}
    folders = {name: files for name, files in folders.items() if files}
    total = sum(len(files) for files in folders.values())
    exact = {name: count * len(files) / total for name, files in folders.items()}
    share = {name: max(1, int(x)) for name, x in exact.items()}
    by_remainder = sorted(folders, key=lambda name: (share[name] - exact[name], name))
    for name in by_remainder[: count - sum(share.values())]:
        share[name] += 1
    out: list[Path] = []
    for name, files in folders.items():
        k = min(share[name], len(files))
        out += [files[int((i + 0.5) * len(files) / k)] for i in range(k)]
    assert len(out) == count, len(out)
    return out


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "RAG_HOME": str(home),
        "RAG_CACHE_DIR": str(CACHE),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }


def _rag(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [str(ROOT / ".venv" / "bin" / "rag"), *args]
    return subprocess.run(cmd, env=_env(home), capture_output=True, text=True, input=stdin, timeout=7200)


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build(home: Path, files: list[Path]) -> dict[str, Any]:
    from rag.store import load_index

    load_before = os.getloadavg()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    run = _rag(home, "build", "--quiet", "--corpus", *map(str, files))
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)  # the machine is shared: CPU is fairer
    if run.returncode != 0:
        raise SystemExit(f"rag build failed ({run.returncode}): {run.stderr.strip()[-2000:]}")
    index_dir = home / "index"
    index = load_index(index_dir)
    chars = sum(len(text) for text in index.sources.values())
    manifest = index.manifest
    return {
        "documents": len(index.documents),
        "superseded": sum(1 for d in index.documents if d.superseded_by),
        "characters": chars,
        "build_s": round(wall, 1),
        "chars_per_s": round(chars / wall),
        "cpu_s": round(cpu, 1),
        "chars_per_cpu_s": round(chars / cpu) if cpu else None,
        "chunks": manifest["counts"]["chunks"],
        "sentences": manifest["counts"]["sentences"],
        "vocabulary_words": manifest["counts"]["words"],
        "index_bytes": _du(index_dir),
        "index_mb": round(_du(index_dir) / 1e6, 1),
        "model": manifest["model"],
        "store": manifest["store"]["kind"],
        "load_average_at_start": [round(x, 2) for x in load_before],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "command_output": run.stdout.strip(),
    }


def _doc_of(index: Any, name: str) -> Any:
    matches = [d for d in index.documents if Path(d.path).name == name]
    if len(matches) != 1:
        raise SystemExit(f"{name}: {len(matches)} documents with that file name in the index")
    return matches[0]


def scoped(home: Path, pipe: Any) -> dict[str, Any]:
    rows = []
    for name, question in SCOPED:
        doc = _doc_of(pipe.index, name)
        run = _rag(home, "ask", "--json", "--doc", doc.doc_id, question)
        if run.returncode != 0:
            raise SystemExit(f"rag ask --doc {doc.doc_id} failed: {run.stderr.strip()}")
        cli = json.loads(run.stdout)
        api = pipe.ask(question, doc_ids=[doc.doc_id]).to_json()
        row: dict[str, Any] = {"doc_id": doc.doc_id, "title": doc.title, "question": question}
        for face, answer in (("cli", cli), ("api", api)):
            cited = [c["doc_id"] for c in answer["citations"]]
            row[face] = {
                "refused": answer["refused"],
                "citations": len(cited),
                "only_this_document": all(c == doc.doc_id for c in cited),
                "contexts_only_this_document": all(h["doc_id"] == doc.doc_id for h in answer["contexts"]),
                "first": answer["citations"][0]["citation"] if cited else None,
            }
        rows.append(row)
    return {
        "questions": len(rows),
        "cli_only_this_document": sum(r["cli"]["only_this_document"] for r in rows),
        "api_only_this_document": sum(r["api"]["only_this_document"] for r in rows),
        "answered_cli": sum(not r["cli"]["refused"] for r in rows),
        "answered_api": sum(not r["api"]["refused"] for r in rows),
        "rows": rows,
    }


def named(pipe: Any) -> dict[str, Any]:
    rows = []
    for question, name in NAMED:
        doc = _doc_of(pipe.index, name)
        answer = pipe.ask(question).to_json()
        cited = [c["doc_id"] for c in answer["citations"]]
        rows.append(
            {
                "question": question,
                "expected": doc.doc_id,
                "refused": answer["refused"],
                "first_is_expected": bool(cited) and cited[0] == doc.doc_id,
                "cites_expected": doc.doc_id in cited,
                "cited": [c["citation"] for c in answer["citations"]],
                "answer": answer["answer"][:200],
            }
        )
    return {
        "questions": len(rows),
        "first_cites_the_named_document": sum(r["first_is_expected"] for r in rows),
        "cites_the_named_document": sum(r["cites_expected"] for r in rows),
        "refused": sum(r["refused"] for r in rows),
        "rows": rows,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--home", type=Path, help="RAG_HOME for this run (default: a new temp folder)")
    ap.add_argument("--reuse", action="store_true", help="keep the home's build if it has one")
    ap.add_argument("--list", action="store_true", help="print the selection and stop")
    ap.add_argument("--note", default="", help="a remark stored with the results (e.g. what else ran)")
    args = ap.parse_args()
    files = select()
    if args.list:
        print("\n".join(str(p.relative_to(LAW)) for p in files))
        return
    home = args.home or Path(tempfile.mkdtemp(prefix="rag-kb-bench-"))
    home.mkdir(parents=True, exist_ok=True)
    figures = home / "build.json"
    if args.reuse and figures.exists():
        built = json.loads(figures.read_text("utf-8"))
    else:
        built = build(home, [*files, PLAN])
        figures.write_text(json.dumps(built, ensure_ascii=False, indent=2), "utf-8")
    print(json.dumps({k: v for k, v in built.items() if k != "command_output"}, ensure_ascii=False), flush=True)

    from rag.config import Settings
    from rag.pipeline import Pipeline

    os.environ.update({"RAG_HOME": str(home), "RAG_CACHE_DIR": str(CACHE)})
    pipe = Pipeline(Settings.from_env())
    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "nice": os.nice(0)},
        "selection": {
            "lawrefbook_documents": len(files),
            "plus": PLAN.name,
            "rule": "per top-level folder, a share of 200 by size (at least 1), evenly spaced in sorted order",
        },
        "build": built,
        "scoped": scoped(home, pipe),
        "named": named(pipe),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "notes": args.note,
    }
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(json.dumps({k: results[k] for k in ("scoped", "named")}, ensure_ascii=False)[:3000])


if __name__ == "__main__":
    main()
