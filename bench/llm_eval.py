"""`rag eval` in LLM mode against a local scripted OpenAI-compatible server: the verification at work.

The scripted "model" cannot judge anything: for each question it copies the first sentence of
source [1], then adds an invented figure citing [1] and a sentence citing a source that does not
exist ([7]). Verification must keep the first and drop the other two. Run: .venv/bin/python bench/llm_eval.py
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from eval.dataset import load
from eval.report import table
from eval.run import DATASETS, resolve_items, run, score
from eval.scripted_llm import FakeOpenAI
from rag.config import Settings
from rag.pipeline import Pipeline

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
    path = DATASETS / "dev" / "erdao.jsonl"
    rows = run(resolve_items(load(path), pipeline, path), pipeline)
    sections = {s.loc: s.text for d in pipeline.index.documents for s in d.sections}
    result = score(rows, sections.get)
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
