"""The JSON API over real HTTP against a started server: every endpoint, bad input, concurrent feedback."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

pytestmark = pytest.mark.slow


def test_ask_matches_cli_schema(server) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(
        f"{server['url']}/api/ask", json={"question": "二道要做优做强哪些先进制造业？", "top_k": 2}, timeout=60
    )
    assert r.status_code == 200
    j = r.json()
    assert j["refused"] is False and j["mode"] == "extractive"
    assert (j["citations"][0]["part"], j["citations"][0]["chapter"]) == ("第四篇", "第一章")
    assert len(j["contexts"]) == 2 and set(j["timings_ms"]) == {"retrieve", "generate", "total"}


def test_ask_follow_up_with_history(server) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(
        f"{server['url']}/api/ask",
        json={"question": "那开发区呢？", "history": ["主城区要打造长春东部的什么？"]},
        timeout=60,
    )
    assert r.status_code == 200 and any(c["part"] == "第二篇" for c in r.json()["citations"])


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"question": ""}, 400, "empty"),
        ({"question": "问" * 2001}, 400, "too long"),
        ({"question": "a\u0000b"}, 400, "control"),
        ({"question": 42}, 422, "question"),
        ({}, 422, "question"),
        ({"question": "看病", "top_k": 0}, 422, "top_k"),
        ({"question": "看病", "top_k": "lots"}, 422, "top_k"),
    ],
)
def test_ask_bad_requests(server, body, status, needle) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(f"{server['url']}/api/ask", json=body, timeout=60)
    assert r.status_code == status
    assert needle in r.json()["error"]


def test_malformed_json_body(server) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(f"{server['url']}/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "error" in r.json()


def test_sections(server) -> None:  # type: ignore[no-untyped-def]
    toc = httpx.get(f"{server['url']}/api/sections").json()
    assert len([e for e in toc["entries"] if e["depth"] == 1]) == 13
    assert len([e for e in toc["entries"] if e["depth"] == 2]) == 46
    assert all(e["doc_id"] == toc["doc_id"] and e["path"] for e in toc["entries"] if e["depth"])
    s = httpx.get(f"{server['url']}/api/sections/第十二篇/第一章").json()
    assert s["title"] == "全面推进法治建设" and s["path"] == ["第十二篇", "第一章"] and s["doc_id"] == toc["doc_id"]
    assert s["citation"] == "《长春市二道区国民经济和社会发展第十四个五年规划和2035年远景目标纲要》第十二篇第一章"
    intro = httpx.get(f"{server['url']}/api/sections/第二篇/intro").json()
    assert intro["chapter"] is None and intro["text"].startswith("坚持主城区")
    assert httpx.get(f"{server['url']}/api/sections/前言/intro").json()["part"] is None
    for bad in ("第二篇/第九章", "第九十九篇/intro", "abc/def", "999/999", "1/2/3/4/5/6/7/8/9"):
        r = httpx.get(f"{server['url']}/api/sections/{bad}")
        assert r.status_code in (400, 404) and "error" in r.json()
    docs = httpx.get(f"{server['url']}/api/documents").json()["documents"]
    assert [d["doc_id"] for d in docs] == [toc["doc_id"]]
    assert httpx.get(f"{server['url']}/api/sections", params={"doc_id": "nope"}).status_code == 400


def test_search_and_health(server) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(f"{server['url']}/api/search", params={"q": "城市会客厅"}).json()
    assert r["count"] == 3 and all(h["match"] == "城市会客厅" for h in r["hits"])
    assert httpx.get(f"{server['url']}/api/search", params={"q": ""}).status_code == 400
    h = httpx.get(f"{server['url']}/api/health").json()
    assert h["status"] == "ok" and h["chunks"] > 50 and h["mode"] == "extractive"


def test_fifty_concurrent_feedback_writers(server) -> None:  # type: ignore[no-untyped-def]
    path = server["feedback"]
    before = path.read_text("utf-8").splitlines() if path.exists() else []
    comment = "意见" * 500  # long lines make torn writes visible

    def post(i: int) -> int:
        body = {"rating": "up" if i % 2 else "down", "question": f"问题{i}", "answer": "答" * 300, "comment": comment}
        return httpx.post(f"{server['url']}/api/feedback", json=body, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(post, range(50)))
    assert statuses == [201] * 50
    lines = path.read_text("utf-8").splitlines()[len(before) :]
    records = [json.loads(line) for line in lines]  # every line whole
    assert sorted(r["question"] for r in records) == sorted(f"问题{i}" for i in range(50))
    assert all(r["comment"] == comment for r in records)
    bad = httpx.post(f"{server['url']}/api/feedback", json={"rating": "meh", "question": "x"})
    assert bad.status_code == 400
