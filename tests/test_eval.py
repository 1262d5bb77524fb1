"""Evaluation: each metric on hand-made cases, dataset validation, the gate, and the real dataset's coverage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval import metrics
from eval.dataset import DatasetError, Item, load, parse_line
from eval.metrics import Outcome
from eval.run import parse_thresholds
from rag.parse import parse
from rag.resources import PROJECT_ROOT
from rag.types import Locator

K21, K92 = Locator("p", ("第二篇", "第一章")), Locator("p", ("第九篇", "第二章"))
SECTIONS = {
    K21: "二道区构建“21338”的空间格局。“3河”即伊通河、东新开河、雾开河。",
    K92: "推进以轨道交通为主体的城市公共交通体系建设。",
}


def item(answerable: bool = True, gold=(K21,), also=(), must=(), type_: str = "staff") -> Item:  # type: ignore[no-untyped-def]
    return Item("q", "问题", answerable, tuple(gold) if answerable else (), tuple(also), tuple(must), type_)


def outcome(
    answer: str = "", refused: bool = False, cited=(K21,), retrieved=(K21, K92), sentences=None, ms: float = 10.0
) -> Outcome:  # type: ignore[no-untyped-def]
    if sentences is None:
        sentences = (("二道区构建“21338”的空间格局。", (K21,)),)
    return Outcome(answer, refused, tuple(cited), tuple(retrieved), tuple(sentences), ms)


def compute(pairs):  # type: ignore[no-untyped-def]
    return metrics.compute(pairs, SECTIONS.get)


def test_perfect_answer() -> None:
    m = compute([(item(must=("21338",)), outcome("二道区构建“21338”的空间格局。【第二篇·第一章】"))])
    for name in ("hit@1", "hit@3", "mrr", "citation_accuracy", "citation_precision", "citation_recall"):
        assert m[name] == 1.0, name
    assert m["grounded_sentence_rate"] == 1.0 and m["must_include_rate"] == 1.0
    assert m["false_refusal_rate"] == 0.0 and m["refusal_recall"] is None and m["n"] == 1


def test_wrong_citation() -> None:
    m = compute([(item(), outcome(cited=(K92, K21), retrieved=(K92, K21)))])
    assert m["hit@1"] == 0.0 and m["hit@3"] == 1.0 and m["mrr"] == 0.5
    assert m["citation_accuracy"] == 0.0 and m["citation_precision"] == 0.5 and m["citation_recall"] == 1.0
    also = compute([(item(also=(K92,)), outcome(cited=(K92,)))])
    assert also["citation_accuracy"] == 1.0  # also_ok counts


def test_refusals() -> None:
    pairs = [
        (item(), outcome(refused=True, cited=(), sentences=())),
        (item(answerable=False, type_="unanswerable"), outcome(refused=True, cited=(), sentences=())),
        (item(answerable=False, type_="unanswerable"), outcome()),
    ]
    m = compute(pairs)
    assert m["false_refusal_rate"] == 1.0 and m["citation_accuracy"] == 0.0 and m["citation_recall"] == 0.0
    assert m["refusal_recall"] == 0.5
    by = metrics.by_type(pairs, SECTIONS.get)
    assert by["unanswerable"]["refusal_recall"] == 0.5 and by["staff"]["false_refusal_rate"] == 1.0


def test_partial_flag_rate_counts_answers_that_name_the_part_left_open() -> None:
    two_part = item(type_="partial")
    flagged = Outcome("…【第二篇·第一章】文件未具体提及：补贴。", False, (K21,), (K21,), (), 5.0, flagged=True)
    silent = outcome("二道区构建“21338”的空间格局。【第二篇·第一章】")
    m = compute([(two_part, flagged), (two_part, silent), (two_part, outcome(refused=True, cited=(), sentences=()))])
    assert m["partial_flag_rate"] == 0.5  # the refusal is not an answer, so it is not counted
    assert compute([(item(), flagged)])["partial_flag_rate"] is None  # no two-part question, no rate


def test_uncited_and_unsupported_sentences() -> None:
    sentences = (
        ("二道区构建“21338”的空间格局。", (K21,)),  # supported
        ("二道区将建设迪士尼乐园。", ()),  # no citation
        ("二道区构建“21339”的空间格局。", (K21,)),  # number not in the section
        ("推进轨道交通建设。", (Locator("p", ("第九十篇",)),)),  # cites a section the plan does not have
    )
    m = compute([(item(), outcome(sentences=sentences))])
    assert m["grounded_sentence_rate"] == 0.25
    v = metrics.verdicts(item(), outcome(sentences=sentences), SECTIONS.get)
    assert v.grounded == 1 and v.sentences == 4
    assert any("no citation" in n for n in v.notes) and any("21339" in n for n in v.notes)


def test_latency_and_gate() -> None:
    m = compute([(item(), outcome(ms=float(ms))) for ms in range(1, 101)])
    assert m["latency_ms_p50"] == pytest.approx(50.5) and m["latency_ms_p95"] == pytest.approx(95.05)
    assert metrics.check_gate(m, {"hit@1": 0.9}, {"latency_ms_p95": 200}) == []
    failures = metrics.check_gate(m, {"hit@1": 1.01}, {"latency_ms_p95": 10, "false_refusal_rate": 0.5})
    assert failures == ["hit@1 = 1 is below the minimum 1.01", "latency_ms_p95 = 95.05 is above the maximum 10"]
    assert parse_thresholds(["hit@1=0.9"], "--min") == {"hit@1": 0.9}
    with pytest.raises(DatasetError, match="METRIC=VALUE"):
        parse_thresholds(["hits=0.9"], "--min")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 3: not valid JSON"),
        ('{"id": "a"}', "line 3: missing field 'question'"),
        (
            '{"id":"a","question":"q","answerable":"yes","gold":[],"also_ok":[],"must_include":[],"type":"staff"}',
            "field 'answerable'",
        ),
        (
            '{"id":"a","question":"q","answerable":true,"gold":[],"also_ok":[],"must_include":[],"type":"staff"}',
            "field 'gold' is empty",
        ),
        (
            '{"id":"a","question":"q","answerable":true,"gold":[{"part":"第一篇"}],"also_ok":[],"must_include":[],"type":"staff"}',
            "field 'gold'",
        ),
        (
            '{"id":"a","question":"q","answerable":false,"gold":[],"also_ok":[],"must_include":[],"type":"weird"}',
            "field 'type'",
        ),
        (
            '{"id":"a","question":"q","answerable":false,"gold":[],"also_ok":[],"must_include":[],"type":"staff","x":1}',
            "unknown field 'x'",
        ),
    ],
)
def test_malformed_dataset_line(tmp_path: Path, line: str, message: str) -> None:
    good = '{"id":"g","question":"q","answerable":false,"gold":[],"also_ok":[],"must_include":[],"type":"unanswerable"}'
    path = tmp_path / "d.jsonl"
    path.write_text(f"{good}\n\n{line}\n", "utf-8")
    with pytest.raises(DatasetError, match=message):
        load(path)


def test_heading_gold_accepts_any_section_under_it() -> None:
    chapter, article = Locator("r", ("第三章",)), Locator("r", ("第三章", "第十条"))
    i = Item("q", "问题", True, (chapter,), (), (), "staff").resolve("p", citable={article})
    assert i.accepts(article) and not i.accepts(Locator("r", ("第四章", "第十一条")))
    # A gold label that is a section itself (a 篇 intro) is not satisfied by the chapters under it.
    intro = Item("q", "问题", True, (Locator("", ("第二篇",)),), (), (), "intro").resolve(
        "p", {Locator("p", ("第二篇",))}
    )
    assert intro.gold == (Locator("p", ("第二篇",)),) and not intro.accepts(K21)


def test_doc_path_gold_labels() -> None:
    line = json.dumps(
        {
            "id": "c1",
            "question": "q",
            "answerable": True,
            "gold": [{"doc_id": "cpc", "path": ["四、"]}],
            "also_ok": [],
            "must_include": [],
            "type": "colloquial",
        },
        ensure_ascii=False,
    )
    assert parse_line(line, 1).gold == (Locator("cpc", ("四、",)),)
    with pytest.raises(DatasetError, match="path must be a list"):
        parse_line(line.replace('["四、"]', '"四、"'), 1)


def test_project_dataset_covers_every_section() -> None:
    items = load(PROJECT_ROOT / "eval" / "datasets" / "dev" / "erdao.jsonl")
    assert len(items) >= 120
    types = [i.type for i in items]
    assert types.count("unanswerable") >= 25 and types.count("adversarial") >= 5 and types.count("english") >= 5
    for t in ("staff", "resident", "multi", "intro", "preamble"):
        assert t in types
    doc = parse((PROJECT_ROOT / "corpus" / "erdao-14th-fyp.txt").read_text("utf-8"), "erdao")
    items = [i.resolve("erdao", {s.loc for s in doc.sections}) for i in items]
    gold = {k for i in items for k in i.gold}
    assert gold == {s.loc for s in doc.sections}  # all 60 sections, nothing that does not exist
    assert {k for i in items for k in i.also_ok} <= gold
    text = "\n".join(s.text for s in doc.sections)
    assert all(m in text for i in items for m in i.must_include)
    assert (
        parse_line(
            json.dumps(
                {
                    "id": "x",
                    "question": "q",
                    "answerable": False,
                    "gold": [],
                    "also_ok": [],
                    "must_include": [],
                    "type": "english",
                }
            ),
            1,
        ).type
        == "english"
    )


@pytest.mark.slow
def test_rag_eval_json_and_report(real_pipeline, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    import argparse

    from eval.run import main

    data = tmp_path / "mini.jsonl"
    lines = (PROJECT_ROOT / "eval" / "datasets" / "dev" / "erdao.jsonl").read_text("utf-8").splitlines()
    data.write_text("\n".join(lines[:6] + lines[-10:]) + "\n", "utf-8")
    args = argparse.Namespace(
        dataset=[str(data)], json=True, report=str(tmp_path / "rep"), min=["hit@1=0.5"], max=["false_refusal_rate=0.5"]
    )
    assert main(args, lambda: real_pipeline) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(metrics.METRICS) <= set(result) and result["n"] == 16
    assert "by_type" in result["splits"]["mini"] and result["splits"]["mini"]["n"] == 16
    for name in ("report.md", "report.html", "retrieval.png", "answers.png", "refusals.png"):
        assert (tmp_path / "rep" / "mini" / name).stat().st_size > 0
    html = (tmp_path / "rep" / "mini" / "report.html").read_text("utf-8")
    assert "&lt;img src=x" in html and "<img src=x" not in html  # questions are escaped
    args.min = ["hit@1=1.01"]
    args.report = None
    assert main(args, lambda: real_pipeline) == 1
    assert "gate failed: hit@1" in capsys.readouterr().err


@pytest.mark.slow
def test_default_run_skips_sets_about_documents_not_in_the_index(  # type: ignore[no-untyped-def]
    real_pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from eval import run

    lines = (PROJECT_ROOT / "eval" / "datasets" / "dev" / "erdao.jsonl").read_text("utf-8").splitlines()
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "plan.jsonl").write_text("\n".join(lines[:3]) + "\n", "utf-8")
    other = {"id": "o-1", "question": "第三条说什么？", "answerable": True, "type": "staff"}
    other.update(gold=[{"doc_id": "absent", "path": []}], also_ok=[], must_include=[])
    (tmp_path / "dev" / "other.jsonl").write_text(json.dumps(other, ensure_ascii=False) + "\n", "utf-8")
    monkeypatch.setattr(run, "DATASETS", tmp_path)
    args = argparse.Namespace(dataset=[], json=True, report=None, min=[], max=[])
    assert run.main(args, lambda: real_pipeline) == 0
    captured = capsys.readouterr()
    assert "skipped" in captured.err and "other.jsonl" in captured.err and "absent" in captured.err
    assert json.loads(captured.out)["n"] == 3
