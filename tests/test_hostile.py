"""Hostile input, crowds, slow models and crashes (issue 12): never a 5xx, never a traceback, nothing lost.

HTTP cases run against real servers on 127.0.0.1 (uvicorn in a thread) over a synthetic plan with a fake
embedder, so no model loads; CLI cases run `python -m rag` in a subprocess (or rag.cli.main in-process
when the failure comes before any model would load). Every case asserts behaviour only: a 4xx with
{"error": ...}, or a non-zero exit with exactly one line on stderr. Timings belong in bench/load.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from eval.scripted_llm import FakeOpenAI
from rag import prompts
from rag.config import Settings
from rag.errors import IndexProblem
from rag.feedback import FeedbackLog
from rag.indexer import build_index
from rag.pipeline import Pipeline
from rag.resources import PROJECT_ROOT
from rag.store import load_index
from rag.types import Answer
from tests.conftest import SYNTHETIC_PLAN, FakeEmbedder, _free_port, make_settings

RAG = [sys.executable, "-m", "rag"]
SECURITY = ("x-content-type-options", "content-security-policy", "referrer-policy", "x-frame-options")
ANSWERABLE = "物流园区和电子商务怎么发展？"


# ---------------------------------------------------------------------------------------------- helpers


class ErrorLog(logging.Handler):
    """Collects what the server logs at ERROR (an exception in the app shows up here with its traceback)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


ERRORS = ErrorLog()


@contextlib.contextmanager
def serving(settings: Settings, pipeline: Any) -> Iterator[str]:
    """The real app (Guard + API + Gradio) for this pipeline, on a free 127.0.0.1 port."""
    import uvicorn

    from rag.server import create_app

    app = create_app(settings, pipeline=pipeline)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    for name in ("uvicorn.error", "uvicorn", "fastapi", "starlette", ""):
        if ERRORS not in logging.getLogger(name).handlers:
            logging.getLogger(name).addHandler(ERRORS)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                break
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def refused_cleanly(r: httpx.Response, *statuses: int) -> dict[str, Any]:
    """A 4xx (one of `statuses` when given) with a one-line {"error": ...} body and the security headers."""
    assert r.status_code < 500, (r.status_code, r.text[:300])
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    if statuses:
        assert r.status_code in statuses, (r.status_code, r.text[:300])
    body = r.json()
    assert isinstance(body, dict) and list(body) == ["error"], body
    assert isinstance(body["error"], str) and body["error"] and "\n" not in body["error"]
    assert "Traceback" not in r.text
    for h in SECURITY:
        assert h in r.headers, h
    return body


def no_server_errors(since: int = 0) -> None:
    bad = ERRORS.records[since:]
    assert not bad, [r.getMessage() for r in bad]


@pytest.fixture(autouse=True)
def _no_new_server_errors() -> Iterator[None]:
    """Whatever a test sends, the servers log no exception while it runs."""
    before = len(ERRORS.records)
    yield
    no_server_errors(before)


def fake_settings(root: Path, **kw: Any) -> Settings:
    """Settings over a synthetic plan at root/index with the fake embedder's name; rate limits off by default."""
    plan = root / "plan.txt"
    if not plan.exists():
        root.mkdir(parents=True, exist_ok=True)
        plan.write_text(SYNTHETIC_PLAN, "utf-8")
    base: dict[str, Any] = {
        "corpus": (plan,),
        "index_dir": root / "index",
        "embed_model": "fake-bigrams",
        "feedback_path": root / "feedback" / "feedback.jsonl",
        "rate_per_minute": 100000,
        "rate_burst": 100000,
        # The synthetic plan is tiny: let every on-topic question through to the generator.
        "min_evidence": 0.0,
        "min_focus_coverage": 0.0,
    }
    return make_settings(**{**base, **kw})


def fake_pipeline(settings: Settings) -> Pipeline:
    return Pipeline(settings, index=load_index(settings.index_path), embedder=FakeEmbedder())


