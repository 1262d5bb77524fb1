"""The HTTP edge: limits and defaults that protect the app before any route or Gradio handler runs.

A plain ASGI middleware, outermost, so it covers the JSON API and the Gradio app alike:
- Host header allow-list (DNS rebinding), request body size limit (counted while reading, before parsing),
  and the upload routes closed (no feature here needs file uploads);
- per-client rate limits on the write and answer endpoints (a token bucket per IP);
- security headers on every response, and CORS headers removed unless an origin is configured.
Every refusal is a 4xx with {"error": "..."} on one line.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from http import HTTPStatus
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'"
)
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", _CSP.encode()),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_UPLOAD = re.compile(r"(^|/)(gradio_api/)?upload(_progress)?/?$")
# Gradio routes the web page does not use: its REST API (another way into the chat, around the rate limit
# and the queue), streaming and recording uploads, custom-component calls, run history, editing modes.
_CLOSED = re.compile(
    r"^/gradio_api/(run|call|api|stream|run-history)/"
    r"|^/gradio_api/(component_server|process_recording|vibe-edit|undo-vibe-edit|vibe-code|runs|dev/reload)/?$"
)
RATE_LIMITED = ("/api/ask", "/api/feedback", "/gradio_api/queue/join")
log = logging.getLogger("rag.guard")


class TokenBucket:
    """Per-key token buckets: `rate` requests a minute, bursts up to `burst` (thread-safe)."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate, self.burst = per_minute / 60.0, float(burst)
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 when a request may go ahead, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._state.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._state[key] = (tokens - 1.0, now)
                if len(self._state) > 100_000:  # forget idle clients rather than grow without bound
                    self._state = {k: v for k, v in self._state.items() if now - v[1] < 600}
                return 0.0
            self._state[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


def host_allowed(host_header: str, allowed: Iterable[str]) -> bool:
    """Is the Host header's name (port stripped) in the allow-list ('*' allows any)?"""
    allowed = list(allowed)
    if "*" in allowed:
        return True
    host = host_header.strip().lower()
    name = host[1 : host.index("]")] if host.startswith("[") and "]" in host else host.rsplit(":", 1)[0]
    return name in {a.strip().lower().strip("[]") for a in allowed}


async def _error(send: Send, status: int, message: str, extra: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"error": message}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *SECURITY_HEADERS, *extra]})
    await send({"type": "http.response.body", "body": body})


def uniform_error(status: int, body: bytes) -> bytes | None:
    """An error body as {"error": "..."} (one line), or None when it already is one.

    FastAPI and Gradio answer some errors themselves ({"detail": ...}, plain text, HTML); a 5xx never
    shows its details.
    """
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    if status < 500 and isinstance(parsed, dict) and list(parsed) == ["error"] and isinstance(parsed["error"], str):
        return None
    if status == 503 and isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
        return None  # our own "busy, try again"
    message = ""
    if status < 500 and isinstance(parsed, dict):
        detail = parsed.get("detail", parsed.get("error"))
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            detail = detail[0].get("msg")
        if isinstance(detail, str):
            message = " ".join(detail.split())[:300]
    if not message or (status == 404 and message == "Not Found"):
        message = {404: "no such route", 405: "method not allowed", 500: "internal error"}.get(status, "")
    if not message:
        try:
            message = HTTPStatus(status).phrase.lower()
        except ValueError:
            message = "error"
    return json.dumps({"error": message}, ensure_ascii=False).encode()


# (scope, request body) -> None to let the request through, or (status, message) to refuse it.
Validator = Callable[[Scope, bytes], "tuple[int, str] | None"]


