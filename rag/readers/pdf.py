"""PDF files with a text layer: paragraphs rebuilt from layout lines, each page's start offset, page furniture gone.

pdfplumber (on pdfminer.six) is used rather than pypdf because it gives every line's position: a paragraph's
first line is indented by two characters in Chinese official documents, and a line that stops short of the right
margin ends its paragraph. Together with the punctuation rule (a line ending 。；：！？ may end a paragraph, a line
starting 第X章/一、/（一）/第X条 starts one) this rejoins wrapped lines without joining headings or title lines.

Fonts in PDFs printed by browsers and Word map some glyphs back to the wrong code points: "一" comes back as
KANGXI RADICAL ONE (U+2F00), "长" as CJK RADICAL C-SIMPLIFIED LONG (U+2ED3). Those characters are mapped one
by one (NFKC for the Kangxi block, with 户 the one simplified exception; Unicode's EquivalentUnifiedIdeograph
data for the supplement, which NFKC leaves alone); the rest of the text is not normalised. Running page numbers
("- 3 -", "第3页 共10页") and headers/footers repeated at the top or bottom of most pages are dropped.
"""

from __future__ import annotations

import io
import logging
import math
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from rag.readers.base import BadFile, SourceText, TextBuilder, read_bytes

__all__ = ["PdfReader", "fix_radicals"]

# U+2E81..U+2EF3 in order, from Unicode's EquivalentUnifiedIdeograph.txt ("・" marks unassigned U+2E9A).
_SUPPLEMENT = (
    "厂乛乚乙亻冂𠘨刀刂卜㔾小小兀尣尢𡯂巳幺彑彐忄心扌攵・旡日月歺母民氵氺灬爫爫丬牛犭王𤴔目示礻𥫗糹纟罓罒㓁冗𦉫羊𦍌𦍋耂肀聿肉𦥑"
    "艹艹艹虎衤覀西见角𧢲讠贝𧾷车辶辶辶邑钅長镸长门𨸏阝雨青韦页风飞食𩙿飠饣𩠐马骨鬼鱼鸟卤麦黄黾斉齐歯齿竜龙龜亀龟"
)
_RADICALS: dict[int, str] = {
    **{0x2E81 + i: ch for i, ch in enumerate(_SUPPLEMENT) if ch != "・"},
    **{cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0x2F00, 0x2FE0)},
    # CJK Compatibility Ideographs come from the same font tables; their NFKC form is canonical (NFC) anyway.
    **{cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0xF900, 0xFB00)},
    # Noto CJK draws "——" as one ligature glyph whose text is TWO-EM DASH; give the two dashes back.
    0x2E3A: "——",
    0x2E3B: "———",
    # Angle brackets come back as the deprecated U+2329/U+232A, canonically equal to 〈 〉.
    0x2329: "〈",
    0x232A: "〉",
    # Simplified-Chinese fonts share 户's glyph with KANGXI RADICAL DOOR, whose NFKC form is the traditional 戶;
    # checked on every distinct character of the plan, the congress report and 40 regulations printed by chromium.
    0x2F3E: "户",
}

_SENTENCE_END = re.compile(r"[。；：！？;:!?][”’」』）)】》]*$")
_HEADING_START = re.compile(
    r"^(?:第[一二三四五六七八九十百千零〇两\d]+[编篇章节条]|[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]+[）)]|"
    r"\d+[.．、](?!\d)|[①-⑳])"
)
_PAGE_NUMBER = re.compile(
    r"^(?:[-－—–―~\s]*\d{1,4}[-－—–―~\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|"
    r"(?:page|p\.)\s*\d+(?:\s*of\s*\d+)?|[-－—–―]\s*[一二三四五六七八九十百]+\s*[-－—–―])$",
    re.I,
)
_JUNK_TITLE = re.compile(r"^(?:untitled|无标题|microsoft word|wps)|\.(?:docx?|wps|pdf|html?|txt)$", re.I)

