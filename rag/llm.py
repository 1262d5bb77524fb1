"""LLM answers through any OpenAI-compatible endpoint (langchain-openai ChatOpenAI), every citation verified.

The reply is verified sentence by sentence (rag.verify); if nothing supported remains the answer
becomes a refusal. When the endpoint fails, times out or replies with garbage, the user gets the
extractive answer with a short notice: never an error page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rag import prompts
from rag.config import Settings
from rag.generators import Draft, Extractive, lacks_figure
from rag.retriever import Retrieval
from rag.store import Index
from rag.types import Chunk, label_for
from rag.verify import check_reply, to_answer_sentences


def _chat_model(settings: Settings) -> Any:
    try:
        from langchain_openai import ChatOpenAI
        from pydantic import SecretStr
    except ImportError as e:
        raise ImportError("LLM answers need langchain-openai: pip install 'zhengce-rag[llm]'") from e
    return ChatOpenAI(
        model=settings.llm_model or "default",
        base_url=settings.llm_base_url,
        api_key=SecretStr(
            settings.llm_api_key or "not-needed"
        ),  # local servers (vLLM, Ollama) ignore it; the client needs one
        timeout=settings.llm_timeout,
        max_retries=settings.llm_retries,  # the OpenAI client retries 429 and 5xx with exponential backoff
        temperature=0,
    )


class ChatGenerator:
    """Draft answers from an LLM, keep only what the sources support."""

    mode = "llm"

    def __init__(self, settings: Settings, index: Index, fallback: Extractive, model: Any = None) -> None:
        self.settings = settings
        self.fallback = fallback
        self.model = model or _chat_model(settings)
        self.section_texts = {s.key: s.text for d in index.documents for s in d.sections}

    def sources(self, retrieval: Retrieval) -> list[Chunk]:
        """Context chunks in rank order within the token budget (at least one)."""
        budget, out = self.settings.llm_context_tokens, list[Chunk]()
        for hit in retrieval.contexts:
            cost = hit.chunk.n_tokens + 30
            if out and cost > budget:
                break
            budget -= cost
            out.append(hit.chunk)
        return out

    def messages(self, question: str, sources: list[Chunk]) -> list[tuple[str, str]]:
        block = "\n".join(
            prompts.load("llm_source.txt").format(n=i, label=label_for(*c.key), breadcrumb=c.breadcrumb, text=c.text)
            for i, c in enumerate(sources, 1)
        )
        system = prompts.load("llm_system.txt").format(refusal=prompts.refusal())
        # The question goes in as data; braces in it must not reach str.format.
        user = prompts.load("llm_user.txt").replace("{sources}", block).replace("{question}", question)
        return [("system", system), ("human", user)]

    def verify(self, question: str, reply: str, sources: list[Chunk], retrieval: Retrieval) -> Draft:
        if prompts.refusal() in reply or not reply.strip():
            return Draft([], refused=True, nearest=[k for k, _ in retrieval.sections[:3]], mode=self.mode)
        checked = check_reply(reply, sources, self.section_texts)
        mark = prompts.load("unsupported_mark.txt") if self.settings.llm_mark_unsupported else None
        kept = to_answer_sentences(checked, sources, self.section_texts, mark)
        nearest = [k for k, _ in retrieval.sections[:3]]
        if not any(s.citations for s in kept):
            return Draft([], refused=True, nearest=nearest, mode=self.mode)
        if lacks_figure(question, [s.text for s in kept if s.citations]):
            return Draft([], refused=True, reason=prompts.load("reason_number.txt"), nearest=nearest, mode=self.mode)
        return Draft(kept, mode=self.mode)

    def _fallback(self, question: str, retrieval: Retrieval) -> Draft:
        draft = self.fallback.generate(question, retrieval)
        draft.mode = "extractive"
        draft.notice = prompts.load("llm_fallback_notice.txt")
        return draft

    def generate(self, question: str, retrieval: Retrieval) -> Draft:
        refusal = self.fallback.precheck(question, retrieval)
        if refusal is not None:
            refusal.mode = self.mode
            return refusal
        sources = self.sources(retrieval)
        try:
            reply = self.model.invoke(self.messages(question, sources))
            text = reply.content if isinstance(reply.content, str) else str(reply.content)
        except Exception:  # timeouts, 5xx after retries, refused connections, malformed JSON
            return self._fallback(question, retrieval)
        return self.verify(question, text, sources, retrieval)

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Draft]:
        """Raw tokens as they arrive (a preview), then the verified Draft."""
        refusal = self.fallback.precheck(question, retrieval)
        if refusal is not None:
            refusal.mode = self.mode
            yield refusal
            return
        sources = self.sources(retrieval)
        parts: list[str] = []
        try:
            for chunk in self.model.stream(self.messages(question, sources)):
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if piece:
                    parts.append(piece)
                    yield piece
        except Exception:
            yield self._fallback(question, retrieval)
            return
        yield self.verify(question, "".join(parts), sources, retrieval)
