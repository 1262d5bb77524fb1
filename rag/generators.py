"""Answer generators. Extractive (default, offline): pick the plan's own sentences, each cited; or refuse.

A generator gets the question and the Retrieval and returns a Draft: sentences with their citations,
or a refusal with the reason and the nearest sections. It never writes a word the plan does not have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Protocol

import numpy as np

from rag import grounding, prompts, questions, tokens
from rag.cite import tag
from rag.config import Settings
from rag.retriever import Retrieval
from rag.store import Index
from rag.types import AnswerSentence, Chunk, Citation, SectionKey, Sentence, label_for

_CLAUSE_END = re.compile(r"[，,：:]")
_MAX_SENTENCE_CHARS = 150
_SAME_SECTION_ROOM, _OTHER_ROOM = 0.06, 0.03  # score margins below the best sentence (eval-tuned)


@dataclass
class Draft:
    """A generator's output before the pipeline wraps it into an Answer."""

    sentences: list[AnswerSentence]
    refused: bool = False
    reason: str = ""
    nearest: list[SectionKey] = field(default_factory=list)
    mode: str = "extractive"
    notice: str | None = None


class Generator(Protocol):
    def generate(self, question: str, retrieval: Retrieval) -> Draft: ...


def section_titles(index: Index) -> dict[SectionKey, str]:
    return {s.key: s.title for d in index.documents for s in d.sections}


def refusal_text(draft: Draft, titles: dict[SectionKey, str]) -> str:
    """The fixed refusal sentence, the reason if one is known, and the nearest sections to read."""
    parts = [prompts.refusal()]
    if draft.reason:
        parts.append(draft.reason)
    if draft.nearest:
        listing = "；".join(f"{label_for(*k)} {titles.get(k, '')}".strip() for k in draft.nearest)
        parts.append(f"{prompts.load('nearest.txt')}{listing}。")
    return "".join(parts)


def answer_text(sentences: list[AnswerSentence]) -> str:
    return "".join(s.text + "".join(dict.fromkeys(tag(c.part, c.chapter) for c in s.citations)) for s in sentences)


def lacks_figure(question: str, texts: list[str]) -> bool:
    """A 多少/几 question whose best evidence holds no figure the question did not already state."""
    if not questions.needs_number(question):
        return False
    asked = set(grounding.figures(question))
    return not any(f not in asked for t in texts for f in grounding.figures(t))


def excerpt(sentence: str, query_units: set[str], max_chars: int = _MAX_SENTENCE_CHARS) -> str:
    """A long sentence shortened to its clauses that best match the question (verbatim, …… marks the cut)."""
    if len(sentence) <= max_chars:
        return sentence
    cuts = [0] + [m.end() for m in _CLAUSE_END.finditer(sentence)] + [len(sentence)]
    clauses = [sentence[a:b] for a, b in pairwise(cuts) if b > a]
    best, best_score = (0, 1), -1.0
    for i in range(len(clauses)):
        length = 0
        for j in range(i, len(clauses)):
            length += len(clauses[j])
            if length > max_chars and j > i:
                break
            score = len(grounding.units("".join(clauses[i : j + 1])) & query_units)
            if score > best_score:
                best, best_score = (i, j + 1), score
    i, j = best
    text = "".join(clauses[i:j]).rstrip("，,：:")
    return ("……" if i > 0 else "") + text + ("……" if j < len(clauses) else "")


