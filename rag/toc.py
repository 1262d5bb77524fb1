"""Pure table of contents of a Document: every heading on a section path, in reading order, with its depth."""

from __future__ import annotations

from typing import Any

from rag.types import PREAMBLE, Document, Locator


def table_of_contents(doc: Document) -> dict[str, Any]:
    """{"doc_id", "title", …metadata, "entries": [{"path", "label", "title", "depth", "citable", "kind", …}]}.

    A heading that has no text of its own (a 章 whose text sits in its 条) is listed as a non-citable
    entry, so the outline shows every level; a section is listed once, where it starts.
    """
    entries: list[dict[str, Any]] = []
    seen: set[tuple[str, ...]] = set()
    kinds = {s.path: s.kind for s in doc.sections}
    for s in doc.sections:
        for depth in range(len(s.path) + 1):
            path = s.path[:depth]
            if path in seen or (depth == 0 and path not in kinds):
                continue
            seen.add(path)
            loc = Locator(doc.doc_id, path)
            title = s.titles[depth - 1] if depth else PREAMBLE
            entries.append(
                {
                    **loc.to_json(),
                    "label": loc.label,
                    "heading": path[-1] if path else PREAMBLE,
                    "title": title,
                    "depth": depth,
                    "citable": path in kinds,
                    "kind": kinds.get(path),
                }
            )
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "date": doc.date,
        "source": doc.source,
        "approved_by": doc.approved_by,
        "version": doc.version,
        "superseded_by": doc.superseded_by,
        "format": doc.fmt,
        "entries": entries,
    }
