"""Shared fixtures: the real plan, a tiny synthetic plan, a fake embedder, and a real-model index (session)."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from rag.config import Settings
from rag.resources import PROJECT_ROOT

# One variable moves all state: tests never touch the user's home. The materialised model is the one
# exception worth sharing (465 MB, built once): it lives in the checkout's .cache/, as `make` uses it.
os.environ["RAG_HOME"] = tempfile.mkdtemp(prefix="rag-test-home-")
# Removed at exit: each run leaves ~10 MB otherwise, and CI shares the disk with earlier runs.
atexit.register(shutil.rmtree, os.environ["RAG_HOME"], ignore_errors=True)
TEST_CACHE = PROJECT_ROOT / ".cache"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REAL_PLAN = PROJECT_ROOT / "corpus" / "erdao-14th-fyp.txt"

SYNTHETIC_PLAN = """首页 > 政府信息公开
某某区国民经济和社会发展第十四个五年规划纲要
时间:2021-03-01 来源:区发改局
【字体: 打印
《某某区国民经济和社会发展第十四个五年规划纲要》已经某某区第三届人民代表大会第二次会议审查批准。
  本纲要是全区未来五年发展的蓝图。

  第一篇 总体要求

  坚持稳中求进工作总基调。

  第一章 发展基础

  全区经济总量达到120亿元，增长6.5%。城市建设取得明显成效。

  第二章 发展目标

  到2025年，建成“智慧某某”和“生态某某”。主要目标如下：人均收入稳步提高。

  第二篇 产业发展

  第一章 现代服务业

  发展现代物流和电子商务；建设物流园区。推进金融服务业发展！

  第二章 先进制造业

  做强汽车零部件产业。培育新材料产业？
"""


class FakeEmbedder:
    """Deterministic bag-of-bigrams vectors: texts sharing characters are close. No model, no download."""

    name = "fake-bigrams"
    dim = 64

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        for i in range(len(text) - 1):
            h = int.from_bytes(hashlib.md5(text[i : i + 2].encode()).digest()[:4], "little")
            v[h % self.dim] += 1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    embed_passages = embed_queries


def make_settings(**kw: object) -> Settings:
    """Settings as a fresh environment would give them, with the shared model cache and any overrides."""
    return Settings.from_env({}, **{"cache_dir": TEST_CACHE, **kw})


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def real_text() -> str:
    return REAL_PLAN.read_text("utf-8")


@pytest.fixture
def synthetic_file(tmp_path: Path) -> Path:
    p = tmp_path / "plan.txt"
    p.write_text(SYNTHETIC_PLAN, "utf-8")
    return p


@pytest.fixture
def fake_settings(tmp_path: Path, synthetic_file: Path) -> Settings:
    return make_settings(corpus=(synthetic_file,), index_dir=tmp_path / "index", embed_model="fake-bigrams")


@pytest.fixture
def fake_index(fake_settings: Settings, fake_embedder: FakeEmbedder) -> Settings:
    from rag.indexer import build_index

    build_index(fake_settings, embedder=fake_embedder)
    return fake_settings


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real plan indexed with the real default model (materialised once into the user cache)."""
    from rag.indexer import build_index

    settings = make_settings(index_dir=tmp_path_factory.mktemp("real") / "index")
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def real_pipeline(real_settings: Settings):  # type: ignore[no-untyped-def]
    from rag.pipeline import Pipeline

    return Pipeline(real_settings)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(real_pipeline, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The real app (Gradio + API) served by uvicorn on 127.0.0.1 in a background thread."""
    import threading
    import time
    from dataclasses import replace

    import httpx
    import uvicorn

    from rag.server import create_app

    feedback = tmp_path_factory.mktemp("feedback") / "feedback.jsonl"
    # One client (the tests) sends many requests: the per-IP rate limit is tested in test_hostile.py.
    settings = replace(real_pipeline.settings, feedback_path=feedback, rate_per_minute=100000, rate_burst=100000)
    real_pipeline.settings = settings
    app = create_app(settings, pipeline=real_pipeline)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield {"url": base, "feedback": feedback}
    srv.should_exit = True
    thread.join(timeout=10)
