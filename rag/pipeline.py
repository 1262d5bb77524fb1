"""Wiring only: question -> retrieve -> policy -> generate -> policy -> Answer. Every front end calls this.

One chain serves both `ask` and `stream`: `stream` yields preview text pieces (from an LLM) and then
the final Answer; `ask` is the same chain with the pieces dropped.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from rag import asks, duties, focus, glossary, grounding, named, prompts, questions, rerank, scope, tables, vocab
from rag.cite import answer_text, refusal_text, unique
from rag.config import Settings
from rag.embed import Embedder, load_embedder, model_name
from rag.embedders.query_cache import QueryCache
from rag.errors import BadQuestion
from rag.generate import Draft, Generator, create
from rag.metadata import metadata_only_sections
from rag.policy import Policy, Verdict
from rag.retrieval import Retrieval
from rag.retriever import Retriever, group_by_section
from rag.store import Index, load_index
from rag.types import Answer, Citation, Locator


@dataclass(frozen=True)
class Request:
    """A validated question and what retrieval should read."""

    question: str  # as asked (normalised)
    query: str  # instructions to the bot stripped, a follow-up joined with its context
    topic: str  # the query without the place every document in scope governs: what retrieval reads
    top_k: int | None
    steered: bool  # the question carried instructions to the bot
    doc_ids: tuple[str, ...] | None
    about_document: bool = False  # about a document here itself (who issued it, when), not a topic


_BOTH_WAYS = re.compile(r"(\w+)[不没]\1")  # 算不算, 去没去: a yes-or-no question asked both ways


class Pipeline:
    """Loads the index and models once; answers any number of questions."""

    def __init__(
        self,
        settings: Settings,
        index: Index | None = None,
        embedder: Embedder | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.settings = settings
        self.index = index or load_index(
            settings.index_path, expected_model=model_name(settings), cache_dir=settings.cache_path
        )
        # The policy embeds a question's terms one by one, for every text it checks them against: a term's
        # vector is computed once (rag.embedders.query_cache), in every front end, not only the server.
        self.embedder = embedder or QueryCache(load_embedder(settings))
        self.retriever = Retriever(self.index, self.embedder, settings)
        self.policy = Policy(
            settings,
            "\n".join(self.index.sources.values()),
            self.index.sparse.tokenizer.segment,
            doc_freq=self.index.sparse.doc_freq,
            num_docs=self.index.sparse.num_docs,
            similar=self._similar,
            tag=self.index.sparse.tokenizer.tag,
            general_freq=self.index.sparse.tokenizer.general_freq,
        )
        self.generator: Generator = generator or create(settings, self.index)
        # Only the embedding call is serialised, and only when the embedder is not reentrant.
        reentrant = getattr(self.embedder, "reentrant", False)
        self._embed_lock: AbstractContextManager[object] = nullcontext() if reentrant else threading.Lock()

    def _similar(self, term: str, evidence: str) -> float:
        """How far the term's best match among the evidence's words stands out (rag.vocab.standout)."""
        rows = self.index.word_rows
        words = {w for w in self.index.sparse.tokenizer(evidence) if w in rows}
        if not words:
            return 0.0
        with self._embed_lock:
            qv = self.embedder.embed_queries([term])[0]
        return vocab.standout(self.index.vocabulary_vectors @ qv, [rows[w] for w in words])

    def _plan_words(self, text: str) -> list[str]:
        """The plan's own words for the question's content words it never uses (看病 → 医疗), for BM25."""
        rows, corpus = self.index.word_rows, self.policy.corpus_text
        terms = [t for t in focus.content_terms(text, self.policy.tag, self.policy.general_freq) if t not in corpus]
        if not terms or not rows:
            return []
        with self._embed_lock:
            vecs = self.embedder.embed_queries(terms)
        found = vocab.counterparts(
            vecs, self.index.vocabulary_vectors, self.index.vocabulary, self.settings.expand_sigma
        )
        return [w for w in found if w]

    def _glossed(self, text: str) -> list[str]:
        """For an English question, the documents' Chinese words for its words (rag.glossary), for BM25."""
        if not questions.is_english(text):
            return []
        return glossary.chinese_terms(text, self._corpus_count)

    def _corpus_count(self, word: str) -> int:
        """How often a word occurs in the documents: counted once per word (the text can be a whole library)."""
        counts = self._counts
        if word not in counts:
            counts[word] = self.policy.corpus_text.count(word)
        return counts[word]

    @functools.cached_property
    def _counts(self) -> dict[str, int]:
        return {}

    def _evidence(self, draft: Draft) -> str:
        """The cited sections' headings and text: what the question's terms must be found in."""
        locs = dict.fromkeys(c.loc for s in draft.sentences for c in s.citations)
        sections = [self.index.document(loc.doc_id).section(loc) for loc in locs]
        return "\n".join(" ".join([*s.titles, s.text]) for s in sections if s is not None)

    def langchain_retriever(self, k: int | None = None) -> Any:
        from rag.lc_retriever import HybridRetriever

        return HybridRetriever(engine=self.retriever, k=k or self.settings.top_k)

    def prepare(
        self,
        question: object,
        history: list[str] | None = None,
        top_k: int | None = None,
        doc_ids: Collection[str] | None = None,
    ) -> Request:
        """Validate (BadQuestion on bad input) and work out what retrieval should read."""
        cfg = self.settings
        q = questions.validate(question, cfg.max_question_chars)
        if top_k is not None and not 1 <= top_k <= 50:
            raise BadQuestion("top_k must be between 1 and 50")
        history = questions.validate_history(history or [], cfg.max_history_items, cfg.max_history_chars)
        docs = self.index.check_doc_ids(doc_ids) if doc_ids else None
        stripped = questions.strip_injection(q)
        query = questions.contextualize(stripped, history) if stripped else ""
        current = {d.doc_id: d.title for d in self.index.documents if not d.superseded_by}
        by_title = scope.named(query, current) if query else {}
        if docs is None:
            # A question naming a document ("商标法规定…"), a kind of document ("报告提出…"), a place some
            # documents govern ("二道区的…") or the nation ("国家管不管…", beside local documents) is read in those.
            named = (
                set(by_title)
                or scope.referenced(query, current)
                or scope.governed(query, current)
                or scope.national(query, current)
            )
            docs = self.index.check_doc_ids(sorted(named)) if named else None
        titles = [d.title for d in self.index.documents if docs is None or d.doc_id in docs]
        # Retrieval reads the question without the scope every document in it shares (rag.scope) and without
        # the names of the documents it names, except when the question is about the document itself.
        # "中央八项规定是哪年出台的" beside a district plan asks about a rule no document here is: a topic.
        about = bool(query) and focus.about_document(query) and not scope.names_another(query, current)
        keep = not query or about
        drop = scope.common_scope(titles) | {n for d, n in by_title.items() if docs is None or d in docs}
        topic = query if keep else scope.without(query, drop)
        return Request(q, query, topic, top_k, questions.has_injection(q), docs, about)

    @functools.cached_property
    def _metadata_only(self) -> frozenset[Locator]:
        return metadata_only_sections(self.index)

    def _heading(self, loc: Locator) -> str:
        """A section's heading as the index records it (its title; empty for a preamble)."""
        return self.index.titles.get(loc, "")

    def _sentences_of(self, loc: Locator) -> list[str]:
        """A section's sentences, lower-cased as the policy's terms are (read for the top three only)."""
        return [s.text.lower() for s in self.index.section_sentences.get(loc, [])]

    @functools.cached_property
    def _commencing(self) -> frozenset[Locator]:
        """Sections saying when their document takes effect: found on the first question asking that, not at start."""
        return frozenset(c.loc for c in self.index.chunks if focus.states_commencement(c.text))

    def retrieve(self, request: Request) -> Retrieval:
        # An all-instruction question has an empty query: retrieval still names the nearest sections.
        text = request.topic or request.question
        with self._embed_lock:
            qv = self.retriever.embed(text)
        glossed = self._glossed(text)
        lexical = " ".join([text, *self._plan_words(text), *glossed])
        r = self.retriever.search(text, request.top_k, query_vector=qv, doc_ids=request.doc_ids, lexical=lexical)
        sections = r.sections
        if not request.about_document:
            # Evidence for a topical question is body text: a section holding only a covering notice and
            # title lines (a plan's preamble) would take a place among the top three and give nothing to quote.
            body = [ls for ls in sections if ls[0] not in self._metadata_only]
            if body and len(body) < len(sections):
                r = self._reranked(r, body, request.top_k)
                sections = r.sections
            read = self.policy.terms(text)
            covered = rerank.by_sentence_coverage(
                sections, read.terms, self.policy.salience, self._sentences_of, self.settings.sentence_cover_weight
            )
            if covered is not sections:
                r = self._reranked(r, covered, request.top_k)
                sections = r.sections
            headed = rerank.by_heading_terms(sections, glossed, self._heading, self.settings.english_heading_weight)
            if headed is not sections:
                r = self._reranked(r, headed, request.top_k)
                sections = r.sections
            # After the re-ordering above: a duty goes before the penalty enforcing it, whatever their sentences hold.
            lifted = duties.lift_duties(text, sections, self.index.section_text, titles=self.index.titles)
            if lifted is not sections:
                r = self._reranked(r, lifted, request.top_k)
                sections = r.sections
            # A section the question names by number (第二篇第二章, 第十四条) is the one asked about.
            named_first = named.by_named_section(request.question, sections)
            if named_first is not sections:
                r = self._reranked(r, named_first, request.top_k)
                sections = r.sections
        if request.about_document:
            # Who approved a document, when, for which period: its preamble and notice say, so they lead;
            # when it takes effect, the article saying so ("本条例自…起施行") leads.
            first = self._commencing if focus.asks_commencement(text) else set()
            sections = sorted(sections, key=lambda ls: (ls[0] not in first, ls[0].path != ()))
        fields = {"sections": sections, "steered": request.steered, "about_document": request.about_document}
        return Retrieval(**{**r.__dict__, **fields})

    def _said_of(self, draft: Draft) -> list[str]:
        """Per cited answer sentence (as evidence_texts), what a figure or a date it holds may be said of: the
        whole section when it is one short provision (a regulation's article, settings.whole_section_chars),
        else the sentence before the quote in its paragraph (a whole paragraph of a national report is too wide)."""
        out = []
        for s in draft.sentences:
            if not s.citations:
                continue
            found = []
            for c in s.citations:
                section = self.index.document(c.loc.doc_id).section(c.loc)
                if section is not None and len(section.text) <= self.settings.whole_section_chars:
                    found.append(section.text)  # one provision: what it says is said of what it names
                    continue
                for p in section.paragraphs if section else ():
                    at = p.text.find(c.quote)
                    if at > 0:
                        found.append(previous_sentence(p.text[:at]))
            out.append(" ".join(dict.fromkeys(found)))
        return out

    def _reranked(self, r: Retrieval, sections: list[tuple[Locator, float]], top_k: int | None) -> Retrieval:
        """The retrieval with its sections in a new order: each hit moves with its section's new score (the hits
        of a section left out go with it)."""
        old, new = dict(r.sections), dict(sections)
        hits = sorted(
            (
                dataclasses.replace(h, score=h.score - old[h.chunk.loc] + new[h.chunk.loc])
                for h in r.hits
                if h.chunk.loc in new
            ),
            key=lambda h: -h.score,
        )
        contexts = group_by_section(hits, top_k or self.settings.top_k)
        return dataclasses.replace(r, hits=hits, sections=sections, contexts=contexts)

    def stream(
        self,
        question: object,
        top_k: int | None = None,
        history: list[str] | None = None,
        doc_ids: Collection[str] | None = None,
        live: bool = True,
    ) -> Iterator[str | Answer]:
        """Preview text pieces as an LLM writes them, then the final Answer (verified; the pieces are not).

        With live=False the generator is asked for its whole draft at once (no preview pieces).
        """
        t0 = time.perf_counter()
        request = self.prepare(question, history, top_k, doc_ids)
        retrieval = self.retrieve(request)
        t1 = time.perf_counter()
        draft, verdict = Draft((), mode=self.generator.mode), Verdict(None)
        for item in self._judged(request, retrieval, live):
            if isinstance(item, str):
                yield item
            else:
                draft, verdict = item
        t2 = time.perf_counter()
        timings = {"retrieve": (t1 - t0) * 1000, "generate": (t2 - t1) * 1000, "total": (t2 - t0) * 1000}
        whole = self._answer(request, retrieval, draft, verdict, timings)
        several = self._asks(request, history)
        if len(several) > 1:
            answers = [self._ask_within(a, top_k, request.doc_ids, retrieval, i == 0) for i, a in enumerate(several)]
            # Refused as a whole: an ask the documents answer may still be answered, the others named as open.
            # Answered as a whole: the answer may serve one ask only; another ask's own answer is added to it.
            whole = asks.combine(whole, several, answers) if whole.refused else asks.extend(whole, several, answers)
        yield whole

    def _judged(self, request: Request, retrieval: Retrieval, live: bool) -> Iterator[str | tuple[Draft, Verdict]]:
        """Preview pieces (live), then the draft for the request over this retrieval and the policy's verdict."""
        refusal = self.policy.before(request.topic, retrieval, asked=request.query)
        if refusal is not None:
            yield Draft((), mode=self.generator.mode), Verdict(refusal)
            return
        draft = Draft((), mode=self.generator.mode)
        drafts = (
            self.generator.stream(request.query, retrieval)
            if live
            else [self.generator.generate(request.query, retrieval)]
        )
        for item in drafts:
            if isinstance(item, Draft):
                draft = item
            else:
                yield item
        texts = evidence_texts(draft, self.index.section_text)
        said_of = dict(zip(texts, self._said_of(draft)))
        yield draft, self.policy.after(request.topic, texts, retrieval, self._evidence(draft), said_of)

    def _asks(self, request: Request, history: list[str] | None) -> list[str]:
        """The asks of a question that asks several things (rag.asks); one when it asks one. A follow-up joined
        with the question before it is one ask; an ask with no content word of its own (真的吗？, 都叫啥？)
        elaborates its neighbour and joins it."""
        if request.about_document or not request.query or (history and request.query != request.question):
            return [request.query]
        merged: list[str] = []
        for piece in asks.split(request.query):
            if merged and not (self.policy.terms(piece).terms and self.policy.terms(merged[-1]).terms):
                merged[-1] += piece
            else:
                merged.append(piece)
        return merged if len(merged) > 1 else [request.query]

    def _ask_within(
        self, ask: str, top_k: int | None, doc_ids: tuple[str, ...] | None, whole: Retrieval, first: bool
    ) -> Answer | None:
        """One ask of a question of several, answered alone: its Answer (a refusal when the documents do not
        answer it), or None when what it is given alone cannot stand for the ask in the question. Read alone, an
        ask loses the words the other asks give it ("能撂下不看了吗" after 大夫被打), so it must name two things of
        its own (one, when `first`), and an answer must quote a section the whole question found (its first
        rerank.TOP) and cover every word of the ask. A yes-or-no ask stands only first and only answered
        (_speaks_to): the documents' silence on 夜市 is no "no" to 会不会有夜市."""
        if questions.is_yes_no(ask):
            if not first:
                return None
            answer = self.ask(ask, top_k, None, doc_ids)
            return answer if self._speaks_to(ask, answer, whole) else None
        # One content word (需要什么条件) is an ask that leans on the others for what it is about; a quoted name
        # (“六个现代化体系”) is a thing of its own.
        own = set(self.policy.terms(ask).terms) | set(grounding.quoted_terms(ask))
        # The first ask leans on nothing before it: it names the topic the others elaborate (碳达峰 in
        # 怎么落实碳达峰，哪一年实现), so one word of its own is enough.
        if len(own) < (1 if first else 2):
            return None
        within = {loc for loc, _ in whole.sections[: rerank.TOP]}

        def stands(answer: Answer) -> bool:
            return not answer.uncovered and bool(answer.citations) and answer.citations[0].loc in within

        answer = self.ask(ask, top_k, None, doc_ids)
        if answer.refused or stands(answer):
            return answer
        # Alone, the ask found sections the whole question did not (标准由哪一级政府来定 finds every 标准): it is
        # read again over the sections the whole question found, which its other asks point at. Not for a
        # figure: sections hold many, said of other things (考试合格的，一次扣减1分 for 考多少分算合格).
        if questions.needs_number(ask):
            return None
        over = self._answer_over(ask, whole, top_k, doc_ids)
        return over if not over.refused and stands(over) else None

    def _speaks_to(self, ask: str, answer: Answer, whole: Retrieval) -> bool:
        """Does a yes-or-no ask's own answer speak to it? Its lead section must be the whole question's, nothing may
        be left uncovered, and its sentences must hold literally each thing the ask names (a document's title
        aside) and the ask's last content word, what it asks yes or no about: 给予举报人奖励 speaks to 查实了有奖励吗,
        while a sentence naming 临河街城市更新节点 says nothing of 临河街城市更新节点要拆迁吗 (拆迁 is not in it)."""
        if answer.refused or answer.uncovered or not answer.citations or not whole.sections:
            return False
        if answer.citations[0].loc != whole.sections[0][0]:
            return False
        said = " ".join(s.text for s in answer.sentences).lower()
        titles = "".join(whole.doc_titles.values())
        read = self.policy.terms(ask)
        things = [t for t in read.things if t not in titles]
        # 算不算, 行不行: the ask's form, not what it asks about.
        words = [t for t in read.terms if not _BOTH_WAYS.fullmatch(t)]
        return bool(things and words) and all(t in said for t in things) and words[-1] in said + titles

    def _answer_over(self, ask: str, whole: Retrieval, top_k: int | None, doc_ids: tuple[str, ...] | None) -> Answer:
        """The ask's Answer drafted from another question's retrieval: its sections, the ask's own vector."""
        request = self.prepare(ask, None, top_k, doc_ids)
        with self._embed_lock:
            qv = self.retriever.embed(request.topic or request.question)
        retrieval = dataclasses.replace(whole, question=request.topic or request.question, query_vector=qv)
        draft, verdict = Draft((), mode=self.generator.mode), Verdict(None)
        for item in self._judged(request, retrieval, live=False):
            if not isinstance(item, str):
                draft, verdict = item
        return self._answer(request, retrieval, draft, verdict, {})

    def ask(
        self,
        question: object,
        top_k: int | None = None,
        history: list[str] | None = None,
        doc_ids: Collection[str] | None = None,
    ) -> Answer:
        answer = None
        for item in self.stream(question, top_k, history, doc_ids, live=False):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def _answer(
        self, request: Request, retrieval: Retrieval, draft: Draft, verdict: Verdict, timings: dict[str, float]
    ) -> Answer:
        refusal = verdict.refusal
        if refusal is not None:
            return Answer(
                question=request.question,
                text=refusal_text(refusal),
                sentences=(),
                citations=(),
                contexts=tuple(retrieval.contexts),
                refusal=refusal,
                timings_ms=timings,
                mode=draft.mode,
                notice=draft.notice,
            )
        lead = prompts.load("english_lead.txt") if questions.is_english(request.question) else ""
        return Answer(
            question=request.question,
            text=answer_text(draft.sentences, verdict.uncovered, lead),
            sentences=draft.sentences,
            citations=unique(c for s in draft.sentences for c in s.citations),
            contexts=tuple(retrieval.contexts),
            timings_ms=timings,
            mode=draft.mode,
            notice=draft.notice,
            uncovered=verdict.uncovered,
            lead=lead or None,
            score=verdict.score,
        )


def evidence_texts(draft: Draft, section_text: Callable[[Locator], str] | None = None) -> list[str]:
    """What a sentence rests on: its own words and the full sentences it quotes (figures may sit outside a cut),
    and a quoted table row read with its header (rag.tables: 66 under 2025年 in a 城镇化率（%） row is 66%)."""

    def read(c: Citation) -> list[str]:
        if section_text is None or not tables.cells(c.quote):
            return [c.quote]
        row = tables.reading(section_text(c.loc), c.quote)
        return [c.quote] if row is None else [c.quote, row]

    return [" ".join([s.text, *(r for c in s.citations for r in read(c))]) for s in draft.sentences if s.citations]


def previous_sentence(text: str) -> str:
    """The last full sentence of a text (what comes before a quote in its paragraph)."""
    parts = [p for p in re.split(r"(?<=[。！？!?；;])", text.strip()) if p.strip()]
    return parts[-1] if parts else ""
