"""Numbered runs: whether the lines of a run 一、 二、 三、 … or （一） （二） （三） … are headings or list items is
decided for the run as a whole, not line by line, and an annex named twice is one annex.

The grammar (rag.grammar) judges one line: "二、北京市人均耕地低于零点五亩的区，不提高……。" is a sentence, so no
heading, while "一、北京市各区耕地占用税的适用税额" is. Read alone, the two lines of one run come out as one heading
and text that belongs to it. Decisions, resolutions and amendments number sentences with 一、 throughout, so
there the run's items are units (run-in, with no title, as a 条 is); an item list (一)(二)(三) inside a unit is
text, so there a one-sentence item ("（三）仲裁协议。") that looks like a titled heading is text too. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.grammar import STYLES, Heading, cn_to_int, strip_markdown

__all__ = ["settle_runs"]

_Item = tuple[int, int, int]  # (line index, number, where the item's own text starts in the line)


def settle_runs(lines: Sequence[str], heads: list[Heading | None]) -> None:
    """Adjust `heads` (one per line, from rag.grammar.classify) in place."""
    for run in _runs(lines, heads, "一、"):
        if _has_prose(run, heads):
            for i, _, start in run:
                if heads[i] is None or _sentence(lines[i], heads[i]):
                    heads[i] = _item(lines[i], start, "一、")
    for run in _runs(lines, heads, "（一）"):
        # Half the run at least: one odd sentence among an opinion's titled (N) headings does not make a list.
        if 2 * sum(heads[i] is None for i, _, _ in run) >= len(run):
            for i, _, _ in run:
                if _sentence(lines[i], heads[i]):
                    heads[i] = None
    for i in range(1, len(heads)):
        # "附件：名单" then "附件" (or the same line twice): the list of annexes, then the annex itself, one unit.
        if _annex(heads[i]) and _annex(heads[i - 1]):
            heads[i] = None


def _runs(lines: Sequence[str], heads: list[Heading | None], key: str) -> list[list[_Item]]:
    """Runs of two or more items of a style numbered one by one from 一 (markdown-marked lines excepted when the
    grammar did not take them: an outline heading is not a numbered paragraph)."""
    style = next(s for s in STYLES if s.key == key)
    items: list[_Item] = []
    for i, line in enumerate(lines):
        h = heads[i]
        if h is not None and h.style is not style:
            continue
        md_level, off = strip_markdown(line)
        m = style.label.match(line, off)
        if m is None or (h is None and md_level is not None):
            continue
        try:
            number = cn_to_int(re.sub(r"[\s、（）()]", "", m.group()))
        except ValueError:
            continue
        rest = line[m.end() :]
        items.append((i, number, m.end() + len(rest) - len(rest.lstrip())))
    runs: list[list[_Item]] = []
    for item in items:
        if runs and item[1] == runs[-1][-1][1] + 1:
            runs[-1].append(item)
        elif item[1] == 1:
            runs.append([item])
    return [run for run in runs if len(run) >= 2]


def _has_prose(run: list[_Item], heads: list[Heading | None]) -> bool:
    return any(heads[i] is None for i, _, _ in run)


def _sentence(line: str, h: Heading | None) -> bool:
    """A one-sentence item the grammar read as a titled heading without text: "四、本修正案自公布之日起施行。"."""
    return h is not None and h.body is None and h.level is None and line.rstrip().endswith("。")


def _item(line: str, start: int, key: str) -> Heading:
    style = next(s for s in STYLES if s.key == key)
    label = re.sub(r"\s|^#+", "", line[:start])
    return Heading(style, label, "", None, start if start < len(line.rstrip()) else None)


def _annex(h: Heading | None) -> bool:
    return h is not None and h.style.key == "附件"
