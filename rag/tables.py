"""Rows of a table read with their header: what a bare figure in a cell is a figure of (pure text logic).

Plans state their targets in tables (主要指标: 指标 / 2020年 / 2025年 / 属性). The readers give a table row as
one line with its cells joined by two spaces (Word, web pages; text files often do the same with spaces or
tabs). "常住人口城镇化率（%）  62  66  —  预期性" holds no figure a reader can place: 66 is the 2025 target
only under the header row, and a percentage only by its label's unit. Read with its header the row says
"常住人口城镇化率（%）：2020年62%，2025年66%，年均增长—，属性预期性", which the answer checks can judge (a
figure, of the measure asked, for the year asked). The answer itself still quotes the rows verbatim.
"""

from __future__ import annotations

import re

_CELL_GAP = re.compile(r"\t+|[ \u3000]{2,}")
_NUMBER = re.compile(r"^[<>≤≥＜＞约]?-?\d+(?:\.\d+)?%?(?:左右|以上|以下)?$")
_NUMBER_PART = re.compile(r"^[\[［〔]?[<>≤≥＜＞约]?(-?\d+(?:\.\d+)?%?)")
# A label's unit: the parenthesis ending it, short (（%）, （万人）, （亿元）); （助理） inside a label is no unit.
_UNIT = re.compile(r"[（(]\s*([^（）()]{1,4}?)\s*[)）]\s*$")
_EMPTY = frozenset({"—", "——", "-", "--", "/", "－", "－－", "…"})
_UNIT_COLUMNS = frozenset({"单位", "计量单位", "指标单位"})
MIN_CELLS = 3  # two cells are a label and a value at most: no table to read


def cells(line: str) -> list[str]:
    """A line's cells when it is a table row (three cells or more), else []."""
    parts = [c.strip() for c in _CELL_GAP.split(line.strip())]
    parts = [c for c in parts if c]
    return parts if len(parts) >= MIN_CELLS else []


def is_number(cell: str) -> bool:
    return bool(_NUMBER.match(cell.replace(",", "").replace("，", "").strip("[]［］〔〕")))


def is_value(cell: str) -> bool:
    """A data cell: a number (6左右, [8] for a five-year total) or the dash of an empty one."""
    return is_number(cell) or cell in _EMPTY


def is_header(row: list[str]) -> bool:
    """A header names its columns: none of its cells after the first is a value (2025年 is a name)."""
    return bool(row) and not any(is_value(c) for c in row[1:])


def header_above(text: str, line: str) -> list[str]:
    """The header row of the table the line is a row of, within text (a section): the first row of the run of
    row lines the line ends, when that first row names columns (its last cells, as many as the row has).
    [] when there is none."""
    row = cells(line)
    if not row or is_header(row):
        return []
    lines = text.split("\n")
    target = line.strip()
    at = next((i for i, x in enumerate(lines) if x.strip() == target), -1)
    if at < 0:
        return []
    top = at
    while top > 0 and cells(lines[top - 1]):
        top -= 1
    head = cells(lines[top])
    if top == at or not is_header(head) or len(row) > len(head):
        return []
    # A row shorter than the header lost its leading cells to a merged category cell (经济发展 spanning the
    # rows of its indicators, which the readers give once): its cells are the header's last ones.
    return head[len(head) - len(row) :]


def reading(text: str, line: str) -> str | None:
    """The row read with its header, or None when the line is no row of a table with a header in text."""
    head = header_above(text, line)
    if not head:
        return None
    row = cells(line)
    # The label is every cell before the first value (类别 and 指标 both, when a category cell leads the row).
    k = next((i for i, c in enumerate(row) if i and is_value(c)), len(row))
    label = " ".join(row[:k])
    unit = _UNIT.search(row[k - 1])
    # The unit is the label's (城镇化率（%）) or in a column of its own (指标  单位  2020年: 森林覆盖率  %  41.2).
    own = [c for name, c in zip(head, row, strict=True) if name in _UNIT_COLUMNS]
    suffix = (unit.group(1) if unit else own[0] if own else "").replace("％", "%")
    parts = []
    for name, value in zip(head[k:], row[k:], strict=True):
        # A bare number takes the unit its label gives (城镇化率（%）  66 is 66%, 医师数（人）  3.2 is 3.2人).
        m = _NUMBER_PART.match(value)
        if suffix and m and not m.group(1).endswith("%") and is_number(value):
            value = value[: m.end(1)] + suffix + value[m.end(1) :]
        parts.append(f"{name}{value}")
    return f"{label}：{'，'.join(parts)}。"


def header_line(text: str, line: str) -> str | None:
    """The header row's line as the text writes it (to quote it verbatim beside the row), or None."""
    head = header_above(text, line)
    if not head:
        return None
    for x in text.split("\n"):
        found = cells(x)
        if found and found[len(found) - len(head) :] == head and is_header(found):
            return x.strip()
    return None
