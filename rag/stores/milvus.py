"""Milvus through pymilvus's MilvusClient: a Milvus Lite folder inside the index, or a server by URI.

One collection per store: an int64 primary key (our id) and a float vector, HNSW over inner product.
The same code talks to both places; what differs is where the data lives:

- no URI (the default): a Milvus Lite database, the folder "milvus.db" inside the store's folder. Lite
  runs in this process and holds a lock on that folder while open, so save() flushes and then *closes*
  it: the index folder can then be renamed into place (how builds are published) and loaded from there.
  The store reconnects by itself if it is used again after save().
- a URI ("http://host:19530", or a Lite file elsewhere): a server shared by every build, so each new
  store gets its own collection name ("chunks_<random>") and records it in milvus.json. A build in
  progress never touches the live build's collection; drop() removes a collection no build uses any more.

milvus.json records that choice, the collection and the dimension; never the URI (it may hold a token).
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

import numpy as np

from rag.errors import BUILD_HINT
from rag.stores.base import (
    PAD_SCORE,
    StoreError,
    StoreOptions,
    VectorStore,
    damaged,
    empty_result,
    missing,
    wrong_dim,
)

META_FILE = "milvus.json"
LITE_DB = "milvus.db"
FORMAT = 1
ID_FIELD = "id"
VECTOR_FIELD = "vector"
# Milvus refuses a larger limit (topk) or ef; our retrieval asks for a few hundred at most.
MAX_K = 16384
# Rows per insert call: well under gRPC's 64 MB message limit at 384-d float32 (~1.5 KB a row).
INSERT_BATCH = 10_000
# ids per "already present?" query; Milvus expressions get slow with huge IN lists.
QUERY_BATCH = 1_000
SERVER_TIMEOUT = 10.0
log = logging.getLogger("rag.stores.milvus")

# Lite servers this process started, by db path, with how many open stores use each: closing one store
# must not pull the server out from under another store opened on the same folder.
_lite_users: dict[str, int] = {}
_lite_lock = threading.Lock()


class MilvusFailure(StoreError):
    """Milvus refused or failed an operation; `reason` is its message, shortened to one line."""

    def __init__(self, where: str, reason: str) -> None:
        self.reason = " ".join(reason.split())[:200]
        super().__init__(f"{where}: {self.reason}")


def _pymilvus() -> Any:
    try:
        import pymilvus
    except ImportError:
        raise StoreError("the milvus vector store needs pymilvus: pip install pymilvus milvus-lite") from None
    return pymilvus


def _redact(uri: str) -> str:
    """A URI fit for an error message: user and password dropped."""
    parts = urlsplit(uri)
    if parts.username or parts.password:
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return parts._replace(netloc=netloc).geturl()
    return uri


def _release_lite(path: str) -> None:
    with _lite_lock:
        users = _lite_users.get(path, 0) - 1
        if users > 0:
            _lite_users[path] = users
            return
        _lite_users.pop(path, None)
    try:
        from milvus_lite.server_manager import server_manager_instance
    except ImportError:
        return
    # Stops Lite's in-process server and releases its LOCK file, so the folder may be moved.
    server_manager_instance.release_server(path)


class MilvusStore(VectorStore):
    kind = "milvus"

    def __init__(self, options: StoreOptions, directory: Path, collection: str, lite: bool) -> None:
        super().__init__(options)
        self.directory = directory.absolute()  # the folder holding milvus.db (Lite) or milvus.json
        self.collection = collection
        self.lite = lite
        self._client: Any = None
        self._files: list[str] = []

    # -- connection -------------------------------------------------------------------------------

    @property
    def _uri(self) -> str:
        return str(self.directory / LITE_DB) if self.lite else self.options.milvus_uri

    def _where(self) -> str:
        return f"Milvus Lite at {self.directory / LITE_DB}" if self.lite else f"Milvus at {_redact(self._uri)}"

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Milvus's exceptions as one line for the user."""
        pymilvus = _pymilvus()
        try:
            yield
        except pymilvus.MilvusException as e:
            raise MilvusFailure(self._where(), f"{doing} failed: {getattr(e, 'message', '') or e}") from None

    def _connect(self) -> Any:
        """The client, opened on first use (and again after save() closed it)."""
        if self._client is not None:
            return self._client
        pymilvus = _pymilvus()
        if self.lite:
            try:
                import milvus_lite  # noqa: F401 - only to say what is missing before pymilvus does
            except ImportError:
                raise StoreError("the milvus vector store without a server needs: pip install milvus-lite") from None
            with _lite_lock:
                _lite_users[self._uri] = _lite_users.get(self._uri, 0) + 1
        try:
            # dedicated: our close() really closes the channel instead of leaving it pooled.
            self._client = pymilvus.MilvusClient(uri=self._uri, timeout=SERVER_TIMEOUT, dedicated=True)
        except pymilvus.MilvusException as e:
            if self.lite:
                _release_lite(self._uri)
                raise damaged(self.directory / LITE_DB, self.kind, "Milvus Lite cannot open it") from None
            message = " ".join(str(getattr(e, "message", "") or e).split())[:200]
            raise StoreError(f"cannot reach {self._where()} (RAG_MILVUS_URI): {message}") from None
        return self._client

    def _open_collection(self) -> Any:
        client = self._connect()
        with self._errors("opening the collection"):
            if not client.has_collection(self.collection):
                raise MilvusFailure(self._where(), f"no collection {self.collection!r}")
            client.load_collection(self.collection)
        return client

    def close(self) -> None:
        if self._client is None:
            return
        client, self._client = self._client, None
        try:
            client.close()
        finally:
            if self.lite:
                _release_lite(self._uri)

    def __del__(self) -> None:
        # Best effort for stores nobody closed: an open Lite server would keep the folder locked.
        # Interpreter shutdown may already have torn pymilvus down: nothing left to release then.
        with suppress(Exception):
            self.close()

    # -- lifecycle --------------------------------------------------------------------------------

    @classmethod
    def create(cls, options: StoreOptions, directory: Path) -> Self:
        lite = not options.milvus_uri
        directory = Path(directory)
        if lite:
            directory.mkdir(parents=True, exist_ok=True)
            collection = options.milvus_collection
        else:
            collection = f"{options.milvus_collection}_{uuid.uuid4().hex[:12]}"
        store = cls(options, directory, collection, lite)
        pymilvus = _pymilvus()
        client = store._connect()
        schema = pymilvus.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field(ID_FIELD, pymilvus.DataType.INT64, is_primary=True)
        schema.add_field(VECTOR_FIELD, pymilvus.DataType.FLOAT_VECTOR, dim=options.dim)
        index = client.prepare_index_params()
        index.add_index(
            field_name=VECTOR_FIELD,
            index_type="HNSW",
            metric_type="IP",
            params={"M": options.hnsw_m, "efConstruction": options.hnsw_ef_construction},
        )
        with store._errors("creating the collection"):
            if client.has_collection(collection):
                # A Lite folder is new for each build; an old collection there is a leftover.
                client.drop_collection(collection)
            # Strong: a search right after an insert or delete sees it (the server default lags).
            client.create_collection(collection, schema=schema, index_params=index, consistency_level="Strong")
        if not lite:
            # Named at once, so that a build killed before save() can still have its collection dropped.
            store._write_meta(directory, count=None)
        return store

    @classmethod
    def load(cls, directory: Path, options: StoreOptions) -> Self:
        directory = Path(directory)
        missing(directory, [META_FILE], cls.kind)
        try:
            meta = json.loads((directory / META_FILE).read_text("utf-8"))
            lite, collection, dim = meta["location"] == "folder", str(meta["collection"]), int(meta["dim"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise damaged(directory / META_FILE, cls.kind) from None
        if dim != options.dim:
            raise wrong_dim(directory, cls.kind, dim, options.dim)
        if lite:
            # The data is in this folder whatever RAG_MILVUS_URI now says.
            missing(directory, [LITE_DB], cls.kind)
            options = replace(options, milvus_uri="")
        elif not options.milvus_uri:
            raise StoreError(f"the index at {directory} lives on a Milvus server: set RAG_MILVUS_URI to reach it")
        store = cls(options, directory, collection, lite)
        try:
            store._open_collection()
            # Lite falls back to its previous manifest when the current one is damaged, silently
            # opening an older (often empty) collection: the count saved alongside catches that.
            saved, now = meta.get("count"), store.count()
            if saved is not None and now != int(saved):
                raise MilvusFailure(store._where(), f"holds {now} vectors where {saved} were saved")
        except MilvusFailure as e:
            store.close()
            if lite:  # our own folder: whatever Lite cannot read in it is damage
                raise damaged(directory / LITE_DB, cls.kind, e.reason[:120]) from None
            raise StoreError(f"{e}: {BUILD_HINT}") from None
        store._files = store._list_files()
        return store

    def save(self, directory: Path) -> None:
        directory = Path(directory).absolute()
        client = self._client if self._client is not None else self._open_collection()
        with self._errors("flushing"):
            client.flush(self.collection)
        count = self.count()
        if self.lite:
            # Close Lite (it holds a lock on its folder) so the folder may be moved or copied.
            self.close()
            if directory != self.directory:
                shutil.copytree(self.directory / LITE_DB, directory / LITE_DB, dirs_exist_ok=True)
        self._write_meta(directory, count)
        self._files = _files_under(directory, self.lite)

    def _write_meta(self, directory: Path, count: int | None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": FORMAT,
            "location": "folder" if self.lite else "uri",
            "collection": self.collection,
            "dim": self.options.dim,
            "count": count,
        }
        (directory / META_FILE).write_text(json.dumps(meta, indent=2), "utf-8")

    def _list_files(self) -> list[str]:
        return _files_under(self.directory, self.lite)

    def files(self) -> list[str]:
        return list(self._files)

    def drop(self) -> None:
        """Delete the collection (for a server collection no build uses any more); none there is fine."""
        client = self._connect()
        with self._errors("dropping the collection"):
            if client.has_collection(self.collection):
                client.drop_collection(self.collection)

    # -- data -------------------------------------------------------------------------------------

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids, vectors = self._check_add(ids, vectors)
        if not len(ids):
            return
        client = self._open_collection() if self._client is None else self._client
        # Milvus would keep both rows of a repeated primary key; we promise unique ids, so check.
        if self.count():
            for start in range(0, len(ids), QUERY_BATCH):
                batch = ids[start : start + QUERY_BATCH]
                with self._errors("checking ids"):
                    rows = client.query(self.collection, ids=batch.tolist(), output_fields=[ID_FIELD])
                self._duplicates(batch, np.array([r[ID_FIELD] for r in rows], np.int64))
        for start in range(0, len(ids), INSERT_BATCH):
            rows = [
                {ID_FIELD: int(i), VECTOR_FIELD: v}
                for i, v in zip(ids[start : start + INSERT_BATCH].tolist(), vectors[start : start + INSERT_BATCH])
            ]
            with self._errors("inserting"):
                client.insert(self.collection, rows)

    def remove(self, ids: np.ndarray) -> None:
        ids = self._check_remove(ids)
        if not len(ids):
            return
        client = self._open_collection() if self._client is None else self._client
        for start in range(0, len(ids), QUERY_BATCH):
            with self._errors("deleting"):
                client.delete(self.collection, ids=ids[start : start + QUERY_BATCH].tolist())

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = self._check_queries(queries, k)
        if k > MAX_K:
            raise StoreError(f"Milvus returns at most {MAX_K} results a query, {k} were asked for")
        if k == 0 or not len(queries):
            return empty_result(len(queries), k)
        client = self._open_collection() if self._client is None else self._client
        # ef below k makes HNSW return fewer than k hits even when the collection has more.
        params = {"metric_type": "IP", "params": {"ef": max(self.options.hnsw_ef_search, k)}}
        with self._errors("searching"):
            # output_fields=[id]: left empty, Milvus Lite sends every hit's whole vector back.
            hits = client.search(self.collection, data=queries, limit=k, search_params=params, output_fields=[ID_FIELD])
        ids, scores = empty_result(len(queries), k)
        for row, found in enumerate(hits):
            n = min(len(found), k)
            ids[row, :n] = [h[ID_FIELD] for h in found[:n]]
            scores[row, :n] = [h["distance"] for h in found[:n]]
        scores[ids < 0] = PAD_SCORE
        return ids, scores

    def count(self) -> int:
        client = self._open_collection() if self._client is None else self._client
        # count(*) honours deletes at once; get_collection_stats's row_count does not.
        with self._errors("counting"):
            rows = client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])


