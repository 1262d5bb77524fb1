"""Word (.docx) files: paragraphs and table rows in body order, with heading hints from the paragraph styles.

Paragraph text is read from the XML rather than python-docx's Paragraph.text, which skips tracked insertions
(<w:ins>) and content controls inside a paragraph; text boxes are left out (in official documents they hold the
red header or stamps, and Word stores them twice). A table row is one line, its cells joined by two spaces.
A paragraph styled "Heading N" / "标题 N" (or based on one, or with an outline level) is a heading hint of level
N. Auto-numbering that Word draws itself (numbered lists) is not text in the file and is not read.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rag.readers.base import BadFile, SourceText, TextBuilder, read_bytes

__all__ = ["DocxReader"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.I)
_TITLE_STYLE = re.compile(r"^(?:title|标题)$", re.I)
_SKIPPED = {f"{_W}txbxContent", f"{_W}del", f"{_W}instrText", _MC_FALLBACK, f"{_W}pPr", f"{_W}rPr"}
_BREAKS = {f"{_W}br", f"{_W}cr"}
_STYLE_DEPTH = 8  # base_style chains are short; the bound only guards against a cycle in a damaged file


class DocxReader:
    """.docx files written by Word, WPS or python-docx."""

    suffixes: tuple[str, ...] = (".docx",)

    def read(self, path: Path) -> SourceText:
        doc = _open(path)
        styles = _Styles(doc)
        builder = TextBuilder()
        title: str | None = (doc.core_properties.title or "").strip() or None
        for kind, el in _blocks(doc.element.body):
            if kind == "table":
                for row in _rows(el):
                    builder.add(row)
                continue
            text = _paragraph_text(el)
            if title is None and text.strip() and styles.is_title(el):
                title = text
            builder.add(text, styles.level(el))
        return builder.build(path, "docx", title)


def _open(path: Path) -> Any:
    try:
        import docx
    except ImportError:
        raise BadFile(path, "reading .docx files needs python-docx; pip install python-docx") from None
    raw = io.BytesIO(read_bytes(path))  # a missing or unreadable path is read_bytes' BadFile
    try:
        return docx.Document(raw)
    except Exception as e:  # zipfile.BadZipFile, PackageNotFoundError, KeyError, lxml errors: all "not a docx"
        raise BadFile(
            path, f"is not a readable .docx ({type(e).__name__}); open it in Word or WPS and save it again as .docx"
        ) from None


def _blocks(body: Any) -> Iterator[tuple[str, Any]]:
    """("paragraph" | "table", element) in body order; content controls (<w:sdt>) are opened."""
    for el in body.iterchildren():
        if el.tag == f"{_W}p":
            yield "paragraph", el
        elif el.tag == f"{_W}tbl":
            yield "table", el
        elif el.tag == f"{_W}sdt":
            content = el.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content)


def _paragraph_text(p: Any) -> str:
    """The visible text of a paragraph: runs, hyperlinks, tracked insertions; tabs and line breaks kept."""
    parts: list[str] = []

    def visit(el: Any) -> None:
        for child in el.iterchildren():
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == f"{_W}t":
                parts.append(child.text or "")
            elif tag == f"{_W}tab":
                parts.append("\t")
            elif tag in _BREAKS:
                parts.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                parts.append("-")
            else:
                visit(child)

    visit(p)
    return "".join(parts)


def _rows(tbl: Any) -> Iterator[str]:
    """One line a row: cell texts joined by two spaces (a merged cell counts once, nested tables inline)."""
    for tr in tbl.iterchildren(f"{_W}tr"):
        cells = []
        for tc in tr.iterchildren(f"{_W}tc"):
            text = " ".join(" ".join(_paragraph_text(p).split()) for p in tc.iter(f"{_W}p"))
            if text.strip():
                cells.append(text.strip())
        yield "  ".join(cells)


class _Styles:
    """Heading levels and the Title style, looked up through style inheritance (a custom style based on
    "Heading 2" is a heading too) and outline levels (WPS sets those instead of heading styles)."""

    def __init__(self, doc: Any) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        paragraph_styles = [s for s in doc.styles if s.type == WD_STYLE_TYPE.PARAGRAPH]
        self._by_id = {s.style_id: s for s in paragraph_styles}
        self._default = next((s for s in paragraph_styles if s.element.default), None)

    def _chain(self, p: Any) -> Iterator[Any]:
        style = self._by_id.get(p.style) if p.style else self._default
        for _ in range(_STYLE_DEPTH):
            if style is None:
                return
            yield style
            style = style.base_style

    def level(self, p: Any) -> int | None:
        direct = _outline_level(p.pPr)
        if direct is not None:
            return direct
        for style in self._chain(p):
            m = _HEADING_STYLE.match((style.name or "").strip())
            if m:
                return int(m.group(1))
            outline = _outline_level(style.element.pPr)
            if outline is not None:
                return outline
        return None

    def is_title(self, p: Any) -> bool:
        return any(_TITLE_STYLE.match((s.name or "").strip()) for s in self._chain(p))


def _outline_level(ppr: Any) -> int | None:
    """<w:outlineLvl w:val="0..8"/> is heading level 1..9; 9 means body text."""
    el = None if ppr is None else ppr.find(f"{_W}outlineLvl")
    value = None if el is None else el.get(f"{_W}val")
    return int(value) + 1 if value is not None and value.isdigit() and int(value) < 9 else None
