"""Index round trip, verification on load, atomic and incremental builds (fake embedder, synthetic plans)."""

from __future__ import annotations

import fcntl
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag import builds, store
from rag.config import Settings
from rag.errors import CorpusError, IndexProblem, UserError
from rag.indexer import build_index, update_index
from rag.store import load_index
from rag.stores import StoreOptions, create
from rag.types import Locator


def _build(settings: Settings) -> Path:
    build = builds.live_build(settings.index_path)
    assert build is not None
    return build


def test_round_trip(fake_index: Settings) -> None:
    index = load_index(fake_index.index_path, expected_model="fake-bigrams")
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
    assert index.vectors.count() == len(index.chunks) == len(index.chunk_vectors)
    assert index.sentence_vectors.shape == (len(index.sentences), 64)
    manifest = json.loads((_build(fake_index) / "manifest.json").read_text("utf-8"))
    assert manifest["model"]["name"] == "fake-bigrams" and manifest["model"]["dim"] == 64
    assert manifest["store"]["kind"] == "faiss"
    assert manifest["corpus"][0]["sha256"] == doc.sha256
    assert {"faiss-cpu", "bm25s", "jieba", "python"} <= set(manifest["versions"])
    assert "chunks.jsonl" in manifest["files"] and manifest["built_at"]
    # The plan's own quoted terms become jieba words.
    assert "智慧某某" in index.sparse.tokenizer.user_words
    assert "智慧某某" in index.sparse.tokenizer("建设智慧某某")


def test_no_pickle_on_disk(fake_index: Settings) -> None:
    for path in fake_index.index_path.rglob("*.npy"):
        np.load(path, allow_pickle=False)  # raises if an object array was stored


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexProblem, match=r"no index at .*rag build") as e:
        load_index(tmp_path / "nothing")
    assert e.value.exit_code == 2


@pytest.mark.parametrize(
    "victim", ["chunks.jsonl", "vectors/index.faiss", "sentence_vectors.npy", "sparse/userdict.txt"]
)
def test_corrupted_or_missing_file(fake_index: Settings, victim: str) -> None:
    build = _build(fake_index)
    manifest = json.loads((build / "manifest.json").read_text("utf-8"))
    victim = victim if victim in manifest["files"] else next(f for f in manifest["files"] if f.startswith("vectors/"))
    path = build / victim
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    with pytest.raises(IndexProblem, match=rf"{Path(victim).name}.*corrupted.*rag build"):
        load_index(fake_index.index_path)
    path.unlink()
    with pytest.raises(IndexProblem, match=rf"{Path(victim).name}.*missing"):
        load_index(fake_index.index_path)


@pytest.mark.parametrize(
    "manifest",
    ["{not json", '{"format": 2, "files": [], "model": {"name": "x"}}', '{"format": 2, "model": {"name": "x"}}'],
)
def test_corrupted_manifest(fake_index: Settings, manifest: str) -> None:
    (_build(fake_index) / "manifest.json").write_text(manifest, "utf-8")
    with pytest.raises(IndexProblem, match="manifest.json is corrupted"):
        load_index(fake_index.index_path)


def test_manifest_paths_stay_inside_the_index(fake_index: Settings) -> None:
    path = _build(fake_index) / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    manifest["files"]["../../../../etc/passwd"] = "0" * 64
    path.write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(IndexProblem, match="outside the index"):
        load_index(fake_index.index_path)


def test_corrupted_pointer(fake_index: Settings) -> None:
    (fake_index.index_path / "CURRENT").write_text("../../etc\n", "utf-8")
    with pytest.raises(IndexProblem, match="CURRENT is corrupted"):
        load_index(fake_index.index_path)


def test_index_built_with_another_model(fake_index: Settings) -> None:
    with pytest.raises(IndexProblem, match="built with model 'fake-bigrams'.*rag build"):
        load_index(fake_index.index_path, expected_model="BAAI/bge-small-zh-v1.5")


