"""The fast-loading lexical side gives exactly what the slow one gave: jieba's cuts, tags and counts from the
cached table (rag.lexicon), and BM25 scores from the saved files without bm25s (rag.bm25_saved)."""

from __future__ import annotations

import json
from pathlib import Path

import bm25s
import numpy as np
import pytest

from rag.bm25_saved import SavedBm25
from rag.lexicon import Lexicon, table_folder
from rag.resources import PROJECT_ROOT
from rag.sparse import SparseIndex, Tokenizer, plan_terms

REAL_PLAN = PROJECT_ROOT / "corpus" / "erdao-14th-fyp.txt"
LAW = Path("/work/shared/corpora/lawrefbook")
REPORT = Path("/work/shared/corpora/dev/cpc-20th-congress-report-2022.txt")


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text("utf-8").split("\n") if line.strip()]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """The plan, the congress report, every 100th lawrefbook file, the eval questions, and odd inputs."""
    laws = sorted(LAW.rglob("*.md"))[::100]
    out = _lines(REAL_PLAN) + _lines(REPORT) + [t for p in laws for t in _lines(p)]
    for f in sorted((PROJECT_ROOT / "eval" / "datasets").rglob("*.jsonl")):
        out += [json.loads(line)["question"] for line in f.read_text("utf-8").splitlines() if line.strip()]
    return [*out, "", " ", "GDP增长6.5%，5G基站", "Москва 東京 😀", "ＡＢＣ１２３", "二道区“智慧二道”建设"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def test_cached_table_gives_jiebas_own_cuts_tags_and_counts(texts: list[str], cache: Path) -> None:
    users = plan_terms(texts)
    assert "智慧二道" in users
    fast, full = Tokenizer(users, cache_dir=cache), Tokenizer(users)
    assert fast._lexicon is not None and full._lexicon is None
    for text in texts:  # one pass, so the table is filled a character at a time along the way
        assert fast(text) == full(text), text
        assert fast.segment(text) == full.segment(text), text
        assert fast.tag(text) == full.tag(text), text
        for word in (text[:2], text[:4]):
            assert fast.general_freq(word) == full.general_freq(word), word
    assert "智慧二道" in fast("建设智慧二道")


def test_table_is_plain_files_loaded_by_character(cache: Path) -> None:
    lexicon = Lexicon.open(cache)
    assert lexicon is not None
    assert sorted(p.name for p in table_folder(cache).iterdir()) == ["index.json", "words.txt"]
    freq: dict[str, int] = {}
    lexicon.fill("养老", freq)
    assert freq["养老"] > 0 and freq["养老院"] > 0 and freq["养"] > 0
    assert {w[0] for w in freq} == {"养", "老"}  # nothing else was read


def test_unusable_cache_folder_falls_back_to_a_full_load(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    tok = Tokenizer(["城市会客厅"], cache_dir=blocker)
    assert tok._lexicon is None
    assert "城市会客厅" in tok("打造城市会客厅")


def test_saved_bm25_scores_equal_bm25s(tmp_path: Path, texts: list[str], cache: Path) -> None:
    passages = _lines(REAL_PLAN)
    built = SparseIndex.build(passages, plan_terms(passages))
    with_table = SparseIndex.build(passages, plan_terms(passages), cache_dir=cache)  # what `rag build` may use
    assert with_table.bm25.vocab_dict == built.bm25.vocab_dict
    for k in ("data", "indices", "indptr"):
        assert np.array_equal(with_table.bm25.scores[k], built.bm25.scores[k])
    built.save(tmp_path / "sparse")
    reference = bm25s.BM25.load(str(tmp_path / "sparse" / "bm25"), allow_pickle=False)
    loaded = SparseIndex.load(tmp_path / "sparse")
    assert isinstance(loaded.bm25, SavedBm25)
    assert loaded.num_docs == len(passages)
    for query in texts[::7]:
        ids = reference.get_tokens_ids(loaded.tokenizer(query))
        assert loaded.bm25.get_tokens_ids(loaded.tokenizer(query)) == ids
        want = np.asarray(reference.get_scores_from_ids(ids), np.float32) if ids else np.zeros(len(passages))
        assert np.array_equal(loaded.scores(query), want), query
    assert loaded.doc_freq("养老") == built.doc_freq("养老") > 0
