"""Evaluation reports: report.md and report.html (one row per question) and PNG charts of metrics by type."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eval import metrics
from eval.dataset import Item, Key
from eval.metrics import Outcome
from rag.types import Answer

CHARTS = {
    "retrieval.png": ("hit@1", "hit@3", "mrr"),
    "answers.png": ("citation_accuracy", "citation_recall", "grounded_sentence_rate", "must_include_rate"),
    "refusals.png": ("refusal_recall", "false_refusal_rate"),
}


def _labels(keys: tuple[Key, ...] | list[Key]) -> str:
    many = len({k.doc_id for k in keys}) > 1
    return "、".join((f"{k.doc_id}:" if many else "") + k.label for k in keys) or "—"


def _rows(rows: list[tuple[Item, Outcome, Answer | None]], section_text: Callable[[Key], str | None]) -> list[dict]:
    out = []
    for item, o, _ in rows:
        v = metrics.verdicts(item, o, section_text)
        ok = v.refusal_ok and (v.primary_ok is not False) and v.grounded == v.sentences
        out.append(
            {
                "id": item.id,
                "type": item.type,
                "question": item.question,
                "gold": _labels(item.gold) if item.answerable else "(unanswerable)",
                "cited": "(refused)" if o.refused else _labels(o.cited),
                "retrieved": _labels(o.retrieved[:3]),
                "verdict": "✓" if ok else "✗ " + "; ".join(v.notes),
                "answer": o.answer,
                "ok": ok,
            }
        )
    return out


def _charts(directory: Path, result: dict[str, Any]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    types = list(result["by_type"])
    written = []
    for name, names in CHARTS.items():
        fig, ax = plt.subplots(figsize=(9, 3.6))
        width = 0.8 / len(names)
        for j, m in enumerate(names):
            vals = [result["by_type"][t][m] for t in types]
            xs = [i + j * width for i in range(len(types))]
            ax.bar(xs, [v if v is not None else 0 for v in vals], width, label=m)
        ax.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(types))], types, fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.legend(fontsize=7, loc="lower right")
        ax.set_title(name.removesuffix(".png") + " by question type")
        fig.tight_layout()
        fig.savefig(directory / name, dpi=100)
        plt.close(fig)
        written.append(directory / name)
    return written


def _risk_chart(directory: Path, rows: list[tuple[Item, Outcome, Answer | None]]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = metrics.risk_coverage([(i, o) for i, o, _ in rows])
    if not curve:
        return []
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot([c for c, _ in curve], [r for _, r in curve])
    answered = sum(not o.refused for _, o, _ in rows) / len(rows)
    ax.axvline(answered, linestyle="--", color="grey", label=f"operating point ({answered:.0%} answered)")
    ax.set_xlabel("coverage (share of questions answered)")
    ax.set_ylabel("risk (share of answers wrong)")
    ax.set_ylim(0, max(0.05, max(r for _, r in curve) * 1.1))
    ax.set_title(f"risk-coverage (AURC {metrics.aurc([(i, o) for i, o, _ in rows]):.3f})")
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = directory / "risk_coverage.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return [path]


def write_report(
    directory: Path,
    result: dict[str, Any],
    rows: list[tuple[Item, Outcome, Answer | None]],
    section_text: Callable[[Key], str | None],
) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    lines = _rows(rows, section_text)
    failed = [r for r in lines if not r["ok"]]
    charts = _charts(directory, result) + _risk_chart(directory, rows)

    md = ["# rag eval report", "", f"mode: {result.get('mode')}", "", "```", table(result), "```", ""]
    md += [f"![{c.stem}]({c.name})" for c in charts]
    md += ["", f"## Questions ({len(failed)} with a problem)", ""]
    md += ["| id | type | question | gold | cited | retrieved (top 3) | verdict | answer |", "|---" * 8 + "|"]
    for r in lines:
        cells = [r[k] for k in ("id", "type", "question", "gold", "cited", "retrieved", "verdict", "answer")]
        md.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    (directory / "report.md").write_text("\n".join(md) + "\n", "utf-8")

    esc = html.escape
    body = [
        "<!doctype html><meta charset='utf-8'><title>rag eval report</title>",
        "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:4px;vertical-align:top;"
        "font-size:13px}table{border-collapse:collapse}.bad{background:#fff0f0}pre{background:#f6f6f6;padding:1em}</style>",
        "<h1>rag eval report</h1>",
        f"<pre>{esc(table(result))}</pre>",
        *[f"<img src='{esc(c.name)}' alt='{esc(c.stem)}'>" for c in charts],
        f"<h2>Questions ({len(failed)} with a problem)</h2><table><tr>",
        *[f"<th>{h}</th>" for h in ("id", "type", "question", "gold", "cited", "retrieved", "verdict", "answer")],
        "</tr>",
    ]
    for r in lines:
        cls = "" if r["ok"] else " class='bad'"
        cells = [r[k] for k in ("id", "type", "question", "gold", "cited", "retrieved", "verdict", "answer")]
        body.append(f"<tr{cls}>" + "".join(f"<td>{esc(str(c))}</td>" for c in cells) + "</tr>")
    body.append("</table>")
    (directory / "report.html").write_text("\n".join(body), "utf-8")
    return [directory / "report.md", directory / "report.html", *charts]


def table(result: dict[str, Any]) -> str:
    """Metrics as a fixed-width table: all questions, then each question type."""
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
