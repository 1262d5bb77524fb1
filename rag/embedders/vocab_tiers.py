"""Smaller tokenizers cut from a unigram tokenizer.json, giving the full vocabulary's ids for the texts they fit.

XLM-R's tokenizer.json holds 250,000 pieces; `tokenizers` takes 1-1.5 s to load it, most of a cold
`rag ask`. A Chinese question can only ever produce the pieces made of Han characters, digits,
punctuation and symbols (23,000 of them, loaded in 0.03 s). So the folder keeps, beside the full
tokenizer, tiers cut from it: "han" (those pieces) and "latin" (plus Latin letters: English questions,
"GDP", "5G"); each text is encoded by the smallest tier that fits it, and the tier's ids are mapped back
to the full vocabulary's, so the model sees exactly the ids the full tokenizer would give.

Why that is exact: unigram tokenisation picks the best-scoring path through the vocabulary pieces that
occur in the (normalised) text; if every piece that occurs in the text is in the tier, the tier sees the
same paths with the same scores. A tier records `outside`: every character of a piece it left out that
it does not admit. A normalised text holding none of them contains no left-out piece, so it fits. The
unknown-character penalty is derived from the lowest piece score, so that piece is kept in every tier.
tests/test_embed.py checks the ids against the full tokenizer over plan, law and English texts.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

TIERS_DIR = "tiers"
FORMAT = 1
SPECIALS = 4  # <s> <pad> </s> <unk> keep their ids, so the post-processor's ids stay right


def _han(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH"))


def _no_letters_but_han(ch: str) -> bool:
    return not unicodedata.category(ch).startswith("L") or _han(ch)


def _latin_too(ch: str) -> bool:
    return _no_letters_but_han(ch) or unicodedata.name(ch, "").startswith("LATIN")


# Smallest first: a text is encoded by the first tier that fits it, else by the full tokenizer. Every
# tier also admits the letters of the model's prefixes ("query: ", "passage: "), which every text carries.
ADMITS: dict[str, Callable[[str], bool]] = {"han": _no_letters_but_han, "latin": _latin_too}


def write_tiers(folder: Path, prefixes: tuple[str, ...] = ()) -> None:
    """Cut the tiers from folder/tokenizer.json into folder/tiers (renamed into place when complete)."""
    full = json.loads((folder / "tokenizer.json").read_text("utf-8"))
    model = full["model"]
    if model.get("type") != "Unigram" or full.get("added_tokens") or model.get("byte_fallback"):
        raise ValueError("vocabulary tiers need a plain unigram tokenizer")
    vocab: list[list[Any]] = model["vocab"]
    lowest = min(range(len(vocab)), key=lambda i: vocab[i][1])
    tmp = Path(tempfile.mkdtemp(prefix=f".{TIERS_DIR}-", dir=folder))
    try:
        tmp.chmod(0o755)
        meta: dict[str, Any] = {"format": FORMAT, "vocab_size": len(vocab), "tiers": []}
        extra = set("".join(prefixes))
        for name, rule in ADMITS.items():
            admitted = {ch for piece, _ in vocab for ch in piece if ch in extra or rule(ch)}
            keep: list[int] = []
            outside: set[str] = set()
            for i, (piece, _score) in enumerate(vocab):
                if i < SPECIALS or i == lowest or admitted.issuperset(piece):
                    keep.append(i)
                else:
                    outside.update(ch for ch in piece if ch not in admitted)
            cut = {**full, "model": {**model, "vocab": [vocab[i] for i in keep]}}
            (tmp / f"{name}.json").write_text(json.dumps(cut, ensure_ascii=False), "utf-8")
            np.save(tmp / f"{name}.ids.npy", np.asarray(keep, np.int64), allow_pickle=False)
            meta["tiers"].append({"name": name, "pieces": len(keep), "outside": "".join(sorted(outside))})
        (tmp / "tiers.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        os.replace(tmp, folder / TIERS_DIR)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (folder / TIERS_DIR / "tiers.json").is_file():  # another process may have won the race
            raise


class TieredTokenizer:
    """Full-vocabulary ids for texts, each encoded by the smallest tokenizer that gives them exactly.

    The tiers and the full tokenizer are each loaded on first need (thread-safe). Without a tiers folder
    every text goes to the full tokenizer.
    """

    def __init__(self, folder: Path, max_tokens: int) -> None:
        self._folder = folder
        self._max_tokens = max_tokens
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[Any, np.ndarray | None]] = {}
        self._tiers: list[tuple[str, frozenset[str]]] = []
        meta_file = folder / TIERS_DIR / "tiers.json"
        if meta_file.is_file():
            meta = json.loads(meta_file.read_text("utf-8"))
            if meta.get("format") == FORMAT:
                self._tiers = [(t["name"], frozenset(t["outside"])) for t in meta["tiers"]]
        # The normaliser (the same in every tier) decides which tier a text needs.
        self._normalizer = self._get(self._tiers[0][0] if self._tiers else "full")[0].normalizer

    def _get(self, name: str) -> tuple[Any, np.ndarray | None]:
        got = self._loaded.get(name)
        if got is None:
            from tokenizers import Tokenizer

            with self._lock:
                got = self._loaded.get(name)
                if got is None:
                    if name == "full":
                        got = (Tokenizer.from_file(str(self._folder / "tokenizer.json")), None)
                    else:
                        tiers = self._folder / TIERS_DIR
                        ids = np.load(tiers / f"{name}.ids.npy", allow_pickle=False)
                        got = (Tokenizer.from_file(str(tiers / f"{name}.json")), ids)
                    # The model's own limit (512 positions); longer texts are cut, as sentence-transformers does.
                    got[0].enable_truncation(self._max_tokens)
                    got[0].no_padding()
                    self._loaded[name] = got
        return got

    def tier(self, text: str) -> str:
        """The name of the smallest tokenizer that encodes text exactly ("full" when no tier does)."""
        chars = set(self._normalizer.normalize_str(text)) if self._tiers else set()
        for name, outside in self._tiers:
            if chars.isdisjoint(outside):
                return name
        return "full"

    def encode(self, texts: list[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        """Per text: token ids in the full vocabulary (special tokens included, truncated to the model's
        limit) and each token's character span in the text ((0, 0) for special tokens)."""
        out: list[tuple[list[int], list[tuple[int, int]]]] = [([], []) for _ in texts]
        groups: dict[str, list[int]] = {}
        for i, t in enumerate(texts):
            groups.setdefault(self.tier(t), []).append(i)
        for name, rows in groups.items():
            tok, to_full = self._get(name)
            for i, enc in zip(rows, tok.encode_batch([texts[i] for i in rows]), strict=True):
                out[i] = (enc.ids if to_full is None else to_full[enc.ids].tolist(), enc.offsets)
        return out

    def ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids in the full vocabulary, special tokens included, truncated to the model's limit."""
        return [ids for ids, _ in self.encode(texts)]
