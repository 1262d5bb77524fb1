"""Every vector store against one contract, on 2,000 clustered unit vectors (real faiss, real Milvus Lite)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rag.errors import IndexProblem
from rag.stores import KINDS, StoreError, StoreOptions, VectorStore, create, load

DIM = 384
N = 2000
OPTIONS = StoreOptions(dim=DIM)

# Milvus Lite starts a server in-process and builds its index on flush: about a second a store.
STORE_KINDS = [pytest.param(k, marks=pytest.mark.slow) if k == "milvus" else k for k in KINDS]


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _clustered(rng: np.random.Generator, topics: np.ndarray, n: int) -> np.ndarray:
    """Vectors near a topic with noise, as passages near their subject are (not uniform on the sphere)."""
    picks = topics[rng.integers(0, len(topics), n)]
    return _unit(picks + 0.12 * rng.standard_normal((n, DIM)))


_rng = np.random.default_rng(20240611)
_TOPICS = _unit(_rng.standard_normal((60, DIM)))
VECTORS = _clustered(_rng, _TOPICS, N)
IDS = np.arange(N, dtype=np.int64) * 3 + 100  # not row numbers: ids must be carried, not assumed
FRESH_QUERIES = _clustered(_rng, _TOPICS, 200)
SAMPLE = _rng.choice(N, 200, replace=False)


def _new(kind: str, directory: Path, options: StoreOptions = OPTIONS) -> VectorStore:
    return create(kind, options, directory)


@pytest.fixture(scope="module", params=STORE_KINDS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VectorStore]:
    """One full store per kind, shared by the tests that only read it."""
    store = _new(request.param, tmp_path_factory.mktemp(request.param) / "vectors")
    store.add(IDS, VECTORS)
    yield store
    store.close()


@pytest.fixture(scope="module")
def flat_truth() -> np.ndarray:
    store = _new("faiss", Path("unused"))
    store.add(IDS, VECTORS)
    return store.search(FRESH_QUERIES, 10)[0]


def test_unknown_kind_lists_the_kinds(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="faiss, faiss-hnsw, faiss-ivf, milvus"):
        create("annoy", OPTIONS, tmp_path)
    with pytest.raises(StoreError, match="choose one of"):
        load("annoy", tmp_path, OPTIONS)
    assert issubclass(StoreError, IndexProblem)


def test_each_vector_finds_itself_first(built: VectorStore) -> None:
    ids, scores = built.search(VECTORS[SAMPLE], 10)
    assert ids.shape == scores.shape == (len(SAMPLE), 10)
    assert ids.dtype == np.int64 and scores.dtype == np.float32
    assert (ids[:, 0] == IDS[SAMPLE]).all()
    np.testing.assert_allclose(scores[:, 0], 1.0, atol=1e-4)
    assert (np.diff(scores, axis=1) <= 1e-6).all(), "best first"
    assert (ids >= 0).all()


def test_single_query_and_count(built: VectorStore) -> None:
    assert built.count() == N
    ids, _ = built.search(VECTORS[5], 3)  # one query as a 1-d vector
    assert ids.shape == (1, 3) and ids[0, 0] == IDS[5]


def test_k_beyond_count_pads(built: VectorStore) -> None:
    ids, scores = built.search(VECTORS[:2], N + 50)
    for row_ids, row_scores in zip(ids, scores):
        real = row_ids[row_ids >= 0]
        assert sorted(real.tolist()) == sorted(IDS.tolist()), "every stored vector, once"
        assert (row_ids[N:] == -1).all() and np.isneginf(row_scores[N:]).all()
    assert built.search(VECTORS[:2], 0)[0].shape == (2, 0)


def test_empty_store(kind: str, tmp_path: Path) -> None:
    with _new(kind, tmp_path / "vectors") as store:
        assert store.count() == 0
        ids, scores = store.search(VECTORS[:3], 5)
        assert (ids == -1).all() and np.isneginf(scores).all() and ids.shape == (3, 5)
        store.add(IDS[:0], VECTORS[:0])  # adding nothing is fine
        assert store.count() == 0


def test_bad_input_is_a_store_error(kind: str, tmp_path: Path) -> None:
    with _new(kind, tmp_path / "vectors") as store:
        with pytest.raises(StoreError, match="384-d"):
            store.add(IDS[:4], VECTORS[:4, :128])
        with pytest.raises(StoreError, match="384-d"):
            store.search(VECTORS[:2, :128], 5)
        with pytest.raises(StoreError, match="unique"):
            store.add(np.array([1, 1]), VECTORS[:2])
        with pytest.raises(StoreError, match="negative"):
            store.add(np.array([-1, 2]), VECTORS[:2])
        store.add(IDS[:10], VECTORS[:10])
        with pytest.raises(StoreError, match="already holds"):
            store.add(IDS[5:15], VECTORS[5:15])
        assert store.count() == 10


def test_remove(kind: str, tmp_path: Path) -> None:
    with _new(kind, tmp_path / "vectors") as store:
        store.add(IDS, VECTORS)
        gone = IDS[SAMPLE[:100]]
        store.remove(gone)
        store.remove(np.concatenate([gone[:10], [10**12]]))  # again, and an unknown id: both ignored
        assert store.count() == N - 100
        ids, _ = store.search(VECTORS[SAMPLE[:100]], 20)  # the removed vectors' own copies as queries
        assert not np.isin(ids, gone).any()
        assert (ids >= 0).all(), "k live results despite the removed neighbours"
        ids, _ = store.search(VECTORS[SAMPLE[100:]], 1)
        assert (ids[:, 0] == IDS[SAMPLE[100:]]).all()
        # A removed id may be added again, with a new vector, and is found by that vector.
        store.add(gone[:1], VECTORS[-1:] * -1)
        ids, _ = store.search(-VECTORS[-1:], 1)
        assert ids[0, 0] == gone[0] and store.count() == N - 99


def test_save_move_load(kind: str, tmp_path: Path) -> None:
    """The project builds an index in a temp folder, then swaps it in by renaming the folder."""
    building = tmp_path / "tmp-build" / "vectors"
    store = _new(kind, building)
    store.add(IDS, VECTORS)
    store.remove(IDS[:7])
    before = store.search(FRESH_QUERIES[:20], 10)
    store.save(building)
    names = store.files()
    store.close()
    assert names and all((building / n).is_file() for n in names)
    for name in names:
        if name.endswith(".npy"):
            np.load(building / name, allow_pickle=False)  # no pickled objects
    (tmp_path / "tmp-build").rename(tmp_path / "build-1")

    with load(kind, tmp_path / "build-1" / "vectors", OPTIONS) as again:
        assert again.count() == N - 7
        after = again.search(FRESH_QUERIES[:20], 10)
        np.testing.assert_array_equal(after[0], before[0])
        np.testing.assert_allclose(after[1], before[1], atol=1e-5)
        assert set(again.files()) == set(names)
        again.add(IDS[:7], VECTORS[:7])  # a loaded store is a working store
        assert again.count() == N
        assert again.search(VECTORS[3], 1)[0][0, 0] == IDS[3]
    assert not (tmp_path / "tmp-build").exists(), "nothing written to the old place"


def test_load_missing(kind: str, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="missing") as e:
        load(kind, tmp_path / "nowhere", OPTIONS)
    assert "\n" not in str(e.value) and "nowhere" in str(e.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(StoreError, match="missing"):
        load(kind, tmp_path / "empty", OPTIONS)


def _saved(kind: str, directory: Path) -> list[str]:
    with _new(kind, directory) as store:
        store.add(IDS[:50], VECTORS[:50])
        store.save(directory)
        return store.files()


def test_load_corrupt(kind: str, tmp_path: Path) -> None:
    directory = tmp_path / "vectors"
    names = _saved(kind, directory)
    (directory / names[0]).write_bytes(b"not an index\x00" * 8)
    with pytest.raises(StoreError, match="damaged") as e:
        load(kind, directory, OPTIONS)
    assert "\n" not in str(e.value)


def test_load_wrong_dimension(kind: str, tmp_path: Path) -> None:
    directory = tmp_path / "vectors"
    _saved(kind, directory)
    with pytest.raises(StoreError, match="384-d vectors but the model gives 128-d"):
        load(kind, directory, StoreOptions(dim=128))


def test_recall_against_exact(built: VectorStore, flat_truth: np.ndarray) -> None:
    """Fresh queries (not copies of stored vectors): the approximate stores must find 95% of the true top 10."""
    ids, _ = built.search(FRESH_QUERIES, 10)
    recall = np.mean([len(np.intersect1d(a, b)) / 10 for a, b in zip(ids, flat_truth)])
    assert recall >= (1.0 if built.kind == "faiss" else 0.95), recall


def test_hnsw_compacts_after_heavy_removal(tmp_path: Path) -> None:
    from rag.stores.faiss_hnsw import FaissHnswStore

    store = _new("faiss-hnsw", tmp_path)
    assert isinstance(store, FaissHnswStore)
    store.add(IDS, VECTORS)
    store.remove(IDS[: N // 2 + 1])
    assert store.index.ntotal == N // 2 - 1 == store.count(), "graph rebuilt from the live vectors"
    ids, _ = store.search(VECTORS[N - 5 :], 1)
    assert (ids[:, 0] == IDS[N - 5 :]).all()


def test_ivf_lists_grow_with_the_collection(tmp_path: Path) -> None:
    from rag.stores.faiss_ivf import REGROW_MIN, FaissIvfStore, lists_for

    assert lists_for(10) == 1 and lists_for(2000) == 51 and lists_for(1_000_000) == 2000
    store = _new("faiss-ivf", tmp_path / "vectors")
    assert isinstance(store, FaissIvfStore)
    store.add(IDS[:50], VECTORS[:50])  # trained on 50 vectors: one list, an exact search
    assert store.index.nlist == 1
    rng = np.random.default_rng(7)
    more = _clustered(rng, _TOPICS, REGROW_MIN)
    more_ids = np.arange(REGROW_MIN, dtype=np.int64) + 10_000_000
    store.add(more_ids, more)  # grown far past what it was trained on: re-clustered from its own vectors
    assert store.index.nlist == lists_for(REGROW_MIN + 50) and store.count() == REGROW_MIN + 50
    ids, _ = store.search(np.concatenate([VECTORS[:5], more[-5:]]), 1)
    assert ids[:, 0].tolist() == [*IDS[:5].tolist(), *more_ids[-5:].tolist()]
    store.remove(more_ids[-5:])
    ids, _ = store.search(more[-5:], 3)
    assert not np.isin(ids, more_ids[-5:]).any() and store.count() == REGROW_MIN + 45
    store.save(tmp_path / "vectors")
    again = load("faiss-ivf", tmp_path / "vectors", StoreOptions(dim=DIM, ivf_nprobe=4))
    assert again.count() == REGROW_MIN + 45 and again.search(VECTORS[:1], 1)[0][0, 0] == IDS[0]


@pytest.mark.slow
def test_milvus_unreachable_server_is_one_line(tmp_path: Path) -> None:
    options = StoreOptions(dim=DIM, milvus_uri="http://user:secret@127.0.0.1:1")
    with pytest.raises(StoreError, match="cannot reach Milvus at http://127.0.0.1:1") as e:
        create("milvus", options, tmp_path)
    assert "\n" not in str(e.value) and "secret" not in str(e.value)


@pytest.mark.slow
def test_milvus_server_index_needs_its_uri(tmp_path: Path) -> None:
    (tmp_path / "milvus.json").write_text(json.dumps({"location": "uri", "collection": "chunks_x", "dim": DIM}))
    with pytest.raises(StoreError, match="RAG_MILVUS_URI"):
        load("milvus", tmp_path, OPTIONS)


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["manifest", "data"])
def test_milvus_damaged_lite_database(damage: str, tmp_path: Path) -> None:
    """A damaged Lite manifest makes Lite quietly open its previous (empty) one: the saved count catches it."""
    directory = tmp_path / "vectors"
    _saved("milvus", directory)
    collection = directory / "milvus.db" / "collections" / "chunks"
    targets = [collection / "manifest.json"] if damage == "manifest" else list(collection.rglob("*.parquet"))
    assert targets
    for target in targets:
        target.write_bytes(b"{garbage")
    with pytest.raises(StoreError, match="damaged") as e:
        load("milvus", directory, OPTIONS)
    assert "\n" not in str(e.value)


@pytest.mark.slow
def test_milvus_lite_folder_is_released(tmp_path: Path) -> None:
    """After save() the Lite lock is free: another store (or process) can open the folder at once."""
    directory = tmp_path / "vectors"
    store = _new("milvus", directory)
    store.add(IDS[:10], VECTORS[:10])
    store.save(directory)
    with load("milvus", directory, OPTIONS) as other:
        assert other.count() == 10
    assert store.count() == 10  # the saved store reconnects by itself
    store.close()


@pytest.fixture(params=STORE_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)
