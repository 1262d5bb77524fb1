"""Pure HTML rendering for the web app. Every text from a user or the plan is escaped before use."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from rag.cite import tag
from rag.search import Occurrence
from rag.types import Answer, Citation, Section, label_for
from rag.types import SectionKey as Key


def ref(part: str | None, chapter: str | None) -> str:
    """The value a chip carries: 第二篇|第一章, 第二篇|intro, 前言|intro."""
    return f"{part or '前言'}|{chapter or 'intro'}"


def parse_ref(value: str) -> Key:
    part, _, chapter = value.partition("|")
    return (None if part in ("", "前言") else part, None if chapter in ("", "intro") else chapter)


def chip(part: str | None, chapter: str | None, text: str | None = None) -> str:
    label = html.escape(text or tag(part, chapter))
    return (
        f'<span class="cite-chip" role="button" tabindex="0" data-ref="{html.escape(ref(part, chapter))}" '
        f'title="查看原文">{label}</span>'
    )


def user_message(question: str) -> str:
    """What the user typed, shown as text: never interpreted as HTML or markdown markup."""
    return html.escape(question).replace("*", "&#42;").replace("_", "&#95;").replace("`", "&#96;")


def answer_html(answer: Answer, titles: dict[Key, str]) -> str:
    if answer.refused:
        nearest = "".join(chip(*k, f"{label_for(*k)} {titles.get(k, '')}") for k in answer.nearest)
        head = html.escape(answer.text.split("您可以查阅")[0])
        return f'<div class="refusal">⚠️ {head}<div class="nearest">您可以查阅：{nearest}</div></div>'
    parts = []
    for s in answer.sentences:
        chips = "".join(dict.fromkeys(chip(c.part, c.chapter) for c in s.citations))
        parts.append(f"{html.escape(s.text)}{chips}")
    notice = f'<div class="notice">{html.escape(answer.notice)}</div>' if answer.notice else ""
    return f'<div class="answer">{"".join(parts)}</div>{notice}'


def partial_html(text: str) -> str:
    """A streamed preview: plain escaped text (chips appear with the final, verified answer)."""
    return f'<div class="answer streaming">{html.escape(text)}</div>'


def sources_html(citations: Iterable[Citation], breadcrumbs: dict[Key, str]) -> str:
    items = [
        f'<li>{chip(c.part, c.chapter)} <span class="crumb">{html.escape(breadcrumbs.get(c.key, c.title))}'
        f"</span><blockquote>{html.escape(c.quote)}</blockquote></li>"
        for c in citations
    ]
    if not items:
        return '<div class="sources empty">本次回答没有引用。</div>'
    return f'<div class="sources"><h4>来源</h4><ol>{"".join(items)}</ol></div>'


def section_html(section: Section, citation: str, quotes: Iterable[str] = ()) -> str:
    """A section's full text; the quoted sentences are highlighted with <mark>."""
    quotes = [q for q in quotes if q]
    paras = []
    for p in section.paragraphs:
        text = html.escape(p.text)
        for q in sorted(set(quotes), key=len, reverse=True):
            eq = html.escape(q)
            if eq in text:
                text = text.replace(eq, f"<mark>{eq}</mark>")
        paras.append(f"<p>{text}</p>")
    return (
        f'<div class="section-view" data-section="{html.escape(ref(*section.key))}">'
        f"<h3>{html.escape(section.breadcrumb)}</h3>"
        f'<div class="formal">{html.escape(citation)}</div>{"".join(paras)}</div>'
    )


def toc_html(toc: dict[str, Any]) -> str:
    out = ['<div class="toc">']
    for part in toc["parts"]:
        if part["part"] is None:
            out.append(f"<div>{chip(None, None, '前言')}</div>")
            continue
        out.append(f"<details><summary>{html.escape(part['part'])} {html.escape(part['title'])}</summary><ul>")
        for ch in part["chapters"]:
            text = f"{ch['chapter'] or '篇首'} {ch['title']}"
            out.append(f"<li>{chip(ch['part'], ch['chapter'], text)}</li>")
        out.append("</ul></details>")
    out.append("</div>")
    return "".join(out)


def search_html(keyword: str, hits: list[Occurrence]) -> str:
    if not keyword.strip():
        return '<div class="search-results">请输入关键词。</div>'
    if not hits:
        return f'<div class="search-results">规划中没有找到“{html.escape(keyword)}”。</div>'
    rows = [
        f"<li>{chip(h.section.part, h.section.chapter, h.section.label + ' ' + h.section.title)} "
        f"…{html.escape(h.before)}<mark>{html.escape(h.match)}</mark>{html.escape(h.after)}…</li>"
        for h in hits
    ]
    return f'<div class="search-results"><p>共 {len(hits)} 处</p><ol>{"".join(rows)}</ol></div>'