class Guard:
    """ASGI middleware applying the edge limits above to every HTTP request.

    The request body is read here, counted against the limit, before any route parses it; `validators`,
    keyed by (method, path), may refuse a request first with their own status and message. Error
    responses are made uniform ({"error": "..."}) except Gradio's own client protocol under /gradio_api/,
    which keeps its bodies for 4xx other than 404 and 405. An exception escaping the app becomes a 500
    {"error": ...} and one log line, never a traceback. A websocket from a host not allowed is closed.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Iterable[str],
        cors_origins: Iterable[str] = (),
        max_body_bytes: int = 256 * 1024,
        rate_per_minute: int = 60,
        burst: int = 20,
        validators: Mapping[tuple[str, str], Validator] | None = None,
    ) -> None:
        self.app = app
        self.allowed_hosts = list(allowed_hosts)
        self.cors_origins = {o.rstrip("/") for o in cors_origins}
        self.max_body = max_body_bytes
        self.bucket = TokenBucket(rate_per_minute, burst)
        self.validators = dict(validators or {})

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole request body, or None when it is over the limit (the client may still be sending)."""
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            names = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            if not host_allowed(names.get("host", ""), self.allowed_hosts):
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008})
                return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path = scope.get("path", "")
        method = scope.get("method", "GET")
        if not host_allowed(headers.get("host", ""), self.allowed_hosts):
            await _error(send, 400, "host not allowed (set RAG_ALLOWED_HOSTS)")
            return
        if _UPLOAD.search(path):
            await _error(send, 404, "uploads are not accepted")
            return
        if _CLOSED.search(path):
            await _error(send, 404, "no such route")
            return
        too_large = f"request body too large (limit {self.max_body} bytes)"
        declared = headers.get("content-length", "")
        if declared and (not declared.isdigit() or int(declared) > self.max_body):
            await _error(send, 413, too_large)
            return
        if method == "POST" and any(path.startswith(p) for p in RATE_LIMITED):
            client = (scope.get("client") or ("?", 0))[0]
            wait = self.bucket.take(client)
            if wait > 0:
                retry = str(max(1, int(wait + 0.999))).encode()
                await _error(send, 429, "too many requests; try again shortly", [(b"retry-after", retry)])
                return
        has_body = (declared not in ("", "0")) or "transfer-encoding" in headers
        app_receive = receive
        body = b""
        if has_body:
            try:
                read = await self._read_body(receive)
            except _Disconnected:
                return
            if read is None:
                await _error(send, 413, too_large, [(b"connection", b"close")])
                return
            body = read
            app_receive = _replay(body, receive)
        check = self.validators.get((method, path))
        problem = check(scope, body) if check else None
        if problem:
            await _error(send, *problem)
            return
        origin = headers.get("origin", "").rstrip("/")
        allow_cors = bool(origin) and origin in self.cors_origins
        rewrite_4xx = not path.startswith("/gradio_api/")
        state: dict[str, Any] = {"started": False, "held": None, "parts": []}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if allow_cors or not k.lower().startswith(b"access-control-")
                ]
                names = {k.lower() for k, _ in kept}
                kept += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": kept}
                status = int(message.get("status", 200))
                content_type = dict((k.lower(), v) for k, v in kept).get(b"content-type", b"")
                uniform = status >= 500 or (status >= 400 and (rewrite_4xx or status in (404, 405)))
                if uniform and method != "HEAD" and not content_type.startswith(b"text/event-stream"):
                    state["held"] = message  # an error: its body is collected and made uniform
                    return
                await send(message)
                return
            if message["type"] == "http.response.body" and state["held"] is not None:
                state["parts"].append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                start, state["held"] = state["held"], None
                body = b"".join(state["parts"])
                fixed = uniform_error(int(start["status"]), body)
                if fixed is not None:
                    body = fixed
                    hdrs = [
                        (k, v) for k, v in start["headers"] if k.lower() not in (b"content-length", b"content-type")
                    ]
                    hdrs += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                    start = {**start, "headers": hdrs}
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        try:
            await self.app(scope, app_receive, send_with_headers)
        except Exception as e:
            log.error("internal error on %s %s: %s", method, path, type(e).__name__)
            if not state["started"]:
                await _error(send, 500, "internal error")


class _Disconnected(Exception):
    pass


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body read already, then passes on what the server sends next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
