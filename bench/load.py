"""Load test for `rag serve` on 127.0.0.1: concurrent clients on /api/ask, /api/health polled throughout.

    .venv/bin/python bench/load.py [--index-dir DIR] [--requests N] [--clients 1,10,50,100]

Phase 1 (extractive, the default answer path): for each client count, that many concurrent closed-loop
clients (each asks again as soon as it is answered) post real questions (the eval dev set) until a fixed
number of requests is done. Recorded: throughput, latency p50/p95/p99/max, responses by status (503 =
"busy, try again", never retried here), the server's CPU time per request, and the worst /api/health
latency seen by a separate process polling every 50 ms while the load runs.

Phase 2 (a hanging LLM): the same server started against a scripted OpenAI-compatible endpoint on
127.0.0.1 that never answers ("hang", 20 and 50 clients) or sends one byte a second forever ("drip"), with
RAG_LLM_TIMEOUT=2. Recorded: health latency, the slowest answer as the client saw it (queueing included)
and as the server timed it (timings_ms.total), how many answers fell back to extractive, and the server's
thread count before, right after and 5 s after each level (an abandoned LLM call must not leave one).

The clients run in a process of their own over plain HTTP/1.1 (asyncio streams, kept-alive connections),
so the load generator costs the 2 cores almost nothing (client_cpu_s). Everything is bounded: a fixed
number of requests, per-request client timeouts, and the server process is stopped at the end. The
server runs in its own process with the rate limit lifted (every client here is 127.0.0.1, which a per-IP
limit would otherwise treat as one client). The 1-minute load average is recorded around every level:
other work on the machine skews every figure. Results go to bench/load_results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.scripted_llm import FakeOpenAI  # noqa: E402

HOST = "127.0.0.1"
QUESTIONS_FILE = ROOT / "eval" / "datasets" / "dev" / "erdao.jsonl"


def questions() -> list[str]:
    rows = [json.loads(line) for line in QUESTIONS_FILE.read_text("utf-8").split("\n") if line.strip()]
    return [r["question"] for r in rows]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values, 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50": round(pct(ms, 50), 1),
        "p95": round(pct(ms, 95), 1),
        "p99": round(pct(ms, 99), 1),
        "max": round(max(ms), 1) if ms else 0.0,
        "mean": round(statistics.fmean(ms), 1) if ms else 0.0,
    }


# ---------------------------------------------------------------------------------------------- the server


class Served(str):
    """The server's base URL, carrying its port and process id (to count its threads)."""

    pid: int
    port: int


