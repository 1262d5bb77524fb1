"""Vector stores behind one interface, chosen by the setting RAG_VECTOR_STORE.

- "faiss": exact inner product (IndexIDMap2 over IndexFlatIP); right for one plan's hundreds of chunks.
- "faiss-hnsw": an HNSW graph for large collections (approximate, fast, memory-resident).
- "faiss-ivf": an inverted file for large collections that must build fast (approximate, native ids and removal).
- "milvus": pymilvus MilvusClient; a Milvus Lite file inside the index folder, or a server by URI.

Only the chosen backend's module (and its heavy package) is imported.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from rag.stores.base import StoreError, StoreOptions, VectorStore

# kind -> (module, class): imported on first use so that faiss users never pay for pymilvus.
_BACKENDS: dict[str, tuple[str, str]] = {
    "faiss": ("rag.stores.faiss_flat", "FaissFlatStore"),
    "faiss-hnsw": ("rag.stores.faiss_hnsw", "FaissHnswStore"),
    "faiss-ivf": ("rag.stores.faiss_ivf", "FaissIvfStore"),
    "milvus": ("rag.stores.milvus", "MilvusStore"),
}
KINDS: tuple[str, ...] = tuple(_BACKENDS)


def store_class(kind: str) -> type[VectorStore]:
    """The backend class for a kind; StoreError listing the kinds when it is unknown."""
    try:
        module, name = _BACKENDS[kind]
    except KeyError:
        known = ", ".join(KINDS)
        raise StoreError(f"unknown vector store {kind!r} (RAG_VECTOR_STORE): choose one of {known}") from None
    cls: type[VectorStore] = getattr(import_module(module), name)
    return cls


def create(kind: str, options: StoreOptions, directory: Path) -> VectorStore:
    """A new empty store of this kind whose files will be saved into `directory`."""
    return store_class(kind).create(options, Path(directory))


def load(kind: str, directory: Path, options: StoreOptions) -> VectorStore:
    """The store of this kind saved in `directory`."""
    return store_class(kind).load(Path(directory), options)


__all__ = ["KINDS", "StoreError", "StoreOptions", "VectorStore", "create", "load", "store_class"]