def run_cli(
    args: list[str] | list[bytes],
    index_dir: Path | str,
    stdin: bytes | None = None,
    timeout: float = 120,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """`python -m rag ...` with the fake model's name (so a model load would fail loudly, never download)."""
    full = {
        **os.environ,
        "RAG_INDEX_DIR": str(index_dir),
        "RAG_EMBED_MODEL": "fake-bigrams",
        "PYTHONPATH": str(PROJECT_ROOT),
        **(env or {}),
    }
    cmd: list[Any] = [*RAG, *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, env=full, timeout=timeout, cwd=PROJECT_ROOT)


def one_line_failure(r: subprocess.CompletedProcess[bytes], code: int | None = None) -> str:
    """Non-zero exit, exactly one line on stderr, no traceback; returns that line."""
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode != 0, (r.returncode, err, r.stdout[:300])
    if code is not None:
        assert r.returncode == code, (r.returncode, err)
    assert "Traceback" not in err, err
    lines = err.strip().split("\n")
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def in_process(argv: list[str], capsys: pytest.CaptureFixture[str], **env: str) -> tuple[int, str, str]:
    """rag.cli.main in this process (only for failures that come before any model would load)."""
    from rag.cli import main

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        code = main(argv)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(code: int, err: str, expect_code: int | None = None) -> str:
    assert code != 0 and "Traceback" not in err, (code, err)
    if expect_code is not None:
        assert code == expect_code, (code, err)
    lines = err.strip().split("\n")
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


# ---------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = fake_settings(tmp_path_factory.mktemp("hostile"))
    build_index(settings, embedder=FakeEmbedder())
    return settings


@pytest.fixture(scope="module")
def pipe(built: Settings) -> Pipeline:
    return fake_pipeline(built)


@pytest.fixture(scope="module")
def url(built: Settings, pipe: Pipeline) -> Iterator[str]:
    with serving(built, pipe) as base:
        yield base


@pytest.fixture
def index_copy(built: Settings, tmp_path: Path) -> Path:
    """A private copy of the built index folder, to damage."""
    import shutil

    target = tmp_path / "index"
    shutil.copytree(built.index_path, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def live(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text("utf-8").strip()


# ---------------------------------------------------------------------------------------------- HTTP: /api/ask

SURROGATE_JSON = '{"question": "医疗\\ud800"}'

ASK_BODIES: list[tuple[str, Any]] = [
    ("history entry of 100,000 characters", {"question": "那物流呢？", "history": ["问" * 100_000]}),
    ("many long history entries", {"question": "那物流呢？", "history": ["问" * 5000] * 150}),
    ("201 history entries", {"question": "物流", "history": ["物流"] * 201}),
    ("21 history entries (over the setting)", {"question": "物流", "history": ["物流"] * 21}),
    ("history entry not text", {"question": "物流", "history": [{"a": 1}]}),
    ("history not a list", {"question": "物流", "history": "物流"}),
    ("empty history entry", {"question": "物流", "history": [""]}),
    ("control character in history", {"question": "物流", "history": ["a\x07b"]}),
    ("question of 100,000 characters", {"question": "问" * 100_000}),
    ("question just over the limit", {"question": "问" * 2001}),
    ("empty question", {"question": ""}),
    ("blank question", {"question": " \u3000\t\n "}),
    ("question null", {"question": None}),
    ("question a list", {"question": ["物流"]}),
    ("question an object", {"question": {"$ne": 1}}),
    ("question a number", {"question": 1e308}),
    ("question a boolean", {"question": True}),
    ("NUL in question", {"question": "物流\x00"}),
    ("escape sequence in question", {"question": "\x1b[31m物流\x1b[0m"}),
    ("DEL in question", {"question": "物流\x7f"}),
    ("C1 control in question", {"question": "物流\x9b"}),
    ("replacement character in question", {"question": "物流\ufffd"}),
    ("top_k zero", {"question": "物流", "top_k": 0}),
    ("top_k negative", {"question": "物流", "top_k": -5}),
    ("top_k huge", {"question": "物流", "top_k": 10**30}),
    ("top_k fractional", {"question": "物流", "top_k": 2.5}),
    ("top_k text", {"question": "物流", "top_k": "all"}),
    ("unknown doc id", {"question": "物流", "doc_ids": ["../../etc/passwd"]}),
    ("too many doc ids", {"question": "物流", "doc_ids": [str(i) for i in range(101)]}),
    ("doc ids not a list", {"question": "物流", "doc_ids": "all"}),
    ("body is a list", ["物流"]),
    ("body is a string", "物流"),
    ("body is null", None),
    ("body is empty object", {}),
]


@pytest.mark.parametrize(("name", "body"), ASK_BODIES, ids=[n for n, _ in ASK_BODIES])
def test_ask_hostile_bodies(url: str, name: str, body: Any) -> None:
    r = httpx.post(f"{url}/api/ask", json=body, timeout=60)
    refused_cleanly(r, 400, 413, 422)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("lone surrogate in question", SURROGATE_JSON),
        ("lone low surrogate in question", '{"question": "\\udc80医疗"}'),
        ("lone surrogate in history", '{"question": "那物流呢？", "history": ["医疗\\ud800"]}'),
        ("lone surrogate in doc id", '{"question": "物流", "doc_ids": ["\\udfff"]}'),
        ("reversed surrogate pair", '{"question": "\\udc00\\ud800"}'),
        ("not JSON", "{not json"),
        ("truncated JSON", '{"question": "物流'),
        ("trailing garbage", '{"question": "物流"} {}'),
        ("NaN literal", '{"question": "物流", "top_k": NaN}'),
        ("number overflow", '{"question": "物流", "top_k": 1e400}'),
        ("deep nesting in question", '{"question": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        ("deep nesting of objects", '{"a":' * 40_000 + "1" + "}" * 40_000),
        ("deep nesting as the body", "[" * 120_000 + "]" * 120_000),
    ],
)
def test_ask_hostile_raw_json(url: str, name: str, raw: str) -> None:
    r = httpx.post(f"{url}/api/ask", content=raw.encode(), headers={"content-type": "application/json"}, timeout=60)
    refused_cleanly(r, 400, 413, 422)


def test_ask_invalid_utf8_body(url: str) -> None:
    r = httpx.post(
        f"{url}/api/ask", content=b'{"question": "\xff\xfe\xed\xa0\x80"}', headers={"content-type": "application/json"}
    )
    refused_cleanly(r, 400, 422)


def test_ask_not_json_content_type(url: str) -> None:
    r = httpx.post(f"{url}/api/ask", content="question=物流".encode(), headers={"content-type": "text/plain"})
    refused_cleanly(r, 400, 415, 422)


def test_history_limit_is_checked_before_any_work(url: str, pipe: Pipeline) -> None:
    """The 100,000-character history entry is refused by the validator itself, not after retrieval."""
    r = httpx.post(f"{url}/api/ask", json={"question": "那物流呢？", "history": ["问" * 100_000]})
    refused_cleanly(r, 400, 413)  # 300 KB of UTF-8: over the body limit already
    body = json.dumps({"question": "那物流呢？", "history": ["问" * 60_000]}, ensure_ascii=False).encode()
    r = httpx.post(f"{url}/api/ask", content=body, headers={"content-type": "application/json"})
    assert "history entry 1" in refused_cleanly(r, 400)["error"]
    with pytest.raises(Exception, match="too long"):
        pipe.prepare("那物流呢？", history=["问" * 100_000])


def test_surrogate_question_is_named(url: str) -> None:
    r = httpx.post(f"{url}/api/ask", content=SURROGATE_JSON.encode(), headers={"content-type": "application/json"})
    err = refused_cleanly(r, 400, 422)["error"]
    assert "surrogate" in err or "Unicode" in err or "JSON" in err


def test_ask_good_question_still_answers(url: str) -> None:
    r = httpx.post(f"{url}/api/ask", json={"question": ANSWERABLE, "history": ["发展目标是什么？"], "top_k": 3})
    assert r.status_code == 200 and r.json()["question"] == ANSWERABLE
    for h in SECURITY:
        assert h in r.headers


# ---------------------------------------------------------------------------------------------- HTTP: sections, search

SECTION_PATHS = [
    "999/999",
    "100/1",
    "1/100",
    "第一百篇",
    "第一百篇/第一百章",
    "第九百九十九篇/第一千章",
    "99999999999999999999/1",
    "9" * 190,
    "1e9",
    "-1",
    "0/0",
    "%00",
    "%ED%A0%80",
    "%FF%FE",
    "..%2F..%2Fetc%2Fpasswd",
    "1/2/3/4/5/6/7/8/9",
    "a" * 300,
    "十" * 150,
    "第十十十篇",
    # Malformed numerals once read loosely as 1 (第一篇) or 2 (第二篇): not section numbers at all.
    "一一一一一一一",
    "第一一一一一一一篇",
    "一一/一",
    "二二",
    "第一千百篇",
    "零一",
]


@pytest.mark.parametrize("path", SECTION_PATHS)
def test_unknown_sections_are_4xx(url: str, path: str) -> None:
    r = httpx.get(f"{url}/api/sections/{path}")
    refused_cleanly(r, 400, 404)


@pytest.mark.parametrize(
    "params",
    [
        {"doc_id": "nope"},
        {"doc_id": "\ud800"},
        {"doc_id": "x" * 5000},
    ],
    ids=["unknown", "surrogate", "long"],
)
def test_sections_bad_doc_id(url: str, params: dict[str, str]) -> None:
    query = "&".join(f"doc_id={v.encode('utf-8', 'surrogatepass').hex()}" for v in params.values())
    if params["doc_id"] == "\ud800":
        query = "doc_id=%ED%A0%80"
    refused_cleanly(httpx.get(f"{url}/api/sections?{query}"), 400, 404, 422)


@pytest.mark.parametrize(
    "query",
    [
        "q=",
        "q=" + "x" * 101,
        "q=%ED%A0%80",
        "q=物流&context=abc",
        "q=物流&doc_id=nope",
        "q=%00",
    ],
)
def test_search_hostile(url: str, query: str) -> None:
    r = httpx.get(f"{url}/api/search?{query}")
    if r.status_code == 200:  # a NUL is a fine thing to search for: it just is not there
        assert r.json()["count"] == 0
        return
    refused_cleanly(r, 400, 404, 422)


def test_search_context_is_clamped(url: str) -> None:
    for context in (-5, 10**9):
        r = httpx.get(f"{url}/api/search", params={"q": "物流", "context": context})
        assert r.status_code == 200 and r.json()["count"] >= 1


# ---------------------------------------------------------------------------------------------- HTTP: routes, methods, edge


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/nope", 404),
        ("GET", "/api/", 404),
        ("GET", "/.env", 404),
        ("GET", "/api/../../etc/passwd", 404),
        ("GET", "/%2e%2e/%2e%2e/etc/passwd", 404),
        ("GET", "/api/ask", 405),
        ("PUT", "/api/ask", 405),
        ("DELETE", "/api/health", 405),
        ("PATCH", "/api/feedback", 405),
        ("POST", "/api/health", 405),
        ("POST", "/api/sections/1", 405),
    ],
)
def test_unknown_routes_and_wrong_methods(url: str, method: str, path: str, status: int) -> None:
    r = httpx.request(method, f"{url}{path}")
    refused_cleanly(r, status, 404, 405)


@pytest.mark.parametrize(
    "path",
    [
        "/gradio_api/upload",
        "/upload",
        "/gradio_api/upload/",
        "/gradio_api/upload_progress",
        "/gradio_api/process_recording",
        "/gradio_api/stream/x",
    ],
)
def test_upload_routes_are_closed(url: str, path: str) -> None:
    files = {"files": ("big.txt", b"x" * 20_000, "text/plain")}
    r = httpx.post(f"{url}{path}", files=files)
    refused_cleanly(r, 404, 405, 413)


@pytest.mark.parametrize(
    "path",
    [
        "/gradio_api/run/chat",
        "/gradio_api/call/chat",
        "/gradio_api/call/v2/chat",
        "/gradio_api/api/chat",
        "/gradio_api/component_server",
        "/gradio_api/vibe-edit",
        "/gradio_api/vibe-code",
        "/gradio_api/run-history/connect",
    ],
)
def test_gradio_side_doors_are_closed(url: str, path: str) -> None:
    """Gradio's REST API would reach the chat around the rate limit and the answer queue."""
    r = httpx.post(f"{url}{path}", json={"data": [ANSWERABLE, [], [], None]})
    refused_cleanly(r, 404)


def test_web_chat_still_works_through_the_queue(url: str) -> None:
    """The guard's gates on queue/join and queue/data let the real web-page protocol through."""
    config = httpx.get(f"{url}/config").json()
    chat = next(d for d in config["dependencies"] if d.get("api_name") == "chat")
    session = "hostile-test-session"
    join = httpx.post(
        f"{url}/gradio_api/queue/join",
        json={"data": [ANSWERABLE, [], [], None], "fn_index": chat["id"], "session_hash": session, "trigger_id": None},
    )
    assert join.status_code == 200, join.text
    done = None
    with httpx.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session}, timeout=60) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("data:"):
                event = json.loads(line[5:])
                if event.get("msg") == "process_completed":
                    done = event
                    break
    assert done is not None and done.get("success"), done