def threads(pid: int) -> int | None:
    """How many threads the process has (Linux), None when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().split("\n"):
            if line.startswith("Threads:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@contextlib.contextmanager
def server(index_dir: Path, work: Path, extra_env: dict[str, str], log: Path) -> Iterator[Served]:
    """`rag serve` in a subprocess on a free port; yields its base URL once /api/health answers.

    RAG_HOME is left as it is (the materialised model cache is shared); feedback goes to the work folder.
    """
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RAG_FEEDBACK_PATH": str(work / "feedback.jsonl"),
        "RAG_INDEX_DIR": str(index_dir),
        "RAG_RATE_PER_MINUTE": "100000",
        "RAG_RATE_BURST": "100000",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        **extra_env,
    }
    cmd = [sys.executable, "-m", "rag", "serve", "--host", HOST, "--port", str(port)]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"rag serve exited with {proc.returncode}; see {log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise SystemExit(f"rag serve did not answer /api/health within 300 s; see {log}")
        # Warm up: the first question pays for lazy initialisation (tokenizer, caches).
        httpx.post(f"{base}/api/ask", json={"question": "以后在二道看病会更方便吗？"}, timeout=120)
        served = Served(base)
        served.pid = proc.pid
        served.port = port
        yield served
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


# ---------------------------------------------------------------------------------------------- health poller


def _poll_health(base: str, stop: Any, ready: Any, out: Any, every: float) -> None:
    """In its own process: GET /api/health every `every` seconds until stopped; sends back the latencies."""
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                r = client.get(f"{base}/api/health")
                if r.status_code != 200:
                    failures[str(r.status_code)] += 1
            except httpx.HTTPError as e:
                failures[type(e).__name__] += 1
            latencies.append(time.perf_counter() - t0)
            ready.set()
            stop.wait(every)
    out.send({"latencies": latencies, "failures": dict(failures)})
    out.close()


@contextlib.contextmanager
def health_poller(base: str, every: float = 0.05) -> Iterator[dict[str, Any]]:
    ctx = mp.get_context("spawn")
    stop, ready = ctx.Event(), ctx.Event()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_poll_health, args=(base, stop, ready, sender, every), daemon=True)
    proc.start()
    ready.wait(120)  # polling before the load starts
    result: dict[str, Any] = {}
    try:
        yield result
    finally:
        stop.set()
        data: dict[str, Any] = receiver.recv() if receiver.poll(60) else {"latencies": [], "failures": {"no-report": 1}}
        proc.join(10)
        lat = data["latencies"]
        result.update({"polls": len(lat), "failures": data["failures"], **summary_ms(lat)})


# ---------------------------------------------------------------------------------------------- the clients


async def _post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes) -> tuple[int, bytes, bool]:
    """One POST /api/ask on a kept-alive connection: (status, body, server closes). Plain HTTP/1.1 over
    asyncio streams: a client library costs about a millisecond of CPU a request, which on 2 cores is
    taken from the server being measured."""
    head = f"POST /api/ask HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    writer.write(head.encode() + b"\r\n\r\n" + body)
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length, chunked, close = 0, False, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value
        elif name == "connection":
            close = value == "close"
    if not chunked:
        return status, await reader.readexactly(length), close
    data = b""
    while size := int((await reader.readline()).split(b";")[0], 16):
        data += await reader.readexactly(size)
        await reader.readline()
    await reader.readline()
    return status, data, close


async def drive(port: int, clients: int, total: int, qs: list[str], timeout: float) -> dict[str, Any]:
    """`clients` concurrent closed-loop clients (each sends its next question when the last is answered)
    post questions until `total` requests are done."""
    latencies: list[float] = []
    ok_latencies: list[float] = []
    server_totals: list[float] = []
    statuses: Counter[str] = Counter()
    modes: Counter[str] = Counter()
    notices = 0
    next_i = 0

    async def client() -> None:
        nonlocal next_i, notices
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while next_i < total:
            i = next_i
            next_i += 1
            body = json.dumps({"question": qs[i % len(qs)]}).encode()
            t0 = time.perf_counter()
            try:
                if conn is None:
                    conn = await asyncio.open_connection(HOST, port)
                code, data, close = await asyncio.wait_for(_post(*conn, body), timeout)
                status = str(code)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
                code, data, close, status = 0, b"", True, type(e).__name__
            elapsed = time.perf_counter() - t0
            latencies.append(elapsed)
            statuses[status] += 1
            if code == 200:
                ok_latencies.append(elapsed)
                j = json.loads(data)
                modes[j.get("mode", "?")] += 1
                notices += bool(j.get("notice"))
                server_totals.append(float(j.get("timings_ms", {}).get("total", 0.0)) / 1000)
            if close and conn is not None:
                conn[1].close()
                conn = None
        if conn is not None:
            conn[1].close()

    t0 = time.perf_counter()
    cpu0 = time.process_time()
    await asyncio.gather(*(client() for _ in range(clients)))
    duration = time.perf_counter() - t0

    return {
        "clients": clients,
        "requests": total,
        "duration_s": round(duration, 2),
        "throughput_rps": round(total / duration, 2),
        "answered_rps": round(len(ok_latencies) / duration, 2),
        "latency_ms": summary_ms(latencies),
        "answered_latency_ms": summary_ms(ok_latencies),
        "status": dict(sorted(statuses.items())),
        "errors": sum(n for s, n in statuses.items() if s != "200"),
        "modes": dict(modes),
        "notices": notices,
        "slowest_answer_s": round(max(ok_latencies), 2) if ok_latencies else None,
        "slowest_server_total_s": round(max(server_totals), 2) if server_totals else None,
        "client_cpu_s": round(time.process_time() - cpu0, 2),  # what the load generator itself took
    }


def _drive_process(port: int, clients: int, total: int, qs: list[str], timeout: float, out: Any) -> None:
    out.send(asyncio.run(drive(port, clients, total, qs, timeout)))
    out.close()


def run_clients(port: int, clients: int, total: int, qs: list[str], timeout: float) -> dict[str, Any]:
    """drive() in a process of its own, so that the load generator never shares a GIL with anything here."""
    ctx = mp.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_drive_process, args=(port, clients, total, qs, timeout, sender), daemon=True)
    proc.start()
    try:
        # Bounded: every request has its own timeout; a generous overall limit on top.
        if not receiver.poll(total * timeout + 120):
            raise SystemExit("the load clients did not finish")
        result: dict[str, Any] = receiver.recv()
    finally:
        proc.join(10)
        if proc.is_alive():
            proc.kill()
    return result


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds the process (all its threads) has used (Linux), None when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run_level(base: Served, clients: int, total: int, qs: list[str], timeout: float) -> dict[str, Any]:
    before, cpu_before, load_before = threads(base.pid), cpu_seconds(base.pid), os.getloadavg()[0]
    with health_poller(base) as health:
        result = run_clients(base.port, clients, total, qs, timeout)
    cpu_after = cpu_seconds(base.pid)
    result["health_ms"] = health
    if cpu_before is not None and cpu_after is not None:
        result["server_cpu_ms_per_request"] = round((cpu_after - cpu_before) / total * 1000, 1)
    # Other work on the machine skews every figure: the 1-minute load average around this level.
    result["loadavg_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    # Abandoned LLM calls that never end show up here as threads the server keeps: counted right after
    # the level and again 5 s later.
    after = threads(base.pid)
    time.sleep(5)
    result["server_threads_before_after_5s"] = [before, after, threads(base.pid)]
    return result


# ---------------------------------------------------------------------------------------------- main


def uptime() -> str:
    """`uptime`'s line (load averages over 1, 5 and 15 minutes), or "" where there is no such command."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def default_index() -> Path:
    home = Path(os.environ.get("RAG_HOME") or ROOT)
    return Path(os.environ.get("RAG_INDEX_DIR") or home / "index")


