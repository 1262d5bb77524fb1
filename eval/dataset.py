"""Gold question sets: one JSON object per line, validated strictly before anything is scored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rag.errors import UserError
from rag.types import Locator

FIELDS = ("id", "question", "answerable", "gold", "also_ok", "must_include", "type")
TYPES = (
    "staff",
    "resident",
    "colloquial",
    "multi",
    "intro",
    "preamble",
    "unanswerable",
    "adversarial",
    "english",
    "partial",
)
# partial: two asks, the documents answer the first only; gold and must_include are for the answered part.
ANY_DOC = ""  # a gold label written as {part, chapter} names a section of the default document
Key = Locator


class DatasetError(UserError):
    exit_code = 2


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    answerable: bool
    gold: tuple[Key, ...]
    also_ok: tuple[Key, ...]
    must_include: tuple[str, ...]
    type: str
    # Gold labels naming a heading that is not itself a section (a 章 whose text is in its 条):
    # any section under it is right.
    heads: frozenset[Key] = frozenset()

    @property
    def accepted(self) -> set[Key]:
        return set(self.gold) | set(self.also_ok)

    def accepts(self, loc: Key) -> bool:
        return loc in self.accepted or any(loc.within(h) for h in self.heads)

    def covered_by(self, gold: Key, cited: tuple[Key, ...]) -> bool:
        return any(c == gold or (gold in self.heads and c.within(gold)) for c in cited)

    def resolve(self, default_doc: str, citable: set[Key]) -> Item:
        """Labels written without a document name the default one; heads are found against the index."""

        def fix(keys: tuple[Key, ...]) -> tuple[Key, ...]:
            return tuple(Locator(k.doc_id or default_doc, k.path) for k in keys)

        gold, also = fix(self.gold), fix(self.also_ok)
        heads = frozenset(k for k in gold + also if k not in citable)
        return Item(self.id, self.question, self.answerable, gold, also, self.must_include, self.type, heads)


_INTRO = ("intro", "篇首")


def _keys(value: object, where: str) -> tuple[Key, ...]:
    """Gold labels: {"part", "chapter"} (a 篇/章 plan, the default document) or {"doc_id", "path"}."""
    if not isinstance(value, list):
        raise DatasetError(f"{where}: must be a list of {{part, chapter}} or {{doc_id, path}} objects")
    out = []
    for v in value:
        if isinstance(v, dict) and set(v) == {"doc_id", "path"}:
            if not isinstance(v["doc_id"], str) or not v["doc_id"]:
                raise DatasetError(f"{where}: doc_id must be a non-empty string")
            if not isinstance(v["path"], list) or not all(isinstance(p, str) and p for p in v["path"]):
                raise DatasetError(f"{where}: path must be a list of heading labels")
            out.append(Locator(v["doc_id"], tuple(v["path"])))
            continue
        if not isinstance(v, dict) or set(v) != {"part", "chapter"}:
            raise DatasetError(f"{where}: each entry needs exactly the keys part and chapter (or doc_id and path)")
        part, chapter = v["part"], v["chapter"]
        if part and chapter in _INTRO:
            chapter = None  # the 篇's own text before its first 章, as `rag show 第二篇 intro` names it
        if not (part is None or isinstance(part, str)) or not (chapter is None or isinstance(chapter, str)):
            raise DatasetError(f"{where}: part and chapter are strings or null")
        if part is None and chapter is not None and not chapter.endswith("章"):
            raise DatasetError(f"{where}: chapter must look like 第X章")
        out.append(Locator(ANY_DOC, tuple(p for p in (part, chapter) if p)))
    return tuple(out)


def parse_line(line: str, n: int) -> Item:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise DatasetError(f"line {n}: not valid JSON ({e.msg})") from None
    if not isinstance(obj, dict):
        raise DatasetError(f"line {n}: must be a JSON object")
    for f in FIELDS:
        if f not in obj:
            raise DatasetError(f"line {n}: missing field '{f}'")
    extra = set(obj) - set(FIELDS)
    if extra:
        raise DatasetError(f"line {n}: unknown field '{sorted(extra)[0]}'")
    for f in ("id", "question", "type"):
        if not isinstance(obj[f], str) or not obj[f].strip():
            raise DatasetError(f"line {n}: field '{f}' must be a non-empty string")
    if obj["type"] not in TYPES:
        raise DatasetError(f"line {n}: field 'type' must be one of {', '.join(TYPES)}")
    if not isinstance(obj["answerable"], bool):
        raise DatasetError(f"line {n}: field 'answerable' must be true or false")
    gold = _keys(obj["gold"], f"line {n}: field 'gold'")
    also = _keys(obj["also_ok"], f"line {n}: field 'also_ok'")
    if obj["answerable"] and not gold:
        raise DatasetError(f"line {n}: field 'gold' is empty for an answerable question")
    if not obj["answerable"] and gold:
        raise DatasetError(f"line {n}: field 'gold' must be empty for an unanswerable question")
    must = obj["must_include"]
    if not isinstance(must, list) or not all(isinstance(m, str) and m for m in must):
        raise DatasetError(f"line {n}: field 'must_include' must be a list of strings")
    return Item(obj["id"], obj["question"], obj["answerable"], gold, also, tuple(must), obj["type"])


def load(path: Path) -> list[Item]:
    """All items, or a DatasetError naming the first bad line and field (nothing is scored until valid)."""
    try:
        text = path.read_text("utf-8")
    except OSError as e:
        raise DatasetError(f"cannot read dataset {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise DatasetError(f"dataset {path} is not UTF-8") from None
    items, seen = [], set()
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        item = parse_line(line, n)
        if item.id in seen:
            raise DatasetError(f"line {n}: field 'id' repeats {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise DatasetError(f"dataset {path} has no questions")
    return items