@pytest.mark.parametrize("path", ["/gradio_api/file=/etc/passwd", "/gradio_api/file=../../../../etc/passwd"])
def test_gradio_file_route_does_not_serve_files(url: str, path: str) -> None:
    r = httpx.get(f"{url}{path}")
    assert 400 <= r.status_code < 500 and "root:" not in r.text


def test_one_megabyte_body_is_413(url: str) -> None:
    body = json.dumps({"question": "物流", "history": ["问" * 1000] * 350}).encode()
    assert len(body) > 1_000_000
    r = httpx.post(f"{url}/api/ask", content=body, headers={"content-type": "application/json"})
    assert "too large" in refused_cleanly(r, 413)["error"]


def test_chunked_body_over_the_limit_is_413(url: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(64):
            yield b"x" * 16384
        yield b'"}'

    r = httpx.post(f"{url}/api/ask", content=chunks(), headers={"content-type": "application/json"})
    refused_cleanly(r, 413)


def test_feedback_body_over_the_limit_is_413(url: str) -> None:
    r = httpx.post(f"{url}/api/feedback", json={"rating": "up", "question": "q", "comment": "x" * 300_000})
    refused_cleanly(r, 413)


@pytest.mark.parametrize("value", ["-1", "abc", "1" * 30])
def test_bad_content_length(url: str, value: str) -> None:
    with httpx.Client() as c:
        req = c.build_request("POST", f"{url}/api/ask", content=b"{}", headers={"content-type": "application/json"})
        req.headers["content-length"] = value
        try:
            r = c.send(req)
        except httpx.HTTPError:
            return  # the HTTP layer hung up on it: no answer is also no 500
    assert 400 <= r.status_code < 500


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "localhost.", ""])
def test_foreign_host_header_is_400(url: str, host: str) -> None:
    r = httpx.get(f"{url}/api/health", headers={"host": host})
    refused_cleanly(r, 400)


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1"])
def test_websocket_upgrade_from_a_foreign_host(url: str, host: str) -> None:
    """A websocket handshake is no way around the Host allow-list (nor a 5xx for an allowed host)."""
    import socket

    port = int(url.rsplit(":", 1)[1])
    request = (
        f"GET /gradio_api/ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    status = int(status_line.split()[1])
    assert 400 <= status < 500, status_line


def test_allowed_host_forms(url: str) -> None:
    port = url.rsplit(":", 1)[1]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "LOCALHOST"):
        assert httpx.get(f"{url}/api/health", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("origin", ["http://evil.example", "http://localhost:3000", "null"])
def test_origin_gets_no_cors(url: str, origin: str) -> None:
    r = httpx.get(f"{url}/api/health", headers={"origin": origin})
    assert r.status_code == 200
    assert not [h for h in r.headers if h.lower().startswith("access-control-")]
    pre = httpx.options(
        f"{url}/api/ask",
        headers={"origin": origin, "access-control-request-method": "POST", "access-control-request-headers": "x"},
    )
    assert pre.status_code < 500
    assert not [h for h in pre.headers if h.lower().startswith("access-control-allow")]


@pytest.mark.parametrize("path", ["/", "/api/health", "/api/sections", "/api/nope", "/api/sections/999/999"])
def test_security_headers_everywhere(url: str, path: str) -> None:
    r = httpx.get(f"{url}{path}")
    assert r.status_code < 500
    for h in SECURITY:
        assert h in r.headers, (path, h)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


GRADIO_GARBAGE = [
    ("/gradio_api/queue/join", b"{"),
    ("/gradio_api/queue/join", b"[]"),
    ("/gradio_api/queue/join", b'{"fn_index": 99999, "data": [], "session_hash": "x"}'),
    ("/gradio_api/queue/join", b'{"fn_index": -1, "data": [], "session_hash": "x"}'),
    ("/gradio_api/queue/join", b'{"fn_index": "0", "data": [], "session_hash": "x"}'),
    ("/gradio_api/queue/join", b'{"fn_index": 0, "data": "x", "session_hash": [1]}'),
    ("/gradio_api/queue/join", b'{"fn_index": 0, "data": [null, null, null, null], "session_hash": "s"}'),
    ("/gradio_api/run/predict", b'{"data": []}'),
    ("/gradio_api/call/predict", b'{"data": []}'),
    ("/gradio_api/api/predict", b'{"data": []}'),
    ("/gradio_api/component_server", b'{"session_hash": "x", "component_id": 9999, "fn_name": "x", "data": 1}'),
    ("/gradio_api/cancel", b'{"session_hash": "x", "fn_index": 99999, "event_id": "x"}'),
    ("/gradio_api/queue/data", b""),
    ("/gradio_api/reset", b'{"event_id": 5}'),
]


@pytest.mark.parametrize(("path", "body"), GRADIO_GARBAGE)
def test_gradio_routes_garbage(url: str, path: str, body: bytes) -> None:
    r = httpx.post(f"{url}{path}", content=body, headers={"content-type": "application/json"})
    assert r.status_code < 500, (body, r.status_code, r.text[:200])
    assert "Traceback" not in r.text
    for h in SECURITY:
        assert h in r.headers


@pytest.mark.parametrize(
    "path",
    ["/gradio_api/queue/data?session_hash=nope", "/gradio_api/info", "/config", "/gradio_api/file=nope", "/theme.css"],
)
def test_gradio_get_routes(url: str, path: str) -> None:
    with httpx.stream("GET", f"{url}{path}", timeout=10) as r:
        assert r.status_code < 500
        for h in SECURITY:
            assert h in r.headers


def test_long_url_and_many_headers(url: str) -> None:
    with contextlib.suppress(httpx.HTTPError):  # refusing to read it is fine; a 5xx is not
        r = httpx.get(f"{url}/api/search?q=" + "x" * 60_000)
        assert r.status_code < 500
    headers = {f"x-h{i}": "v" * 100 for i in range(100)}
    with contextlib.suppress(httpx.HTTPError):
        assert httpx.get(f"{url}/api/health", headers=headers).status_code < 500


# ---------------------------------------------------------------------------------------------- HTTP: feedback


@pytest.mark.parametrize(
    "body",
    [
        {"rating": "sideways", "question": "q"},
        {"rating": "up", "question": "q" * 4001},
        {"rating": "up", "question": "医疗\ud800"},
        {"rating": "up", "question": "q", "comment": "a\x00b"},
        {"rating": "up", "question": "q", "id": "../../x"},
        {"rating": "up", "question": "q", "id": "x" * 65},
        {"rating": "up", "question": ""},
        {"rating": ["up"], "question": "q"},
    ],
    ids=["rating", "long", "surrogate", "control", "id-path", "id-long", "empty", "rating-list"],
)
def test_feedback_hostile(url: str, body: dict[str, Any]) -> None:
    raw = json.dumps(body)  # ensure_ascii: a lone surrogate travels as \ud800, as an attacker would send it
    r = httpx.post(f"{url}/api/feedback", content=raw.encode(), headers={"content-type": "application/json"})
    refused_cleanly(r, 400, 422)


def test_feedback_duplicate_id_counted_once(url: str, built: Settings) -> None:
    path = built.feedback_file
    body = {"rating": "up", "question": "物流\u2028园区\u2029？\u0085", "id": "retry-1"}
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda _: httpx.post(f"{url}/api/feedback", json=body), range(10)))
    assert [r.status_code for r in statuses] == [201] * 10
    assert sum(not r.json()["duplicate"] for r in statuses) == 1
    assert {r.json()["id"] for r in statuses} == {"retry-1"}
    lines = [line for line in path.read_bytes().split(b"\n") if line]
    records = [json.loads(line) for line in lines]
    # One record, its question normalised by the shared validator (line separators are whitespace).
    assert [r["question"] for r in records if r["id"] == "retry-1"] == ["物流 园区 ？"]


