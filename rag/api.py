"""HTTP JSON API: /api/ask, /api/sections, /api/sections/{part}/{chapter}, /api/search, /api/feedback, /api/health.

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
from rag.cite import find_section, formal
from rag.errors import UnknownSection, UserError
from rag.feedback import FeedbackLog
from rag.toc import table_of_contents


class AskRequest(BaseModel):
    question: str
    top_k: int | None = Field(default=None, ge=1, le=50)
    history: list[str] = Field(default_factory=list, max_length=20)


class FeedbackRequest(BaseModel):
    rating: str
    question: str = Field(max_length=4000)
    answer: str = Field(default="", max_length=20000)
    comment: str = ""


def section_json(pipeline: Any, part: str | None, chapter: str | None) -> dict[str, Any]:
    doc = pipeline.index.documents[0]
    s = find_section(doc, part, chapter)
    return {
        "part": s.part,
        "chapter": s.chapter,
        "title": s.title,
        "breadcrumb": s.breadcrumb,
        "citation": formal(doc, s),
        "text": s.text,
        "paragraphs": [p.text for p in s.paragraphs],
    }


def health(pipeline: Any) -> dict[str, Any]:
    m = pipeline.index.manifest
    return {
        "status": "ok",
        "model": m["model"]["name"],
        "built_at": m["built_at"],
        "chunks": m["counts"]["chunks"],
        "documents": [c["title"] for c in m["corpus"]],
        "mode": "llm" if pipeline.settings.llm_enabled else "extractive",
    }


def router(pipeline: Any, feedback: FeedbackLog) -> APIRouter:
    r = APIRouter(prefix="/api")

    @r.post("/ask")
    def ask(body: AskRequest) -> dict[str, Any]:
        return pipeline.ask(body.question, top_k=body.top_k, history=body.history).to_json()  # type: ignore[no-any-return]

    @r.get("/sections")
    def sections() -> dict[str, Any]:
        return table_of_contents(pipeline.index.documents[0])

    @r.get("/sections/{part}/{chapter}")
    def section(part: str, chapter: str) -> dict[str, Any]:
        return section_json(pipeline, part, chapter)

    @r.get("/search")
    def keyword(q: str = "", context: int = 30) -> dict[str, Any]:
        if not q.strip() or len(q) > 100:
            raise UserError("q must be 1-100 characters")
        hits = search.find(pipeline.index.documents[0], q, max(0, min(context, 200)))
        return {
            "query": q,
            "count": len(hits),
            "hits": [
                {
                    "part": h.section.part,
                    "chapter": h.section.chapter,
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
