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
from rag.errors import BadQuestion
from rag.types import Answer


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
        retrieved.setdefault(h.chunk.key, None)
    return Outcome(
        answer=answer.text,
        refused=answer.refused,
        cited=tuple((c.part, c.chapter) for c in answer.citations),
        retrieved=tuple(retrieved),
        sentences=tuple((s.text, tuple((c.part, c.chapter) for c in s.citations)) for s in answer.sentences),
        latency_ms=answer.timings_ms.get("total", 0.0),
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


def table(result: dict[str, Any]) -> str:
    names = [m for m in metrics.METRICS if m != "n"]
    types = list(result["by_type"])
    lines = [f"{'metric':<24}{'all':>8}" + "".join(f"{t[:11]:>12}" for t in types)]
    for m in [*names, "n"]:
        cells = [result[m]] + [result["by_type"][t][m] for t in types]
        lines.append(f"{m:<24}" + "".join(f"{_cell(v):>{8 if i == 0 else 12}}" for i, v in enumerate(cells)))
    return "\n".join(lines)


def _cell(v: float | int | None) -> str:
    if v is None:
        return "-"
    if isinstance(v, int):
        return str(v)
    return f"{v:.1f}" if v > 1.5 else f"{v:.3f}"


def main(args: argparse.Namespace, make_pipeline: Callable[[], Any]) -> int:
    items = load(Path(args.dataset))
    minimums = parse_thresholds(args.min, "--min")
    maximums = parse_thresholds(args.max, "--max")
    pipeline = make_pipeline()
    sections = {s.key: s.text for d in pipeline.index.documents for s in d.sections}
    rows = run(items, pipeline)
    pairs = [(i, o) for i, o, _ in rows]
    result: dict[str, Any] = metrics.compute(pairs, sections.get)
    result["by_type"] = metrics.by_type(pairs, sections.get)
    result["mode"] = getattr(pipeline.generator, "mode", "extractive")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(table(result))
    if args.report:
        from eval.report import write_report

        written = write_report(Path(args.report), result, rows, sections.get)
        print(f"report written: {', '.join(str(p) for p in written)}", file=sys.stderr)
    failures = metrics.check_gate(result, minimums, maximums)
    for f in failures:
        print(f"gate failed: {f}", file=sys.stderr)
    return 1 if failures else 0
