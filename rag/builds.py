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
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rag.errors import BUILD_HINT, IndexProblem

CURRENT = "CURRENT"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
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
        name = (directory / CURRENT).read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise IndexProblem(f"cannot read {directory / CURRENT}: {e.strerror or e}") from None
    if not name.startswith("build-") or "/" in name or name.startswith("build-.."):
        raise IndexProblem(f"{directory / CURRENT} is corrupted: {BUILD_HINT}")
    return directory / name


def new_build(directory: Path) -> Path:
    """A fresh temp folder inside the index folder for a build to write into (call under `locked`)."""
    cleanup(directory)
    return Path(tempfile.mkdtemp(prefix=".tmp-", dir=directory))


def publish(directory: Path, tmp: Path) -> Path:
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
    os.replace(pointer, directory / CURRENT)
    _fsync_dir(directory)
    cleanup(directory)
    return build


def cleanup(directory: Path) -> None:
    """Remove what killed or replaced builds left behind: temp folders and builds CURRENT does not name."""
    live = live_build(directory)
    for p in directory.iterdir():
        stale_tmp = p.name.startswith((".tmp-", f".{CURRENT}.tmp"))
        stale_build = p.name.startswith("build-") and p != live
        if stale_tmp or stale_build:
            if p.is_dir():
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
        manifest = json.loads(path.read_text("utf-8"))
        files, _ = manifest["files"], manifest["model"]["name"]
        if not isinstance(files, dict) or not files:
            raise ValueError("no files")
    except FileNotFoundError:
        raise IndexProblem(f"index file {path} is missing: {BUILD_HINT}") from None
    except PermissionError:
        raise IndexProblem(f"index file {path} is not readable (permission denied)") from None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, OSError):
        raise IndexProblem(f"index file {path} is corrupted: {BUILD_HINT}") from None
    if manifest.get("format") != fmt:
        raise IndexProblem(f"index at {directory} has format {manifest.get('format')}, expected {fmt}: {BUILD_HINT}")
    return build, dict(manifest)


def verify_files(build: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists exists inside the build folder and has its checksum."""
    root = build.resolve()
    for name, digest in manifest["files"].items():
        path = (build / str(name)).resolve()
        if not path.is_relative_to(root) or path == root:
            raise IndexProblem(f"index manifest names a file outside the index ({name!r}): {BUILD_HINT}")
        try:
            actual = sha256_file(path)
        except FileNotFoundError:
            raise IndexProblem(f"index file {path} is missing: {BUILD_HINT}") from None
        except PermissionError:
            raise IndexProblem(f"index file {path} is not readable (permission denied)") from None
        except OSError as e:
            raise IndexProblem(f"index file {path} cannot be read ({e.strerror or e}): {BUILD_HINT}") from None
        if actual != digest:
            raise IndexProblem(f"index file {path} is corrupted (checksum mismatch): {BUILD_HINT}")
