"""Plain text and Markdown files, in the encodings Chinese government files come in.

Files saved on Chinese Windows are often GB18030/GBK, Notepad may add a UTF-8 or UTF-16 byte-order mark, and
newer files are UTF-8. `decode` is shared with the HTML reader. Markdown is kept as written: the parser reads
its "# " prefixes ("## 第一章 总则") itself.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from rag.readers.base import BadFile, SourceText, normalize, read_bytes, source

__all__ = ["TextReader", "decode"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# GB2312 and GBK are subsets of GB18030: decoding with the superset reads rare characters (堃, 喆, 㐀) too.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "ms936", "euc_cn", "hz"}


def _codec(name: str | None) -> str | None:
    """Python's codec name for a declared or detected charset, widened to GB18030 for the GB family."""
    if not name:
        return None
    try:
        canonical = codecs.lookup(name.strip().strip("'\"")).name
    except LookupError:
        return None
    return "gb18030" if canonical.replace("-", "_") in _GB_FAMILY else canonical


def _strict(raw: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detected(raw: bytes, path: Path) -> str | None:
    """charset-normalizer's best guess, decoded strictly (a GB-family guess is read as GB18030)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        raise BadFile(
            path, "is not UTF-8; telling its encoding needs charset-normalizer: pip install charset-normalizer"
        ) from None

    best = from_bytes(raw).best()
    if best is None:
        return None
    return _strict(raw, _codec(best.encoding)) or str(best)


def decode(raw: bytes, path: Path, declared: str | None = None) -> str:
    """Bytes to text: a byte-order mark wins, then strict UTF-8, then a `declared` charset (HTML meta) if the bytes
    fit it, then detection. The BOM is dropped. Undecodable bytes are a BadFile.

    UTF-8 goes before the declaration because pages moved to UTF-8 often still declare gb2312, and UTF-8 bytes
    frequently decode as GB18030 without error (as nonsense); text in a GB encoding is almost never valid UTF-8.
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            text = _strict(raw[len(bom) :], codec)
            if text is not None:
                return text
    if not raw:
        return ""
    text = _strict(raw, "utf-8") or _strict(raw, _codec(declared)) or _detected(raw, path)
    if text is None:
        raise BadFile(path, "is not text in UTF-8, GB18030/GBK or any encoding detected; save it as UTF-8 text")
    return text.removeprefix("\ufeff")


class TextReader:
    """.txt and Markdown files: the text as written, in any encoding, with the shared line conventions."""

    suffixes: tuple[str, ...] = (".txt", ".md", ".markdown")

    def read(self, path: Path) -> SourceText:
        text = normalize(decode(read_bytes(path), path))
        fmt = "markdown" if path.suffix.lower() in (".md", ".markdown") else "text"
        return source(path, text, fmt)
