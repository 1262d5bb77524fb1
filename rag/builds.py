"""The index folder's builds: a CURRENT file naming the live build, an atomic swap, checksums, cleanup.

index/CURRENT holds the name of the live build folder (index/build-…). A new build is written into
index/.tmp-…, renamed to index/build-…, and made live by replacing CURRENT with os.replace: a single
rename, so at every instant CURRENT names one whole build. Builds run under an exclusive lock on
index/.lock, so leftovers of a killed build (.tmp-*, unreferenced build-*) are removed safely.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rag.errors import BUILD_HINT, IndexProblem

CURRENT = "CURRENT"
# Called with a build folder about to be deleted, e.g. to drop its collection on a Milvus server.
Discard = Callable[[Path], object]


class NotRegular(OSError):
    """A path that should be a plain file is a directory, FIFO, socket or device (reading it could block)."""


@contextlib.contextmanager
def open_regular(path: Path) -> Iterator[Any]:
    """Open a plain file for reading in binary; NotRegular for anything else, without blocking on a FIFO."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegular(f"{path} is not a regular file")
        os.set_blocking(fd, True)
        f = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield f


def read_text(path: Path) -> str:
    """A plain file's UTF-8 text (NotRegular when it is not a plain file)."""
    with open_regular(path) as f:
        return str(f.read().decode("utf-8"))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open_regular(path) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def checksums(build: Path) -> dict[str, str]:
    """sha256 of every file in a build folder, by relative path (the manifest's "files")."""
    return {str(p.relative_to(build)): sha256_file(p) for p in sorted(build.rglob("*")) if p.is_file()}


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Exclusive lock on the index folder for the length of a build, add or remove."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / ".lock", os.O_WRONLY | os.O_CREAT, 0o644)
    except OSError as e:
        raise IndexProblem(f"cannot write the index folder {directory}: {e.strerror or e}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def live_build(directory: Path) -> Path | None:
    """The build CURRENT names, or None when there is no index yet."""
    try:
        name = read_text(directory / CURRENT).strip()
    except FileNotFoundError:
        return None
    except NotRegular:
        raise IndexProblem(f"{directory / CURRENT} is not a regular file: {BUILD_HINT}") from None
    except UnicodeDecodeError:
        raise IndexProblem(f"{directory / CURRENT} is corrupted: {BUILD_HINT}") from None
    except OSError as e:
        raise IndexProblem(f"cannot read {directory / CURRENT}: {e.strerror or e}") from None
    if not name.startswith("build-") or "/" in name or name.startswith("build-.."):
        raise IndexProblem(f"{directory / CURRENT} is corrupted: {BUILD_HINT}")
    return directory / name


def new_build(directory: Path, discard: Discard | None = None) -> Path:
    """A fresh temp folder inside the index folder for a build to write into (call under `locked`)."""
    cleanup(directory, discard)
    return Path(tempfile.mkdtemp(prefix=".tmp-", dir=directory))


def publish(directory: Path, tmp: Path, discard: Discard | None = None) -> Path:
    """Make a finished build live: rename it into place, then swap CURRENT in one atomic rename."""
    for p in tmp.rglob("*"):
        if p.is_file():
            with p.open("rb") as f:
                os.fsync(f.fileno())
    build = directory / f"build-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{tmp.name[5:]}"
    os.replace(tmp, build)
    pointer = directory / f".{CURRENT}.tmp"
    with pointer.open("w", encoding="utf-8") as f:
        f.write(build.name + "\n")
        f.flush()
        os.fsync(f.fileno())
    current = directory / CURRENT
    if current.is_dir() and not current.is_symlink():  # a damaged index: rename cannot replace a folder
        shutil.rmtree(current, ignore_errors=True)
    os.replace(pointer, current)
    _fsync_dir(directory)
    cleanup(directory, discard)
    return build


def cleanup(directory: Path, discard: Discard | None = None) -> None:
    """Remove what killed or replaced builds left behind: temp folders and builds CURRENT does not name.

    While CURRENT is unreadable no build is removed (a build that follows replaces CURRENT, then cleans up).
    `discard` is called with each build folder before it goes (to drop what it kept outside the folder).
    """
    try:
        live, known = live_build(directory), True
    except IndexProblem:
        live, known = None, False
    for p in directory.iterdir():
        stale_tmp = p.name.startswith((".tmp-", f".{CURRENT}.tmp"))
        stale_build = known and p.name.startswith("build-") and p != live
        if stale_tmp or stale_build:
            if p.is_dir():
                if discard is not None:
                    discard(p)
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)


