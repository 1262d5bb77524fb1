"""JSON Lines that survive any text: line separators inside values are escaped, and lines split on \\n only.

json.dumps(ensure_ascii=False) writes U+2028, U+2029 and U+0085 raw, and str.splitlines() breaks on
them; a document holding one would be written fine and never load again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

_ESCAPE = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"})


def dumps(obj: Any) -> str:
    """One line of JSON, readable Chinese, with every character that some reader takes as a line break escaped."""
    return json.dumps(obj, ensure_ascii=False).translate(_ESCAPE)


def write(path: Path, rows: Iterable[Any]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(dumps(r) + "\n")


def read(path: Path) -> Iterator[Any]:
    """Each non-blank line parsed; a bad line raises ValueError."""
    with path.open(encoding="utf-8", newline="\n") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)