def _files_under(directory: Path, lite: bool) -> list[str]:
    """milvus.json, and for Lite every file of its database except the LOCK it holds while open."""
    names = [META_FILE]
    if lite and (directory / LITE_DB).is_dir():
        names += sorted(
            p.relative_to(directory).as_posix()
            for p in (directory / LITE_DB).rglob("*")
            if p.is_file() and p.name != "LOCK"
        )
    return names


def drop_build_collection(build: Path, uri: str) -> bool:
    """Drop the server collection of a build folder about to be deleted; True when one was dropped.

    A Lite database lives inside the folder and goes with it; a server collection would outlive it,
    holding every vector of a build nobody can load any more. Best effort: an unreachable server is
    logged, not raised (the build being published or cleaned up must not fail for it).
    """
    meta_file = build / "vectors" / META_FILE
    try:
        meta = json.loads(meta_file.read_text("utf-8"))
        collection, dim = str(meta["collection"]), int(meta["dim"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if meta.get("location") != "uri" or not uri:
        return False
    store = MilvusStore(StoreOptions(dim=max(dim, 1), milvus_uri=uri), build / "vectors", collection, lite=False)
    try:
        store.drop()
        return True
    except StoreError as e:
        log.warning("could not drop Milvus collection %s of removed build %s: %s", collection, build.name, e)
        return False
    finally:
        store.close()