class Extractive:
    """Sentence selection scored by the dense and lexical signals, MMR against repeats, a token budget."""

    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self.chunks: dict[str, Chunk] = {c.id: c for c in index.chunks}
        self.by_section: dict[SectionKey, list[Sentence]] = {}
        for s in index.sentences:
            self.by_section.setdefault(self.chunks[s.chunk_id].key, []).append(s)
        self.corpus_text = "\n".join(index.sources.values())
        # Sentence-level document frequencies: a query word found in few sentences says more.
        tokenize = index.sparse.tokenizer
        self._sentence_terms = [set(tokenize(s.text)) for s in index.sentences]
        self._df: dict[str, int] = {}
        for terms in self._sentence_terms:
            for t in terms:
                self._df[t] = self._df.get(t, 0) + 1
        self.titles = section_titles(index)

    def refuse(self, retrieval: Retrieval, reason: str = "") -> Draft:
        nearest = [k for k, _ in retrieval.sections[:3]]
        return Draft([], refused=True, reason=reason, nearest=nearest)

    def precheck(self, question: str, retrieval: Retrieval) -> Draft | None:
        """Refusals decided from the question and the retrieval scores alone (shared with the LLM generator).

        The evidence measure is the top chunk's fused score, a z-score: how far the best passage
        stands out from the rest of the plan. Questions that try to steer the bot must clear a
        higher bar. Thresholds were set on eval/datasets/erdao.jsonl (see README, Evaluation).
        """
        if not question:  # nothing but instructions to the bot
            return self.refuse(retrieval)
        places = questions.foreign_places(self.index.sparse.tokenizer.segment(question), self.corpus_text)
        if places:
            return self.refuse(retrieval, prompts.load("reason_place.txt").format(places="、".join(places)))
        if questions.asks_personal_service(question):
            return self.refuse(retrieval, prompts.load("reason_personal.txt"))
        if questions.off_topic(question):
            return self.refuse(retrieval)
        top = retrieval.hits[0].score if retrieval.hits else 0.0
        bar = self.settings.min_evidence + (1.6 if retrieval.steered else 0.0)
        if top < bar:
            return self.refuse(retrieval)
        return None

    def generate(self, question: str, retrieval: Retrieval) -> Draft:
        refusal = self.precheck(question, retrieval)
        if refusal is not None:
            return refusal
        ranked = retrieval.sections[:3]
        candidates = [s for key, _ in ranked for s in self.by_section.get(key, [])]
        if not candidates:
            return self.refuse(retrieval)
        vecs = self.index.sentence_vectors[[s.index for s in candidates]]
        sem = vecs @ retrieval.query_vector
        q_units = grounding.units(question)
        lex = self._lexical(question, candidates)
        rank_of = {key: r for r, (key, _) in enumerate(ranked)}
        prior = np.array([0.02 * (2 - rank_of[self.chunks[s.chunk_id].key]) for s in candidates], np.float32)
        score = sem + 0.15 * lex + prior
        picked = self._mmr(candidates, vecs, score)
        if lacks_figure(question, [candidates[i].text for i in picked[:2]]):
            return self.refuse(retrieval, prompts.load("reason_number.txt"))
        return Draft(self._compose(candidates, picked, q_units, rank_of))

    def _lexical(self, question: str, candidates: list[Sentence]) -> np.ndarray:
        """IDF-weighted share of the question's words in each sentence (digits and 三/3 variants both tried)."""
        tokenize = self.index.sparse.tokenizer
        terms = set(tokenize(question)) | set(tokenize(questions.digit_variant(question)))
        n = len(self._sentence_terms)
        weights = {t: float(np.log(1 + n / self._df[t])) for t in terms if t in self._df}
        total = sum(weights.values())
        if not total:
            return np.zeros(len(candidates), np.float32)
        return np.array(
            [sum(w for t, w in weights.items() if t in self._sentence_terms[s.index]) / total for s in candidates],
            np.float32,
        )

    def _mmr(self, candidates: list[Sentence], vecs: np.ndarray, score: np.ndarray, lam: float = 0.75) -> list[int]:
        """Maximal marginal relevance within the sentence and token budgets; at least one sentence."""
        # Retrieval ranks sections better than sentence scores do (see README), so the answer opens
        # with the best sentence of the top-ranked section, which also makes it the primary citation.
        first = self.chunks[candidates[0].chunk_id].key  # candidates come in section rank order
        top = [i for i, s in enumerate(candidates) if self.chunks[s.chunk_id].key == first]
        picked: list[int] = [max(top, key=lambda i: float(score[i]))]
        budget = self.settings.answer_tokens - tokens.count(candidates[picked[0]].text[: _MAX_SENTENCE_CHARS + 10])
        # Sentences far below the best one would only pad the answer; the top section's own sentences
        # get more room (they hold the details), other sections less (they drift off topic).
        best = float(score.max())
        floor = np.where(
            [self.chunks[s.chunk_id].key == first for s in candidates], best - _SAME_SECTION_ROOM, best - _OTHER_ROOM
        )
        while len(picked) < self.settings.answer_sentences:
            best, best_val = -1, -1e9
            for i in range(len(candidates)):
                if i in picked or score[i] < floor[i]:
                    continue
                redundancy = max((float(vecs[i] @ vecs[j]) for j in picked), default=0.0)
                val = lam * float(score[i]) - (1 - lam) * redundancy
                if val > best_val:
                    best, best_val = i, val
            if best < 0:
                break
            cost = tokens.count(candidates[best].text[: _MAX_SENTENCE_CHARS + 10])
            if picked and cost > budget:
                break
            budget -= cost
            picked.append(best)
        return picked

    def _compose(
        self, candidates: list[Sentence], picked: list[int], q_units: set[str], rank_of: dict[SectionKey, int]
    ) -> list[AnswerSentence]:
        """Group the picked sentences by section in retrieval order, document order inside a section."""
        order: dict[SectionKey, list[Sentence]] = {}
        for i in sorted(picked, key=lambda i: rank_of[self.chunks[candidates[i].chunk_id].key]):
            s = candidates[i]
            order.setdefault(self.chunks[s.chunk_id].key, []).append(s)
        out = []
        for sents in order.values():
            for s in sorted(sents, key=lambda s: s.index):
                c = self.chunks[s.chunk_id]
                text = excerpt(s.text.rstrip("；;，,"), q_units)
                if not text.endswith(("。", "！", "？", "……", "!", "?")):
                    text += "。"
                citation = Citation(c.part, c.chapter, c.title, s.text, c.id)
                out.append(AnswerSentence(text, (citation,)))
        return out
