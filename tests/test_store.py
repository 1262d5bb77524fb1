"""Index round trip, verification on load, and atomic rebuilds (fake embedder, synthetic plan)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag.config import Settings
from rag.errors import CorpusError, IndexProblem
from rag.indexer import build_index
from rag.store import load_index


def test_round_trip(fake_index: Settings) -> None:
    index = load_index(fake_index.index_dir, expected_model="fake-bigrams")
    doc = index.documents[0]
    assert doc.title == "某某区国民经济和社会发展第十四个五年规划纲要"
    assert [s.label for s in doc.sections] == [
        "前言",
        "第一篇",
        "第一篇·第一章",
        "第一篇·第二章",
        "第二篇·第一章",
        "第二篇·第二章",
    ]
    source = index.sources[doc.doc_id]
    assert all(source[c.start : c.end] == c.text for c in index.chunks)
    assert index.dense.size == len(index.chunks)
    assert index.sentence_vectors.shape == (len(index.sentences), 64)
    manifest = json.loads((fake_index.index_dir / "manifest.json").read_text("utf-8"))
    assert manifest["model"] == {"name": "fake-bigrams", "dim": 64, "backend": "sentence-transformers"}
    assert manifest["corpus"][0]["sha256"] == doc.sha256
    assert {"faiss-cpu", "bm25s", "jieba", "python"} <= set(manifest["versions"])
    assert "chunks.jsonl" in manifest["files"] and manifest["built_at"]
    # The plan's own quoted terms become jieba words.
    assert "智慧某某" in index.sparse.tokenizer.user_words
    assert "智慧某某" in index.sparse.tokenizer("建设智慧某某")


def test_no_pickle_on_disk(fake_index: Settings) -> None:
    for path in fake_index.index_dir.rglob("*.npy"):
        np.load(path, allow_pickle=False)  # raises if an object array was stored


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexProblem, match=r"no index at .*rag build") as e:
        load_index(tmp_path / "nothing")
    assert e.value.exit_code == 2


@pytest.mark.parametrize("victim", ["chunks.jsonl", "dense.faiss", "sentence_vectors.npy", "sparse/userdict.txt"])
def test_corrupted_or_missing_file(fake_index: Settings, victim: str) -> None:
    path = fake_index.index_dir / victim
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    with pytest.raises(IndexProblem, match=rf"{Path(victim).name}.*corrupted.*rag build"):
        load_index(fake_index.index_dir)
    path.unlink()
    with pytest.raises(IndexProblem, match=rf"{Path(victim).name}.*missing"):
        load_index(fake_index.index_dir)


def test_corrupted_manifest(fake_index: Settings) -> None:
    (fake_index.index_dir / "manifest.json").write_text("{not json", "utf-8")
    with pytest.raises(IndexProblem, match="manifest.json is corrupted"):
        load_index(fake_index.index_dir)


def test_index_built_with_another_model(fake_index: Settings) -> None:
    with pytest.raises(IndexProblem, match="built with model 'fake-bigrams'.*rag build"):
        load_index(fake_index.index_dir, expected_model="BAAI/bge-small-zh-v1.5")


def test_failed_rebuild_leaves_old_index_whole(fake_index: Settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = (fake_index.index_dir / "manifest.json").read_text("utf-8")

    class Exploding(type(fake_embedder)):  # type: ignore[misc]
        def embed_passages(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        build_index(fake_index, embedder=Exploding())
    assert (fake_index.index_dir / "manifest.json").read_text("utf-8") == before
    load_index(fake_index.index_dir)  # still loads
    assert not [p for p in fake_index.index_dir.parent.iterdir() if p.name.startswith(".index-")]


def test_rebuild_keeps_readme(fake_index: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    (fake_index.index_dir / "README.md").write_text("note", "utf-8")
    build_index(fake_index, embedder=fake_embedder)
    assert (fake_index.index_dir / "README.md").read_text("utf-8") == "note"
    load_index(fake_index.index_dir)


def test_bad_plan_files(tmp_path: Path, fake_settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    binary = tmp_path / "plan.pdf"
    binary.write_bytes(b"%PDF-1.4\x00\xff\xfe\x00")
    empty = tmp_path / "empty.txt"
    empty.write_text("", "utf-8")
    prose = tmp_path / "prose.txt"
    prose.write_text("没有任何篇章标题的一段文字。", "utf-8")
    for path, message in [
        (binary, "not UTF-8|binary"),
        (empty, "empty"),
        (prose, "no 篇 or 章"),
        (tmp_path / "nope.txt", "cannot read"),
    ]:
        with pytest.raises(CorpusError, match=message):
            build_index(replace(fake_settings, corpus=(path,)), embedder=fake_embedder)
    assert not fake_settings.index_dir.exists()  # nothing half-written


def test_gbk_plan_is_read(tmp_path: Path, fake_settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("第一章 总则\n坚持发展。\n".encode("gb18030"))
    build_index(replace(fake_settings, corpus=(gbk,)), embedder=fake_embedder)
    assert load_index(fake_settings.index_dir).chunks[0].text == "坚持发展。"
