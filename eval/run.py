"""`rag eval`: run a gold set through the same pipeline as `rag ask`, print metrics, write reports, gate."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eval import metrics
from eval.dataset import DatasetError, Item, Key, load
from eval.metrics import Outcome
from eval.report import table
from rag.errors import BadQuestion
from rag.resources import PROJECT_ROOT
from rag.types import Answer

DATASETS = PROJECT_ROOT / "eval" / "datasets"


def parse_thresholds(values: list[str], flag: str) -> dict[str, float]:
    out = {}
    for v in values:
        name, sep, num = v.partition("=")
        if not sep or name not in metrics.METRICS:
            raise DatasetError(f"{flag} {v!r}: expected METRIC=VALUE with METRIC one of {', '.join(metrics.METRICS)}")
        try:
            out[name] = float(num)
        except ValueError:
            raise DatasetError(f"{flag} {v!r}: {num!r} is not a number") from None
    return out


def outcome(answer: Answer) -> Outcome:
    retrieved: dict[Key, None] = {}
    for h in answer.contexts:
        retrieved.setdefault(h.chunk.loc, None)
    return Outcome(
        answer=answer.text,
        refused=answer.refused,
        cited=tuple(c.loc for c in answer.citations),
        retrieved=tuple(retrieved),
        sentences=tuple((s.text, tuple(c.loc for c in s.citations)) for s in answer.sentences),
        latency_ms=answer.timings_ms.get("total", 0.0),
        score=answer.score,
        flagged=bool(answer.uncovered or answer.unanswered),
    )


def run(items: list[Item], pipeline: Any) -> list[tuple[Item, Outcome, Answer | None]]:
    rows: list[tuple[Item, Outcome, Answer | None]] = []
    for item in items:
        try:
            answer = pipeline.ask(item.question)
        except BadQuestion as e:  # a dataset question the pipeline rejects counts as a refusal
            rows.append((item, Outcome(str(e), True, (), (), (), 0.0), None))
            continue
        rows.append((item, outcome(answer), answer))
    return rows


def splits(paths: list[Path]) -> dict[str, list[Path]]:
    """Datasets grouped by split: the folder name (dev, test), else the file's stem."""
    out: dict[str, list[Path]] = {}
    for p in paths:
        name = p.parent.name if p.parent.name in ("dev", "test") else p.stem
        out.setdefault(name, []).append(p)
    return out


def default_datasets(root: Path | None = None) -> list[Path]:
    root = root or DATASETS
    return sorted(root.glob("dev/*.jsonl")) + sorted(root.glob("test/*.jsonl"))


def score(rows: list[tuple[Item, Outcome, Answer | None]], section_text: Callable[[Key], str | None]) -> dict[str, Any]:
    pairs = [(i, o) for i, o, _ in rows]
    result: dict[str, Any] = metrics.compute(pairs, section_text)
    result["by_type"] = metrics.by_type(pairs, section_text)
    return result


def resolve_items(items: list[Item], pipeline: Any, where: Path) -> list[Item]:
    """Gold labels checked against the index: every named document must be there."""
    index = pipeline.index
    default_doc = index.document().doc_id
    citable = {s.loc for d in index.documents for s in d.sections}
    known = {d.doc_id for d in index.documents}
    out = [i.resolve(default_doc, citable) for i in items]
    by_doc: dict[str, list[Key]] = {}
    for c in citable:
        by_doc.setdefault(c.doc_id, []).append(c)
    for i in out:
        for k in i.gold + i.also_ok:
            if k.doc_id not in known:
                raise DatasetError(f"{where}: question {i.id} names document {k.doc_id!r}, which is not in the index")
            if k not in citable and not any(c.within(k) for c in by_doc[k.doc_id]):
                # A label no section matches could never be scored right: a typo, not a hard question.
                raise DatasetError(f"{where}: question {i.id} names section {k.label!r}, which {k.doc_id!r} lacks")
    return out


def main(args: argparse.Namespace, make_pipeline: Callable[[], Any]) -> int:
    chosen = [Path(p) for p in args.dataset]
    paths = chosen or default_datasets()
    if not paths:
        raise DatasetError(f"no datasets given and none found under {DATASETS}")
    loaded = {p: load(p) for p in paths}  # every file validated before any model loads
    minimums = parse_thresholds(args.min, "--min")
    maximums = parse_thresholds(args.max, "--max")
    pipeline = make_pipeline()
    if not chosen:
        # The default sets cover several documents; score those the index holds and say what was left out.
        known = {d.doc_id for d in pipeline.index.documents}
        for p in list(paths):
            missing = sorted({k.doc_id for i in loaded[p] for k in i.gold + i.also_ok if k.doc_id} - known)
            if missing:
                print(f"note: skipped {p}: needs document {', '.join(missing)} (add it with rag add)", file=sys.stderr)
                paths.remove(p)
        if not paths:
            raise DatasetError("none of the default datasets is about the documents in this index")
    sections = {s.loc: s.text for d in pipeline.index.documents for s in d.sections}
    all_rows: list[tuple[Item, Outcome, Answer | None]] = []
    result: dict[str, Any] = {"mode": getattr(pipeline.generator, "mode", "extractive"), "splits": {}}
    for name, group in splits(paths).items():
        rows = run([i for p in group for i in resolve_items(loaded[p], pipeline, p)], pipeline)
        all_rows += rows
        split = score(rows, sections.get)
        split["datasets"] = [str(p) for p in group]
        result["splits"][name] = split
        if not args.json:
            print(f"== {name} ({', '.join(str(p) for p in group)})\n{table(split)}\n")
        if args.report:
            from eval.report import write_report

            written = write_report(Path(args.report) / name, {**split, "mode": result["mode"]}, rows, sections.get)
            print(f"report written: {', '.join(str(p) for p in written)}", file=sys.stderr)
    combined = score(all_rows, sections.get)
    result.update({k: v for k, v in combined.items() if k != "by_type"})
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    failures = metrics.check_gate(combined, minimums, maximums)
    for f in failures:
        print(f"gate failed: {f}", file=sys.stderr)
    return 1 if failures else 0
