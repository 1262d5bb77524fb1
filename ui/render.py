"""Pure HTML rendering for the web app, from Answer data. Every text from a user or a document is escaped."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from rag import prompts
from rag.cite import partial_note
from rag.search import Occurrence
from rag.types import Answer, Citation, Locator, NearSection, Section


def ref(loc: Locator) -> str:
    """The value a chip carries: doc_id|第二篇/第一章 (doc_id| for a preamble)."""
    return f"{loc.doc_id}|{'/'.join(loc.path)}"


def parse_ref(value: str) -> Locator:
    doc_id, _, path = value.partition("|")
    return Locator(doc_id, tuple(p for p in path.split("/") if p))


def chip(loc: Locator, text: str | None = None) -> str:
    label = html.escape(text or f"【{loc.label}】")
    return (
        f'<span class="cite-chip" role="button" tabindex="0" data-ref="{html.escape(ref(loc))}" '
        f'title="查看原文">{label}</span>'
    )


def _cite_chip(c: Citation, many_docs: bool) -> str:
    return chip(c.loc, f"【{c.loc.formal(c.doc_title)}】" if many_docs else None)


def user_message(question: str) -> str:
    """What the user typed, shown as text: never interpreted as HTML or markdown markup."""
    return html.escape(question).replace("*", "&#42;").replace("_", "&#95;").replace("`", "&#96;")


def _near(n: NearSection, many_docs: bool) -> str:
    where = n.loc.formal(n.doc_title) if many_docs else n.loc.label
    return chip(n.loc, f"{where} {n.title}".strip())


def answer_html(answer: Answer) -> str:
    """The answer, or the refusal, rendered from the Answer's data (never by parsing its text)."""
    if answer.refusal is not None:
        r = answer.refusal
        many = len({n.loc.doc_id for n in r.nearest}) > 1
        nearest = "".join(_near(n, many) for n in r.nearest)
        head = html.escape(prompts.refusal() + r.reason)
        listing = f'<div class="nearest">{html.escape(prompts.load("nearest.txt"))}{nearest}</div>' if nearest else ""
        return f'<div class="refusal">⚠️ {head}{listing}</div>'
    many = len({c.doc_id for c in answer.citations}) > 1
    parts = []
    for s in answer.sentences:
        chips = "".join(dict.fromkeys(_cite_chip(c, many) for c in s.citations))
        parts.append(f"{html.escape(s.text)}{chips}")
    notice = f'<div class="notice">{html.escape(answer.notice)}</div>' if answer.notice else ""
    lead = f'<span class="lead">{html.escape(answer.lead)}</span>' if answer.lead else ""
    note = partial_note(answer.uncovered, answer.unanswered)
    partial = f'<div class="partial">{html.escape(note)}</div>' if note else ""
    return f'<div class="answer">{lead}{"".join(parts)}</div>{partial}{notice}'


def partial_html(text: str) -> str:
    """A streamed preview: plain escaped text (chips appear with the final, verified answer)."""
    return f'<div class="answer streaming">{html.escape(text)}</div>'


def sources_html(citations: Iterable[Citation], breadcrumbs: dict[Locator, str]) -> str:
    citations = list(citations)
    many = len({c.doc_id for c in citations}) > 1
    items = [
        f'<li>{_cite_chip(c, many)} <span class="crumb">{html.escape(breadcrumbs.get(c.loc, c.title))}'
        f'</span><div class="formal">{html.escape(c.formal)}</div><blockquote>{html.escape(c.quote)}</blockquote></li>'
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
        page = f'<span class="page">第{p.page}页</span> ' if p.page else ""
        paras.append(f"<p>{page}{text}</p>")
    return (
        f'<div class="section-view" data-section="{html.escape(ref(section.loc))}">'
        f"<h3>{html.escape(section.breadcrumb)}</h3>"
        f'<div class="formal">{html.escape(citation)}</div>{"".join(paras)}</div>'
    )


def toc_html(toc: dict[str, Any]) -> str:
    """The outline as nested lists; citable entries are chips that open their text."""
    out = ['<div class="toc">']
    for e in toc["entries"]:
        loc = Locator(toc["doc_id"], tuple(e["path"]))
        text = f"{e['heading']} {e['title']}".strip() if e["path"] else e["title"]
        if e["kind"] == "intro" and not e["heading"].endswith("篇"):
            text += "（引言）"
        body = chip(loc, text) if e["citable"] else f'<span class="heading">{html.escape(text)}</span>'
        out.append(f'<div class="toc-entry depth-{min(e["depth"], 6)}">{body}</div>')
    out.append("</div>")
    return "".join(out)


def search_html(keyword: str, hits: list[Occurrence]) -> str:
    if not keyword.strip():
        return '<div class="search-results">请输入关键词。</div>'
    if not hits:
        return f'<div class="search-results">没有找到“{html.escape(keyword)}”。</div>'
    many = len({h.doc.doc_id for h in hits}) > 1
    rows = []
    for h in hits:
        where = h.section.loc.formal(h.doc.title) if many else h.section.label
        rows.append(
            f"<li>{chip(h.section.loc, where + ' ' + h.section.title)} "
            f"…{html.escape(h.before)}<mark>{html.escape(h.match)}</mark>{html.escape(h.after)}…</li>"
        )
    return f'<div class="search-results"><p>共 {len(hits)} 处</p><ol>{"".join(rows)}</ol></div>'
