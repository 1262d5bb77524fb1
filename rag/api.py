"""HTTP JSON API: /api/ask, /api/documents, /api/sections[/{path}], /api/search, /api/feedback, /api/health.

Same Answer JSON as `rag ask --json`. A bad request is a 4xx with {"error": "..."}; user input never
causes a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from rag import search
from rag.cite import formal, resolve
from rag.errors import UnknownSection, UserError
from rag.feedback import FeedbackLog
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
    comment: str = ""


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


def router(pipeline: Any, feedback: FeedbackLog) -> APIRouter:
    r = APIRouter(prefix="/api")

    index = pipeline.index

    @r.post("/ask")
    def ask(body: AskRequest) -> dict[str, Any]:
        answer = pipeline.ask(body.question, top_k=body.top_k, history=body.history, doc_ids=body.doc_ids)
        return answer.to_json()  # type: ignore[no-any-return]

    @r.get("/documents")
    def documents() -> dict[str, Any]:
        return {"documents": [document_json(d) for d in index.documents]}

    @r.get("/sections")
    def sections(doc_id: str | None = None) -> dict[str, Any]:
        return table_of_contents(index.document(doc_id))

    @r.get("/sections/{refs:path}")
    def section(refs: str, doc_id: str | None = None) -> dict[str, Any]:
        parts = [p for p in refs.split("/") if p]
        if len(parts) > 8 or len(refs) > 200:
            raise UserError("a section path has at most 8 parts")
        return section_json(index.document(doc_id), parts)

    @r.get("/search")
    def keyword(q: str = "", context: int = 30, doc_id: str | None = None) -> dict[str, Any]:
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
        feedback.append(body.rating, body.question, body.answer, body.comment, source="api")
        return {"ok": True}

    @r.get("/health")
    def get_health() -> dict[str, Any]:
        return health(pipeline)

    return r


def install_error_handlers(app: FastAPI) -> None:
    """User errors become 4xx JSON; only a genuine bug can be a 500, and it never leaks a traceback."""

    @app.exception_handler(UnknownSection)
    async def unknown(_: Request, e: UnknownSection) -> JSONResponse:
        return JSONResponse({"error": str(e)}, status_code=404)

    @app.exception_handler(UserError)
    async def user_error(_: Request, e: UserError) -> JSONResponse:
        return JSONResponse({"error": str(e)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        first = e.errors()[0] if e.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
        return JSONResponse({"error": f"{where or 'request'}: {first.get('msg', 'invalid request')}"}, status_code=422)

    @app.exception_handler(Exception)
    async def bug(_: Request, e: Exception) -> JSONResponse:
        return JSONResponse({"error": f"internal error ({type(e).__name__})"}, status_code=500)
