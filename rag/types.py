"""Typed domain objects. The citation travels as data (document, heading path, span), never as a string to re-parse.

A place in the knowledge base is a `Locator`: a document id and a heading path, the tuple of heading
labels from the top of the document ("第二篇", "第一章"), ("第三章", "第二节", "第十条"), ("三、", "（二）").
The empty path is the document's preamble; a path ending at a 篇 is that 篇's intro.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SectionKind = Literal["preamble", "intro", "body"]
PREAMBLE = "前言"


@dataclass(frozen=True, order=True)
class Locator:
    """Where a section sits: the key of every citation, gold label, API path and chip."""

    doc_id: str
    path: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Short citation label inside one document: 第二篇·第一章, 三、·（二）, 前言."""
        return "·".join(self.path) if self.path else PREAMBLE

    @property
    def part(self) -> str | None:
        """The 篇 of the path, for plans with 篇/章 (kept in the JSON for compatibility)."""
        return next((p for p in self.path if p.endswith("篇")), None)

    @property
    def chapter(self) -> str | None:
        return next((p for p in self.path if p.endswith("章")), None)

    def formal(self, doc_title: str) -> str:
        """Copy-ready citation: 《长春市二道区…纲要》第十二篇第一章, 《上海市数据条例》第三章第二十条."""
        where = "".join(p.rstrip("、") if p.endswith("、") else p for p in self.path)
        return f"《{doc_title}》{where or PREAMBLE}"

    def within(self, other: Locator) -> bool:
        """Is this place inside other (same document, other's path a prefix of ours)?"""
        return self.doc_id == other.doc_id and self.path[: len(other.path)] == other.path

    def to_json(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "path": list(self.path), "part": self.part, "chapter": self.chapter}


class Located:
    """Mixin for anything that sits in one section: its locator, key and short citation label."""

    doc_id: str
    path: tuple[str, ...]

    @property
    def loc(self) -> Locator:
        return Locator(self.doc_id, self.path)

    @property
    def key(self) -> Locator:
        return self.loc

    @property
    def label(self) -> str:
        return self.loc.label

    @property
    def part(self) -> str | None:
        return self.loc.part

    @property
    def chapter(self) -> str | None:
        return self.loc.chapter


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a section, with its character span in the source text (and its page, for PDFs)."""

    start: int
    end: int
    text: str
    heading: str | None = None  # a sub-heading this paragraph falls under that is not a citable unit itself
    page: int | None = None
    # "body" is evidence; "notice" (the covering notice, addressees, date/source line) and "title" lines
    # are document metadata: they answer questions about the document, never topical ones.
    role: str = "body"


@dataclass(frozen=True)
class Section(Located):
    """A citable unit: the preamble, an intro (text between a heading and its first sub-heading), or a body unit."""

    doc_id: str
    kind: SectionKind
    path: tuple[str, ...]  # heading labels as written, from the top: ("第二篇", "第一章")
    titles: tuple[str, ...]  # the title of each heading on the path, same length
    paragraphs: tuple[Paragraph, ...]

    @property
    def title(self) -> str:
        """The section's own title: its heading's title, else the enclosing heading's, else 前言."""
        return next((t for t in reversed(self.titles) if t), PREAMBLE if not self.path else self.path[-1])

    @property
    def breadcrumb(self) -> str:
        crumbs = [f"{p} {t}".strip() for p, t in zip(self.path, self.titles)]
        if self.kind == "intro":
            crumbs.append("篇首" if self.path and self.path[-1].endswith("篇") else "引言")
        return " › ".join(crumbs) if crumbs else PREAMBLE

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def span(self) -> tuple[int, int]:
        if not self.paragraphs:
            return (0, 0)
        return (self.paragraphs[0].start, self.paragraphs[-1].end)

    @property
    def pages(self) -> tuple[int, ...]:
        return tuple(sorted({p.page for p in self.paragraphs if p.page is not None}))


