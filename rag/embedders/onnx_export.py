"""Export a sentence-transformers folder to an ONNX folder for rag.embedders.onnx_runtime, once, offline.

Runs at the first `rag build` (or the first question without an index): loads the folder with
transformers, wraps the encoder with the folder's pooling (mean or CLS) and L2 normalisation, traces
it with torch.onnx (the TorchScript exporter: it needs no onnxscript and no network), and for "int8"
quantises the weight MatMuls with onnxruntime's dynamic quantiser. Measured on e5-small against
float32 (min cosine over plan and law passages / short queries):
  per-tensor scales                                          0.982  (too coarse)
  per-channel                                                0.996 / 0.996
  per-channel, 7-bit range, layer 4's FFN output in float    0.997 / 0.998  (the recipe)
Layer 4's FFN output is the one projection whose quantisation costs e5-small accuracy (found by
keeping each in float in turn); 7-bit weights avoid the u8*s8 pair-sum saturation of AVX2's
vpmaddubsw, which onnxruntime's docs warn about. Keeping one of 72 MatMuls in float costs ~1% speed.

Before the folder is published the exported graph is run on probe strings and compared with the torch
model it came from; a graph that drifts is an error, never an index built with silently worse vectors.
The folder is written aside and renamed into place, so a crash never leaves a half-made model.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.embedders import e5_prefixes
from rag.embedders.onnx_runtime import FORMAT, META_FILE, OnnxEmbedder, Precision, is_complete
from rag.embedders.vocab_tiers import write_tiers
from rag.errors import IndexProblem

# Probe strings for the post-export check: Chinese plan prose, a question, English, full-width forms.
PROBES = [
    "以后在二道看病会更方便吗？",
    "二道区“十四五”时期构建“21338”的空间格局，推进主城区、开发区协同发展。",
    "加强基层医疗卫生服务体系建设，，提升群众就医便利度～",
    "How will Erdao develop its logistics industry?",
    "ＡＢＣ１２３ full-width text and   extra   spaces",
]
# Least cosine to the torch model the exported graph must keep on every probe.
MIN_COSINE = {"fp32": 0.9999, "int8": 0.99}


@dataclass(frozen=True)
class _Spec:
    """What the export needs to know about a sentence-transformers folder."""

    transformer: Path  # folder of the Transformer module (config.json, weights, tokenizer.json)
    pooling: str  # "mean" | "cls"
    normalize: bool
    max_tokens: int


def onnx_folder(models_dir: Path, source: Path, precision: Precision) -> Path:
    """Where the ONNX export of a user's folder is cached: named after it, with a hash of its path and
    its weights' sizes and times, and the export recipe (FORMAT), so a changed source or recipe is
    exported afresh rather than reused. (The bundled model's name is fixed: rag.embed.onnx_model_path.)
    """
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", source.name).strip("-") or "model"
    return models_dir / f"{slug}-{_fingerprint(source)}.onnx-{precision}-v{FORMAT}"


def _fingerprint(source: Path) -> str:
    h = hashlib.sha256(str(source.resolve()).encode())
    for p in sorted(source.rglob("*")):
        if p.is_file() and p.suffix in (".safetensors", ".bin", ".json"):
            st = p.stat()
            h.update(f"{p.relative_to(source)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:10]


def _unusable(source: Path, why: str) -> IndexProblem:
    return IndexProblem(
        f"cannot load embedding model {str(source)!r} ({why}); give a local sentence-transformers folder "
        "in RAG_EMBED_MODEL, or unset it for the bundled model"
    )


def read_spec(source: Path) -> _Spec:
    """Check that `source` is a sentence-transformers folder this exporter can reproduce exactly."""
    if not source.is_dir():
        raise _unusable(source, "not a local folder")
    try:
        modules = json.loads((source / "modules.json").read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise _unusable(source, f"no readable modules.json: {type(e).__name__}") from None
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if (
        not kinds
        or kinds[0] != "Transformer"
        or "Pooling" not in kinds
        or set(kinds) - {"Transformer", "Pooling", "Normalize"}
    ):
        raise _unusable(
            source, f"modules {kinds} cannot be exported to ONNX; use RAG_EMBED_BACKEND=sentence-transformers"
        )
    transformer = source / str(modules[0].get("path", ""))
    pool_dir = source / str(modules[kinds.index("Pooling")].get("path", ""))
    try:
        pool = json.loads((pool_dir / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise _unusable(source, "no readable pooling config") from None
    modes = [k for k, v in pool.items() if k.startswith("pooling_mode_") and v]
    if modes not in (["pooling_mode_mean_tokens"], ["pooling_mode_cls_token"]):
        raise _unusable(source, f"pooling {modes} cannot be exported; use RAG_EMBED_BACKEND=sentence-transformers")
    for need in ("config.json", "tokenizer.json"):
        if not (transformer / need).is_file():
            raise _unusable(source, f"no {need}")
    max_tokens = 512
    st_config = transformer / "sentence_bert_config.json"
    if st_config.is_file():
        try:
            max_tokens = int(json.loads(st_config.read_text("utf-8")).get("max_seq_length") or 512)
        except (OSError, ValueError):
            raise _unusable(source, "unreadable sentence_bert_config.json") from None
    return _Spec(transformer, "mean" if "mean" in modes[0] else "cls", "Normalize" in kinds, max_tokens)


# MatMul nodes (name suffixes in the traced graph) kept in float when quantising the bundled model.
E5_SMALL_KEEP_FLOAT = ("/encoder/layer.4/output/dense/MatMul",)


def export_onnx(
    source: Path, target: Path, name: str, precision: Precision = "int8", keep_float: tuple[str, ...] = ()
) -> Path:
    """Write the ONNX folder for `source` at `target` (no-op if a complete one is there); return target.

    keep_float: name suffixes of MatMul nodes left unquantised (a model-specific accuracy fix).
    """
    if is_complete(target):
        return target
    spec = read_spec(source)
    try:
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as e:
        raise ImportError(
            "exporting the embedding model to ONNX needs torch, transformers, onnx and onnxruntime: "
            "pip install torch==2.13.0 transformers onnx onnxruntime"
        ) from e
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        # Eager attention traces to plain MatMul/Softmax; the dynamic quantiser leaves those two in float
        # and quantises the weight MatMuls around them.
        model = AutoModel.from_pretrained(str(spec.transformer), attn_implementation="eager").float().eval()
    except (OSError, ValueError, KeyError) as e:
        raise _unusable(source, f"{type(e).__name__}: {str(e).splitlines()[0][:200]}") from None
    wrapped = _pooled_class()(model, spec.pooling, spec.normalize).eval()
    config = json.loads((spec.transformer / "config.json").read_text("utf-8"))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".onnx-", dir=target.parent))
    try:
        fp32 = tmp / ("model.onnx" if precision == "fp32" else "model-fp32.onnx")
        ids = torch.tensor([[0, 5, 6, 7, 2], [0, 8, 2, 1, 1]])
        mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
        dynamic = {"batch": 0, "tokens": 1}
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # tracer warnings about Python-side shape checks
            torch.onnx.export(
                wrapped,
                (ids, mask),
                str(fp32),
                dynamo=False,
                input_names=["input_ids", "attention_mask"],
                output_names=["sentence_embedding", "token_embeddings"],
                dynamic_axes={
                    "input_ids": {v: k for k, v in dynamic.items()},
                    "attention_mask": {v: k for k, v in dynamic.items()},
                    "sentence_embedding": {0: "batch"},
                    "token_embeddings": {v: k for k, v in dynamic.items()},
                },
                opset_version=17,
                do_constant_folding=True,
            )
        quantisation: dict[str, Any] = {}
        if precision == "int8":
            keep = _matmuls(fp32, keep_float)
            quantisation = {
                "tool": "onnxruntime.quantization.quantize_dynamic",
                "weight_type": "QInt8",
                "per_channel": True,
                "reduce_range": True,
                "kept_float": keep,
            }
            logging.disable(logging.WARNING)  # "consider pre-processing" advice on the root logger
            try:
                quantize_dynamic(
                    str(fp32),
                    str(tmp / "model.onnx"),
                    weight_type=QuantType.QInt8,
                    per_channel=True,
                    reduce_range=True,
                    nodes_to_exclude=keep,
                )
            finally:
                logging.disable(logging.NOTSET)
            fp32.unlink()
        shutil.copyfile(spec.transformer / "tokenizer.json", tmp / "tokenizer.json")
        q, p = e5_prefixes(name)
        with contextlib.suppress(ValueError):  # a non-unigram tokenizer has no tiers: the full one does all
            write_tiers(tmp, (q, p))  # smaller tokenizers for a fast cold start (rag.embedders.vocab_tiers)
        meta: dict[str, Any] = {
            "format": FORMAT,
            "name": name,
            "dim": int(config.get("hidden_size") or 0),
            "max_tokens": spec.max_tokens,
            "pad_id": int(config.get("pad_token_id") or 0),
            "prefixes": [q, p],
            "pooling": spec.pooling,
            "normalize": spec.normalize,
            "precision": precision,
            "quantisation": quantisation,
            "source": str(source),
            "versions": _versions(),
        }
        (tmp / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
        meta["check"] = _check(wrapped, tmp, name, precision)
        (tmp / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
        _publish(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _matmuls(model: Path, suffixes: tuple[str, ...]) -> list[str]:
    """Names of the graph's MatMul nodes ending with any of the suffixes (all of them must be found)."""
    if not suffixes:
        return []
    import onnx

    names = [n.name for n in onnx.load(str(model), load_external_data=False).graph.node if n.op_type == "MatMul"]
    found = [n for n in names if n.endswith(suffixes)]
    if len(found) != len(suffixes):
        raise ValueError(f"MatMul nodes {suffixes} not all found in the exported graph (found {found})")
    return found


def _publish(tmp: Path, target: Path) -> None:
    """Rename the finished folder into place; a concurrent export that won the race is kept."""
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the cache is as readable as the rest of HOME
    if target.exists() and not is_complete(target):
        shutil.rmtree(target, ignore_errors=True)
    try:
        os.replace(tmp, target)
    except OSError:
        if not is_complete(target):
            raise


def _check(wrapped: Any, folder: Path, name: str, precision: Precision) -> dict[str, float]:
    """Cosine of the exported graph to the torch model on the probe strings (raises below MIN_COSINE)."""
    import torch

    onnx = OnnxEmbedder(folder, name=name)
    got = np.concatenate([onnx.embed_queries(PROBES), onnx.embed_passages(PROBES)])
    texts = [onnx._q + t for t in PROBES] + [onnx._p + t for t in PROBES]
    rows = []
    # torch.onnx.export restores the module's mode afterwards by calling train() on the wrapper, which
    # flips the encoder's dropout on; eval() again, or the reference itself is noise.
    wrapped.eval()
    with torch.no_grad():
        for ids in onnx._ids(texts):  # one at a time: no padding in the reference
            x = torch.tensor([ids])
            rows.append(wrapped(x, torch.ones_like(x))[0][0].numpy())
    ref = np.stack(rows)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    got = got / np.linalg.norm(got, axis=1, keepdims=True)
    cos = (ref * got).sum(axis=1)
    if float(cos.min()) < MIN_COSINE[precision]:
        raise IndexProblem(
            f"the {precision} ONNX export of {name!r} drifts from the torch model (cosine {cos.min():.4f} "
            f"< {MIN_COSINE[precision]}); use RAG_EMBED_BACKEND=sentence-transformers"
        )
    return {"min_cosine_vs_torch": round(float(cos.min()), 5), "mean_cosine_vs_torch": round(float(cos.mean()), 5)}


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for pkg in ("torch", "transformers", "onnx", "onnxruntime"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out


def _pooled_class() -> type:
    import torch

    class Pooled(torch.nn.Module):
        """Encoder + the folder's pooling + L2 normalisation: the graph outputs the sentence vector, and the
        encoder's token states as a second output (a build pools each sentence's tokens from its chunk's pass)."""

        def __init__(self, model: Any, pooling: str, normalize: bool) -> None:
            super().__init__()
            self.model, self.pooling, self.normalize = model, pooling, normalize

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            h = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            if self.pooling == "cls":
                v = h[:, 0]
            else:  # mean over real tokens only, as sentence-transformers' Pooling does
                m = attention_mask.unsqueeze(-1).to(h.dtype)
                v = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return (torch.nn.functional.normalize(v, p=2.0, dim=1) if self.normalize else v), h

    return Pooled
