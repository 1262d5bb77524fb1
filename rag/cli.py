"""`rag` command line: build | ask | sections | show | serve | eval. Errors are one line and a non-zero exit."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.errors import BUILD_HINT, BadQuestion, UserError
from rag.types import Answer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _settings(args: argparse.Namespace) -> Settings:
    corpus = tuple(Path(p) for p in args.corpus) if getattr(args, "corpus", None) else None
    index_dir = Path(args.index_dir) if getattr(args, "index_dir", None) else None
    return Settings.from_env(corpus=corpus, index_dir=index_dir)


def _emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def cmd_build(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from rag.indexer import build_index

    settings = _settings(args)

    def progress(it: Iterable[Any], total: int, label: str) -> Iterable[Any]:
        return tqdm(it, total=total, desc=label, unit="batch", disable=args.quiet, file=sys.stderr)

    manifest = build_index(settings, progress=progress)
    c = manifest["counts"]
    print(
        f"index written to {settings.index_dir}: {c['documents']} plan(s), {c['chunks']} chunks, "
        f"{c['sentences']} sentences, model {manifest['model']['name']}"
    )
    return 0


def _print_answer(a: Answer, text: bool = True) -> None:
    if text:
        print(a.text)
    if a.notice:
        print(f"({a.notice})")
    if a.citations:
        from rag.prompts import load

        print(f"\n{load('sources_heading.txt')}：")
        for c in a.citations:
            quote = c.quote if len(c.quote) <= 60 else c.quote[:60] + "…"
            print(f"  【{c.label}】{c.title}：{quote}")


def _stream_answer(pipe: Any, question: str, top_k: int | None) -> int:
    """Print the answer as it is generated; if verification changed it, print the verified text after."""
    shown = ""
    for item in pipe.stream(question, top_k=top_k):
        if isinstance(item, str):
            shown += item
            print(item, end="", flush=True)
            continue
        print()
        if item.text != shown:
            print(f"\n（核验后的回答）\n{item.text}")
        _print_answer(item, text=False)
    return 0


def _pipeline(args: argparse.Namespace) -> Any:
    from rag.pipeline import Pipeline

    return Pipeline(_settings(args))


def _stdin_questions() -> Iterable[tuple[str | None, str | None]]:
    """(question, error) per input line; bad bytes spoil only their own line."""
    for raw in sys.stdin.buffer:
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield None, "the line is not valid UTF-8"
            continue
        if line.strip():
            yield line, None


def cmd_ask(args: argparse.Namespace) -> int:
    from rag.questions import validate

    if args.question != "-":
        validate(args.question, _settings(args).max_question_chars)  # before loading any model
    pipe = _pipeline(args)
    if args.question != "-" and args.stream and not args.json:
        return _stream_answer(pipe, args.question, args.top_k)
    if args.question != "-":
        answer = pipe.ask(args.question, top_k=args.top_k)
        _emit(answer.to_json()) if args.json else _print_answer(answer)
        return 0
    failures = 0
    for question, error in _stdin_questions():
        if error is None:
            try:
                answer = pipe.ask(question, top_k=args.top_k)
            except BadQuestion as e:
                error = str(e)
        if error is not None:
            failures += 1
            if args.json:
                _emit({"question": question, "error": error})
            else:
                print(f"error: {error}", file=sys.stderr)
            continue
        if args.json:
            _emit(answer.to_json())
        else:
            _print_answer(answer)
            print()
    return 1 if failures else 0


def _document(args: argparse.Namespace) -> Any:
    from rag.store import load_index

    index = load_index(_settings(args).index_dir)
    docs = index.documents
    if args.doc:
        docs = [d for d in docs if d.doc_id == args.doc]
        if not docs:
            raise UserError(f"no plan {args.doc!r} in the index; known: {', '.join(d.doc_id for d in index.documents)}")
    return docs[0]


def cmd_sections(args: argparse.Namespace) -> int:
    from rag.toc import table_of_contents

    doc = _document(args)
    toc = table_of_contents(doc)
    if args.json:
        _emit(toc)
        return 0
    print(doc.title)
    for part in toc["parts"]:
        indent = ""
        if part["part"]:
            print(f"{part['part']} {part['title']}")
            indent = "  "
        for ch in part["chapters"]:
            print(f"{indent}{ch['chapter'] or '篇首'} {ch['title']}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from rag.cite import find_section, formal

    doc = _document(args)
    section = find_section(doc, args.part, args.chapter)
    if args.json:
        _emit(
            {
                "part": section.part,
                "chapter": section.chapter,
                "title": section.title,
                "breadcrumb": section.breadcrumb,
                "citation": formal(doc, section),
                "text": section.text,
            }
        )
        return 0
    print(section.breadcrumb)
    print(formal(doc, section))
    print()
    print(section.text)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from rag.server import serve

    serve(_settings(args), host=args.host, port=args.port)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.run import main as eval_main

    return eval_main(args, lambda: _pipeline(args))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Cited question answering over a Chinese government plan.")
    p.add_argument("--index-dir", help="index directory (default: RAG_INDEX_DIR or ./index)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="parse, chunk, embed and index the plan(s)")
    b.add_argument("--corpus", nargs="+", metavar="FILE", help="plan files (default: the Erdao plan)")
    b.add_argument("--index-dir", default=argparse.SUPPRESS, help="where to write the index")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=cmd_build)

    a = sub.add_parser("ask", help="answer a question with citations ('-' reads one per line from stdin)")
    a.add_argument("question")
    a.add_argument("--json", action="store_true", help="one JSON object per answer")
    a.add_argument("--top-k", type=int, default=None, help="context chunks to return (1-50)")
    a.add_argument("--stream", action="store_true", help="print the answer as it is generated")
    a.set_defaults(func=cmd_ask)

    s = sub.add_parser("sections", help="print the table of contents")
    s.add_argument("--json", action="store_true")
    s.add_argument("--doc", help="plan id when the index holds several")
    s.set_defaults(func=cmd_sections)

    sh = sub.add_parser("show", help="print a section's full text, e.g. `rag show 第二篇 第一章`")
    sh.add_argument("part", help="第二篇 / 2 / 前言")
    sh.add_argument("chapter", nargs="?", help="第一章 / 1 / intro")
    sh.add_argument("--json", action="store_true")
    sh.add_argument("--doc", help="plan id when the index holds several")
    sh.set_defaults(func=cmd_show)

    sv = sub.add_parser("serve", help="web chat + JSON API on one port")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=7860)
    sv.set_defaults(func=cmd_serve)

    e = sub.add_parser("eval", help="score retrieval, citations, refusals and grounding on a gold set")
    e.add_argument("--dataset", default="eval/datasets/erdao.jsonl")
    e.add_argument("--json", action="store_true", help="metrics as one JSON object")
    e.add_argument("--report", metavar="DIR", help="write report.md, report.html and charts here")
    e.add_argument("--min", action="append", default=[], metavar="METRIC=VALUE", help="fail below this")
    e.add_argument("--max", action="append", default=[], metavar="METRIC=VALUE", help="fail above this")
    e.set_defaults(func=cmd_eval)
    return p


def main(argv: list[str] | None = None, run: Callable[[argparse.Namespace], int] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return (run or args.func)(args)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except ImportError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except ValueError as e:  # bad RAG_* settings
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def entry() -> None:
    code = main()
    # Skip interpreter teardown: unloading torch and transformers costs ~1.8 s of a cold `rag ask`
    # (measured, bench/bench.py). Every file we write is closed or renamed before main() returns.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (e.g. `| head`): nothing left to tell it
        pass
    os._exit(code)


__all__ = ["BUILD_HINT", "entry", "main"]
