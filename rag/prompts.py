"""Prompt templates and fixed answer texts, kept as files in prompts/ (edited without touching code)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rag.resources import PROMPTS_DIR


@cache
def load(name: str, directory: Path | None = None) -> str:
    """The text of prompts/<name> (e.g. refusal.txt); `directory` is Settings.prompts_dir when set."""
    return ((directory or PROMPTS_DIR) / name).read_text("utf-8").strip()


def refusal() -> str:
    """The one refusal sentence: the generators, the LLM prompt and the tests all use it."""
    return load("refusal.txt")
