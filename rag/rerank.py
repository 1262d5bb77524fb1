"""Pure: the top sections re-ordered by how much of the question one of their sentences holds.

Fusion ranks passages: a passage's vector averages its sentences, and BM25 counts the question's words wherever
they fall in it. A section with one sentence that holds the question's words together (以现代服务业为主体、新型工业为
支撑 for 产业体系以什么为主体、以什么为支撑) answers it better than a section that only shares a word or two with
it (企业创新主体). The fused score keeps the lead. The sentence's share of the question's weighted words adds a
bonus that can only reorder sections already close in score. An English question's words, in the documents' own
Chinese, do the same for the headings that hold them (by_heading_terms).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rag.types import Locator

TOP = 3  # only the sections an answer quotes from are re-ordered; the rest keep their fused order


def held(terms: Sequence[str], weight: Callable[[str], float], sentences: Sequence[str]) -> float:
    """The largest share of the terms' weight that one sentence holds (0 with no terms or no sentences).

    The sentences must already be lower-cased, as the terms are."""
    total = sum(weight(t) for t in terms)
    if not total:
        return 0.0
    return max((sum(weight(t) for t in terms if t in s) / total for s in sentences), default=0.0)


def by_sentence_coverage(
    sections: list[tuple[Locator, float]],
    terms: Sequence[str],
    weight: Callable[[str], float],
    sentences_of: Callable[[Locator], Sequence[str]],
    bonus: float,
) -> list[tuple[Locator, float]]:
    """The sections with the top TOP re-ordered by score + bonus × held(...). Scores follow positions, so the
    best score (the evidence strength the policy reads) is unchanged. Returns `sections` itself when nothing
    moves."""
    head = sections[:TOP]
    # Words held together are the point: one word (时期) is held by many sentences and says nothing of fit.
    if bonus <= 0 or len(head) < 2 or len(set(terms)) < 2:
        return sections
    gain = [score + bonus * held(terms, weight, sentences_of(loc)) for loc, score in head]
    order = sorted(range(len(head)), key=lambda i: -gain[i])
    if order == list(range(len(head))):
        return sections
    scores = [s for _, s in head]
    return [(head[i][0], scores[pos]) for pos, i in enumerate(order)] + sections[TOP:]


def by_heading_terms(
    sections: list[tuple[Locator, float]],
    terms: Sequence[str],
    heading: Callable[[Locator], str],
    bonus: float,
    top: int = 5,
) -> list[tuple[Locator, float]]:
    """The first `top` sections re-ordered by score + bonus × (how many of the terms their heading holds).

    For an English question: its words meet Chinese text only through the multilingual embedding, whose
    similarities are flat (rag.glossary), and through the documents' own words for them. A heading holding
    those words (培育发展新技术产业 for "new-technology industry") says what its section is about. Scores follow
    positions, as in by_sentence_coverage; returns `sections` itself when nothing moves."""
    head = sections[:top]
    if bonus <= 0 or len(head) < 2 or not terms:
        return sections
    gain = [score + bonus * sum(t in heading(loc) for t in terms) for loc, score in head]
    order = sorted(range(len(head)), key=lambda i: -gain[i])
    if order == list(range(len(head))):
        return sections
    scores = [s for _, s in head]
    return [(head[i][0], scores[pos]) for pos, i in enumerate(order)] + sections[top:]
