"""`rag` command line: build | add | remove | list | ask | sections | show | config | serve | eval.

Errors are one line and a non-zero exit, never a traceback.
"""

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
    index_dir = Path(_arg(args.index_dir)) if getattr(args, "index_dir", None) else None
    return Settings.from_env(index_dir=index_dir)


def _emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _progress(quiet: bool) -> Any:
    """A tqdm bar over characters embedded: shows characters per second and an ETA."""
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def report(done: int, total: int, label: str) -> None:
        if quiet:
            return
        bar = bars.get(label)
        if bar is None:
            bar = bars[label] = tqdm(
                total=total, desc=f"embedding {label}", unit="char", unit_scale=True, file=sys.stderr
            )
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return report


def _built(settings: Settings, manifest: dict[str, Any], verb: str) -> int:
    c = manifest["counts"]
    e = manifest.get("embedded", {})
    for warning in manifest.get("warnings", ()):  # e.g. a file without headings, indexed as one unit
        print(f"warning: {warning}", file=sys.stderr)
    pooled = f", {e['pooled_sentences']} of them pooled from their chunks" if e.get("pooled_sentences") else ""
    print(
        f"{verb} {settings.index_path}: {c['documents']} document(s), {c['chunks']} chunks, {c['sentences']} sentences"
        f" ({e.get('chunks', 0)} chunks and {e.get('sentences', 0)} sentences embedded{pooled}), "
        f"model {manifest['model']['name']}, store {manifest['store']['kind']}"
    )
    return 0


def _corpus_files(paths: list[str]) -> list[Path]:
    """Files named on the command line; a folder stands for the supported files inside it (recursively)."""
    from rag.readers import SUFFIXES

    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            if not found:
                raise UserError(f"no supported files in {p} ({', '.join(SUFFIXES)})")
            out += found
        else:
            out.append(p)
    return out


def cmd_build(args: argparse.Namespace) -> int:
    from rag.indexer import build_index

    settings = _settings(args)
    if getattr(args, "corpus", None):
        settings = settings.replace(corpus=tuple(_corpus_files(args.corpus)))
    return _built(settings, build_index(settings, progress=_progress(args.quiet)), "index written to")


def cmd_add(args: argparse.Namespace) -> int:
    from rag.indexer import update_index

    settings = _settings(args)
    return _built(
        settings, update_index(settings, add=_corpus_files(args.files), progress=_progress(args.quiet)), "added to"
    )


def cmd_remove(args: argparse.Namespace) -> int:
    from rag.indexer import update_index

    settings = _settings(args)
    return _built(settings, update_index(settings, remove=args.doc_ids), "removed from")


def cmd_list(args: argparse.Namespace) -> int:
    from rag.api import document_json
    from rag.store import load_index

    settings = _settings(args)
    index = load_index(settings.index_path, cache_dir=settings.cache_path)  # jieba's table: nothing loaded
    rows = [document_json(d) for d in index.documents]
    if args.json:
        _emit({"documents": rows})
        return 0
    for r in rows:
        note = f"  (superseded by {r['superseded_by']})" if r["superseded_by"] else ""
        print(f"{r['doc_id']}\t{r['title']}\t{r['date'] or r['version'] or ''}\t{r['sections']} sections{note}")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from rag.config import describe, markdown_table

    if args.markdown:
        print(markdown_table())
        return 0
    rows = describe(_settings(args))
    if args.json:
        _emit(rows)
        return 0
    for r in rows:
        allowed = f" [{r['allowed']}]" if r["allowed"] else ""
        print(f"{r['variable']}={r['value']}  (default {r['default'] or '(empty)'}){allowed}  {r['description']}")
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
            print(f"  {c.formal} {c.title}：{quote}")


def _stream_answer(pipe: Any, question: str, top_k: int | None, doc_ids: list[str] | None) -> int:
    """Print the answer as it is generated; if verification changed it, print the verified text after."""
    shown = ""
    for item in pipe.stream(question, top_k=top_k, doc_ids=doc_ids):
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
    """(question, error) per input line, exactly one per line; bad bytes or a blank line spoil only their own."""
    for raw in sys.stdin.buffer:
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield None, "the line is not valid UTF-8"
            continue
        yield (line, None) if line.strip() else (line, "the question is empty")


