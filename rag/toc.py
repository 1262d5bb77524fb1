"""Pure table of contents of a Document: 篇 -> 章, as the CLI, the API and the staff view show it."""

from __future__ import annotations

from typing import Any

from rag.types import Document


def table_of_contents(doc: Document) -> dict[str, Any]:
    """{"title", "date", "source", "parts": [{"part", "title", "chapters": [{"part", "chapter", "title"}]}]}."""
    parts: list[dict[str, Any]] = []
    for s in doc.sections:
        if not parts or parts[-1]["part"] != s.part:
            parts.append({"part": s.part, "title": s.part_title or "前言", "chapters": []})
        parts[-1]["chapters"].append(
            {"part": s.part, "chapter": s.chapter, "title": s.chapter_title or ("篇首" if s.part else "前言")}
        )
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "date": doc.date,
        "source": doc.source,
        "approved_by": doc.approved_by,
        "parts": parts,
    }