def table(rows: list[dict[str, Any]], title: str) -> str:
    head = (
        f"{'phase':<12}{'clients':>8}{'reqs':>6}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}  {'status':<22}{'health max ms':>14}{'health p50':>11}{'srv max s':>10}"
    )
    lines = [title, head, "-" * len(head)]
    for r in rows:
        lat, h = r["latency_ms"], r["health_ms"]
        status = ",".join(f"{k}:{v}" for k, v in r["status"].items())
        lines.append(
            f"{r['phase']:<12}{r['clients']:>8}{r['requests']:>6}{r['throughput_rps']:>8}{lat['p50']:>9}"
            f"{lat['p95']:>9}{lat['p99']:>9}{lat['max']:>9}  {status:<22}{h['max']:>14}{h['p50']:>11}"
            f"{r['slowest_server_total_s'] if r['slowest_server_total_s'] is not None else '-':>10}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    p.add_argument("--index-dir", type=Path, default=None, help="index folder (default RAG_HOME/index)")
    p.add_argument("--clients", default="1,10,50,100", help="client counts for the extractive phase")
    p.add_argument("--requests", type=int, default=200, help="requests per extractive level")
    p.add_argument("--llm-timeout", type=float, default=2.0, help="RAG_LLM_TIMEOUT for the hanging-LLM phase")
    p.add_argument("--hang-clients", default="20,50", help="client counts against the hanging LLM")
    p.add_argument("--hang-requests", type=int, default=100, help="requests per hanging-LLM level")
    p.add_argument("--client-timeout", type=float, default=120.0, help="seconds a client waits for one answer")
    p.add_argument("--phases", default="extractive,hang,drip", help="which phases to run")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "load_results.json")
    args = p.parse_args(argv)

    index_dir = (args.index_dir or default_index()).resolve()
    if not (index_dir / "CURRENT").is_file():
        print(f"error: no index at {index_dir}: run `make index` or pass --index-dir", file=sys.stderr)
        return 2
    qs = questions()
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"rag-load-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    log = work / "server.log"
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    load_before, uptime_before = os.getloadavg(), uptime()

    phases = set(args.phases.split(","))
    health: dict[str, Any] = {}
    if "extractive" in phases:
        with server(index_dir, work, {}, log) as base:
            health = httpx.get(f"{base}/api/health").json()
            for n in (int(x) for x in args.clients.split(",") if x):
                print(f"extractive: {n} clients, {args.requests} requests ...", file=sys.stderr, flush=True)
                rows.append({"phase": "extractive", **run_level(base, n, args.requests, qs, args.client_timeout)})

    # One server against one scripted endpoint whose behaviour is switched between levels.
    llm = FakeOpenAI(default=("hang",))
    try:
        env = {
            "RAG_LLM_BASE_URL": llm.url,
            "RAG_LLM_MODEL": "scripted",
            "RAG_LLM_API_KEY": "bench",
            "RAG_LLM_TIMEOUT": str(args.llm_timeout),
        }
        with server(index_dir, work, env, log) as base:
            health = health or httpx.get(f"{base}/api/health").json()
            counts = [int(x) for x in args.hang_clients.split(",") if x]
            for kind, step in (("hang", ("hang",)), ("drip", ("drip", 1.0))):
                if kind not in phases:
                    continue
                llm.default = step
                for n in counts if kind == "hang" else counts[:1]:
                    print(f"{kind} LLM: {n} clients, {args.hang_requests} requests ...", file=sys.stderr, flush=True)
                    row = run_level(base, n, args.hang_requests, qs, args.client_timeout)
                    rows.append({"phase": f"llm-{kind}", **row, "llm_timeout_s": args.llm_timeout})
    finally:
        llm.close()

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "index": str(index_dir),
        "model": health.get("model"),
        "chunks": health.get("chunks"),
        "server": "rag serve in its own process; RAG_ANSWER_WORKERS/RAG_ANSWER_QUEUE"
        f" {os.environ.get('RAG_ANSWER_WORKERS', '4')}/{os.environ.get('RAG_ANSWER_QUEUE', '64')},"
        " rate limit lifted (all clients share 127.0.0.1); clients in their own process, raw HTTP/1.1",
        "health_poll_every_s": 0.05,
        # Other work on the machine skews every figure: the 1-minute load average before and after.
        "loadavg_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "uptime_before_after": [uptime_before, uptime()],
        "runtime_s": round(time.perf_counter() - started, 1),
        "levels": rows,
    }
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(table(rows, f"rag serve under load ({results['machine']}; index {index_dir})"))
    print(f"\nwritten to {args.out} in {results['runtime_s']} s; server log {log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
