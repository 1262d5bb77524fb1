"""The feedback log under many processes at once: no line lost, none torn."""

from __future__ import annotations

import json
import multiprocessing as mp
from pathlib import Path

import pytest

from rag.feedback import BadFeedback, FeedbackLog


def _writer(path: str, i: int) -> None:
    log = FeedbackLog(Path(path))
    for j in range(20):
        log.append("up", f"q{i}-{j}", "答" * 2000, comment=str(i))


def test_many_processes_append_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "f" / "feedback.jsonl"
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(path), i)) for i in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert len(records) == 160
    assert {r["question"] for r in records} == {f"q{i}-{j}" for i in range(8) for j in range(20)}


def test_bad_feedback(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "x.jsonl")
    with pytest.raises(BadFeedback):
        log.append("sideways", "q", "a")
    with pytest.raises(BadFeedback):
        log.append("up", "q", "a", comment="x" * 3000)
    assert not (tmp_path / "x.jsonl").exists()