_CJK_EDGE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # a CJK character or full-width mark
_MIN_CHARS_PER_PAGE = 20  # fewer (on average) and the PDF is a scan: its pages are pictures of text
_EDGE_LINES = 2  # headers, footers and page numbers are among the first or last two lines of a page...
_EDGE_ZONE = 0.2  # ...and in the top or bottom fifth of it
_REPEATED = 0.5  # a header/footer appears on at least half of the pages (and on two at least)...
_SAME_HEIGHT = 3.0  # ...at the same height, give or take this many points
_RAGGED = 2.5  # font sizes: a wrapped line may stop this far before the right margin (punctuation, Latin words)
_INDENT = 0.8  # font sizes: a line starting this far right of the margin is a first line (or centred)
_GAP = 1.3  # line pitches: a larger vertical gap is a paragraph break (space before or after a paragraph)
_LINES_FOR_MARGIN = 5  # a page with fewer lines takes the document's left margin


@dataclass(frozen=True)
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    size: float  # the median font size of its characters
    row: bool = False  # a table row (cells joined by two spaces): a paragraph of its own


@dataclass(frozen=True)
class _Page:
    number: int
    height: float
    lines: tuple[_Line, ...]


@dataclass(frozen=True)
class _Layout:
    """The text column, measured over the whole document (a page with few lines says little on its own), with
    each page's own left margin where it has enough lines to tell (Word's mirrored margins move it)."""

    left: float
    lefts: dict[int, float]  # page number -> left margin
    width: float
    pitch: float  # the usual distance between two lines' tops...
    size: float  # ...for text of the usual font size
    indents: bool  # the document marks paragraphs by a first-line indent


class PdfReader:
    """.pdf files with a text layer. Encrypted, scanned (image-only) and damaged files are a BadFile."""

    suffixes: tuple[str, ...] = (".pdf",)

    def read(self, path: Path) -> SourceText:
        pages, title = _extract(path)
        _require_text(path, pages)
        pages = _drop_page_furniture(pages)
        return _assemble(pages).build(path, "pdf", title)


def fix_radicals(text: str) -> str:
    """Map radical and compatibility code points that PDF fonts give for ordinary characters (一 for ⼀)."""
    return text.translate(_RADICALS)


@contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """pdfminer logs a warning for every CJK font without a FontBBox (hundreds a file): not the user's business."""
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _extract(path: Path) -> tuple[list[_Page], str | None]:
    try:
        import pdfplumber
    except ImportError:
        raise BadFile(path, "reading .pdf files needs pdfplumber; pip install pdfplumber") from None
    raw = read_bytes(path)
    try:
        with _quiet_pdfminer(), pdfplumber.open(io.BytesIO(raw)) as pdf:
            title = _title(pdf.metadata)
            return [_page(page, i) for i, page in enumerate(pdf.pages, 1)], title
    except Exception as e:  # pdfplumber wraps pdfminer's errors; a damaged file can fail in many other ways
        raise _unreadable(path, e) from None


def _unreadable(path: Path, error: Exception) -> BadFile:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    cause = error.args[0] if error.args and isinstance(error.args[0], Exception) else error
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return BadFile(path, "the PDF is encrypted (it needs a password); save an unprotected copy and add that")
    detail = str(cause) or type(cause).__name__
    return BadFile(path, f"is not a readable PDF ({detail}); download or export it again")


def _title(metadata: dict[str, Any]) -> str | None:
    """The document title from the PDF's metadata, unless it is a file name or a program's placeholder."""
    title = metadata.get("Title")
    if isinstance(title, bytes):
        title = title.decode("utf-8", errors="ignore")
    if not isinstance(title, str):
        return None
    title = " ".join(title.split())
    return None if not title or _JUNK_TITLE.search(title) else title


def _page(page: Any, number: int) -> _Page:
    page = page.dedupe_chars()
    tables = _tables(page)
    lines = []
    for line in page.extract_text_lines(strip=True, return_chars=True):
        text = fix_radicals(line["text"])
        if text.strip() and not any(_inside(line, box) for box, _ in tables):
            size = statistics.median(c["size"] for c in line["chars"]) if line["chars"] else 0.0
            lines.append(_Line(text, float(line["x0"]), float(line["x1"]), float(line["top"]), float(size)))
    size = statistics.median([x.size for x in lines]) if lines else 0.0
    lines += [row for _, rows in tables for row in _rows(rows, size)]
    return _Page(number, float(page.height), tuple(sorted(lines, key=lambda x: x.top)))


