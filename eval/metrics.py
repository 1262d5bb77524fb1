"""Pure metrics over (gold item, outcome) pairs: retrieval, citations, refusals, grounding, latency."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from eval.dataset import Item, Key
from rag import grounding

# Where lower is better; --max applies to these.
LOWER_IS_BETTER = ("false_refusal_rate", "aurc", "latency_ms_p50", "latency_ms_p95")
METRICS = (
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr",
    "citation_accuracy",
    "citation_precision",
    "citation_recall",
    "refusal_recall",
    "false_refusal_rate",
    "grounded_sentence_rate",
    "must_include_rate",
    "partial_flag_rate",
    "answer_precision",
    "aurc",
    "latency_ms_p50",
    "latency_ms_p95",
    "n",
)


@dataclass(frozen=True)
class Outcome:
    """What the pipeline did with one question, reduced to what the metrics need."""

    answer: str
    refused: bool
    cited: tuple[Key, ...]  # primary first
    retrieved: tuple[Key, ...]  # sections of the context chunks, in rank order, unique
    sentences: tuple[tuple[str, tuple[Key, ...]], ...]  # answer sentences and the sections each cites
    latency_ms: float
    score: float = 0.0  # the policy's answerability score (0 for a refusal)
    flagged: bool = False  # the answer says what of the question the documents do not say (a partial answer)


@dataclass(frozen=True)
class Verdicts:
    """Per-question verdicts shown in the report."""

    rank: int | None  # rank of the first acceptable retrieved section
    primary_ok: bool | None
    refusal_ok: bool
    grounded: int
    sentences: int
    notes: tuple[str, ...]


def _mean(xs: Sequence[float]) -> float | None:
    return float(np.mean(xs)) if xs else None


def rank_of(item: Item, out: Outcome) -> int | None:
    for i, key in enumerate(out.retrieved, 1):
        if item.accepts(key):
            return i
    return None


def sentence_grounding(out: Outcome, section_text: Callable[[Key], str | None]) -> list[tuple[bool, str]]:
    """(supported, reason) for every answer sentence: cited, and supported by the cited sections' text."""
    verdicts = []
    for text, keys in out.sentences:
        if not keys:
            verdicts.append((False, "no citation"))
            continue
        texts = [section_text(k) for k in keys]
        if any(t is None for t in texts):
            verdicts.append((False, "cites a section the plan does not have"))
            continue
        v = grounding.check(text, "\n".join(t for t in texts if t))
        verdicts.append((v.supported, v.reason))
    return verdicts


def verdicts(item: Item, out: Outcome, section_text: Callable[[Key], str | None]) -> Verdicts:
    notes = []
    g = sentence_grounding(out, section_text)
    notes += [f"ungrounded: {reason}" for ok, reason in g if not ok]
    primary_ok = None
    if item.answerable:
        if out.refused:
            notes.append("refused an answerable question")
        primary_ok = bool(out.cited) and item.accepts(out.cited[0])
        if out.cited and not primary_ok:
            notes.append("primary citation not in gold")
    elif not out.refused:
        notes.append("answered an unanswerable question")
    return Verdicts(
        rank_of(item, out),
        primary_ok,
        out.refused != item.answerable,
        sum(ok for ok, _ in g),
        len(g),
        tuple(notes),
    )


def correct(item: Item, out: Outcome) -> bool:
    """An answer is right when the question is answerable and its primary citation is acceptable."""
    return item.answerable and not out.refused and bool(out.cited) and item.accepts(out.cited[0])


def risk_coverage(pairs: Sequence[tuple[Item, Outcome]]) -> list[tuple[float, float]]:
    """(coverage, risk) when answering only the questions scored highest, for every cut-off.

    Questions are ordered by the policy's score (refusals last); risk is the share of wrong answers
    (an answer to an unanswerable question, or a wrong primary citation) among those answered.
    """
    ranked = sorted(pairs, key=lambda p: -(p[1].score if not p[1].refused else -1.0))
    out, wrong = [], 0
    for k, (item, o) in enumerate(ranked, 1):
        wrong += not correct(item, o)
        out.append((k / len(ranked), wrong / k))
    return out


