"""`rag eval` in LLM mode against a local scripted OpenAI-compatible server: the verification at work.

The scripted "model" cannot judge anything: for each question it copies the first sentence of
source [1], then adds an invented figure citing [1] and a sentence citing a source that does not
exist ([7]). Verification must keep the first and drop the other two. Run: .venv/bin/python bench/llm_eval.py
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval import metrics  # noqa: E402
from eval.dataset import load  # noqa: E402
from eval.run import run, table  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from tests.fake_openai import FakeOpenAI  # noqa: E402

SOURCE = re.compile(r'<source id="1"[^>]*>\n(.*?)\n</source>', re.S)


def responder(body: dict) -> str:
    user = body["messages"][-1]["content"]
    m = SOURCE.search(user)
    first = re.split(r"(?<=[。；;！？])", m.group(1))[0] if m else ""
    return f"{first}[1]该项目总投资达到100亿元。[1]详见规划附件。[7]"


def main() -> None:
    server = FakeOpenAI(responder)
    settings = replace(Settings.from_env(), llm_base_url=server.url, llm_model="scripted", llm_retries=0)
    pipeline = Pipeline(settings)
    items = load(ROOT / "eval/datasets/erdao.jsonl")
    rows = run(items, pipeline)
    sections = {s.key: s.text for d in pipeline.index.documents for s in d.sections}
    pairs = [(i, o) for i, o, _ in rows]
    result: dict = metrics.compute(pairs, sections.get)
    result["by_type"] = metrics.by_type(pairs, sections.get)
    calls = len(server.requests)
    answered = [a for _, _, a in rows if a is not None and not a.refused and a.mode == "llm"]
    kept = sum(len(a.sentences) for a in answered)
    print(table(result))
    print(
        json.dumps(
            {
                "llm_calls": calls,
                "sentences_generated": 3 * calls,
                "sentences_kept": kept,
                "invented_figures_kept": sum("100亿元" in a.text for a in answered),
                "bad_source_numbers_kept": sum("附件" in a.text for a in answered),
            },
            ensure_ascii=False,
        )
    )
    server.close()


if __name__ == "__main__":
    main()
