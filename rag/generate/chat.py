"""LLM answers through any OpenAI-compatible endpoint (langchain-openai ChatOpenAI), every citation verified.

The reply is verified sentence by sentence (rag.verify); what survives goes to the policy like any
other draft (an empty draft becomes a refusal there). When the endpoint fails, times out or replies
with garbage, the user gets the extractive answer with a short notice: never an error page.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncGenerator, Iterator
from typing import Any

from rag import cpu_slots, prompts
from rag.config import Settings
from rag.generate.base import Draft, Generator
from rag.retrieval import Retrieval
from rag.store import Index
from rag.types import Chunk
from rag.verify import check_reply, to_answer_sentences


def _chat_model(settings: Settings, http_client: Any) -> Any:
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
        http_async_client=http_client,
    )


def _http_client(settings: Settings, tls: ssl.SSLContext) -> Any:
    """A connection pool for one call only: closing it is what ends an abandoned call's sockets.

    The TLS context is shared: building one reads the CA bundle, ~50 ms of CPU a call otherwise.
    """
    import openai

    return openai.DefaultAsyncHttpxClient(timeout=settings.llm_timeout, verify=tls)


class ChatGenerator:
    """Draft answers from an LLM, keep only what the sources support."""

    mode = "llm"

    def __init__(self, settings: Settings, index: Index, fallback: Generator) -> None:
        self.settings = settings
        self.fallback = fallback
        _chat_model(settings, None)  # fails at start-up, not on the first question, without langchain-openai
        self.tls = ssl.create_default_context()
        self.section_texts = {s.loc: s.text for d in index.documents for s in d.sections}

    def sources(self, retrieval: Retrieval) -> list[Chunk]:
        """Context chunks in rank order within the token budget (at least one)."""
        budget, out = self.settings.llm_context_tokens, list[Chunk]()
        for hit in retrieval.contexts:
            cost = hit.chunk.n_tokens + self.settings.llm_source_overhead
            if out and cost > budget:
                break
            budget -= cost
            out.append(hit.chunk)
        return out

    def messages(self, question: str, sources: list[Chunk]) -> list[tuple[str, str]]:
        directory = self.settings.prompts_dir
        block = "\n".join(
            prompts.load("llm_source.txt", directory).format(
                n=i, label=c.loc.label, breadcrumb=f"《{c.doc_title}》{c.breadcrumb}", text=c.text
            )
            for i, c in enumerate(sources, 1)
        )
        system = prompts.load("llm_system.txt", directory).format(refusal=prompts.refusal())
        # The question goes in as data; braces in it must not reach str.format.
        user = prompts.load("llm_user.txt", directory).replace("{sources}", block).replace("{question}", question)
        return [("system", system), ("human", user)]

    def verify(self, reply: str, sources: list[Chunk]) -> Draft:
        """The reply's supported sentences with verified citations (none when the model declined)."""
        if prompts.refusal() in reply or not reply.strip():
            return Draft((), mode=self.mode)
        checked = check_reply(reply, sources, self.section_texts)
        mark = prompts.load("unsupported_mark.txt") if self.settings.llm_mark_unsupported else None
        kept = to_answer_sentences(checked, sources, self.section_texts, mark)
        return Draft(tuple(s for s in kept if s.citations or mark), mode=self.mode)

    def _fallback(self, question: str, retrieval: Retrieval) -> Draft:
        draft = self.fallback.generate(question, retrieval)
        return Draft(draft.sentences, mode=self.fallback.mode, notice=prompts.load("llm_fallback_notice.txt"))

    def generate(self, question: str, retrieval: Retrieval) -> Draft:
        draft: Draft | None = None
        for item in self.stream(question, retrieval, live=False):
            if isinstance(item, Draft):
                draft = item
        assert draft is not None
        return draft

    async def _pieces(self, messages: list[tuple[str, str]], live: bool, model: Any) -> AsyncGenerator[str, None]:
        """The reply as it arrives."""
        if live:
            async for chunk in model.astream(messages):
                if isinstance(chunk.content, str) and chunk.content:
                    yield chunk.content
        else:
            reply = await model.ainvoke(messages)
            yield reply.content if isinstance(reply.content, str) else str(reply.content)

    def stream(self, question: str, retrieval: Retrieval, live: bool = True) -> Iterator[str | Draft]:
        """Raw tokens as they arrive (a preview), then the verified Draft; the extractive one if the LLM fails.

        RAG_LLM_TIMEOUT is one wall-clock budget for the whole call, retries included. The call runs on an
        event loop of its own in this thread, stepped piece by piece with the time left: when the budget is
        spent, the pending read is cancelled and the call's sockets closed, so nothing outlives the answer
        (a worker thread blocked in a read would live on for as long as the endpoint keeps dripping bytes).
        """
        sources = self.sources(retrieval)
        messages = self.messages(question, sources)
        deadline = time.monotonic() + self.settings.llm_timeout
        loop = asyncio.new_event_loop()
        client = _http_client(self.settings, self.tls)
        pieces = self._pieces(messages, live, _chat_model(self.settings, client))
        parts: list[str] = []
        failed = False
        try:
            while True:
                step = asyncio.wait_for(anext(pieces), max(0.0, deadline - time.monotonic()))
                try:
                    with cpu_slots.waiting():  # a network wait: another answer may compute meanwhile
                        piece = loop.run_until_complete(step)
                except StopAsyncIteration:
                    break
                parts.append(piece)
                if live:
                    yield piece
        except Exception:  # the deadline, 5xx after retries, refused connections, malformed JSON
            failed = True
        finally:
            loop.run_until_complete(pieces.aclose())
            loop.run_until_complete(client.aclose())  # however the call ended, its sockets close now
            loop.close()  # never waits for executor threads (a slow DNS lookup ends on its own)
        if failed:
            yield self._fallback(question, retrieval)
        else:
            yield self.verify("".join(parts), sources)
