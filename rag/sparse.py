"""Lexical search: BM25 (bm25s) over jieba tokens, with a user dictionary of the plan's own quoted terms."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from rag.bm25_saved import SavedBm25
from rag.lexicon import Lexicon

# jieba only matches dictionary words inside runs of these characters, so only such terms are kept.
_JIEBA_WORD = re.compile(r"^[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]{2,16}$")
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]+$")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,16})[”\"」』]")
_STOP = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "是",
        "在",
        "对",
        "为",
        "以",
        "将",
        "把",
        "被",
        "等",
        "中",
        "上",
        "下",
        "也",
        "都",
        "而",
        "或",
        "并",
        "其",
        "之",
        "于",
        "个",
        "吗",
        "呢",
        "吧",
        "啊",
        "么",
        "什么",
        "怎么",
        "怎样",
        "如何",
        "哪些",
        "哪个",
        "哪",
        "会",
        "能",
        "有",
        "没有",
        "要",
        "我",
        "你",
        "他",
        "们",
        "我们",
        "这",
        "那",
        "这个",
        "那个",
        "请问",
        "一下",
        "一些",
        "是否",
        "还",
        "就",
        "又",
        "再",
        "很",
        "更",
        "最",
        "多少",
        "几",
    ]
)


def plan_terms(texts: Iterable[str]) -> list[str]:
    """Terms the plan itself puts in quotes (“21338”“智慧二道”“城市会客厅”), usable as jieba words."""
    found: dict[str, None] = {}
    for text in texts:
        for m in _QUOTED.finditer(text):
            term = m.group(1).strip()
            if _JIEBA_WORD.match(term):
                found[term] = None
    return list(found)


class Tokenizer:
    """jieba in search mode plus the user dictionary; drops punctuation and stop words, lower-cases Latin.

    With a cache folder, jieba's dictionary is read from a table there one first character at a time
    (rag.lexicon): the same cuts and tags as a full load, without a second of loading first.
    """

    def __init__(self, user_words: Iterable[str] = (), cache_dir: Path | None = None) -> None:
        try:
            import jieba
        except ImportError as e:
            raise ImportError("lexical search needs jieba: pip install jieba") from e
        jieba.setLogLevel(60)
        self._jieba = jieba.Tokenizer()
        self._tags: dict[str, str] = {}  # word -> POS tag, filled from the lexicon like FREQ
        self._lexicon = Lexicon.open(cache_dir) if cache_dir is not None else None
        if self._lexicon is not None:
            self._jieba.total = self._lexicon.total
            self._jieba.initialized = True  # entries arrive per character, in _fill()
        else:
            self._jieba.initialize()
        self.user_words = list(user_words)
        for w in self.user_words:
            self._fill(w)
            self._jieba.add_word(w, freq=20000)

    def _fill(self, text: str) -> None:
        if self._lexicon is not None:
            self._lexicon.fill(text, self._jieba.FREQ)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """(word, part of speech) pairs, jieba's tag set: n* nouns, v verbs, r pronouns, m numerals ..."""
        if not hasattr(self, "_pos"):
            self._pos = _pos_tokenizer(self._jieba, self._tags if self._lexicon is not None else None)
        self._fill(text)
        if self._lexicon is not None:
            self._lexicon.fill_tags(text, self._tags)
        return [(p.word, p.flag) for p in self._pos.lcut(text)]

    def general_freq(self, word: str) -> int:
        """How common a word is in general Chinese (jieba's dictionary count; 0 when unknown)."""
        self._fill(word)
        return int(self._jieba.FREQ.get(word, 0) or 0)

    def segment(self, text: str) -> list[str]:
        """Plain jieba words (accurate mode, nothing dropped): for reading names out of a question."""
        self._fill(text)
        return list(self._jieba.lcut(text))

    def __call__(self, text: str) -> list[str]:
        self._fill(text)
        out = []
        for tok in self._jieba.lcut_for_search(text):
            tok = tok.strip().lower()
            if tok and tok not in _STOP and re.search(r"[\w\u4e00-\u9fff]", tok):
                out.append(tok)
        return out


def _pos_tokenizer(tokenizer: Any, tags: dict[str, str] | None) -> Any:
    """A jieba.posseg.POSTokenizer over tokenizer; with tags given, it uses them instead of parsing dict.txt.

    Importing jieba.posseg parses dict.txt (0.7 s) for a global tagger this project never uses; pointing
    jieba's global tokenizer at an empty file for the length of the import skips that parse.
    """
    import jieba

    if tags is None:
        import jieba.posseg

        return jieba.posseg.POSTokenizer(tokenizer)
    if "jieba.posseg" not in sys.modules:
        saved = jieba.dt.dictionary
        jieba.dt.dictionary = os.devnull
        try:
            import jieba.posseg
        finally:
            jieba.dt.dictionary = saved
    from jieba.posseg import POSTokenizer

    pos = POSTokenizer.__new__(POSTokenizer)  # __init__ would parse dict.txt again
    pos.tokenizer = tokenizer
    pos.word_tag_tab = tags
    return pos


class SparseIndex:
    """BM25 scores for every chunk; saved as bm25s's .npy/.json files plus userdict.txt (no pickle)."""

    def __init__(self, tokenizer: Tokenizer, bm25: Any) -> None:
        self.tokenizer = tokenizer
        self.bm25 = bm25

    @classmethod
    def build(cls, texts: list[str], user_words: Iterable[str] = (), cache_dir: Path | None = None) -> SparseIndex:
        """BM25 over texts; with cache_dir, jieba's table is written there now rather than at the first question."""
        import bm25s

        tok = Tokenizer(user_words, cache_dir)
        bm25 = bm25s.BM25()
        bm25.index([tok(t) or [""] for t in texts], show_progress=False)
        return cls(tok, bm25)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk, in index order (all zeros when no query term is known)."""
        n = int(self.bm25.scores["num_docs"])
        ids = self.bm25.get_tokens_ids(self.tokenizer(query))
        if not ids:
            return np.zeros(n, np.float32)
        return np.asarray(self.bm25.get_scores_from_ids(ids), np.float32)

    @property
    def num_docs(self) -> int:
        return int(self.bm25.scores["num_docs"])

    def doc_freq(self, word: str) -> int:
        """How many chunks hold this (lower-cased) word as a token: 0 when it is not in the vocabulary."""
        if not hasattr(self, "_df"):
            # bm25s keeps a token-major sparse matrix: a column's length is the token's document frequency.
            self._df = np.diff(np.asarray(self.bm25.scores["indptr"]))
        token = self.bm25.vocab_dict.get(word)
        return int(self._df[token]) if token is not None and token < len(self._df) else 0

    def vocabulary(self, limit: int) -> list[str]:
        """The corpus's own words (two or more Chinese characters), most frequent first, at most `limit`."""
        words = [(w, self.doc_freq(w)) for w in self.bm25.vocab_dict if len(w) >= 2 and _CJK_WORD.match(w)]
        return [w for w, _ in sorted(words, key=lambda x: (-x[1], x[0]))[:limit]]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(directory / "bm25"), allow_pickle=False)
        (directory / "userdict.txt").write_text("".join(f"{w}\n" for w in self.tokenizer.user_words), "utf-8")

    @classmethod
    def load(cls, directory: Path, cache_dir: Path | None = None) -> SparseIndex:
        """A saved index; cache_dir is where jieba's dictionary table is kept (rag.lexicon)."""
        words = (directory / "userdict.txt").read_text("utf-8").split("\n")
        return cls(Tokenizer((w for w in words if w), cache_dir), SavedBm25(directory / "bm25"))
