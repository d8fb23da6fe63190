"""The plain llama-index way, for comparison: ``CitationQueryEngine`` over a FAISS vector store with
the same embedder (all-MiniLM-L6-v2) and the same answer model (the bundled Qwen 1.5B GGUF through
``LlamaCPP``), default splitter, top-3 chunks, default citation prompt. Judged with the same rules
as ours. ``python -m evals.compare`` runs it beside ``ask()`` on the same questions.
"""

from __future__ import annotations

import re
from typing import Any

from evals.gold import SEEDS, GoldQuestion
from qa.config import Settings
from qa.corpus import read_corpus
from qa.embed import minilm_path
from qa.generate import plain_cpu_weights
from qa.model import BUNDLED, ensure_model_file

# How the engine's answers say that the sources do not answer.
REFUSAL = re.compile(
    r"\b(not (mentioned|provided|specified|stated|available|given|found)|no (information|mention)|"
    r"does not (say|mention|provide|specify|state)|do not (say|mention|provide|specify|contain)|cannot|unable to)\b",
    re.IGNORECASE,
)


def build_engine(settings: Settings) -> Any:
    import faiss
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.core.query_engine import CitationQueryEngine
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.llms.llama_cpp import LlamaCPP
    from llama_index.vector_stores.faiss import FaissVectorStore

    documents, _ = read_corpus(SEEDS)
    embed = HuggingFaceEmbedding(model_name=str(minilm_path()), device="cpu")
    store = FaissVectorStore(faiss_index=faiss.IndexFlatIP(384))
    index = VectorStoreIndex.from_documents(
        [Document(text=d.text, metadata={"file_name": d.source}) for d in documents],
        storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=embed,
    )
    model = BUNDLED[settings.local_model]

    def chatml(messages: Any) -> str:
        turns = "".join(f"<|im_start|>{m.role.value}\n{m.content}<|im_end|>\n" for m in messages)
        return turns + "<|im_start|>assistant\n"

    with plain_cpu_weights():  # the same llama.cpp settings as ours: without them it crashes on AMX CPUs
        llm = LlamaCPP(
            model_path=str(ensure_model_file(model, settings.cache_dir)),
            temperature=0.0,
            max_new_tokens=200,
            context_window=4096,
            generate_kwargs={"stop": ["<|im_end|>"]},
            model_kwargs={"n_threads": settings.n_threads, "n_gpu_layers": 0},
            messages_to_prompt=chatml,
            completion_to_prompt=lambda text: f"<|im_start|>user\n{text}<|im_end|>\n<|im_start|>assistant\n",
            verbose=False,
        )
    return CitationQueryEngine.from_args(index, llm=llm, similarity_top_k=3)


def judge_engine_reply(q: GoldQuestion, response: Any, seconds: float) -> dict[str, Any]:
    """One reply of the engine judged like ours: an accepted answer in the text (or, unanswerable, a
    refusal), markers that resolve to its source nodes, cited files among the gold ones."""
    text = str(response.response or "")
    markers = [int(m) for m in re.findall(r"\[(?:Source\s*)?(\d+)\]", text)]  # it writes both forms
    sources = [n.node.metadata.get("file_name", "") for n in response.source_nodes]
    valid = all(1 <= m <= len(sources) for m in markers)
    cited = {sources[m - 1] for m in markers if 1 <= m <= len(sources)}
    abstained = bool(REFUSAL.search(text)) or not text.strip()
    found = any(a.lower() in text.lower() for a in q.answers)
    return {
        "id": q.id,
        "answerable": q.answerable,
        "correct": (not abstained and found) if q.answerable else abstained,
        "right_file": bool(cited) and cited <= set(q.sources),
        "valid": valid,
        "abstained": abstained,
        "seconds": seconds,
        "text": text,
    }