@dataclass(frozen=True)
class Document:
    """A parsed document: its metadata and its sections in reading order."""

    doc_id: str
    title: str
    sha256: str
    sections: tuple[Section, ...]
    date: str | None = None
    source: str | None = None  # the issuing body (来源 / 发文机关)
    approved_by: str | None = None
    path: str | None = None  # the file it was read from
    fmt: str = "text"
    version: str | None = None  # e.g. a date in the file name; a newer version supersedes an older one
    superseded_by: str | None = None  # doc_id of the newer version, when the knowledge base holds one
    warnings: tuple[str, ...] = ()  # e.g. "no headings found: indexed as one unit"

    def section(self, loc: Locator | tuple[str, ...]) -> Section | None:
        path = loc.path if isinstance(loc, Locator) else tuple(loc)
        return next((s for s in self.sections if s.path == path), None)


@dataclass(frozen=True)
class Chunk(Located):
    """A retrievable piece of one section; span indexes the source text exactly."""

    id: str
    doc_id: str
    doc_title: str
    kind: SectionKind
    path: tuple[str, ...]
    title: str
    breadcrumb: str
    start: int
    end: int
    text: str
    n_tokens: int
    page: int | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Chunk:
        return cls(**{**d, "path": tuple(d["path"])})


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

    doc_id: str
    path: tuple[str, ...]
    doc_title: str
    title: str
    quote: str
    chunk_id: str
    page: int | None = None

    @classmethod
    def of(cls, chunk: Chunk, quote: str) -> Citation:
        return cls(chunk.doc_id, chunk.path, chunk.doc_title, chunk.title, quote, chunk.id, chunk.page)

    @property
    def formal(self) -> str:
        page = f"（第{self.page}页）" if self.page else ""
        return self.loc.formal(self.doc_title) + page

    def to_json(self) -> dict[str, object]:
        return {
            **self.loc.to_json(),
            "doc_title": self.doc_title,
            "label": self.label,
            "title": self.title,
            "citation": self.formal,
            "quote": self.quote,
            "chunk_id": self.chunk_id,
            **({"page": self.page} if self.page else {}),
        }


@dataclass(frozen=True)
class AnswerSentence:
    """A sentence of the answer and the citations that support it."""

    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class NearSection:
    """A section offered instead of an answer: where to read."""

    loc: Locator
    title: str
    doc_title: str

    def to_json(self) -> dict[str, object]:
        return {**self.loc.to_json(), "label": self.loc.label, "title": self.title, "doc_title": self.doc_title}


@dataclass(frozen=True)
class Refusal:
    """Why no answer is given (a reason code for programs, a sentence for people) and where to look instead."""

    code: str  # see rag.policy.REASONS
    reason: str
    nearest: tuple[NearSection, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "reason": self.reason, "nearest": [n.to_json() for n in self.nearest]}


@dataclass(frozen=True)
class Answer:
    """What every front end receives: the answer text, the citations and any refusal as data, and what was read."""

    question: str
    text: str
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]  # one per section, first = primary
    contexts: tuple[Hit, ...]
    refusal: Refusal | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    mode: str = "extractive"
    notice: str | None = None  # e.g. "LLM unreachable, extractive answer shown"
    uncovered: tuple[str, ...] = ()  # terms of the question the answer does not cover (a partial answer)
    lead: str | None = None  # a short lead-in, e.g. for an English question answered in the plan's Chinese
    score: float = 0.0  # answerability: how sure the policy is (0 for refusals)
    unanswered: tuple[str, ...] = ()  # asks of a question of several that the documents leave open (rag.asks)

    @property
    def refused(self) -> bool:
        return self.refusal is not None

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "refusal": self.refusal.to_json() if self.refusal else None,
            "mode": self.mode,
            "citations": [c.to_json() for c in self.citations],
            "sentences": [{"text": s.text, "citations": [c.label for c in s.citations]} for s in self.sentences],
            "uncovered": list(self.uncovered),
            "unanswered": list(self.unanswered),
            "score": round(self.score, 4),
            "contexts": [
                {
                    "chunk_id": h.chunk.id,
                    **h.chunk.loc.to_json(),
                    "doc_title": h.chunk.doc_title,
                    "score": round(h.score, 6),
                    "text": h.chunk.text,
                }
                for h in self.contexts
            ],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            **({"notice": self.notice} if self.notice else {}),
        }
