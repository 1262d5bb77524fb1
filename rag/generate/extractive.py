"""Extractive answers: the plan's own sentences, chosen by dense and lexical scores, cited, within a budget.

Sentences are scored by cosine with the question plus an IDF-weighted word overlap, the answer opens
with the best sentence of the top-ranked section, and more are added by maximal marginal relevance
while they stay close to the best. Very long sentences are cut to their best clauses (…… marks a cut).
Every number here is a Settings field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import pairwise

import numpy as np

from rag import focus, grounding, questions, tables, tokens
from rag.config import Settings
from rag.generate.base import Draft
from rag.metadata import is_label, metadata_sentences, title_sentences
from rag.retrieval import Retrieval
from rag.store import Index
from rag.types import AnswerSentence, Chunk, Citation, Locator, Sentence

_CLAUSE_END = re.compile(r"[，,：:]")
_SLACK = 10  # characters past the cut that a sentence's token cost is measured on
_LEAD_IN = ("：", ":")


_FULL_STOP = ("。", "！", "？", "!", "?", ".")
_TOPIC_MAX_CHARS = 16  # a paragraph's opening sentence this short names its topic (推进XX。), it does not spell it out


def continues(sentence: str, opens_paragraph: bool, verb_first: bool = False) -> str | None:
    """How a sentence leaves its thought unfinished, so that an answer quoting it must quote what follows:
    "lead-in" (it ends with a colon), "enumeration" (a colon opens a list it cuts at a semicolon), "topic" (the
    plan's run-in topic line: a short subjectless clause opening a paragraph, 推进XX。, `verb_first`), or None.
    A short statement with a subject (公共收益归全体业主所有。) is a whole thought: nothing follows it along."""
    text = sentence.rstrip()
    if text.endswith(_LEAD_IN):
        return "lead-in"
    if text.endswith(("；", ";")) and any(c in text for c in _LEAD_IN):
        return "enumeration"
    short = len(text) <= _TOPIC_MAX_CHARS and not any(c in text for c in "，,；;")
    if opens_paragraph and verb_first and short and text.endswith("。"):
        return "topic"
    return None


def excerpt(sentence: str, query_units: set[str], max_chars: int = 150) -> str:
    """A long sentence shortened to its clauses that best match the question (verbatim, …… marks the cut)."""
    if len(sentence) <= max_chars:
        return sentence
    cuts = [0] + [m.end() for m in _CLAUSE_END.finditer(sentence)] + [len(sentence)]
    clauses = [sentence[a:b] for a, b in pairwise(cuts) if b > a]
    # Among windows matching as many question units, the longest that fits: a lone clause such as
    # "“十四五”时期" matches as much as the clause it introduces, but says nothing on its own. When
    # nothing matches, the sentence's opening (scanned first, kept on ties).
    best, best_key = (0, 1), (-1, 0)
    for i in range(len(clauses)):
        length = 0
        for j in range(i, len(clauses)):
            length += len(clauses[j])
            if length > max_chars and j > i:
                break
            score = len(grounding.units("".join(clauses[i : j + 1])) & query_units)
            key = (score, length if score or i == 0 else 0)
            if key > best_key:
                best, best_key = (i, j + 1), key
    i, j = best
    text = "".join(clauses[i:j]).rstrip("，,：:")
    return ("……" if i > 0 else "") + text + ("……" if j < len(clauses) else "")


def value_test(question: str) -> Callable[[str], bool] | None:
    """What a sentence must hold to give the value a question asks for: a figure (多少, 几个), or an
    expression of the answer type (a date, a place, a body); None when the question asks for no value."""
    if questions.needs_number(question):
        asked = set(grounding.figures(question))
        return lambda text: any(f not in asked for f in grounding.figures(text))
    kind = focus.wants(question)
    return None if kind is None else (lambda text: focus.holds(kind, text))


class Extractive:
    """Sentence selection scored by the dense and lexical signals, MMR against repeats, a token budget."""

    mode = "extractive"

    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self.chunks: dict[str, Chunk] = {c.id: c for c in index.chunks}
        self.by_section: dict[Locator, list[Sentence]] = index.section_sentences
        # Sentences are tokenised when they first become candidates, not all at load: a knowledge base of
        # thousands of documents holds hundreds of thousands of sentences.
        self._tokenize = index.sparse.tokenizer
        self._tag = index.sparse.tokenizer.tag
        self._terms: dict[int, frozenset[str]] = {}
        self._labels: dict[int, bool] = {}
        self._metadata = metadata_sentences(index)
        self._titles = title_sentences(index)
        self._tense = np.array([focus.sentence_tense(s.text) for s in index.sentences], np.int8)

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Draft]:
        """Extractive answers are ready at once: the Draft is the only item."""
        yield self.generate(question, retrieval)

    def generate(self, question: str, retrieval: Retrieval) -> Draft:
        """Cited sentences from the top three sections (none when they hold no sentence)."""
        cfg = self.settings
        ranked = retrieval.sections[:3]
        # The covering notice and title lines answer questions about the document, never topical ones.
        meta_ok = retrieval.about_document
        # A label (主城区。, 同志们！, a title's line) says nothing, unless the name is what is asked.
        labels_ok = focus.wants(question) == "name"
        candidates = [
            s
            for loc, _ in ranked
            for s in self.by_section.get(loc, [])
            if (meta_ok or s.index not in self._metadata) and (labels_ok or not self._is_label(s))
        ]
        if not candidates:
            return Draft(())
        vecs = self.index.sentence_vectors[[s.index for s in candidates]]
        sem = vecs @ retrieval.query_vector
        # Word overlap is counted on what retrieval read: the governing place (rag.scope) matches everything.
        weights = self._weights(retrieval.question)
        lex = self._lexical(weights, candidates)
        rank_of = {loc: r for r, (loc, _) in enumerate(ranked)}
        prior = np.array(
            [cfg.section_prior * (2 - rank_of[self.chunks[s.chunk_id].loc]) for s in candidates], np.float32
        )
        # A question about what the plan will do prefers the plan's measures over its review of the past.
        asked = focus.tense(question)
        agree = self._tense[[s.index for s in candidates]] * asked
        score = sem + cfg.lexical_weight * lex + prior + cfg.tense_weight * np.sign(agree).astype(np.float32)
        # A question asking for a value (多少, 什么时候, 在哪) is answered by a sentence holding one, not by the
        # sentence most like it in wording ("answer the question, not the topic").
        holds = value_test(question)
        if holds is not None:
            score += cfg.value_weight * np.array([holds(self._reading(s)) for s in candidates], np.float32)
        if focus.asks_commencement(question):
            # "When does it take effect" is answered by the sentence saying so, whatever else shares its words.
            score += np.array([focus.states_commencement(s.text) for s in candidates], np.float32)
        picked = self._mmr(candidates, vecs, score)
        if holds is not None:
            picked = self._with_value(candidates, picked, score, holds)
        picked = self._with_headers(candidates, picked)
        return Draft(tuple(self._compose(candidates, picked, grounding.units(retrieval.question), rank_of)))

    def _is_label(self, s: Sentence) -> bool:
        """rag.metadata.is_label, read once per sentence (when it first becomes a candidate)."""
        found = self._labels.get(s.index)
        if found is None:
            found = self._labels[s.index] = is_label(s.text, self._tag)
        return found

    def _weights(self, question: str) -> dict[str, float]:
        """IDF over chunks (BM25's own counts) of the question's words (digits and 三/3 variants both tried)."""
        terms = set(self._tokenize(question)) | set(self._tokenize(questions.digit_variant(question)))
        sparse = self.index.sparse
        n = sparse.num_docs
        return {t: float(np.log(1 + n / df)) for t in terms if (df := sparse.doc_freq(t)) > 0}

    def _sentence_terms(self, s: Sentence) -> frozenset[str]:
        terms = self._terms.get(s.index)
        if terms is None:
            terms = self._terms[s.index] = frozenset(self._tokenize(s.text))
        return terms

    def _lexical(self, weights: dict[str, float], candidates: list[Sentence]) -> np.ndarray:
        """IDF-weighted share of the question's words in each sentence."""
        total = sum(weights.values())
        if not total:
            return np.zeros(len(candidates), np.float32)
        return np.array(
            [sum(w for t, w in weights.items() if t in self._sentence_terms(s)) / total for s in candidates],
            np.float32,
        )

    def _cost(self, sentence: Sentence) -> int:
        return tokens.count(sentence.text[: self.settings.max_sentence_chars + _SLACK])

    def _mmr(self, candidates: list[Sentence], vecs: np.ndarray, score: np.ndarray) -> list[int]:
        """Maximal marginal relevance within the sentence and token budgets; at least one sentence."""
        cfg, lam = self.settings, self.settings.mmr_lambda
        # Retrieval ranks sections better than sentence scores do (see README), so the answer opens
        # with the best sentence of the top-ranked section, which also makes it the primary citation.
        first = self.chunks[candidates[0].chunk_id].loc  # candidates come in section rank order
        in_first = [self.chunks[s.chunk_id].loc == first for s in candidates]
        picked: list[int] = [max((i for i, f in enumerate(in_first) if f), key=lambda i: float(score[i]))]
        budget = cfg.answer_tokens - self._cost(candidates[picked[0]])
        # Sentences far below the best one would only pad the answer; the top section's own sentences
        # get more room (they hold the details), other sections less (they drift off topic).
        best = float(score.max())
        floor = np.where(in_first, best - cfg.same_section_room, best - cfg.other_section_room)
        while len(picked) < cfg.answer_sentences:
            choice, choice_val = -1, -1e9
            for i in range(len(candidates)):
                if i in picked or score[i] < floor[i]:
                    continue
                redundancy = max((float(vecs[i] @ vecs[j]) for j in picked), default=0.0)
                val = lam * float(score[i]) - (1 - lam) * redundancy
                if val > choice_val:
                    choice, choice_val = i, val
            if choice < 0:
                break
            cost = self._cost(candidates[choice])
            if cost > budget:
                break
            budget -= cost
            picked.append(choice)
        return self._with_items(candidates, picked, budget)

    def _reading(self, s: Sentence) -> str:
        """A sentence as the value checks read it: a table row with its header (rag.tables), else as written."""
        if not tables.cells(s.text):
            return s.text
        return tables.reading(self.index.section_text(self.chunks[s.chunk_id].loc), s.text) or s.text

    def _with_headers(self, candidates: list[Sentence], picked: list[int]) -> list[int]:
        """A picked table row brings its table's header row (what its columns are), within the token budget:
        "常住人口城镇化率（%）  62  66" says nothing without "指标  2020年  2025年"."""
        out = list(picked)
        spent = sum(self._cost(candidates[i]) for i in out)
        for p in picked:
            if not tables.cells(candidates[p].text):
                continue  # not a table row (most sentences): no section text to fetch
            loc = self.chunks[candidates[p].chunk_id].loc
            head = tables.header_line(self.index.section_text(loc), candidates[p].text)
            if head is None:
                continue
            found = [
                i for i, c in enumerate(candidates) if c.text.strip() == head and self.chunks[c.chunk_id].loc == loc
            ]
            if not found or found[0] in out:
                continue
            cost = self._cost(candidates[found[0]])
            if spent + cost <= self.settings.answer_tokens:
                out.append(found[0])
                spent += cost
        return out

    def _with_value(
        self, candidates: list[Sentence], picked: list[int], score: np.ndarray, holds: Callable[[str], bool]
    ) -> list[int]:
        """When no picked sentence holds the value asked for, the top section's best sentence that does joins
        them (the date line under a notice's title answers "when was it issued"; a title line is a name, not
        a value), within the token budget."""
        if any(holds(self._reading(candidates[i])) for i in picked):
            return picked
        first = self.chunks[candidates[0].chunk_id].loc
        holding = [
            i
            for i, c in enumerate(candidates)
            if self.chunks[c.chunk_id].loc == first and c.index not in self._titles and holds(self._reading(c))
        ]
        if not holding:
            return picked
        best = max(holding, key=lambda i: float(score[i]))
        spent = sum(self._cost(candidates[i]) for i in picked)
        if spent + self._cost(candidates[best]) > self.settings.answer_tokens:
            return picked
        return [*picked, best]

    def _with_items(self, candidates: list[Sentence], picked: list[int], budget: int) -> list[int]:
        """A picked sentence that does not finish its thought brings the sentences that do, in its section,
        while the token budget lasts (rag.generate.extractive.continues says which and how far):
        a lead-in ending with a colon (禁止在下列场所吸烟：) its items; an enumeration opened by a colon
        and cut at a semicolon (分两步走：从二〇二〇年到二〇三五年…；) its remaining items up to the full
        stop; a paragraph's short topic sentence (绘就“三核八点”整体布局。) the sentence that spells it out.
        A colon lead-in none of whose items fits goes."""
        out = list(picked)
        for p in picked:
            head = candidates[p]
            rule = continues(head.text, self._opens_paragraph(head), self._verb_first(head.text))
            if rule is None:
                continue
            added, i = 0, p + 1
            while i < len(candidates) and candidates[i].index == candidates[i - 1].index + 1:
                if self.chunks[candidates[i].chunk_id].loc != self.chunks[head.chunk_id].loc:
                    break
                if rule == "topic" and not self._same_paragraph(candidates[i - 1], candidates[i]):
                    break
                if i not in out:
                    cost = self._cost(candidates[i])
                    if cost > budget:
                        break
                    budget -= cost
                    out.append(i)
                added, i = added + 1, i + 1
                if rule == "topic" or (rule == "enumeration" and candidates[i - 1].text.rstrip().endswith(_FULL_STOP)):
                    break
            if rule == "lead-in" and not added and len(out) > 1:
                out.remove(p)
        return out

    def _verb_first(self, text: str) -> bool:
        """Is one of the first two words a verb (jieba's tags): a clause without a subject?"""
        return any(tag in ("v", "vn") for _, tag in list(self._tag(text[:12]))[:2])

    def _source(self, s: Sentence) -> str:
        return self.index.sources.get(self.chunks[s.chunk_id].doc_id, "")

    def _opens_paragraph(self, s: Sentence) -> bool:
        """Does the sentence begin a paragraph (only spaces since the last line break)?"""
        text = self._source(s)
        before = text[max(0, s.start - 8) : s.start] if text else "\n"
        return "\n" in before and not before.rsplit("\n", 1)[-1].strip()

    def _same_paragraph(self, a: Sentence, b: Sentence) -> bool:
        text = self._source(a)
        return bool(text) and "\n" not in text[a.end : b.start]

    def _compose(
        self, candidates: list[Sentence], picked: list[int], q_units: set[str], rank_of: dict[Locator, int]
    ) -> list[AnswerSentence]:
        """Group the picked sentences by section in retrieval order, document order inside a section."""
        order: dict[Locator, list[Sentence]] = {}
        for i in sorted(picked, key=lambda i: rank_of[self.chunks[candidates[i].chunk_id].loc]):
            s = candidates[i]
            order.setdefault(self.chunks[s.chunk_id].loc, []).append(s)
        out = []
        for sents in order.values():
            for s in sorted(sents, key=lambda s: s.index):
                text = excerpt(s.text.rstrip("；;，,"), q_units, self.settings.max_sentence_chars)
                # A table row is quoted as its line (cells and all): no full stop is added to it.
                if not tables.cells(text) and not text.endswith(("。", "！", "？", "……", "!", "?", *_LEAD_IN)):
                    text += "。"
                out.append(AnswerSentence(text, (Citation.of(self.chunks[s.chunk_id], s.text),)))
        return out
