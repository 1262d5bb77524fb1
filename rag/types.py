"""Typed domain objects. The citation travels as data (part, chapter, span), never as a string to re-parse."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SectionKind = Literal["preamble", "intro", "chapter"]
SectionKey = tuple[str | None, str | None]  # (part, chapter): what citations, gold labels and API paths name


class Located:
    """Mixin for anything that sits in one section: its key and its short citation label."""

    part: str | None
    chapter: str | None

    @property
    def key(self) -> SectionKey:
        return (self.part, self.chapter)

    @property
    def label(self) -> str:
        return label_for(self.part, self.chapter)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a section, with its character span in the source text."""

    start: int
    end: int
    text: str
    heading: str | None = None  # the 节 heading this paragraph falls under, if the plan has one


@dataclass(frozen=True)
class Section(Located):
    """A citable unit of the plan: the preamble, a 篇's intro, or a 章."""

    doc_id: str
    kind: SectionKind
    part: str | None  # "第二篇" as written, None for the preamble (and for plans without 篇)
    part_no: int | None
    part_title: str | None
    chapter: str | None  # "第一章" as written, None for a 篇 intro or the preamble
    chapter_no: int | None
    chapter_title: str | None
    paragraphs: tuple[Paragraph, ...]

    @property
    def title(self) -> str:
        """The section's own title: the 章 title, else the 篇 title, else 前言."""
        return self.chapter_title or self.part_title or "前言"

    @property
    def breadcrumb(self) -> str:
        crumbs = []
        if self.part:
            crumbs.append(f"{self.part} {self.part_title or ''}".strip())
        if self.chapter:
            crumbs.append(f"{self.chapter} {self.chapter_title or ''}".strip())
        if self.kind == "intro":
            crumbs.append("篇首")
        return " › ".join(crumbs) if crumbs else "前言"

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def span(self) -> tuple[int, int]:
        if not self.paragraphs:
            return (0, 0)
        return (self.paragraphs[0].start, self.paragraphs[-1].end)


def label_for(part: str | None, chapter: str | None) -> str:
    """Citation label for a (part, chapter) key."""
    if part and chapter:
        return f"{part}·{chapter}"
    return part or chapter or "前言"


@dataclass(frozen=True)
class Document:
    """A parsed plan: its metadata and its sections in reading order."""

    doc_id: str
    title: str
    sha256: str
    sections: tuple[Section, ...]
    date: str | None = None
    source: str | None = None
    approved_by: str | None = None
    path: str | None = None

    def section(self, part: str | None, chapter: str | None) -> Section | None:
        for s in self.sections:
            if s.key == (part, chapter):
                return s
        return None


@dataclass(frozen=True)
class Chunk(Located):
    """A retrievable piece of one section; span indexes the source text exactly."""

    id: str
    doc_id: str
    doc_title: str
    kind: SectionKind
    part: str | None
    part_no: int | None
    part_title: str | None
    chapter: str | None
    chapter_no: int | None
    chapter_title: str | None
    breadcrumb: str
    start: int
    end: int
    text: str
    n_tokens: int

    @property
    def title(self) -> str:
        return self.chapter_title or self.part_title or "前言"


@dataclass(frozen=True)
class Sentence:
    """One sentence of a chunk, the unit the extractive generator picks and the grounding check reads."""

    chunk_id: str
    index: int  # position in the whole corpus, i.e. document order
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """A chunk found for a question, with its fused score and the two signals behind it."""

    chunk: Chunk
    score: float
    dense: float = 0.0
    sparse: float = 0.0


@dataclass(frozen=True)
class Citation(Located):
    """Where a sentence of an answer comes from."""

    part: str | None
    chapter: str | None
    title: str
    quote: str
    chunk_id: str

    def to_json(self) -> dict[str, object]:
        return {
            "part": self.part,
            "chapter": self.chapter,
            "title": self.title,
            "quote": self.quote,
            "chunk_id": self.chunk_id,
        }


@dataclass(frozen=True)
class AnswerSentence:
    """A sentence of the answer and the citations that support it."""

    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Answer:
    """What every front end receives: the answer text, the citations as data, and what was read."""

    question: str
    text: str
    refused: bool
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]  # first = primary
    contexts: tuple[Hit, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)
    mode: str = "extractive"
    notice: str | None = None  # e.g. "LLM unreachable, extractive answer shown"
    nearest: tuple[SectionKey, ...] = ()  # sections offered on refusal

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "mode": self.mode,
            "citations": [c.to_json() for c in self.citations],
            "contexts": [
                {
                    "chunk_id": h.chunk.id,
                    "part": h.chunk.part,
                    "chapter": h.chunk.chapter,
                    "score": round(h.score, 6),
                    "text": h.chunk.text,
                }
                for h in self.contexts
            ],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            **({"notice": self.notice} if self.notice else {}),
        }
