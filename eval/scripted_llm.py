"""A scripted OpenAI-compatible chat server on 127.0.0.1 for the LLM client tests (real HTTP, no network)."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    """Each request pops the next scripted reply: ("json", text), ("sse", [pieces]), ("status", code),
    ("sleep", seconds, text), ("garbage", body), ("hang",) (never replies) or ("drip", seconds) (a 200 whose
    body never ends: one byte every `seconds`). With an empty script it uses `default`, else replies "".
    Hanging and dripping replies stop when the server is closed.
    """

    def __init__(
        self, responder: Callable[[dict[str, Any]], str] | None = None, default: tuple[Any, ...] | None = None
    ) -> None:
        self.script: deque[tuple[Any, ...]] = deque()
        self.responder = responder  # used when the script is empty: request body -> reply text
        self.default = default  # the step used when the script is empty (e.g. ("hang",) for every request)
        self.requests: list[dict[str, Any]] = []
        self.closed = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append(body)
                if owner.script:
                    step = owner.script.popleft()
                elif owner.default is not None:
                    step = owner.default
                else:
                    step = ("json", owner.responder(body) if owner.responder else "")
                kind = step[0]
                if kind == "hang":
                    owner.closed.wait()
                elif kind == "drip":
                    self.send_response(200)
                    is_sse = bool(body.get("stream"))
                    self.send_header("Content-Type", "text/event-stream" if is_sse else "application/json")
                    self.end_headers()
                    while not owner.closed.wait(step[1]):
                        self.wfile.write(b"\n" if is_sse else b" ")  # valid filler for either reader, never an end
                        self.wfile.flush()
                elif kind == "status":
                    self._send(step[1], json.dumps({"error": {"message": "scripted failure", "type": "server_error"}}))
                elif kind == "garbage":
                    self._send(200, step[1])
                elif kind == "sleep":
                    time.sleep(step[1])
                    self._send(200, json.dumps(_completion(step[2])))
                elif kind == "sse" or body.get("stream"):
                    pieces = step[1] if kind == "sse" else [step[1]]
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for p in pieces:
                        self.wfile.write(f"data: {json.dumps(_chunk(p), ensure_ascii=False)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                else:
                    self._send(200, json.dumps(_completion(step[1]), ensure_ascii=False))

            def _send(self, code: int, text: str) -> None:
                data = text.encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that timed out and hung up is part of the script, not an error

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.closed.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _envelope(kind: str, choice: dict[str, Any]) -> dict[str, Any]:
    return {"id": "chatcmpl-test", "object": kind, "created": 0, "model": "scripted", "choices": [choice]}


def _completion(text: str) -> dict[str, Any]:
    body = _envelope(
        "chat.completion", {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
    )
    body["usage"] = {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
    return body


def _chunk(piece: str) -> dict[str, Any]:
    return _envelope("chat.completion.chunk", {"index": 0, "delta": {"content": piece}, "finish_reason": None})
