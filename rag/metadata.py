"""What describes a document rather than its topics: notice and title lines, the sentence naming the document's
own title, the one saying when it takes effect. They answer questions about the document (who issued it, when,
for which period), never topical ones: a topical answer never quotes them, and a section made of nothing else
(a plan's preamble holding only its covering notice) is no evidence for a topical question.

And what says nothing at all: a label (a run-in heading 主城区。, a vocative 同志们！, a title's line), quoted in no
answer unless a name is what is asked.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence

from rag import focus
from rag.store import Index
from rag.types import Locator


def _role_spans(index: Index, roles: Callable[[str], bool]) -> dict[str, list[tuple[int, int]]]:
    """Per document, the character spans of its paragraphs whose role passes `roles`."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for d in index.documents:
        for sec in d.sections:
            spans.setdefault(d.doc_id, []).extend((p.start, p.end) for p in sec.paragraphs if roles(p.role))
    return spans


# Both the generator and the pipeline ask for an index's metadata sentences: computed once per index. An Index
# compares by value and so cannot be a weak key; it is held by id with a weak reference to tell a reused id.
_METADATA: dict[int, tuple[weakref.ref[Index], frozenset[int]]] = {}


def metadata_sentences(index: Index) -> frozenset[int]:
    """Rows of the sentences that describe a document rather than its topics.

    Notice and title lines (paragraph role not "body"), body sentences that name the document's own title
    ("《…纲要》主要阐明…") and the one saying when it takes effect ("本条例自…起施行"): they answer questions
    about the document, never topical ones.
    """
    held = _METADATA.get(id(index))
    if held is not None and held[0]() is index:
        return held[1]
    spans = _role_spans(index, lambda role: role != "body")
    titles = {d.doc_id: _bare(d.title) for d in index.documents}
    doc_of = {c.id: c.doc_id for c in index.chunks}
    out = set()
    for s in index.sentences:
        doc = doc_of[s.chunk_id]
        title = titles.get(doc, "")
        names_itself = len(title) >= 6 and title in _bare(s.text)
        if names_itself or focus.states_commencement(s.text) or any(a <= s.start < b for a, b in spans.get(doc, ())):
            out.add(s.index)
    found = frozenset(out)
    key = id(index)
    _METADATA[key] = (weakref.ref(index, lambda _: _METADATA.pop(key, None)), found)
    return found


def _bare(text: str) -> str:
    """Text without brackets, bracketed years and spaces, so a title matches however it is quoted."""
    return re.sub(r"[（(][^（()）]{0,20}[)）]|[《》〈〉“”\"\s]", "", text)


def metadata_only_sections(index: Index) -> frozenset[Locator]:
    """Sections every sentence of which is metadata: nothing in them can answer a topical question."""
    meta = metadata_sentences(index)
    loc_of = {c.id: c.loc for c in index.chunks}
    seen = {loc_of[s.chunk_id] for s in index.sentences}
    body = {loc_of[s.chunk_id] for s in index.sentences if s.index not in meta}
    return frozenset(seen - body)


def title_sentences(index: Index) -> set[int]:
    """Rows of the sentences that are lines of a document's own title: a name, whatever dates or figures it holds
    (第十四个五年规划和2035年 dates nothing)."""
    spans = _role_spans(index, lambda role: role == "title")
    doc_of = {c.id: c.doc_id for c in index.chunks}
    return {s.index for s in index.sentences if any(a <= s.start < b for a, b in spans.get(doc_of[s.chunk_id], ()))}


# An enumerated item ((六)盗用燃气。, 1. 幼儿园。) is content however short; a label is not.
_ITEM = re.compile(r"^\s*([(（][一二三四五六七八九十0-9]+[)）]|[0-9]+[.、．]|[一二三四五六七八九十]+、)")
LABEL_MAX_CHARS = 16


def is_label(text: str, tag: Callable[[str], Sequence[tuple[str, str]]]) -> bool:
    """Is a sentence a label rather than a statement: a run-in heading (主城区。), a vocative (同志们！), a line of
    a title (远景目标纲要。)? Short, not an enumerated item, and without a verb: it names, it says nothing."""
    body = text.strip().rstrip("。！!？?；;，,：:")
    if not body or len(body) > LABEL_MAX_CHARS or _ITEM.match(body):
        return False
    return not any(_SAYS.match(pos) for word, pos in tag(body) if word.strip())


# Parts of speech that make a statement of a short sentence: verbs (not verbal nouns, which name: 产业发展),
# adjectives, adverbs and set phrases (严格控制).
_SAYS = re.compile(r"v(?!n)|a|d|l|i")