def aurc(pairs: Sequence[tuple[Item, Outcome]]) -> float | None:
    """Area under the risk-coverage curve: lower is better (0 = every answer above every mistake)."""
    curve = risk_coverage(pairs)
    return float(np.mean([r for _, r in curve])) if curve else None


def compute(
    pairs: Sequence[tuple[Item, Outcome]], section_text: Callable[[Key], str | None]
) -> dict[str, float | int | None]:
    """Every metric over the pairs (None where no question qualifies, e.g. refusal_recall without unanswerables)."""
    ans = [(i, o) for i, o in pairs if i.answerable]
    una = [(i, o) for i, o in pairs if not i.answerable]
    ranks = [rank_of(i, o) for i, o in ans]
    cited_ans = [(i, o) for i, o in ans if o.cited]
    grounded = [ok for _, o in pairs if not o.refused for ok, _ in sentence_grounding(o, section_text)]
    must = [m in o.answer for i, o in ans for m in i.must_include]
    # Answer precision at the operating point: answer sentences citing a gold section, over all answered.
    cited_sentences = [
        any(i.accepts(k) for k in keys) if i.answerable else False
        for i, o in pairs
        if not o.refused
        for _, keys in o.sentences
    ]
    lat = [o.latency_ms for _, o in pairs]
    return {
        "hit@1": _mean([r is not None and r <= 1 for r in ranks]),
        "hit@3": _mean([r is not None and r <= 3 for r in ranks]),
        "hit@5": _mean([r is not None and r <= 5 for r in ranks]),
        "mrr": _mean([1.0 / r if r else 0.0 for r in ranks]),
        "citation_accuracy": _mean([bool(o.cited) and i.accepts(o.cited[0]) for i, o in ans]),
        "citation_precision": _mean([sum(i.accepts(k) for k in o.cited) / len(o.cited) for i, o in cited_ans]),
        "citation_recall": _mean(
            [sum(i.covered_by(g, o.cited) for g in set(i.gold)) / len(set(i.gold)) for i, o in ans]
        ),
        "refusal_recall": _mean([o.refused for _, o in una]),
        "false_refusal_rate": _mean([o.refused for _, o in ans]),
        "grounded_sentence_rate": _mean(grounded),
        "must_include_rate": _mean(must),
        # A two-part question answered in part: the answer must say which part the documents leave open.
        "partial_flag_rate": _mean([o.flagged for i, o in ans if i.type == "partial" and not o.refused]),
        "answer_precision": _mean(cited_sentences),
        "aurc": aurc(pairs),
        "latency_ms_p50": float(np.percentile(lat, 50)) if lat else None,
        "latency_ms_p95": float(np.percentile(lat, 95)) if lat else None,
        "n": len(pairs),
    }


def by_type(
    pairs: Sequence[tuple[Item, Outcome]], section_text: Callable[[Key], str | None]
) -> dict[str, dict[str, float | int | None]]:
    types = sorted({i.type for i, _ in pairs})
    return {t: compute([(i, o) for i, o in pairs if i.type == t], section_text) for t in types}


def check_gate(
    metrics: dict[str, float | int | None], minimums: dict[str, float], maximums: dict[str, float]
) -> list[str]:
    """Messages for every threshold broken (an empty list means the gate passes)."""
    failures = []
    for name, bound in minimums.items():
        value = metrics.get(name)
        if value is None or value < bound:
            failures.append(f"{name} = {_fmt(value)} is below the minimum {bound}")
    for name, bound in maximums.items():
        value = metrics.get(name)
        if value is None or value > bound:
            failures.append(f"{name} = {_fmt(value)} is above the maximum {bound}")
    return failures


def _fmt(v: float | int | None) -> str:
    return "n/a" if v is None else f"{v:.4g}"
