"""Document readers behind one function: `read(path)` picks the reader for the file's suffix.

Each reader turns one file format into a SourceText (see rag.readers.base for the text conventions). The heavy
libraries (lxml, python-docx, pdfplumber) are imported inside each reader when a file of that kind is read, so
a corpus of .txt files needs none of them; a missing one is a BadFile that says what to pip install.
"""

from __future__ import annotations

from pathlib import Path

from rag.readers.base import BadFile, Reader, SourceText
from rag.readers.docx import DocxReader
from rag.readers.html import HtmlReader
from rag.readers.pdf import PdfReader
from rag.readers.text import TextReader

__all__ = ["SUFFIXES", "BadFile", "Reader", "SourceText", "read", "reader_for"]

_READERS: tuple[Reader, ...] = (TextReader(), HtmlReader(), DocxReader(), PdfReader())
_BY_SUFFIX: dict[str, Reader] = {suffix: r for r in _READERS for suffix in r.suffixes}
SUFFIXES: tuple[str, ...] = tuple(_BY_SUFFIX)


def reader_for(path: Path) -> Reader:
    """The reader for `path`'s suffix (case-insensitive); an unknown suffix is a BadFile naming the known ones."""
    reader = _BY_SUFFIX.get(path.suffix.lower())
    if reader is None:
        kind = f"file type {path.suffix!r}" if path.suffix else "file without a suffix"
        raise BadFile(path, f"unsupported {kind}; use one of {' '.join(SUFFIXES)} (convert the file first)")
    return reader


def read(path: Path) -> SourceText:
    """Read one document file into the text the parser reads. Any problem is a BadFile (a one-line message)."""
    path = Path(path)
    return reader_for(path).read(path)
