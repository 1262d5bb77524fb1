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
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
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
RATE_LIMITED = ("/api/ask", "/api/feedback", "/gradio_api/queue/join")


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


class _TooLarge(Exception):
    pass


class Guard:
    """ASGI middleware applying the edge limits above to every HTTP request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Iterable[str],
        cors_origins: Iterable[str] = (),
        max_body_bytes: int = 256 * 1024,
        rate_per_minute: int = 60,
        burst: int = 20,
    ) -> None:
        self.app = app
        self.allowed_hosts = list(allowed_hosts)
        self.cors_origins = {o.rstrip("/") for o in cors_origins}
        self.max_body = max_body_bytes
        self.bucket = TokenBucket(rate_per_minute, burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path = scope.get("path", "")
        if not host_allowed(headers.get("host", ""), self.allowed_hosts):
            await _error(send, 400, "host not allowed (set RAG_ALLOWED_HOSTS)")
            return
        if _UPLOAD.search(path):
            await _error(send, 404, "uploads are not accepted")
            return
        declared = headers.get("content-length", "")
        if declared and (not declared.isdigit() or int(declared) > self.max_body):
            await _error(send, 413, f"request body too large (limit {self.max_body} bytes)")
            return
        if scope.get("method") == "POST" and any(path.startswith(p) for p in RATE_LIMITED):
            client = (scope.get("client") or ("?", 0))[0]
            wait = self.bucket.take(client)
            if wait > 0:
                retry = str(max(1, int(wait + 0.999))).encode()
                await _error(send, 429, "too many requests; try again shortly", [(b"retry-after", retry)])
                return
        origin = headers.get("origin", "").rstrip("/")
        allow_cors = bool(origin) and origin in self.cors_origins
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _TooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if allow_cors or not k.lower().startswith(b"access-control-")
                ]
                names = {k.lower() for k, _ in kept}
                kept += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": kept}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await _error(send, 413, f"request body too large (limit {self.max_body} bytes)")
