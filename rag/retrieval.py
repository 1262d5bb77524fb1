"""What retrieval found for one question, as data: the policy and the generators read it, nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from rag.types import Hit, Locator


@dataclass(frozen=True)
class Retrieval:
    """Ranked candidate chunks, ranked sections, the query vector, and the names the answer will need."""

    question: str
    query_vector: np.ndarray
    hits: list[Hit]  # fused candidates, best first
    sections: list[tuple[Locator, float]]  # each candidate's section once, best first
    contexts: list[Hit] = field(default_factory=list)  # the top_k shown with the answer, grouped by section
    steered: bool = False  # the question carried instructions to the bot (prompt injection)
    about_document: bool = False  # asks about a document here itself (rag.focus.about_document): its notice answers
    titles: Mapping[Locator, str] = field(default_factory=dict)  # section titles, for nearest-section lists
    doc_titles: Mapping[str, str] = field(default_factory=dict)
