"""The reference: the plain llama-index pipeline, as its documentation builds it, with the same local
MiniLM folder. ``SimpleDirectoryReader`` -> ``SentenceSplitter`` -> ``HuggingFaceEmbedding`` ->
``FaissVectorStore`` (an exact inner-product FAISS index) -> ``persist``. Default settings unless
``chunk_size`` is given (the defaults are 1,024-token chunks, which MiniLM cuts at 256 word pieces).
Needs the ``baseline`` extra (llama-index-embeddings-huggingface, llama-index-vector-stores-faiss).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from qa.embed import minilm_path

DIM = 384


def load_embedding(batch_size: int | None = None) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    extra = {"embed_batch_size": batch_size} if batch_size else {}
    return HuggingFaceEmbedding(model_name=str(minilm_path()), device="cpu", **extra)


def build(docs: Path, persist_dir: Path, chunk_size: int | None = None) -> dict[str, Any]:
    """Indexes ``docs`` and persists it; returns chunk count and seconds (model load apart)."""
    import faiss
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.faiss import FaissVectorStore

    started = time.perf_counter()
    embed = load_embedding()
    loaded = time.perf_counter()
    documents = SimpleDirectoryReader(str(docs), recursive=True, required_exts=[".txt", ".md"]).load_data()
    splitter = SentenceSplitter(chunk_size=chunk_size, chunk_overlap=0) if chunk_size else SentenceSplitter()
    store = FaissVectorStore(faiss_index=faiss.IndexFlatIP(DIM))
    index = VectorStoreIndex.from_documents(
        documents,
        storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=embed,
        transformations=[splitter],
    )
    index.storage_context.persist(persist_dir=str(persist_dir))
    done = time.perf_counter()
    return {"model_load_s": loaded - started, "index_s": done - loaded, "chunks": len(index.docstore.docs)}


def open_retriever(persist_dir: Path, k: int) -> Any:
    """The persisted index's retriever (query embedding, FAISS search, docstore look-up)."""
    from llama_index.core import StorageContext, load_index_from_storage
    from llama_index.vector_stores.faiss import FaissVectorStore

    store = FaissVectorStore.from_persist_dir(str(persist_dir))
    context = StorageContext.from_defaults(vector_store=store, persist_dir=str(persist_dir))
    index = load_index_from_storage(context, embed_model=load_embedding())
    return index.as_retriever(similarity_top_k=k)


def store_search(faiss_index: Any, k: int) -> Any:
    """A function searching ``faiss_index`` through llama-index's ``FaissVectorStore.query``."""
    from llama_index.core.vector_stores.types import VectorStoreQuery
    from llama_index.vector_stores.faiss import FaissVectorStore

    store = FaissVectorStore(faiss_index=faiss_index)

    def search(vector: Any) -> Any:
        return store.query(VectorStoreQuery(query_embedding=vector.tolist(), similarity_top_k=k))

    return search
