"""Gradio Blocks: 问答 (resident chat), 条文查阅 (staff lookup), 关于 (about). Calls the pipeline only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from rag import search
from rag.cite import formal
from rag.errors import UserError
from rag.feedback import FeedbackLog
from rag.toc import table_of_contents
from rag.types import Answer, Document
from ui import render

ASSETS = Path(__file__).parent / "assets"
CSS = (ASSETS / "app.css").read_text("utf-8")
JS = (ASSETS / "app.js").read_text("utf-8")

EXAMPLES = [
    "以后在二道看病会更方便吗？",
    "“21338”空间格局里的三河是哪三条？",
    "二道会举办电竞比赛吗？",
    "这个规划是哪次会议审查批准的？",
    "二道区2025年GDP是多少？",
]


def _doc_label(d: Document) -> str:
    old = "（旧版）" if d.superseded_by else ""
    return f"{d.title}{old}"


def build_ui(pipeline: Any, feedback: FeedbackLog) -> gr.Blocks:
    index = pipeline.index
    docs = {d.doc_id: d for d in index.documents}
    doc = index.document()
    crumbs = {s.loc: s.breadcrumb for d in index.documents for s in d.sections}
    doc_choices = [(_doc_label(d), d.doc_id) for d in index.documents]

    def section_choices(doc_id: str) -> list[tuple[str, str]]:
        return [(f"{s.label} {s.title}", render.ref(s.loc)) for s in docs[doc_id].sections]

    def show(ref_value: str, quotes: list[str] | None = None) -> tuple[Any, Any]:
        if not ref_value:  # the chip script clears the box before each open
            return gr.update(), gr.update()
        loc = render.parse_ref(ref_value)
        d = docs.get(loc.doc_id)
        section = d.section(loc) if d else None
        if d is None or section is None:
            return '<div class="section-view">没有这个章节。</div>', ""
        citation = formal(d, section)
        return render.section_html(section, citation, quotes or []), citation

    def pick_document(doc_id: str) -> tuple[Any, Any, Any, Any]:
        d = docs.get(doc_id) or doc
        toc_now = render.toc_html(table_of_contents(d))
        return toc_now, gr.update(choices=section_choices(d.doc_id), value=None), "", ""

    def chat(
        question: str, messages: list[dict[str, str]], asked: list[str], scope: list[str] | None
    ) -> Iterator[tuple[Any, ...]]:
        question = (question or "").strip()
        if not question:
            yield messages, asked, None, gr.update(), ""
            return
        messages = [*messages, {"role": "user", "content": render.user_message(question)}]
        try:
            pieces = pipeline.stream(question, history=asked, doc_ids=scope or None)
            text = ""
            answer: Answer | None = None
            for piece in pieces:
                if isinstance(piece, Answer):
                    answer = piece
                    break
                text += piece
                yield (
                    [*messages, {"role": "assistant", "content": render.partial_html(text)}],
                    asked,
                    None,
                    gr.update(),
                    "",
                )
        except UserError as e:
            messages.append(
                {"role": "assistant", "content": f'<div class="refusal">⚠️ {render.html.escape(str(e))}</div>'}
            )
            yield messages, asked, None, gr.update(), ""
            return
        assert answer is not None
        messages.append({"role": "assistant", "content": render.answer_html(answer)})
        last = answer.to_json()
        # Every quoted sentence, for highlighting when a chip opens its section.
        last["quotes"] = [[render.ref(c.loc), c.quote] for s in answer.sentences for c in s.citations]
        yield messages, [*asked, question][-10:], last, render.sources_html(answer.citations, crumbs), ""

    def open_chat_section(ref_value: str, last: dict[str, Any] | None) -> Any:
        quotes = [q for r, q in (last or {}).get("quotes", []) if r == ref_value]
        return show(ref_value, quotes)[0]

    def rate(rating: str, comment: str, last: dict[str, Any] | None) -> tuple[str, str]:
        if not last:
            return "请先提问，再评价回答。", comment
        feedback.append(
            rating,
            last["question"],
            last["answer"],
            comment or "",
            refused=last["refused"],
            citations=[c["citation"] for c in last["citations"]],
            source="web",
        )
        return "谢谢您的反馈！", ""

    def keyword_search(keyword: str, doc_id: str | None) -> str:
        keyword = (keyword or "").strip()
        if len(keyword) > 100:
            return '<div class="search-results">关键词太长（最多 100 个字）。</div>'
        scope = [docs[doc_id]] if doc_id in docs else index.documents
        return render.search_html(keyword, search.find(scope, keyword))

    m = pipeline.index.manifest
    mode = "大模型（引用逐句核验）" if pipeline.settings.llm_enabled else "原文摘录（离线，不调用大模型）"
    listing = "\n".join(
        f"- 《{d.title}》：来源 {d.source or '—'}，日期 {d.date or d.version or '—'}"
        + (f"，批准 {d.approved_by}" if d.approved_by else "")
        + ("（已有新版本）" if d.superseded_by else "")
        for d in index.documents[:50]
    )
    more = f"\n- ……共 {len(index.documents)} 份文件" if len(index.documents) > 50 else ""
    about = (
        f"### 知识库\n\n{listing}{more}\n\n"
        f"- 索引：模型 {m['model']['name']}，构建于 {m['built_at']}，共 {m['counts']['chunks']} 个片段\n"
        f"- 回答方式：{mode}\n\n"
        "每句回答都注明出处（文件与章节）。文件没有写到的内容，系统会明确说明，并给出最相关的章节。"
    )

    toc = table_of_contents(doc)
    with gr.Blocks(title="政策问答") as app:
        gr.Markdown(f"## 政策问答\n{doc.title}" + (f" 等 {len(docs)} 份文件" if len(docs) > 1 else ""))
        with gr.Tabs():
            with gr.Tab("问答", id="chat"), gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        elem_id="chatbot",
                        height=460,
                        feedback_options=None,
                        label="对话",
                        buttons=["copy"],
                        sanitize_html=False,  # every text is escaped by ui.render; chips need data-ref
                    )
                    with gr.Row():
                        box = gr.Textbox(
                            placeholder="用平常的话提问，例如：以后在二道看病会更方便吗？",
                            show_label=False,
                            scale=5,
                            elem_id="question",
                            max_length=pipeline.settings.max_question_chars,
                        )
                        send = gr.Button("提问", variant="primary", scale=1, elem_id="send")
                    gr.Examples(EXAMPLES, inputs=box, label="试试这些问题")
                    scope = gr.Dropdown(
                        choices=doc_choices,
                        multiselect=True,
                        label="只在这些文件中查找（不选 = 全部现行文件）",
                        elem_id="doc-scope",
                        visible=len(docs) > 1,
                    )
                    with gr.Row():
                        up = gr.Button("有帮助", size="sm", elem_id="thumb-up")
                        down = gr.Button("没帮助", size="sm", elem_id="thumb-down")
                        comment = gr.Textbox(placeholder="可选：写下意见", show_label=False, scale=3, elem_id="comment")
                        new_chat = gr.Button("新对话", size="sm", elem_id="new-chat")
                    status = gr.Markdown(elem_id="feedback-status")
                with gr.Column(scale=2):
                    sources = gr.HTML('<div class="sources empty">回答的来源会显示在这里。</div>', elem_id="sources")
                    viewer = gr.HTML(
                        '<div class="section-view">点击回答中的【篇·章】查看原文。</div>', elem_id="chat-section"
                    )
                    chat_ref = gr.Textbox(visible="hidden", elem_id="chat-ref")
            with gr.Tab("条文查阅", id="staff"), gr.Row(elem_id="staff-panel"):
                with gr.Column(scale=2):
                    staff_doc = gr.Dropdown(
                        choices=doc_choices, value=doc.doc_id, label="文件", elem_id="staff-doc", visible=len(docs) > 1
                    )
                    toc_view = gr.HTML(render.toc_html(toc), elem_id="toc")
                    picker = gr.Dropdown(
                        choices=section_choices(doc.doc_id), label="选择章节", elem_id="section-picker"
                    )
                    kw = gr.Textbox(label="关键词检索（全文精确匹配）", elem_id="keyword")
                    kw_btn = gr.Button("检索", elem_id="keyword-search")
                with gr.Column(scale=3):
                    cite_box = gr.Textbox(
                        label="引用格式（可复制）", buttons=["copy"], interactive=False, elem_id="citation"
                    )
                    staff_view = gr.HTML('<div class="section-view">从目录中选择章节。</div>', elem_id="staff-section")
                    results = gr.HTML(elem_id="search-results")
                    staff_ref = gr.Textbox(visible="hidden", elem_id="staff-ref")
            with gr.Tab("关于", id="about"):
                gr.Markdown(about, elem_id="about")

        asked = gr.State([])
        last = gr.State(None)
        outputs = [chatbot, asked, last, sources, box]
        send.click(chat, [box, chatbot, asked, scope], outputs)
        box.submit(chat, [box, chatbot, asked, scope], outputs)
        staff_doc.change(pick_document, staff_doc, [toc_view, picker, staff_view, cite_box])
        chat_ref.change(open_chat_section, [chat_ref, last], viewer)
        staff_ref.change(show, staff_ref, [staff_view, cite_box])
        picker.change(show, picker, [staff_view, cite_box])
        kw_btn.click(keyword_search, [kw, staff_doc], results)
        kw.submit(keyword_search, [kw, staff_doc], results)
        up.click(lambda c, s: rate("up", c, s), [comment, last], [status, comment])
        down.click(lambda c, s: rate("down", c, s), [comment, last], [status, comment])
        new_chat.click(
            lambda: ([], [], None, '<div class="sources empty">回答的来源会显示在这里。</div>', ""),
            None,
            [chatbot, asked, last, sources, status],
        )
    return app
