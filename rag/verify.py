"""Pure verification of an LLM reply against its numbered sources.

Each sentence's [n] marks are mapped to sections; numbers outside the sources are dropped; each
sentence is checked with rag.grounding against the full text of the sections it cites. Unsupported
sentences are removed (or marked, when asked). What survives carries verified citations as data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag import grounding
from rag.chunk import split_sentences
from rag.types import AnswerSentence, Chunk, Citation
from rag.types import Locator as Key

_MARK = re.compile(r"\s*\[(\d{1,3})\]")
# A sentence ends at 。！？; (and their half-width forms), with any [n] marks that follow it.
_SENTENCE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;]?(?:\s*\[\d{1,3}\])*", re.S)


@dataclass(frozen=True)
class Checked:
    text: str  # without [n] marks
    sources: tuple[int, ...]  # valid source numbers cited, in order
    dropped: tuple[int, ...]  # numbers outside the sources
    supported: bool
    reason: str


def sentences(reply: str) -> list[str]:
    return [m.group(0).strip() for m in _SENTENCE.finditer(reply) if m.group(0).strip(" \n[]0123456789")]


def check_reply(reply: str, sources: list[Chunk], section_texts: dict[Key, str]) -> list[Checked]:
    out = []
    for raw in sentences(reply):
        numbers = [int(n) for n in _MARK.findall(raw)]
        text = _MARK.sub("", raw).strip()
        valid = tuple(dict.fromkeys(n for n in numbers if 1 <= n <= len(sources)))
        dropped = tuple(n for n in numbers if not 1 <= n <= len(sources))
        if not valid:
            out.append(Checked(text, (), dropped, False, "no valid source number"))
            continue
        keys = list(dict.fromkeys(sources[n - 1].key for n in valid))
        evidence = "\n".join(section_texts[k] for k in keys)
        verdict = grounding.check(text, evidence)
        out.append(Checked(text, valid, dropped, verdict.supported, verdict.reason))
    return out


def best_quote(sentence: str, section_text: str) -> str:
    """The sentence of the section that shares most wording with an answer sentence: the verbatim quote."""
    mine = grounding.units(sentence)
    candidates = [section_text[a:b] for a, b in split_sentences(section_text)] or [section_text]
    return max(candidates, key=lambda s: len(mine & grounding.units(s)))


def to_answer_sentences(
    checked: list[Checked],
    sources: list[Chunk],
    section_texts: dict[Key, str],
    mark_unsupported: str | None = None,
) -> list[AnswerSentence]:
    """Supported sentences with their citations; unsupported ones dropped, or kept uncited with a mark."""
    out = []
    for c in checked:
        if c.supported:
            cites = []
            for key in dict.fromkeys(sources[n - 1].key for n in c.sources):
                chunk = next(sources[n - 1] for n in c.sources if sources[n - 1].key == key)
                quote = best_quote(c.text, section_texts[key])
                cites.append(Citation.of(chunk, quote))
            out.append(AnswerSentence(c.text, tuple(cites)))
        elif mark_unsupported and c.text:
            out.append(AnswerSentence(c.text + mark_unsupported, ()))
    return out
