"""End-to-end in a real headless Chromium (Debian's package, driven by Playwright) against the real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from rag.config import PROJECT_ROOT

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"  # `make test` installs it (apt); Playwright's own download is unreachable here
SHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator:  # type: ignore[type-arg]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg = browser.new_page(viewport={"width": 1300, "height": 950})
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.goto(server["url"] + "/", wait_until="load")
    pg.wait_for_selector("#question textarea", timeout=60000)
    pg.dialogs = dialogs  # type: ignore[attr-defined]
    yield pg
    pg.close()


def ask(pg: Page, question: str) -> None:
    before = pg.locator("#chatbot .message").count()
    pg.fill("#question textarea", question)
    pg.click("#send")
    pg.wait_for_function(
        "n => document.querySelectorAll('#chatbot .message').length >= n + 2", arg=before, timeout=60000
    )
    pg.wait_for_selector("#chatbot .message:last-of-type :is(.cite-chip, .refusal)", timeout=60000)


def test_chat_answer_chip_opens_section(page: Page) -> None:
    ask(page, "“21338”空间格局里的三河是哪三条？")
    answer = page.locator("#chatbot .answer").last
    assert "雾开河" in answer.inner_text()
    chip = answer.locator(".cite-chip").first
    assert chip.inner_text() == "【第二篇·第一章】"
    assert "推进产城空间扩容提质" in page.inner_text("#sources")
    chip.click()
    page.wait_for_selector("#chat-section mark", timeout=30000)
    view = page.inner_text("#chat-section")
    assert "第二篇 统筹区域协调发展,优化产业空间布局 › 第一章 推进产城空间扩容提质" in view
    assert "雾开河" in page.inner_text("#chat-section mark >> nth=0") or page.locator("#chat-section mark").count() >= 1
    page.screenshot(path=str(SHOTS / "chat.png"))


def test_refusal_looks_different_and_offers_sections(page: Page) -> None:
    ask(page, "二道区2025年GDP是多少？")
    refusal = page.locator("#chatbot .refusal").last
    assert "没有找到" in refusal.inner_text()
    assert refusal.locator(".cite-chip").count() == 3
    page.screenshot(path=str(SHOTS / "refusal.png"))


def test_a_partial_answer_names_the_ask_it_leaves_open(page: Page) -> None:
    ask(page, "二道区的“3核”是哪三个核心？建设总投资是多少亿元？")
    answer = page.locator("#chatbot .answer").last
    assert "滨河湾区滨水商务" in answer.inner_text()
    note = page.locator("#chatbot .partial").last
    assert "未具体提及" in note.inner_text() and "建设总投资是多少亿元" in note.inner_text()
    page.screenshot(path=str(SHOTS / "partial.png"))


def test_html_injection_is_shown_as_text(page: Page) -> None:
    question = "<img src=x onerror=alert(1)> 二道区的电竞产业有什么规划？"
    ask(page, question)
    assert question in page.inner_text("#chatbot")
    assert page.locator("#chatbot img[src=x]").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]
    page.screenshot(path=str(SHOTS / "injection.png"))


def test_feedback_and_new_chat(page: Page, server) -> None:  # type: ignore[no-untyped-def]
    path: Path = server["feedback"]
    before = path.read_text("utf-8").count("\n") if path.exists() else 0
    ask(page, "二道怎么吸引和留住人才？")
    page.fill("#comment textarea", "回答很清楚")
    page.click("#thumb-up")
    page.wait_for_selector("#feedback-status :text('谢谢')", timeout=30000)
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == before + 1
    record = json.loads(lines[-1])
    assert (
        record["rating"] == "up"
        and record["comment"] == "回答很清楚"
        and record["question"] == "二道怎么吸引和留住人才？"
    )
    page.click("#new-chat")
    page.wait_for_function("() => document.querySelectorAll('#chatbot .message').length === 0", timeout=30000)


def test_staff_keyword_search_and_toc(page: Page) -> None:
    page.get_by_role("tab", name="条文查阅").click()
    page.fill("#keyword textarea", "城市会客厅")
    page.click("#keyword-search")
    page.wait_for_selector("#search-results mark", timeout=30000)
    assert "共 3 处" in page.inner_text("#search-results")
    assert page.locator("#search-results mark").count() == 3
    page.locator("#toc .cite-chip", has_text="全面推进法治建设").click()
    page.wait_for_function(
        "() => document.querySelector('#staff-section').innerText.includes('全面推进“法治二道”建设')", timeout=30000
    )
    cite = page.input_value("#citation textarea")
    assert cite == "《长春市二道区国民经济和社会发展第十四个五年规划和2035年远景目标纲要》第十二篇第一章"
    page.screenshot(path=str(SHOTS / "staff.png"))


def test_about_shows_index_status(page: Page) -> None:
    page.get_by_role("tab", name="关于").click()
    text = page.inner_text("#about")
    assert "区发改局" in text and "2021-11-05" in text and "multilingual-e5-small" in text
