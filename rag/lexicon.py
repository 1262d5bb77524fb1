"""jieba's dictionary as a table in the model cache, read one first character at a time.

A cold `jieba.Tokenizer.initialize()` unmarshals a 500,000-entry prefix dictionary (about 1 s here), and
`jieba.posseg` parses dict.txt once more for the word tags, twice in fact (once on import for its
global tokenizer); together most of a cold `rag ask`. A question, and the sentences an answer is drawn
from, use a few hundred distinct characters, so the table is stored grouped by first character
(words.txt: one line of words, counts and tags per character; index.json: where each line is) and a
character's entries are put into jieba's own dicts the first time a text holding it is cut.

jieba only ever looks up substrings of the text it cuts (DAG fragments, route words, search-mode
grams), so once every character of a text is loaded it finds exactly the entries a full load would
give it: the same cuts and tags. The table is written from jieba's own initialisation (same counts,
same prefix entries, same total), once per jieba version, atomically; no pickle or marshal.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

FORMAT = 2


def table_folder(cache_dir: Path) -> Path:
    import jieba

    return cache_dir / "jieba" / f"dict-{jieba.__version__}-v{FORMAT}"


def write_table(folder: Path) -> None:
    """Build the table from jieba's default dictionary into folder (rename into place when complete)."""
    import jieba

    tok = jieba.Tokenizer()
    tok.initialize()
    tags = _word_tags(tok)
    by_char: dict[str, list[str]] = {}
    for word in tok.FREQ:
        by_char.setdefault(word[0], []).append(word)
    body, buckets, at = [], {}, 0
    for ch in sorted(by_char):
        words = sorted(by_char[ch])
        tagged = [w for w in words if w in tags]
        # One line per character: its words, their counts, the tagged words, their tags (space-separated
        # columns, tab between them): dict.update(zip(...)) takes a bucket in at C speed.
        columns = (words, [str(tok.FREQ[w]) for w in words], tagged, [tags[w] for w in tagged])
        line = ("\t".join(" ".join(c) for c in columns) + "\n").encode("utf-8")
        buckets[ch] = [at, at + len(line)]
        body.append(line)
        at += len(line)
    meta = {"format": FORMAT, "jieba": jieba.__version__, "total": tok.total, "buckets": buckets}
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        tmp.chmod(0o755)
        (tmp / "words.txt").write_bytes(b"".join(body))
        (tmp / "index.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        os.replace(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (folder / "index.json").is_file():  # another process may have won the race
            raise


def _word_tags(tok: Any) -> dict[str, str]:
    """dict.txt's word -> tag, read exactly as jieba.posseg.POSTokenizer.load_word_tag reads it."""
    from jieba.posseg import POSTokenizer

    holder = POSTokenizer.__new__(POSTokenizer)
    holder.load_word_tag(tok.get_dict_file())
    return dict(holder.word_tag_tab)


class Lexicon:
    """The table of one folder; fill() puts the entries of a text's characters into jieba's dicts."""

    def __init__(self, folder: Path) -> None:
        meta = json.loads((folder / "index.json").read_text("utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"jieba table {folder} is of another format")
        self.total = int(meta["total"])
        self._buckets: dict[str, list[int]] = meta["buckets"]
        self._data = (folder / "words.txt").read_bytes()
        self._loaded: set[str] = set()  # characters whose counts are in the caller's FREQ
        self._tagged: set[str] = set()  # characters whose tags are in the caller's tag table
        self._lock = threading.Lock()

    @classmethod
    def open(cls, cache_dir: Path) -> Lexicon | None:
        """The cached table, written first if missing; None when it can be neither read nor written."""
        folder = table_folder(cache_dir)
        try:
            if not (folder / "index.json").is_file():
                write_table(folder)
            return cls(folder)
        except (OSError, ValueError, KeyError):
            return None  # an unwritable cache: jieba loads its whole dictionary, as without a cache

    def fill(self, text: str, freq: dict[str, int]) -> None:
        """Make sure freq (jieba's FREQ) holds every entry that starts with a character of text."""
        self._fill(text, freq, self._loaded, 0)

    def fill_tags(self, text: str, tags: dict[str, str]) -> None:
        """The same for word tags (jieba.posseg's word_tag_tab), which only tagged questions need."""
        self._fill(text, tags, self._tagged, 2)

    def _fill(self, text: str, target: dict[str, Any], loaded: set[str], column: int) -> None:
        missing = set(text) - loaded
        if not missing:
            return
        with self._lock:  # server threads: a character counts as loaded only once all its entries are in
            for ch in missing - loaded:
                span = self._buckets.get(ch)
                if span is not None:
                    columns = self._data[span[0] : span[1] - 1].decode("utf-8").split("\t")
                    keys, values = columns[column], columns[column + 1]
                    if keys:
                        cast = int if column == 0 else str
                        target.update(zip(keys.split(" "), map(cast, values.split(" ")), strict=True))
                loaded.add(ch)