def test_failed_rebuild_leaves_old_index_whole(fake_index: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    before = _build(fake_index)

    class Exploding(type(fake_embedder)):  # type: ignore[misc]
        def embed_passages(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        build_index(fake_index, embedder=Exploding())
    assert _build(fake_index) == before
    load_index(fake_index.index_path)  # still loads
    assert not [p for p in fake_index.index_path.iterdir() if p.name.startswith(".tmp-")]


def test_leftovers_of_killed_builds_are_removed(fake_index: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    old = _build(fake_index)
    # What a build killed at each step leaves: a temp folder, a renamed build never made live, a pointer temp.
    (fake_index.index_path / ".tmp-killed").mkdir()
    (fake_index.index_path / "build-20000101T000000-1-orphan").mkdir()
    (fake_index.index_path / ".CURRENT.tmp").write_text("build-20000101T000000-1-orphan\n", "utf-8")
    assert load_index(fake_index.index_path).documents  # the live build still answers
    build_index(fake_index, embedder=fake_embedder)
    names = sorted(p.name for p in fake_index.index_path.iterdir())
    assert names == sorted([".lock", "CURRENT", _build(fake_index).name])
    assert not old.exists()


def test_rebuild_keeps_readme(fake_index: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    (fake_index.index_path / "README.md").write_text("note", "utf-8")
    build_index(fake_index, embedder=fake_embedder)
    assert (fake_index.index_path / "README.md").read_text("utf-8") == "note"
    load_index(fake_index.index_path)


def test_bad_files_write_nothing(tmp_path: Path, fake_settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    binary = tmp_path / "plan.pdf"
    binary.write_bytes(b"%PDF-1.4\x00\xff\xfe\x00")
    empty = tmp_path / "empty.txt"
    empty.write_text("", "utf-8")
    for path, message in [(binary, "pdf|PDF"), (empty, "empty"), (tmp_path / "nope.txt", "nope.txt")]:
        with pytest.raises(CorpusError, match=message):
            build_index(fake_settings.replace(corpus=(path,)), embedder=fake_embedder)
    assert builds.live_build(fake_settings.index_path) is None  # nothing half-written


def test_text_without_headings_is_one_unit(tmp_path: Path, fake_settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    prose = tmp_path / "prose.txt"
    prose.write_text("没有任何篇章标题的一段文字。第二句话。", "utf-8")
    build_index(fake_settings.replace(corpus=(prose,)), embedder=fake_embedder)
    doc = load_index(fake_settings.index_path).documents[0]
    assert len(doc.sections) == 1 and doc.warnings


def test_gbk_plan_is_read(tmp_path: Path, fake_settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("第一章 总则\n坚持发展。\n".encode("gb18030"))
    build_index(fake_settings.replace(corpus=(gbk,)), embedder=fake_embedder)
    assert load_index(fake_settings.index_path).chunks[0].text == "坚持发展。"


PLAN_B = "乙区规划纲要\n第一章 发展基础\n乙区重点发展冰雪旅游和温泉康养。\n第二章 发展目标\n建成冰雪名城。\n"
PLAN_C = "丙区规划纲要\n第一章 发展基础\n丙区重点发展航空物流和跨境电商。\n第二章 发展目标\n建成物流枢纽。\n"


def _two_plans(tmp_path: Path, settings: Settings, embedder: object) -> Settings:
    b, c = tmp_path / "plan-b.txt", tmp_path / "plan-c.txt"
    b.write_text(PLAN_B, "utf-8")
    c.write_text(PLAN_C, "utf-8")
    settings = settings.replace(corpus=(b, c))
    build_index(settings, embedder=embedder)  # type: ignore[arg-type]
    return settings


def test_two_documents_with_the_same_chapter_stay_apart(tmp_path: Path, fake_settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    from rag.pipeline import Pipeline

    settings = _two_plans(tmp_path, fake_settings, fake_embedder)
    index = load_index(settings.index_path)
    assert [d.doc_id for d in index.documents] == ["plan-b", "plan-c"]
    sections = [s.loc for d in index.documents for s in d.sections]
    assert Locator("plan-b", ("第一章",)) in sections and Locator("plan-c", ("第一章",)) in sections
    assert len(sections) == len(set(sections))
    assert len({c.id for c in index.chunks}) == len(index.chunks)
    pipe = Pipeline(settings, index=index, embedder=fake_embedder)
    hit = pipe.retriever.search("航空物流和跨境电商").hits[0]
    assert hit.chunk.loc == Locator("plan-c", ("第一章",))
    scoped = pipe.retriever.search("航空物流和跨境电商", doc_ids=["plan-b"])
    assert {h.chunk.doc_id for h in scoped.hits} == {"plan-b"}
    assert index.document("plan-b").section(("第一章",)).text == "乙区重点发展冰雪旅游和温泉康养。"  # type: ignore[union-attr]
    assert index.document("plan-c").section(("第一章",)).text == "丙区重点发展航空物流和跨境电商。"  # type: ignore[union-attr]


def test_add_embeds_only_new_documents_and_remove_embeds_nothing(
    tmp_path: Path, fake_settings: Settings, fake_embedder
) -> None:  # type: ignore[no-untyped-def]
    settings = _two_plans(tmp_path, fake_settings, fake_embedder)
    before = load_index(settings.index_path)
    d = tmp_path / "plan-d.txt"
    d.write_text(PLAN_B.replace("乙区", "丁区"), "utf-8")
    manifest = update_index(settings, add=[d], embedder=fake_embedder)
    after = load_index(settings.index_path)
    assert [x.doc_id for x in after.documents] == ["plan-b", "plan-c", "plan-d"]
    new_chunks = [c for c in after.chunks if c.doc_id == "plan-d"]
    assert manifest["embedded"]["chunks"] == len(new_chunks)
    # Unchanged chunks keep their vectors exactly.
    old_vec = {c.id: before.chunk_vectors[i] for i, c in enumerate(before.chunks)}
    for i, c in enumerate(after.chunks):
        if c.id in old_vec:
            assert np.array_equal(after.chunk_vectors[i], old_vec[c.id])
    # Adding the same file again changes nothing; removing needs no model at all.
    assert update_index(settings, add=[d], embedder=fake_embedder)["embedded"]["chunks"] == 0
    manifest = update_index(settings, remove=["plan-c"])
    assert manifest["embedded"] == {"chunks": 0, "sentences": 0, "words": 0, "pooled_sentences": 0}
    assert [x.doc_id for x in load_index(settings.index_path).documents] == ["plan-b", "plan-d"]
    with pytest.raises(UserError, match="no document 'plan-x'"):
        update_index(settings, remove=["plan-x"])


def test_a_newer_version_supersedes_the_older_for_answers(
    tmp_path: Path, fake_settings: Settings, fake_embedder
) -> None:  # type: ignore[no-untyped-def]
    from rag.pipeline import Pipeline

    text = "# 某市条例\n第一条 本条例自{d}起施行。\n第二条 本市鼓励发展{x}。\n"
    old, new = tmp_path / "某市条例(2019-01-01).md", tmp_path / "某市条例(2024-05-01).md"
    old.write_text(text.format(d="2019年", x="传统制造业"), "utf-8")
    new.write_text(text.format(d="2024年", x="数字经济"), "utf-8")
    settings = fake_settings.replace(corpus=(new, old))
    build_index(settings, embedder=fake_embedder)
    index = load_index(settings.index_path)
    by_version = {d.version: d for d in index.documents}
    assert by_version["2019-01-01"].superseded_by == by_version["2024-05-01"].doc_id
    assert by_version["2024-05-01"].superseded_by is None
    pipe = Pipeline(settings, index=index, embedder=fake_embedder)
    assert {h.chunk.doc_id for h in pipe.retriever.search("本市鼓励发展什么").hits} == {by_version["2024-05-01"].doc_id}
    # The older one stays browsable, and can be asked about by name.
    old_id = by_version["2019-01-01"].doc_id
    assert index.document(old_id).section(("第二条",)) is not None
    assert {h.chunk.doc_id for h in pipe.retriever.search("鼓励发展", doc_ids=[old_id]).hits} == {old_id}


def _lock_held(lock: Path) -> bool:
    """Is the flock on Milvus Lite's LOCK file taken (by this process's open database or another)?"""
    with lock.open("a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


@pytest.mark.slow
def test_index_close_releases_milvus_lite(fake_settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    settings = replace(fake_settings, vector_store="milvus")
    build_index(settings, embedder=fake_embedder)  # the build closes its own store: the folder is free
    lock = _build(settings) / "vectors" / "milvus.db" / "LOCK"
    assert not _lock_held(lock)
    with load_index(settings.index_path) as index:
        assert index.vectors.count() == len(index.chunks)
        assert _lock_held(lock)  # Lite's server runs in this process and holds its folder
    assert not _lock_held(lock)
    index.close()  # twice is fine
    store.close_all()


def _collections(uri: str) -> list[str]:
    from pymilvus import MilvusClient

    client = MilvusClient(uri=uri)
    try:
        return sorted(client.list_collections())
    finally:
        client.close()


def _collection_of(build: Path) -> str:
    return str(json.loads((build / "vectors" / "milvus.json").read_text("utf-8"))["collection"])


@pytest.mark.slow
def test_pruned_builds_drop_their_server_collections(tmp_path: Path, fake_settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    # A Milvus Lite file outside the index folder stands in for a Milvus server: every build keeps its
    # vectors in a collection of its own there, which deleting the build folder alone would leave behind.
    uri = str(tmp_path / "server.db")
    settings = replace(fake_settings, vector_store="milvus", milvus_uri=uri)
    build_index(settings, embedder=fake_embedder)
    first = _collection_of(_build(settings))
    assert _collections(uri) == [first]
    # A build killed after creating its collection leaves a temp folder naming it.
    killed = settings.index_path / ".tmp-killed"
    create("milvus", StoreOptions(dim=fake_embedder.dim, milvus_uri=uri), killed / "vectors").close()
    assert len(_collections(uri)) == 2
    build_index(settings, embedder=fake_embedder)
    live = _build(settings)
    assert _collections(uri) == [_collection_of(live)] != [first]
    assert sorted(p.name for p in settings.index_path.iterdir() if p.is_dir()) == [live.name]
    with load_index(settings.index_path, milvus_uri=uri) as index:
        assert index.vectors.count() == len(index.chunks)