# ---------------------------------------------------------------------------------------------- HTTP: rate limit, busy


def test_rate_limit_gives_429_with_retry_after(tmp_path: Path, built: Settings, pipe: Pipeline) -> None:
    settings = replace(built, rate_per_minute=1, rate_burst=2, feedback_path=tmp_path / "fb.jsonl")
    with serving(settings, pipe) as base:
        first = [httpx.post(f"{base}/api/feedback", json={"rating": "up", "question": "q"}) for _ in range(2)]
        assert [r.status_code for r in first] == [201, 201]
        for path, body in (("/api/feedback", {"rating": "up", "question": "q"}), ("/api/ask", {"question": "物流"})):
            r = httpx.post(f"{base}{path}", json=body)
            refused_cleanly(r, 429)
            assert int(r.headers["retry-after"]) >= 1
        r = httpx.post(f"{base}/gradio_api/queue/join", json={"data": [], "fn_index": 0, "session_hash": "h"})
        refused_cleanly(r, 429)
        assert httpx.get(f"{base}/api/health").status_code == 200  # reads are not rate-limited


class Blocking:
    """A pipeline whose ask waits for a signal: holds the only answer worker on demand."""

    def __init__(self, inner: Pipeline) -> None:
        self.inner = inner
        self.entered = threading.Event()
        self.release = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def ask(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.set()
        self.release.wait(60)
        return self.inner.ask(*args, **kwargs)


def test_busy_pool_gives_503(built: Settings, pipe: Pipeline) -> None:
    settings = replace(built, answer_workers=1, answer_queue=0)
    blocking = Blocking(pipe)
    with serving(settings, blocking) as base, ThreadPoolExecutor(max_workers=1) as pool:
        held = pool.submit(httpx.post, f"{base}/api/ask", json={"question": ANSWERABLE}, timeout=60)
        assert blocking.entered.wait(30)
        r = httpx.post(f"{base}/api/ask", json={"question": ANSWERABLE})
        # 503 is the one deliberate 5xx: "busy, try again" at once rather than a stalled request.
        assert r.status_code == 503 and list(r.json()) == ["error"] and "busy" in r.json()["error"]
        assert int(r.headers["retry-after"]) >= 1
        for h in SECURITY:
            assert h in r.headers
        health = httpx.get(f"{base}/api/health")  # answered while the only worker is held
        assert health.status_code == 200
        blocking.release.set()
        assert held.result().status_code == 200


# ---------------------------------------------------------------------------------------------- a hanging LLM


@pytest.mark.parametrize("step", [("hang",), ("drip", 0.3)], ids=["hang", "drip"])
def test_hanging_llm_falls_back_and_health_stays_up(built: Settings, step: tuple[Any, ...]) -> None:
    llm = FakeOpenAI(default=step)
    try:
        settings = replace(built, llm_base_url=llm.url, llm_model="scripted", llm_timeout=1.0, llm_retries=2)
        pipeline = fake_pipeline(settings)
        with serving(settings, pipeline) as base, ThreadPoolExecutor(max_workers=3) as pool:
            asks = [
                pool.submit(httpx.post, f"{base}/api/ask", json={"question": ANSWERABLE}, timeout=60) for _ in range(2)
            ]
            health = []
            while not all(a.done() for a in asks):
                health.append(httpx.get(f"{base}/api/health", timeout=30).status_code)
                time.sleep(0.05)
            answers = [a.result() for a in asks]
        assert health and set(health) == {200}
        for r in answers:
            assert r.status_code == 200
            j = r.json()
            assert j["mode"] == "extractive" and j["notice"] == prompts.load("llm_fallback_notice.txt")
            assert not j["refused"] and j["citations"]
        assert llm.requests  # the endpoint was really called
        # Streaming obeys the same budget: preview pieces (none here), then the extractive answer.
        *_, final = list(pipeline.stream(ANSWERABLE))
        assert isinstance(final, Answer) and final.mode == "extractive" and final.notice
    finally:
        llm.close()


def test_hanging_llm_waits_side_by_side_not_in_line(built: Settings) -> None:
    # One compute slot, room for eight: every question reaches the (hanging) endpoint before the first
    # deadline passes, because a question waiting on the LLM lends its slot out (rag.cpu_slots). In a pool
    # of one thread the second question would reach the endpoint only after the first had fallen back.
    llm = FakeOpenAI(default=("hang",))
    try:
        settings = replace(
            built, llm_base_url=llm.url, llm_model="scripted", llm_timeout=5.0, llm_retries=0, answer_workers=1
        )
        app = serving(replace(settings, answer_queue=7), fake_pipeline(settings))
        with app as base, ThreadPoolExecutor(max_workers=8) as pool:
            asks = [
                pool.submit(httpx.post, f"{base}/api/ask", json={"question": ANSWERABLE}, timeout=60) for _ in range(8)
            ]
            first = next(as_completed(asks))
            in_flight_at_first_answer = len(llm.requests)
            answers = [a.result() for a in asks]
        assert first.result().status_code == 200
        assert in_flight_at_first_answer == 8
        assert all(r.status_code == 200 and r.json()["mode"] == "extractive" and r.json()["notice"] for r in answers)
    finally:
        llm.close()


# ---------------------------------------------------------------------------------------------- CLI: arguments


@pytest.mark.parametrize(
    "argv",
    [
        [b"ask", b"\xff\xfe\xe5\x8c"],
        [b"ask", "医疗".encode() + b"\xed\xa0\x80"],
        [b"show", b"\xff"],
        [b"show", b"1", b"\x80\x81"],
        [b"sections", b"--doc", b"\xc3\x28"],
        [b"ask", "物流".encode(), b"--doc", b"\xff"],
    ],
    ids=["ask", "ask-surrogate-bytes", "show", "show-second", "sections-doc", "ask-doc"],
)
def test_cli_non_utf8_argument_is_one_line(argv: list[bytes], built: Settings) -> None:
    r = run_cli(argv, built.index_path)
    assert "UTF-8" in one_line_failure(r)
    assert r.stdout == b""


@pytest.mark.parametrize(
    "path",
    [
        ["100", "1"],
        ["999", "999"],
        ["1", "100"],
        ["第一百篇"],
        ["第一百篇", "第一百零一章"],
        ["0"],
        ["9" * 4000],
        ["-1"],
        ["一一一一一一一"],
        ["第一一篇", "第一章"],
        ["一", "一一"],
    ],
    ids=[
        *("100-1", "999-999", "1-100", "cn-100", "cn-100-101", "zero", "4000-digits", "negative"),
        *("run-of-ones", "cn-eleven-ones", "second-malformed"),
    ],
)
def test_cli_show_big_section_numbers(path: list[str], built: Settings) -> None:
    r = run_cli(["show", *path], built.index_path)
    one_line_failure(r, 1)


def test_cli_show_and_sections_work(built: Settings) -> None:
    r = run_cli(["show", "2", "1", "--json"], built.index_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["path"] == ["第二篇", "第一章"]


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("RAG_FUSION", "rff"),
        ("RAG_FUSION", "RRF "),
        ("RAG_TOP_K", "0"),
        ("RAG_TOP_K", "-5"),
        ("RAG_TOP_K", "five"),
        ("RAG_DENSE_WEIGHT", "nan"),
        ("RAG_DENSE_WEIGHT", "inf"),
        ("RAG_DENSE_WEIGHT", "1.5"),
        ("RAG_LLM_TIMEOUT", "0"),
        ("RAG_LLM_TIMEOUT", "-inf"),
        ("RAG_ANSWER_WORKERS", "0"),
        ("RAG_MAX_BODY_BYTES", "1e9"),
        ("RAG_EMBED_BACKEND", "gpu"),
        ("RAG_LLM_MARK_UNSUPPORTED", "maybe"),
        ("RAG_RATE_PER_MINUTE", "-1"),
    ],
)
def test_cli_bad_settings_one_line_exit_2(
    var: str, value: str, built: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = in_process(["ask", "物流"], capsys, **{var: value})
    line = assert_one_line(code, err, 2)
    assert var in line and out == ""


@pytest.mark.parametrize(("var", "value"), [("RAG_FUSION", "rff"), ("RAG_TOP_K", "-5"), ("RAG_DENSE_WEIGHT", "nan")])
def test_cli_bad_settings_subprocess(var: str, value: str, built: Settings) -> None:
    for args in (["ask", "物流"], ["serve", "--port", "1"], ["build"]):
        r = run_cli(args, built.index_path, env={var: value})
        assert var in one_line_failure(r, 2)


@pytest.mark.parametrize(
    "question",
    ["", "   ", "a\x01b", "问" * 20_000, "物流\x1b[2J"],
    ids=["empty", "blank", "control", "long", "escape"],
)
def test_cli_bad_question_before_any_model(question: str, built: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = in_process(["ask", question], capsys, RAG_INDEX_DIR=str(built.index_path))
    assert_one_line(code, err, 1)


class _Pipe:
    """What `rag ask -` needs from a pipeline, over the fake index."""

    def __init__(self, inner: Pipeline) -> None:
        self.inner = inner

    def ask(self, question: str, **kw: Any) -> Any:
        return self.inner.ask(question, **kw)


def test_cli_batch_one_output_line_per_input_line(
    pipe: Pipeline, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import rag.cli

    monkeypatch.setattr(rag.cli, "_pipeline", lambda args: _Pipe(pipe))
    lines = [
        ANSWERABLE.encode(),
        b"",
        b"   ",
        b"\xff\xfe bad bytes",
        ("问" * 3000).encode(),
        b"a\x00b",
        "医疗\u2028物流".encode(),
        "发展目标是什么？".encode(),
        b"\r",
    ]
    data = b"\n".join(lines) + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code = rag.cli.main(["ask", "--json", "-"])
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.split("\n") if line]
    assert len(rows) == len(lines)
    assert "answer" in rows[0] and "answer" in rows[7]
    assert [bool(r.get("error")) for r in rows] == [False, True, True, True, True, True, False, False, True]
    assert code == 1 and "Traceback" not in err


def test_cli_top_k_out_of_range(
    pipe: Pipeline, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import rag.cli

    monkeypatch.setattr(rag.cli, "_pipeline", lambda args: _Pipe(pipe))
    for k in ("0", "-5", "51"):
        code, _, err = in_process(["ask", "物流", "--top-k", k], capsys)
        assert_one_line(code, err, 1)


# ---------------------------------------------------------------------------------------------- storage


def test_line_separators_in_a_plan_build_and_load(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    text = SYNTHETIC_PLAN.replace("城市建设取得明显成效。", "城市建设\u2028取得\u2029明显\u0085成效。")
    assert text != SYNTHETIC_PLAN
    settings.corpus[0].write_text(text, "utf-8")
    build_index(settings, embedder=FakeEmbedder())
    index = load_index(settings.index_path)
    assert any("城市建设" in c.text and "成效" in c.text for c in index.chunks)
    answer = Pipeline(settings, index=index, embedder=FakeEmbedder()).ask("城市建设取得了什么成效？")
    assert answer.question
    for args in (["list"], ["sections"], ["show", "1", "1", "--json"]):
        r = run_cli(args, settings.index_path)
        assert r.returncode == 0 and b"Traceback" not in r.stderr, r.stderr
    assert "成效" in json.loads(run_cli(["show", "1", "1", "--json"], settings.index_path).stdout)["text"]


def test_jsonl_round_trips_line_separators(tmp_path: Path) -> None:
    """Whatever reaches an index file (the readers may already turn them into \\n) is written escaped."""
    from rag import jsonl

    rows = [{"text": "a\u2028b"}, {"text": "c\u2029d\u0085e"}, {"text": "\r\x0b\x0c\x1c\x1d\x1e"}]
    jsonl.write(tmp_path / "x.jsonl", rows)
    raw = (tmp_path / "x.jsonl").read_text("utf-8")
    assert len(raw.splitlines()) == 3
    assert list(jsonl.read(tmp_path / "x.jsonl")) == rows


def test_feedback_log_escapes_line_separators(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "fb.jsonl")
    for text in ("a\u2028b", "c\u2029d", "e\u0085f"):
        log.append("up", text, text, comment=text)
    raw = (tmp_path / "fb.jsonl").read_text("utf-8")
    assert len(raw.splitlines()) == 3  # even str.splitlines() sees three lines
    assert [json.loads(x)["question"] for x in raw.splitlines()] == ["a\u2028b", "c\u2029d", "e\u0085f"]


def _damage_fifo(index_dir: Path, name: str) -> None:
    target = live(index_dir) / name if name != "CURRENT" else index_dir / "CURRENT"
    target.unlink()
    os.mkfifo(target)


def _damage_dir(index_dir: Path, name: str) -> None:
    target = live(index_dir) / name if name != "CURRENT" else index_dir / "CURRENT"
    target.unlink()
    target.mkdir()


def _manifest(index_dir: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = live(index_dir) / "manifest.json"
    m = json.loads(path.read_text("utf-8"))
    change(m)
    path.write_text(json.dumps(m), "utf-8")


DAMAGE: list[tuple[str, Callable[[Path], object]]] = [
    ("chunks.jsonl is a directory", lambda d: _damage_dir(d, "chunks.jsonl")),
    ("manifest.json is a directory", lambda d: _damage_dir(d, "manifest.json")),
    ("CURRENT is a directory", lambda d: _damage_dir(d, "CURRENT")),
    ("chunks.jsonl is a FIFO", lambda d: _damage_fifo(d, "chunks.jsonl")),
    ("manifest.json is a FIFO", lambda d: _damage_fifo(d, "manifest.json")),
    ("CURRENT is a FIFO", lambda d: _damage_fifo(d, "CURRENT")),
    ("documents.json is a FIFO", lambda d: _damage_fifo(d, "documents.json")),
    ("empty files list", lambda d: _manifest(d, lambda m: m.update(files=[]))),
    ("files is an empty object", lambda d: _manifest(d, lambda m: m.update(files={}))),
    ("file outside the folder", lambda d: _manifest(d, lambda m: m["files"].update({"../../../../etc/passwd": "0"}))),
    ("absolute file path", lambda d: _manifest(d, lambda m: m["files"].update({"/etc/passwd": "0"}))),
    (
        "corpus source outside the folder",
        lambda d: _manifest(d, lambda m: m["corpus"][0].update(source="../../../../etc/passwd")),
    ),
    ("CURRENT names a parent", lambda d: (d / "CURRENT").write_text("build-/../../etc\n")),
    ("CURRENT is empty", lambda d: (d / "CURRENT").write_text("")),
    ("CURRENT names a missing build", lambda d: (d / "CURRENT").write_text("build-gone\n")),
    ("manifest is not JSON", lambda d: (live(d) / "manifest.json").write_text("{")),
    ("manifest is a list", lambda d: (live(d) / "manifest.json").write_text("[]")),
    (
        "chunks truncated",
        lambda d: (live(d) / "chunks.jsonl").write_bytes((live(d) / "chunks.jsonl").read_bytes()[:50]),
    ),
    ("sources missing", lambda d: __import__("shutil").rmtree(live(d) / "sources")),
]


@pytest.mark.parametrize(("name", "damage"), DAMAGE, ids=[n for n, _ in DAMAGE])
def test_damaged_index_is_one_line(name: str, damage: Callable[[Path], object], index_copy: Path) -> None:
    damage(index_copy)
    r = run_cli(["list"], index_copy, timeout=60)  # a FIFO read would block: the timeout turns that into a failure
    one_line_failure(r, 2)


@pytest.mark.parametrize(("name", "damage"), DAMAGE[:7], ids=[n for n, _ in DAMAGE[:7]])
def test_damaged_index_can_be_rebuilt(
    name: str, damage: Callable[[Path], object], index_copy: Path, built: Settings
) -> None:
    damage(index_copy)
    settings = replace(built, index_dir=index_copy)
    build_index(settings, embedder=FakeEmbedder())
    assert load_index(index_copy).chunks


def test_index_under_a_file_is_one_line(tmp_path: Path, built: Settings) -> None:
    (tmp_path / "file").write_text("x")
    for where in (tmp_path / "file" / "index", Path("/proc/self/rag-index"), Path("/proc/rag-index/x")):
        r = run_cli(["build", "--quiet", "--corpus", str(built.corpus[0])], where, timeout=60)
        one_line_failure(r, 2)


def test_missing_corpus_file_is_one_line(tmp_path: Path) -> None:
    r = run_cli(["build", "--quiet", "--corpus", str(tmp_path / "nope.txt")], tmp_path / "index")
    one_line_failure(r)


# ---------------------------------------------------------------------------------------------- crash-safe swap

KILLER = r"""
import os, signal, sys, time
from pathlib import Path
from rag import builds
from rag.indexer import build_index
from tests.conftest import FakeEmbedder, make_settings

point, index_dir, plan = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
settings = make_settings(corpus=(plan,), index_dir=index_dir, embed_model="fake-bigrams")

def die():
    sys.stdout.write("dying\n")
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)

real_replace, real_rmtree, real_checksums = os.replace, builds.shutil.rmtree, builds.checksums

def replace(src, dst, *a, **k):
    name = Path(dst).name
    if point == "before-rename" and name.startswith("build-"):
        die()
    if point == "before-swap" and name == "CURRENT":
        die()
    real_replace(src, dst, *a, **k)
    if point == "after-rename" and name.startswith("build-"):
        die()
    if point == "after-swap" and name == "CURRENT":
        die()

def rmtree(path, *a, **k):
    real_rmtree(path, *a, **k) if point != "cleanup" else None
    if point == "cleanup":
        victim = sorted(Path(path).rglob("*"))
        if victim:
            victim[-1].unlink() if victim[-1].is_file() else None
        die()

def checksums(tmp):
    if point == "writing":
        die()
    return real_checksums(tmp)

class SlowEmbedder(FakeEmbedder):
    def embed_passages(self, texts):
        if point == "embedding":
            sys.stdout.write("embedding\n")
            sys.stdout.flush()
            time.sleep(60)
        return super().embed_passages(texts)

os.replace = replace
builds.shutil.rmtree = rmtree
builds.checksums = checksums
build_index(settings, embedder=SlowEmbedder())
sys.stdout.write("finished\n")
"""

KILL_POINTS = ["embedding", "writing", "before-rename", "after-rename", "before-swap", "after-swap", "cleanup"]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_killed_build_leaves_a_whole_index(point: str, tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    build_index(settings, embedder=FakeEmbedder())
    old_build = live(settings.index_path)
    new_plan = tmp_path / "new.txt"
    new_plan.write_text(SYNTHETIC_PLAN.replace("做强汽车零部件产业。", "做强汽车零部件产业和氢能产业。"), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    cmd = [sys.executable, "-c", KILLER, point, str(settings.index_path), str(new_plan)]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=PROJECT_ROOT) as proc:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if point == "embedding":
            assert first == b"embedding\n"
            proc.send_signal(signal.SIGKILL)  # killed from outside, mid-embedding
        proc.wait(60)
        assert proc.returncode == -signal.SIGKILL, (first, proc.stderr.read() if proc.stderr else b"")
    # The next load answers from a whole index: the old one before the swap, the new one after.
    index = load_index(settings.index_path)
    swapped = point in ("after-swap", "cleanup")
    assert (live(settings.index_path) == old_build) is not swapped
    assert any("氢能" in c.text for c in index.chunks) is swapped
    assert len(index.chunks) == index.manifest["counts"]["chunks"]
    answer = Pipeline(settings, index=index, embedder=FakeEmbedder()).ask(ANSWERABLE)
    assert answer.question == ANSWERABLE
    # The next build cleans up whatever the killed one left.
    build_index(settings, embedder=FakeEmbedder())
    names = sorted(p.name for p in settings.index_path.iterdir())
    assert [n for n in names if n not in ("CURRENT", ".lock")] == [live(settings.index_path).name], names
    assert load_index(settings.index_path).chunks


def test_reader_during_rebuild_sees_a_whole_index(tmp_path: Path) -> None:
    """Loads racing three rebuilds never see a half-written index."""
    settings = fake_settings(tmp_path)
    build_index(settings, embedder=FakeEmbedder())
    stop = threading.Event()
    problems: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                load_index(settings.index_path)
            except IndexProblem as e:
                problems.append(str(e))

    t = threading.Thread(target=reader)
    t.start()
    try:
        for _ in range(3):
            build_index(settings, embedder=FakeEmbedder())
    finally:
        stop.set()
        t.join(30)
    # A reader can only lose a race with cleanup of the build it was reading (it then reloads); never a torn one.
    assert all("missing" in p or "cannot be read" in p for p in problems), problems
