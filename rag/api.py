"""HTTP JSON API: /api/ask, /api/documents, /api/sections[/{path}], /api/search, /api/feedback, /api/health.

Same Answer JSON as `rag ask --json`. A bad request is a 4xx with {"error": "..."}; user input never
causes a 500.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from rag import search
from rag.cite import formal, resolve
from rag.errors import Busy, UnknownSection, UserError
from rag.feedback import FeedbackLog
from rag.questions import validate
from rag.toc import table_of_contents
from rag.types import Document


class AskRequest(BaseModel):
    question: str
    top_k: int | None = Field(default=None, ge=1, le=50)
    history: list[str] = Field(default_factory=list, max_length=200)
    doc_ids: list[str] | None = Field(default=None, max_length=100)


class FeedbackRequest(BaseModel):
    rating: str
    question: str = Field(max_length=4000)
    answer: str = Field(default="", max_length=20000)
    comment: str = Field(default="", max_length=2000)
    id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")  # a retry sends the same id


def section_json(doc: Document, refs: list[str]) -> dict[str, Any]:
    s = resolve(doc, refs)
    return {
        **s.loc.to_json(),
        "doc_title": doc.title,
        "label": s.label,
        "title": s.title,
        "breadcrumb": s.breadcrumb,
        "citation": formal(doc, s),
        "text": s.text,
        "paragraphs": [{"text": p.text, **({"page": p.page} if p.page else {})} for p in s.paragraphs],
    }


def document_json(doc: Document) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "date": doc.date,
        "source": doc.source,
        "version": doc.version,
        "superseded_by": doc.superseded_by,
        "format": doc.fmt,
        "sections": len(doc.sections),
    }


def health(pipeline: Any) -> dict[str, Any]:
    m = pipeline.index.manifest
    return {
        "status": "ok",
        "model": m["model"]["name"],
        "built_at": m["built_at"],
        "chunks": m["counts"]["chunks"],
        "documents": m["counts"]["documents"],
        "store": m["store"]["kind"],
        "mode": "llm" if pipeline.settings.llm_enabled else "extractive",
    }


def router(pipeline: Any, feedback: FeedbackLog, pool: Any = None) -> APIRouter:
    """The routes. Only /ask runs in the answer pool; the others are quick and answered on the event loop."""
    r = APIRouter(prefix="/api")

    index = pipeline.index

    @r.post("/ask")
    async def ask(body: AskRequest) -> JSONResponse:
        args = (body.question,)
        kwargs = {"top_k": body.top_k, "history": body.history, "doc_ids": body.doc_ids}
        if pool is None:
            answer = await asyncio.to_thread(pipeline.ask, *args, **kwargs)
        else:
            answer = await pool.run(pipeline.ask, *args, **kwargs)
        # Already plain JSON types: FastAPI's response validation and jsonable_encoder would walk it again
        # on the event loop (about a millisecond an answer, while /api/health waits).
        return JSONResponse(answer.to_json())

    @r.get("/documents")
    async def documents() -> dict[str, Any]:
        return {"documents": [document_json(d) for d in index.documents]}

    @r.get("/sections")
    async def sections(doc_id: str | None = None) -> dict[str, Any]:
        return table_of_contents(index.document(doc_id))

    @r.get("/sections/{refs:path}")
    async def section(refs: str, doc_id: str | None = None) -> dict[str, Any]:
        parts = [p for p in refs.split("/") if p]
        if len(parts) > 8 or len(refs) > 200:
            raise UserError("a section path has at most 8 parts")
        return section_json(index.document(doc_id), parts)

    @r.get("/search")
    async def keyword(q: str = "", context: int = 30, doc_id: str | None = None) -> dict[str, Any]:
        if not q.strip() or len(q) > 100:
            raise UserError("q must be 1-100 characters")
        docs = [index.document(doc_id)] if doc_id else index.documents
        hits = search.find(docs, q, max(0, min(context, 200)))
        return {
            "query": q,
            "count": len(hits),
            "hits": [
                {
                    **h.section.loc.to_json(),
                    "doc_title": h.doc.title,
                    "label": h.section.label,
                    "title": h.section.title,
                    "before": h.before,
                    "match": h.match,
                    "after": h.after,
                }
                for h in hits
            ],
        }

    @r.post("/feedback", status_code=201)
    def post_feedback(body: FeedbackRequest) -> dict[str, Any]:
        # Validated like questions (no surrogates or control characters reach the log).
        question = validate(body.question, 4000, "question")
        answer = validate(body.answer, 20000, "answer") if body.answer.strip() else ""
        comment = validate(body.comment, 2000, "comment") if body.comment.strip() else ""
        record = feedback.append(body.rating, question, answer, comment, source="api", id=body.id)
        return {"ok": True, "id": record["id"], "duplicate": record.get("duplicate", False)}

    @r.get("/health")
    async def get_health() -> dict[str, Any]:
        return health(pipeline)

    known = list(r.routes)

    # Last: anything else under /api is ours to refuse (not the web app's), 405 for a known path.
    @r.api_route(
        "/{rest:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"], include_in_schema=False
    )
    async def no_route(request: Request, rest: str) -> JSONResponse:
        path = request.scope.get("path", "")
        allowed: set[str] = set()
        for route in known:
            regex = getattr(route, "path_regex", None)
            if regex is not None and regex.match(path):
                allowed.update(getattr(route, "methods", None) or ())
        if allowed:
            allow = {"allow": ", ".join(sorted(allowed))}
            return JSONResponse({"error": "method not allowed"}, status_code=405, headers=allow)
        return JSONResponse({"error": "no such route"}, status_code=404)

    return r


def install_error_handlers(app: FastAPI) -> None:
    """Every error body is {"error": "..."}: user errors 4xx, unknown routes 404, a busy server 503.

    Only a genuine bug can be a 500, and it never leaks a traceback.
    """
    from starlette.exceptions import HTTPException

    @app.exception_handler(UnknownSection)
    async def unknown(_: Request, e: UnknownSection) -> JSONResponse:
        return JSONResponse({"error": str(e)}, status_code=404)

    @app.exception_handler(Busy)
    async def busy(_: Request, e: Busy) -> JSONResponse:
        return JSONResponse({"error": str(e)}, status_code=503, headers={"retry-after": "2"})

    @app.exception_handler(UserError)
    async def user_error(_: Request, e: UserError) -> JSONResponse:
        return JSONResponse({"error": str(e)}, status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, e: HTTPException) -> JSONResponse:
        message = {404: "no such route", 405: "method not allowed"}.get(e.status_code, str(e.detail))
        return JSONResponse({"error": message}, status_code=e.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        first = e.errors()[0] if e.errors() else {}
        if first.get("type") == "json_invalid":
            return JSONResponse({"error": "the request body is not valid JSON"}, status_code=422)
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
        msg = str(first.get("msg", "invalid request")).splitlines()[0][:200]
        return JSONResponse({"error": f"{where or 'request'}: {msg}"}, status_code=422)

    @app.exception_handler(RecursionError)
    async def nested(_: Request, e: RecursionError) -> JSONResponse:
        return JSONResponse({"error": "the request body is nested too deeply"}, status_code=400)

    @app.exception_handler(Exception)
    async def bug(_: Request, e: Exception) -> JSONResponse:
        return JSONResponse({"error": f"internal error ({type(e).__name__})"}, status_code=500)
