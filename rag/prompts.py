"""Prompt templates and fixed answer texts, kept as files in prompts/ (edited without touching code)."""

from __future__ import annotations

from functools import cache

from rag.config import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"


@cache
def load(name: str) -> str:
    """The text of prompts/<name> (e.g. refusal.txt)."""
    return (PROMPTS_DIR / name).read_text("utf-8").strip()


def refusal() -> str:
    """The one refusal sentence: the extractive generator, the LLM prompt and the tests all use it."""
    return load("refusal.txt")
