"""The reader contract: what every reader returns (SourceText), the one error it raises (BadFile), and the text
conventions all readers share, so that the parser sees the same kind of text whatever the file type.

Conventions: one paragraph per line ("\\n" separated; blank lines may sit between), "\\r\\n", "\\r", U+2028,
U+2029 and U+0085 become "\\n", NUL and the other C0 control characters (except tab and newline) are removed,
and the text is otherwise kept as written: no NFKC (full-width ，：（） stay full-width, spans stay valid).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rag.errors import CorpusError

__all__ = ["BadFile", "Reader", "SourceText", "TextBuilder", "join_wrapped", "normalize", "read_bytes", "source"]

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\u0085]")
# C0 controls but tab and newline, and DEL: they are never text, and NUL breaks downstream tools.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class SourceText:
    """A document's text as the parser reads it, with what the file format knew beyond the text."""

    text: str  # every span/offset indexes THIS string
    fmt: str  # "text" | "markdown" | "html" | "docx" | "pdf"
    title: str | None = None  # from <title>/<h1>, docx core properties, PDF metadata, when known
    pages: tuple[int, ...] = ()  # PDF only: start offset in text of page 1, 2, ...
    headings: tuple[tuple[int, int], ...] = ()  # (offset of a line start, level 1..9): Word styles, <h1>-<h6>

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding `offset`, or None when the format has no pages."""
        if not self.pages:
            return None
        return max(1, bisect.bisect_right(self.pages, offset))


class BadFile(CorpusError):
    """A document file that cannot be read. The message is one line: the file, what is wrong, what to do."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        super().__init__(" ".join(f"{path}: {problem}".split()))


class Reader(Protocol):
    """One file format: the suffixes it handles (lower case, with the dot) and how to read such a file."""

    suffixes: tuple[str, ...]

    def read(self, path: Path) -> SourceText: ...


def normalize(text: str) -> str:
    """Apply the shared conventions: line breaks to "\\n", control characters removed. Nothing else changes."""
    return _CONTROLS.sub("", _NEWLINES.sub("\n", text))


def join_wrapped(left: str, right: str) -> str:
    """Join a line the layout wrapped to its continuation: Chinese needs no space, two Latin words need one."""
    if left and right and _latin(left[-1]) and _latin(right[0]) and not (left[-1].isdigit() and right[0].isdigit()):
        return f"{left} {right}"
    return left + right


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def read_bytes(path: Path) -> bytes:
    """The file's bytes; a missing or unreadable file is a BadFile that says what to check."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BadFile(path, "no such file; check the path") from None
    except IsADirectoryError:
        raise BadFile(path, "is a folder, not a file; name the files inside it") from None
    except OSError as e:
        raise BadFile(path, f"cannot be read ({e.strerror or e}); check that the file exists and is readable") from None


def source(
    path: Path,
    text: str,
    fmt: str,
    *,
    title: str | None = None,
    pages: tuple[int, ...] = (),
    headings: tuple[tuple[int, int], ...] = (),
) -> SourceText:
    """The SourceText of a file, refusing one with no text (an empty index entry helps nobody)."""
    if not text.strip():
        raise BadFile(path, "is empty (no text after reading it); add the full document instead")
    title = " ".join(title.split()) if title else None
    return SourceText(text, fmt, title or None, pages, headings)


class TextBuilder:
    """Collects a document line by line (one paragraph a line) and records where heading lines and pages start.

    Structured readers (HTML, Word, PDF) feed it lines; offsets are computed on the final text, so heading hints
    and page starts always index the string the parser receives.
    """

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._size = 0  # len("\n".join(self._lines))
        self._headings: list[tuple[int, int]] = []
        self._pages: list[int] = []

    def _next_offset(self) -> int:
        return self._size + 1 if self._lines else 0

    def add(self, line: str, level: int | None = None) -> int:
        """Add one paragraph (stripped; breaks inside it make several lines), `level` a heading hint 1..9.
        Returns the offset where it starts (where the next line would go, if it held no text)."""
        first = self._next_offset()
        for piece in (p.strip() for p in normalize(line).split("\n")):
            if not piece:
                continue
            offset = self._next_offset()
            if level is not None:
                self._headings.append((offset, min(max(level, 1), 9)))
                level = None  # the hint belongs to the heading's first line
            self._lines.append(piece)
            self._size = offset + len(piece)
        return first

    def extend(self, piece: str) -> int:
        """Continue the last line with `piece` (a line the PDF layout had wrapped); returns where `piece` starts."""
        piece = normalize(piece).replace("\n", " ").strip()
        if not self._lines:
            return self.add(piece)
        last = self._lines[-1]
        self._lines[-1] = join_wrapped(last, piece)
        self._size += len(self._lines[-1]) - len(last)
        return self._size - len(piece)

    def start_page(self, at: int | None = None) -> None:
        """Record that the next page starts at offset `at` (default: where the next line will go)."""
        self._pages.append(self._next_offset() if at is None else at)

    def build(self, path: Path, fmt: str, title: str | None = None) -> SourceText:
        text = "\n".join(self._lines)
        pages = tuple(min(p, len(text)) for p in self._pages)
        return source(path, text, fmt, title=title, pages=pages, headings=tuple(self._headings))