_Box = tuple[float, float, float, float]  # x0, top, x1, bottom
_Row = tuple[float, float, float, list[str]]  # x0, x1, top, cell texts


def _tables(page: Any) -> list[tuple[_Box, list[_Row]]]:
    """The page's ruled tables: each one's box and its rows (left, right, top, cell texts). pdfplumber finds a
    table by its ruling lines; a line of text inside one reads across the cells ("指标 2020年2025年属性"), so the
    rows are taken from the table instead, as the Word and web readers give them (rag.tables reads them)."""
    out: list[tuple[_Box, list[_Row]]] = []
    if not (page.lines or page.rects or page.curves):
        return out  # no ruling at all (most pages): nothing to find, and finding costs ~60 ms a page
    for table in page.find_tables():
        rows: list[_Row] = []
        for row, texts in zip(table.rows, table.extract(), strict=False):
            cells = [_cell_text(t) for t in texts if t and t.strip()]
            if cells and row.bbox:
                x0, top, x1, _ = row.bbox
                rows.append((float(x0), float(x1), float(top), cells))
        if len(rows) >= 2:
            x0, top, x1, bottom = (float(v) for v in table.bbox)
            out.append(((x0, top, x1, bottom), rows))
    return out


def _inside(line: dict[str, Any], box: _Box) -> bool:
    x0, top, x1, bottom = box
    middle = (float(line["top"]) + float(line["bottom"])) / 2
    return top <= middle <= bottom and x0 - 1 <= float(line["x0"]) and float(line["x1"]) <= x1 + 1


def _rows(rows: list[_Row], size: float) -> list[_Line]:
    return [_Line(fix_radicals("  ".join(cells)), x0, x1, top, size, row=True) for x0, x1, top, cells in rows]


def _cell_text(text: str) -> str:
    """A cell's lines joined: a line wrapped at a Chinese character goes on without a space (医/师数 is 医师数),
    Latin words keep one."""
    parts = [p.strip() for p in text.splitlines() if p.strip()]
    out = parts[0] if parts else ""
    for p in parts[1:]:
        out += p if _CJK_EDGE.search(out[-1] + p[0]) else " " + p
    return out


def _require_text(path: Path, pages: list[_Page]) -> None:
    if not pages:
        raise BadFile(path, "the PDF has no pages; download or export it again")
    chars = sum(len("".join(line.text.split())) for page in pages for line in page.lines)
    if chars < _MIN_CHARS_PER_PAGE * len(pages):
        raise BadFile(
            path,
            f"has {len(pages)} page(s) but (almost) no text layer: it is a scanned PDF (pictures of pages); "
            "run OCR on it first (e.g. ocrmypdf -l chi_sim) and add the result",
        )


def _edge_lines(page: _Page) -> Iterator[_Line]:
    """Lines where page furniture sits: among the first or last few, in the top or bottom zone of the page."""
    n = len(page.lines)
    for i, line in enumerate(page.lines):
        at_edge = i < _EDGE_LINES or i >= n - _EDGE_LINES
        in_zone = line.top < _EDGE_ZONE * page.height or line.top > (1 - _EDGE_ZONE) * page.height
        if at_edge and in_zone:
            yield line


def _furniture_key(line: _Line) -> tuple[str, int]:
    """Headers and footers repeat at the same height with a different number on each page ("第 3 页"); the height
    tells a running header from the same words as the title on page 1."""
    return re.sub(r"\d+", "#", "".join(line.text.split())), round(line.top / _SAME_HEIGHT)


def _drop_page_furniture(pages: list[_Page]) -> list[_Page]:
    counts = Counter(key for page in pages for key in {_furniture_key(line) for line in _edge_lines(page)})
    needed = max(2, math.ceil(_REPEATED * len(pages)))
    repeated = {key for key, n in counts.items() if n >= needed}
    out = []
    for page in pages:
        edges = {id(line) for line in _edge_lines(page)}
        kept = tuple(
            line
            for line in page.lines
            if id(line) not in edges or not (_PAGE_NUMBER.match(line.text.strip()) or _furniture_key(line) in repeated)
        )
        out.append(_Page(page.number, page.height, kept))
    return out


