"""Pure exact keyword search over a plan: every occurrence with its section and surrounding text."""

from __future__ import annotations

from dataclasses import dataclass

from rag.types import Document, Section

MAX_HITS = 500


@dataclass(frozen=True)
class Occurrence:
    section: Section
    before: str
    match: str
    after: str
    start: int  # offset in the source text


def find(doc: Document, keyword: str, context: int = 30) -> list[Occurrence]:
    """All occurrences of keyword (case-insensitive for Latin letters), in reading order."""
    keyword = keyword.strip()
    if not keyword:
        return []
    needle = keyword.lower()
    out: list[Occurrence] = []
    for section in doc.sections:
        for p in section.paragraphs:
            hay = p.text.lower()
            i = hay.find(needle)
            while i >= 0 and len(out) < MAX_HITS:
                j = i + len(keyword)
                out.append(
                    Occurrence(
                        section, p.text[max(0, i - context) : i], p.text[i:j], p.text[j : j + context], p.start + i
                    )
                )
                i = hay.find(needle, j)
    return out
