"""Errors a user can cause. Front ends print the message on one line (CLI exit code, HTTP 4xx), never a traceback."""

from __future__ import annotations

BUILD_HINT = "run `rag build` (or `make run`) to build it"


class UserError(Exception):
    """A problem with what the user gave us: the message is for them, the exit code for scripts."""

    exit_code = 1


class BadQuestion(UserError):
    """Empty, too long, or not text."""


class IndexProblem(UserError):
    """The index is missing, damaged, or was built for another model."""

    exit_code = 2


class CorpusError(UserError):
    """A plan file that cannot be read or parsed."""

    exit_code = 2


class UnknownSection(UserError):
    """A 篇/章 that the plan does not have."""


class Busy(UserError):
    """Every answer worker is busy and the waiting line is full (HTTP 503: try again)."""
