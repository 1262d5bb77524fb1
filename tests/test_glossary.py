"""English question words to the documents' Chinese words through CC-CEDICT (rag.glossary)."""

from __future__ import annotations

from rag import glossary

TEXT = "本办法自2030年1月1日起施行。区教育行政部门负责幼儿园的监督管理。安保人员应当在门诊区域值班。违者处以罚款。"


def count(word: str) -> int:
    return TEXT.count(word)


def test_glosses_bring_the_documents_words() -> None:
    terms = glossary.chinese_terms("When does it take effect, and who supervises kindergartens?", count)
    assert "施行" in terms and "幼儿园" in terms
    # Every word offered occurs in the documents: a gloss never brings a word they do not use.
    assert all(count(t) for t in terms)


def test_a_phrase_is_read_before_its_words() -> None:
    # "security guard" is one entry (保安); read word by word it would be 安全 + 卫兵, neither in the text.
    terms = glossary.chinese_terms(
        "Must a security guard be on duty at night?", lambda w: 1 if w in ("保安", "值班") else 0
    )
    assert terms == ["保安", "值班"]


def test_inflections_and_function_words() -> None:
    assert "regulation" in glossary.lemmas("regulations")
    assert "recognize" in glossary.lemmas("recognized")
    assert "treat" in glossary.lemmas("treating")
    # Function words and questions words bring nothing; a one-character word (罚 for "fine") is never offered.
    assert glossary.chinese_terms("What is it and how can it be?", lambda w: 1) == []
    fined = glossary.chinese_terms("How much is the fine?", count)
    assert fined == ["罚款"] and all(len(t) >= 2 for t in glossary.chinese_terms("river road city", lambda w: 1))


def test_a_first_sense_comes_before_a_remote_one() -> None:
    # "staff" is 人员's first sense and 棍棒's second ("club; staff; stick"): the first leads however common the other.
    terms = glossary.chinese_terms("staff", lambda w: {"人员": 1, "棍棒": 50}.get(w, 0))
    assert terms[0] == "人员"


def test_the_name_before_an_appositive_comma_is_a_gloss_of_its_own() -> None:
    """CC-CEDICT explains some names after a comma ("Golden Shield Project, information system for …"): the
    name alone is looked up, up to four words long."""
    found = glossary.chinese_terms("What was the Golden Shield Project?", lambda w: 1)
    assert "金盾工程" in found