def _arg(text: str) -> str:
    """A command-line argument: bytes that were not UTF-8 arrive as lone surrogates; say so in one line."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadQuestion("the argument is not valid UTF-8 text") from None
    return text


def cmd_ask(args: argparse.Namespace) -> int:
    from rag.questions import validate

    question = _arg(args.question)
    doc_ids = [_arg(d) for d in args.doc] or None
    if question != "-":
        validate(question, _settings(args).max_question_chars)  # before loading any model
    pipe = _pipeline(args)
    if question != "-" and args.stream and not args.json:
        return _stream_answer(pipe, question, args.top_k, doc_ids)
    if question != "-":
        answer = pipe.ask(question, top_k=args.top_k, doc_ids=doc_ids)
        _emit(answer.to_json()) if args.json else _print_answer(answer)
        return 0
    failures = 0
    for line, error in _stdin_questions():
        if error is None:
            try:
                answer = pipe.ask(line, top_k=args.top_k, doc_ids=doc_ids)
            except BadQuestion as e:
                error = str(e)
        if error is not None:
            failures += 1
            if args.json:
                _emit({"question": line, "error": error})
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

    settings = _settings(args)
    index = load_index(settings.index_path, cache_dir=settings.cache_path)  # jieba's table: nothing loaded
    return index.document(_arg(args.doc) if args.doc else None)


def cmd_sections(args: argparse.Namespace) -> int:
    from rag.toc import table_of_contents

    doc = _document(args)
    toc = table_of_contents(doc)
    if args.json:
        _emit(toc)
        return 0
    print(doc.title)
    for e in toc["entries"]:
        text = f"{e['heading']} {e['title']}" if e["path"] else e["title"]
        print(f"{'  ' * max(0, e['depth'] - 1)}{text}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from rag.api import section_json

    doc = _document(args)
    data = section_json(doc, [_arg(r) for r in args.path])
    if args.json:
        _emit(data)
        return 0
    print(data["breadcrumb"])
    print(data["citation"])
    print()
    print(data["text"])
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from rag.server import serve

    serve(_settings(args), host=args.host, port=args.port)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.run import main as eval_main

    return eval_main(args, lambda: _pipeline(args))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Cited question answering over Chinese government documents.")
    p.add_argument("--index-dir", help="index directory (default: RAG_INDEX_DIR or HOME/index)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the knowledge base afresh from document files")
    b.add_argument("--corpus", nargs="+", metavar="FILE", help="files or folders (default: the Erdao plan)")
    b.add_argument("--index-dir", default=argparse.SUPPRESS, help="where to write the index")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=cmd_build)

    ad = sub.add_parser("add", help="add documents (.txt .md .html .docx .pdf) to the knowledge base")
    ad.add_argument("files", nargs="+", metavar="FILE", help="files or folders")
    ad.add_argument("--quiet", action="store_true", help="no progress bar")
    ad.set_defaults(func=cmd_add)

    rm = sub.add_parser("remove", help="remove documents from the knowledge base")
    rm.add_argument("doc_ids", nargs="+", metavar="DOC_ID")
    rm.set_defaults(func=cmd_remove)

    ls = sub.add_parser("list", help="list the documents in the knowledge base")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    a = sub.add_parser("ask", help="answer a question with citations ('-' reads one per line from stdin)")
    a.add_argument("question")
    a.add_argument("--json", action="store_true", help="one JSON object per answer")
    a.add_argument("--top-k", type=int, default=None, help="context chunks to return (1-50)")
    a.add_argument("--stream", action="store_true", help="print the answer as it is generated")
    a.add_argument("--doc", action="append", default=[], metavar="DOC_ID", help="answer only from this document")
    a.set_defaults(func=cmd_ask)

    s = sub.add_parser("sections", help="print a document's table of contents")
    s.add_argument("--json", action="store_true")
    s.add_argument("--doc", help="document id (default: the first)")
    s.set_defaults(func=cmd_sections)

    sh = sub.add_parser("show", help="print a section's full text, e.g. `rag show 第二篇 第一章` or `rag show 2 1`")
    sh.add_argument("path", nargs="*", help="heading labels or numbers from the top; nothing or 前言 = preamble")
    sh.add_argument("--json", action="store_true")
    sh.add_argument("--doc", help="document id (default: the first)")
    sh.set_defaults(func=cmd_show)

    c = sub.add_parser("config", help="print every setting: value, default, allowed values, description")
    c.add_argument("--json", action="store_true")
    c.add_argument("--markdown", action="store_true", help="the README's table")
    c.set_defaults(func=cmd_config)

    sv = sub.add_parser("serve", help="web chat + JSON API on one port")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=7860)
    sv.set_defaults(func=cmd_serve)

    e = sub.add_parser("eval", help="score retrieval, citations, refusals and grounding on gold sets")
    e.add_argument(
        "--dataset", action="append", default=[], help="JSONL gold set(s) (default: the dev and test splits)"
    )
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
    except (ValueError, OSError) as e:  # bad RAG_* values, unwritable folders: one line, never a traceback
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    finally:
        _close_indexes()


def _close_indexes() -> None:
    """Release Milvus connections and Milvus Lite's lock: entry() leaves with os._exit, skipping atexit."""
    if "rag.store" in sys.modules:  # nothing to close when no index was loaded (and nothing to import)
        from rag.store import close_all

        close_all()


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
