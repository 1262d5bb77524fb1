"""👍/👎 feedback, appended to a JSONL log that many writers (threads or processes) can share safely.

Each record is one os.write() of one line on a file opened with O_APPEND, under an exclusive
flock: lines are never interleaved or torn, and nothing already written is ever rewritten.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import uuid
from pathlib import Path
from typing import Any

from rag import jsonl
from rag.errors import UserError

RATINGS = ("up", "down")
MAX_COMMENT = 2000


class BadFeedback(UserError):
    """Feedback the log cannot take (unknown rating, comment too long)."""


class FeedbackLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(
        self, rating: str, question: str, answer: str, comment: str = "", id: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        """Append one record (fsynced) and return it; a retried post with a known id is not written twice."""
        if rating not in RATINGS:
            raise BadFeedback(f"rating must be one of {', '.join(RATINGS)}")
        if len(comment) > MAX_COMMENT:
            raise BadFeedback(f"comment is too long (limit {MAX_COMMENT} characters)")
        record = {
            "id": id or uuid.uuid4().hex,
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "rating": rating,
            "question": question,
            "answer": answer,
            "comment": comment,
            **extra,
        }
        line = (jsonl.dumps(record) + "\n").encode("utf-8", "replace")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if id is not None and self._has(id):
                return {**record, "duplicate": True}
            view = memoryview(line)
            while view:  # a single write normally; loop only if the kernel writes part of it
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return record

    def _has(self, record_id: str) -> bool:
        """Is a record with this id already in the log? (Called under the lock.)"""
        needle = f'"id": {jsonl.dumps(record_id)},'.encode()
        try:
            with self.path.open("rb") as f:
                return any(line.startswith(b"{" + needle) for line in f)
        except FileNotFoundError:
            return False
