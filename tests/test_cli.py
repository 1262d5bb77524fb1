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
from tests.conftest import make_settings

RAG = [sys.executable, "-m", "rag"]


def _run(args: list[str], settings: Settings, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "RAG_INDEX_DIR": str(settings.index_path), "RAG_CACHE_DIR": str(settings.cache_path)}
    return subprocess.run(RAG + args, input=stdin, capture_output=True, env=env, timeout=300)


@pytest.mark.slow
def test_ask_json_schema(real_settings: Settings) -> None:
    r = _run(["ask", "“21338”空间格局里的三河是哪三条？", "--json", "--top-k", "3"], real_settings)
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert list(j)[:5] == ["question", "answer", "refused", "refusal", "mode"]
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
    out = [json.loads(line) for line in r.stdout.decode().split("\n") if line]
    assert len(out) == 5  # exactly one output line per input line, the blank one included
    assert "answer" in out[0] and "answer" in out[4]
    assert out[1] == {"question": "", "error": "the question is empty"}
    assert out[2] == {"question": None, "error": "the line is not valid UTF-8"}
    assert "too long" in out[3]["error"]
    assert r.returncode == 1 and b"Traceback" not in r.stderr


def test_missing_index_is_one_line_exit_2(tmp_path: Path) -> None:
    r = _run(["ask", "看病方便吗"], make_settings(index_dir=tmp_path / "none"))
    assert r.returncode == 2
    err = r.stderr.decode().strip()
    assert err.startswith("error: no index at") and "rag build" in err and "\n" not in err


def test_sections_and_show(fake_index: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    idx = ["--index-dir", str(fake_index.index_path)]
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
    assert [e["label"] for e in toc["entries"] if e["depth"] <= 1] == ["前言", "第一篇", "第二篇"]
    assert main([*idx, "show", "2", "1", "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["path"] == ["第二篇", "第一章"] and j["doc_id"] == "plan" and j["part"] == "第二篇"
    assert main([*idx, "list"]) == 0
    assert "plan\t某某区国民经济和社会发展第十四个五年规划纲要" in capsys.readouterr().out


def test_user_errors_are_one_line(fake_index: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    idx = ["--index-dir", str(fake_index.index_path)]
    assert main([*idx, "show", "第九篇", "第一章"]) == 1
    title = "某某区国民经济和社会发展第十四个五年规划纲要"
    assert capsys.readouterr().err.strip() == f"error: {title} has no section 第九篇·第一章; `rag sections` lists them"
    assert main([*idx, "show", "100", "1"]) == 1  # numbers past 99 are references like any other
    assert "no section 第一百篇·第一章" in capsys.readouterr().err
    assert main([*idx, "show", "1", "--doc", "nope"]) == 1
    assert "no document 'nope'" in capsys.readouterr().err
    for q, msg in [("", "empty"), ("   ", "empty"), ("a\x1bb", "control characters"), ("问" * 2001, "too long")]:
        assert main([*idx, "ask", q]) == 1
        assert msg in capsys.readouterr().err


def test_unloadable_model_is_one_line(fake_index: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    env = {**os.environ, "RAG_INDEX_DIR": str(fake_index.index_path), "RAG_EMBED_MODEL": "fake-bigrams"}
    r = subprocess.run([*RAG, "ask", "看病方便吗"], capture_output=True, env=env, timeout=300)
    assert r.returncode == 2
    assert r.stderr.decode().strip().startswith("error: cannot load embedding model 'fake-bigrams'")


def test_bad_setting_is_reported(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value, message in [
        ("RAG_TOP_K", "many", "RAG_TOP_K='many' is not a valid int"),
        ("RAG_TOP_K", "0", "RAG_TOP_K=0 is out of range; allowed 1..50"),
        ("RAG_DENSE_WEIGHT", "nan", "RAG_DENSE_WEIGHT=nan is out of range"),
        ("RAG_FUSION", "rff", "RAG_FUSION='rff' is not allowed; choose one of: weighted, rrf"),
    ]:
        monkeypatch.setenv(name, value)
        assert main(["sections"]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
        monkeypatch.delenv(name)


def test_config_lists_every_setting(capsys: pytest.CaptureFixture[str]) -> None:
    from dataclasses import fields

    assert main(["config", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["variable"] for r in rows] == [f"RAG_{f.name.upper()}" for f in fields(Settings)]
    assert all(r["description"] for r in rows)


def test_readme_configuration_table_matches_the_settings() -> None:
    from rag.config import markdown_table
    from rag.resources import PROJECT_ROOT

    assert markdown_table() in (PROJECT_ROOT / "README.md").read_text("utf-8")
