"""`rag serve`: one process, one port: the Gradio web app at / and the JSON API at /api, behind rag.guard.

Answers run in a bounded pool of worker threads; health, sections and search are answered on the event
loop and never wait behind them. When every worker is busy and the waiting line is full, a question gets
"busy, try again" (503) at once instead of stalling.

On 2 cores the answer path is CPU-bound: each query embedding runs on one core (onnxruntime with one
intra-op thread), so RAG_ANSWER_WORKERS questions run side by side rather than each spinning two threads
against the others. With an LLM the workers mostly wait on the endpoint, so every admitted question gets
a thread of its own: a hanging endpoint then costs each question its deadline, not a place in a line.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import parse_qs

from rag import cpu_slots
from rag.config import Settings
from rag.errors import Busy
from rag.feedback import FeedbackLog

T = TypeVar("T")


class AnswerPool:
    """A fixed number of answer threads and a bounded waiting line (the embedder and LLM calls run here).

    With `waiting_calls` (an LLM is configured) every admitted question runs at once on its own thread.
    """

    def __init__(self, workers: int, queue: int, waiting_calls: bool = False) -> None:
        self.threads = workers + queue if waiting_calls else workers
        self.executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="answer")
        self.slots = threading.BoundedSemaphore(workers + queue)
        self.cpu = threading.BoundedSemaphore(workers)  # threads computing at once (see rag.cpu_slots)
        # Start every thread now: the executor starts them on demand, from the event loop, and each start
        # waits for the new thread to take the GIL (tens of ms each under load, while /api/health waits).
        started = threading.Barrier(self.threads + 1)
        for _ in range(self.threads):
            self.executor.submit(started.wait)
        started.wait()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if not self.slots.acquire(blocking=False):
            raise Busy("the server is busy answering other questions; please try again in a moment")
        try:
            return await asyncio.wrap_future(self.executor.submit(self._compute, fn, *args, **kwargs))
        finally:
            self.slots.release()

    def _compute(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with cpu_slots.holding(self.cpu):
            return fn(*args, **kwargs)


def create_app(settings: Settings, pipeline: Any = None) -> Any:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        import gradio as gr
        from fastapi import FastAPI
    except ImportError as e:
        raise ImportError("the web app needs gradio and fastapi: pip install 'zhengce-rag[web]'") from e
    from rag.api import install_error_handlers, router
    from rag.guard import Guard
    from ui.app import CSS, JS, build_ui

    pipeline = pipeline or server_pipeline(settings)
    feedback = FeedbackLog(settings.feedback_file)
    pool = AnswerPool(settings.answer_workers, settings.answer_queue, waiting_calls=settings.llm_enabled)
    app = FastAPI(title="政策问答 API", docs_url="/api/docs", openapi_url="/api/openapi.json")
    install_error_handlers(app)
    app.include_router(router(pipeline, feedback, pool))
    blocks = build_ui(pipeline, feedback)
    # Gradio runs the chat with as many concurrent answers as the pool and refuses to queue beyond the limit.
    blocks.queue(default_concurrency_limit=pool.threads, max_size=settings.answer_queue)
    gr.mount_gradio_app(app, blocks, path="", css=CSS, js=JS)
    return Guard(
        app,
        allowed_hosts=[h for h in settings.allowed_hosts.split(",") if h.strip()],
        cors_origins=[o for o in settings.cors_origins.split(",") if o.strip()],
        max_body_bytes=settings.max_body_bytes,
        rate_per_minute=settings.rate_per_minute,
        burst=settings.rate_burst,
        validators={
            ("POST", "/gradio_api/queue/join"): queue_join_check(blocks),
            ("GET", "/gradio_api/queue/data"): queue_data_check(blocks),
        },
    )


def server_pipeline(settings: Settings) -> Any:
    """The pipeline with a one-core-per-call embedder (answer threads overlap their embeddings) that
    remembers the question terms it has embedded."""
    from rag.embed import load_embedder
    from rag.embedders.query_cache import QueryCache
    from rag.pipeline import Pipeline

    return Pipeline(settings, embedder=QueryCache(load_embedder(settings, threads=1)))


def queue_join_check(blocks: Any) -> Callable[[Any, bytes], tuple[int, str] | None]:
    """Gradio answers a join naming an unknown function with a 500 (KeyError): refuse it at the edge."""

    def check(scope: Any, body: bytes) -> tuple[int, str] | None:
        try:
            data = json.loads(body)
        except ValueError:
            return 422, "the request body is not valid JSON"
        if not isinstance(data, dict):
            return 422, "the request body must be a JSON object"
        fn_index = data.get("fn_index")
        if fn_index is not None and (
            isinstance(fn_index, bool) or not isinstance(fn_index, int) or fn_index not in blocks.fns
        ):
            return 422, "unknown fn_index"
        session = data.get("session_hash")
        if session is not None and (not isinstance(session, str) or len(session) > 100):
            return 422, "session_hash must be a short string"
        return None

    return check


def queue_data_check(blocks: Any) -> Callable[[Any, bytes], tuple[int, str] | None]:
    """Gradio raises a 404 inside an already started event stream for an unknown session (a broken
    response and a traceback): answer that 404 before the stream starts."""

    def check(scope: Any, body: bytes) -> tuple[int, str] | None:
        pending = getattr(getattr(blocks, "_queue", None), "pending_messages_per_session", None)
        if pending is None:
            return None
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        session = (query.get("session_hash") or [""])[0]
        return None if session in pending else (404, "no such session")

    return check


def _import_web() -> None:
    """Import the web stack ahead of create_app (which reports a missing one)."""
    try:
        import gradio  # noqa: F401

        import ui.app  # noqa: F401
    except ImportError:
        pass


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    if host not in ("127.0.0.1", "localhost", "::1") and settings.allowed_hosts == "127.0.0.1,localhost,::1":
        # Bound to a public address, the default allow-list would refuse every visitor: name the fix.
        print(f"note: serving on {host}; set RAG_ALLOWED_HOSTS to the public host name(s)", file=sys.stderr)
    # Answer threads compute in Python while the event loop answers /api/health: a thread waiting for
    # the GIL gets it after at most this interval (the default 5 ms, several times over, is a visible
    # wait when a few threads compute at once).
    sys.setswitchinterval(0.001)
    # Importing gradio takes most of start-up (3-4 s here); the index and models load meanwhile.
    web = threading.Thread(target=_import_web, name="import-web", daemon=True)
    web.start()
    pipeline = server_pipeline(settings)
    web.join()
    try:
        app = create_app(settings, pipeline)
        # Everything loaded so far (the index, the models, gradio's modules: hundreds of thousands of
        # objects) lives as long as the process. Frozen, the cyclic collector stops re-walking it: a full
        # collection would otherwise stop every thread, the event loop included, for a few hundred ms.
        gc.collect()
        gc.freeze()
        print(f"政策问答 running on http://{host}:{port}  (API: http://{host}:{port}/api/health)", file=sys.stderr)
        uvicorn.run(app, host=host, port=port, log_level="warning", timeout_keep_alive=5)
    finally:
        pipeline.index.close()  # a Milvus connection, or Milvus Lite's server and its lock on the build folder
