"""Pure exact keyword search over documents: every occurrence with its section and surrounding text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rag.types import Document, Section

MAX_HITS = 500


@dataclass(frozen=True)
class Occurrence:
    doc: Document
    section: Section
    before: str
    match: str
    after: str
    start: int  # offset in the source text


def find(docs: Iterable[Document], keyword: str, context: int = 30) -> list[Occurrence]:
    """All occurrences of keyword (case-insensitive for Latin letters) in the documents, in reading order."""
    keyword = keyword.strip()
    if not keyword:
        return []
    needle = keyword.lower()
    out: list[Occurrence] = []
    for doc in docs:
        for section in doc.sections:
            for p in section.paragraphs:
                hay = p.text.lower()
                i = hay.find(needle)
                while i >= 0 and len(out) < MAX_HITS:
                    j = i + len(keyword)
                    before, after = p.text[max(0, i - context) : i], p.text[j : j + context]
                    out.append(Occurrence(doc, section, before, p.text[i:j], after, p.start + i))
                    i = hay.find(needle, j)
    return out
