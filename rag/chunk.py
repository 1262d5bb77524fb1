"""Pure chunking: sections -> token-budgeted chunks that never cross a citable unit's boundary.

A chunk is a run of whole sentences of one section, cut at sentence ends (。！？；) to a tiktoken
budget, with one sentence of overlap. Its span indexes the source, so source[start:end] == text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from rag.parse import cn_to_int
from rag.types import Chunk, Document, Section, Sentence

# Sentence ends; a line break also ends one (titles and list items carry no full stop).
_SENT_END = re.compile(r"[。！？；!?;]+[”’）)]*|\n+")


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Spans (absolute, offset added) of the sentences of one paragraph, terminators kept, blanks dropped."""
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    out = []
    for a, b in spans:
        seg = text[a:b]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        if seg.strip():
            out.append((offset + a + lead, offset + b - trail))
    return out


def _blocks(section: Section, source: str) -> list[list[tuple[int, int]]]:
    """Sentence runs that may share a chunk: a gap holding dropped text (site furniture) splits them."""
    blocks: list[list[tuple[int, int]]] = []
    prev_end: int | None = None
    for p in section.paragraphs:
        if prev_end is None or source[prev_end : p.start].strip():
            blocks.append([])
        blocks[-1].extend(split_sentences(p.text, p.start))
        prev_end = p.end
    return [b for b in blocks if b]


def _number(label: str) -> str:
    """第二篇 -> 2, （三） -> 3, 专栏1 -> 专栏1: the numeral of a heading label when it has one."""
    m = re.search(r"[零〇一二两三四五六七八九十百千\d]+", label)
    if m:
        try:
            return str(cn_to_int(m.group(0)))
        except ValueError:
            pass
    return re.sub(r"[^\w]+", "", label) or "x"


def chunk_id(section: Section, index: int) -> str:
    """Stable id: document, the heading numbers on the path, kind, position (e.g. erdao:2.1:body:000)."""
    where = ".".join(_number(p) for p in section.path) or "0"
    return f"{section.doc_id}:{where}:{section.kind}:{index:03d}"


def _page_at(section: Section, offset: int) -> int | None:
    """The page of the paragraph holding offset (PDF sources), else None."""
    return next((p.page for p in section.paragraphs if p.start <= offset < p.end or p.start >= offset), None)


def chunk_section(
    section: Section,
    source: str,
    doc_title: str,
    count_tokens: Callable[[str], int],
    max_tokens: int = 300,
    overlap: int = 1,
) -> list[Chunk]:
    """Chunks of one section. A single sentence over the budget becomes a chunk of its own."""
    out: list[Chunk] = []
    for block in _blocks(section, source):
        costs = [count_tokens(source[a:b]) for a, b in block]
        i = 0
        while i < len(block):
            j, total = i, 0
            while j < len(block) and (j == i or total + costs[j] <= max_tokens):
                total += costs[j]
                j += 1
            start = block[i][0]
            # The gaps between paragraphs cost tokens too: shrink until the real text fits.
            while j - i > 1 and count_tokens(source[start : block[j - 1][1]]) > max_tokens:
                j -= 1
            end = block[j - 1][1]
            text = source[start:end]
            out.append(
                Chunk(
                    id=chunk_id(section, len(out)),
                    doc_id=section.doc_id,
                    doc_title=doc_title,
                    kind=section.kind,
                    path=section.path,
                    title=section.title,
                    breadcrumb=section.breadcrumb,
                    start=start,
                    end=end,
                    text=text,
                    n_tokens=count_tokens(text),
                    page=_page_at(section, start),
                )
            )
            if j >= len(block):
                break
            # Step back `overlap` sentences, but always move forward by at least one.
            i = max(j - overlap, i + 1)
    return out


def chunk_document(
    doc: Document, source: str, count_tokens: Callable[[str], int], max_tokens: int = 300, overlap: int = 1
) -> list[Chunk]:
    """All chunks of a document in reading order."""
    return [c for s in doc.sections for c in chunk_section(s, source, doc.title, count_tokens, max_tokens, overlap)]


def chunk_sentences(chunks: Iterable[Chunk]) -> list[Sentence]:
    """Every sentence of every chunk, each once (overlap sentences belong to their first chunk)."""
    seen: set[tuple[str, int]] = set()
    out: list[Sentence] = []
    for c in chunks:
        for a, b in split_sentences(c.text, c.start):
            if (c.doc_id, a) in seen:
                continue
            seen.add((c.doc_id, a))
            out.append(Sentence(chunk_id=c.id, index=len(out), start=a, end=b, text=c.text[a - c.start : b - c.start]))
    return out
