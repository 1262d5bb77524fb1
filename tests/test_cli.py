"""The `rag` command: JSON schema, batch mode, table of contents, sections, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.cli import main
from rag.config import Settings

RAG = [sys.executable, "-m", "rag"]


def _run(args: list[str], settings: Settings, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "RAG_INDEX_DIR": str(settings.index_dir)}
    return subprocess.run(RAG + args, input=stdin, capture_output=True, env=env, timeout=300)


@pytest.mark.slow
def test_ask_json_schema(real_settings: Settings) -> None:
    r = _run(["ask", "“21338”空间格局里的三河是哪三条？", "--json", "--top-k", "3"], real_settings)
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert list(j)[:4] == ["question", "answer", "refused", "mode"]
    assert j["refused"] is False and j["citations"][0]["part"] == "第二篇" and j["citations"][0]["chapter"] == "第一章"
    assert len(j["contexts"]) == 3 and isinstance(j["contexts"][0]["score"], float)
    assert set(j["timings_ms"]) == {"retrieve", "generate", "total"}
    assert b"Traceback" not in r.stderr


@pytest.mark.slow
def test_batch_mode_keeps_going_on_bad_lines(real_settings: Settings) -> None:
    lines = (
        "以后看病方便吗？\n\n".encode()
        + b"\xff\xfe bad bytes\n"
        + ("问" * 2001 + "\n").encode()
        + "电竞产业有什么规划？\n".encode()
    )
    r = _run(["ask", "--json", "-"], real_settings, stdin=lines)
    out = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert len(out) == 4
    assert "answer" in out[0] and "answer" in out[3]
    assert out[1] == {"question": None, "error": "the line is not valid UTF-8"}
    assert "too long" in out[2]["error"]
    assert r.returncode == 1 and b"Traceback" not in r.stderr


def test_missing_index_is_one_line_exit_2(tmp_path: Path) -> None:
    r = _run(["ask", "看病方便吗"], Settings.from_env({}, index_dir=tmp_path / "none"))
    assert r.returncode == 2
    err = r.stderr.decode().strip()
    assert err.startswith("error: no index at") and "rag build" in err and "\n" not in err


def test_sections_and_show(fake_index: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    idx = ["--index-dir", str(fake_index.index_dir)]
    assert main([*idx, "sections"]) == 0
    out = capsys.readouterr().out
    assert "第一篇 总体要求" in out and "  第二章 发展目标" in out
    assert main([*idx, "show", "第一篇", "第二章"]) == 0
    out = capsys.readouterr().out
    assert "到2025年，建成“智慧某某”" in out and "》第一篇第二章" in out
    assert main([*idx, "show", "1", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "发展目标"
    assert main([*idx, "sections", "--json"]) == 0
    toc = json.loads(capsys.readouterr().out)
    assert [p["part"] for p in toc["parts"]] == [None, "第一篇", "第二篇"]


def test_user_errors_are_one_line(fake_index: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    idx = ["--index-dir", str(fake_index.index_dir)]
    assert main([*idx, "show", "第九篇", "第一章"]) == 1
    assert capsys.readouterr().err.strip() == "error: the plan has no section 第九篇·第一章; `rag sections` lists them"
    for q, msg in [("", "empty"), ("   ", "empty"), ("a\x1bb", "control characters"), ("问" * 2001, "too long")]:
        assert main([*idx, "ask", q]) == 1
        assert msg in capsys.readouterr().err


def test_unloadable_model_is_one_line(fake_index: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    env = {**os.environ, "RAG_INDEX_DIR": str(fake_index.index_dir), "RAG_EMBED_MODEL": "fake-bigrams"}
    r = subprocess.run([*RAG, "ask", "看病方便吗"], capture_output=True, env=env, timeout=300)
    assert r.returncode == 2
    assert r.stderr.decode().strip().startswith("error: cannot load embedding model 'fake-bigrams'")


def test_bad_setting_is_reported(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_TOP_K", "many")
    assert main(["sections"]) == 2
    assert "RAG_TOP_K='many' is not a valid value" in capsys.readouterr().err