def read_manifest(directory: Path, fmt: int) -> tuple[Path, dict[str, Any]]:
    """(live build folder, its manifest); IndexProblem with one line when there is none or it is unusable."""
    build = live_build(directory)
    if build is None:
        raise IndexProblem(f"no index at {directory} (no {CURRENT} file): {BUILD_HINT}")
    path = build / "manifest.json"
    try:
        manifest = json.loads(read_text(path))
        files, _ = manifest["files"], manifest["model"]["name"]
        if not isinstance(files, dict) or not files:
            raise ValueError("no files")
    except FileNotFoundError:
        raise IndexProblem(f"index file {path} is missing: {BUILD_HINT}") from None
    except PermissionError:
        raise IndexProblem(f"index file {path} is not readable (permission denied)") from None
    except NotRegular:
        raise IndexProblem(f"index file {path} is not a regular file: {BUILD_HINT}") from None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, OSError):
        raise IndexProblem(f"index file {path} is corrupted: {BUILD_HINT}") from None
    if manifest.get("format") != fmt:
        raise IndexProblem(f"index at {directory} has format {manifest.get('format')}, expected {fmt}: {BUILD_HINT}")
    return build, dict(manifest)


def verify_files(build: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists exists inside the build folder and has its checksum; the build holds
    nothing else (Milvus Lite's own vectors/ folder excepted), and every document source is a listed file."""
    root = build.resolve()
    files = manifest["files"]
    sources = [d.get("source") if isinstance(d, dict) else None for d in manifest.get("corpus") or ()]
    for source in sources:
        if not isinstance(source, str) or source not in files:
            raise IndexProblem(
                f"index manifest names a document source that is not a listed file ({source!r}): {BUILD_HINT}"
            )
    unchecked = "vectors/" if (manifest.get("store") or {}).get("kind") == "milvus" else None
    try:
        present = [p for p in build.rglob("*") if not p.is_dir() or p.is_symlink()]
    except OSError as e:
        raise IndexProblem(f"index at {build} cannot be read ({e.strerror or e}): {BUILD_HINT}") from None
    for p in present:
        rel = p.relative_to(build).as_posix()
        if rel != "manifest.json" and rel not in files and not (unchecked and rel.startswith(unchecked)):
            raise IndexProblem(f"index file {p} is not in the manifest: {BUILD_HINT}")
    for name, digest in files.items():
        path = (build / str(name)).resolve()
        if not path.is_relative_to(root) or path == root:
            raise IndexProblem(f"index manifest names a file outside the index ({name!r}): {BUILD_HINT}")
        try:
            actual = sha256_file(path)
        except FileNotFoundError:
            raise IndexProblem(f"index file {path} is missing: {BUILD_HINT}") from None
        except PermissionError:
            raise IndexProblem(f"index file {path} is not readable (permission denied)") from None
        except NotRegular:
            raise IndexProblem(f"index file {path} is not a regular file: {BUILD_HINT}") from None
        except OSError as e:
            raise IndexProblem(f"index file {path} cannot be read ({e.strerror or e}): {BUILD_HINT}") from None
        if actual != digest:
            raise IndexProblem(f"index file {path} is corrupted (checksum mismatch): {BUILD_HINT}")