def _margin(lines: Sequence[_Line]) -> float:
    """The left margin: the leftmost line start shared by two lines or more (indented first lines and centred
    headings start further right; one stray line further left does not move it)."""
    starts = Counter(round(line.x0) for line in lines)
    shared = [x for x, n in starts.items() if n >= 2]
    return float(min(shared or starts))


def _layout(pages: list[_Page]) -> _Layout:
    lines = [line for page in pages for line in page.lines]
    if not lines:
        return _Layout(0.0, {}, 0.0, 0.0, 1.0, False)
    left = _margin(lines)
    lefts = {page.number: _margin(page.lines) for page in pages if len(page.lines) >= _LINES_FOR_MARGIN}
    rights = sorted(line.x1 for line in lines)
    right = rights[int(0.95 * (len(rights) - 1))]  # the margin, ignoring a few lines wider than the text column
    size = statistics.median(line.size for line in lines)
    # The line pitch inside paragraphs of body text: the smallest common distance between two lines of the usual
    # size (where most paragraphs are one line long, the distance between paragraphs is the most common one).
    usual = [[x for x in page.lines if abs(x.size - size) <= 0.1 * size] for page in pages]
    pitches = [round(b.top - a.top) for same in usual for a, b in pairwise(same) if b.top - a.top > 0]
    counts = Counter(pitches)
    pitch = min((p for p, n in counts.items() if n >= max(2, 0.05 * len(pitches))), default=0.0)
    # Indented lines that run on to the right margin: the first lines of paragraphs, not centred headings.
    first_lines = sum(1 for x in lines if x.x0 - left > _INDENT * size and x.x1 >= right - _RAGGED * size)
    indents = first_lines >= max(2, 0.03 * len(lines))
    return _Layout(left, lefts, right - left, float(pitch), max(size, 1.0), indents)


def _continues(a: _Line, b: _Line, a_page: int, b_page: int, layout: _Layout) -> bool:
    """Whether line b is a's paragraph wrapped by the layout (rather than the start of a new paragraph)."""
    if a.row or b.row:
        return False  # a table row is a line of its own (rag.tables reads it with its header)
    size = max(a.size, b.size, 1.0)
    a_left, b_left = layout.lefts.get(a_page, layout.left), layout.lefts.get(b_page, layout.left)
    if abs(a.size - b.size) > 0.15 * size:  # a heading in its own font size, and the text under it
        return False
    if a_page == b_page and layout.pitch and b.top - a.top > _GAP * layout.pitch * size / layout.size:
        return False
    if a.x1 < a_left + layout.width - _RAGGED * size:  # a stopped short of the margin
        return False
    if b.x0 > b_left + _INDENT * size:  # a first line; or the rest of a centred title that filled line a
        centred = abs((b.x0 - b_left) - (b_left + layout.width - b.x1)) <= size
        # A paragraph's last line can end within _RAGGED of the margin, and the next paragraph's indented first
        # line (ragged, not justified) can look centred: a line ending a sentence is never half of a title.
        return centred and a.x0 <= a_left + _INDENT * size and not _SENTENCE_END.search(a.text.strip())
    if layout.indents:
        # Paragraphs start indented, so a line at the margin after a full line goes on, even one that starts
        # "第二十条" or "(三)" (cross-references wrap there) or follows a full stop at the very end of a line.
        return True
    return not (_SENTENCE_END.search(a.text.strip()) or _HEADING_START.match(b.text.strip()))


def _assemble(pages: list[_Page]) -> TextBuilder:
    """One line a paragraph; each page starts where its first line's text lands (possibly inside a paragraph)."""
    layout = _layout(pages)
    builder = TextBuilder()
    waiting = 0  # pages without text so far: they start where the next text does
    previous: tuple[_Line, int] | None = None
    for page in pages:
        waiting += 1
        for i, line in enumerate(page.lines):
            joined = previous is not None and _continues(previous[0], line, previous[1], page.number, layout)
            at = builder.extend(line.text) if joined else builder.add(line.text)
            if i == 0:
                for _ in range(waiting):
                    builder.start_page(at)
                waiting = 0
            previous = (line, page.number)
    for _ in range(waiting):
        builder.start_page()
    return builder
