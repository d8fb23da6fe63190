"""The plain llama-index way, for comparison: ``CitationQueryEngine`` over a FAISS vector store with
the same embedder (all-MiniLM-L6-v2) and the same answer model (the bundled Qwen 1.5B GGUF through
``LlamaCPP``), default splitter, top-3 chunks, default citation prompt. Judged with the same rules
as ``evals.ask_eval`` on the same gold questions (each asked on its own: the engine has no chat).

    python -m evals.citation_engine_baseline [--questions FILE] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

from evals.gold import QUESTIONS, SEEDS, load_questions
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    engine = build_engine(Settings.from_env())
    rows = []
    for q in load_questions(args.questions):
        started = time.perf_counter()
        response = engine.query(q.question)
        seconds = time.perf_counter() - started
        text = str(response.response or "")
        markers = [int(m) for m in re.findall(r"\[(?:Source\s*)?(\d+)\]", text)]  # it writes both forms
        sources = [n.node.metadata.get("file_name", "") for n in response.source_nodes]
        valid = all(1 <= m <= len(sources) for m in markers)
        cited = {sources[m - 1] for m in markers if 1 <= m <= len(sources)}
        abstained = bool(REFUSAL.search(text)) or not text.strip()
        found = any(a.lower() in text.lower() for a in q.answers)
        correct = (not abstained and found) if q.answerable else abstained
        right_file = bool(cited) and cited <= set(q.sources)
        rows.append(
            {
                "id": q.id,
                "answerable": q.answerable,
                "correct": correct,
                "right_file": right_file,
                "valid": valid,
                "abstained": abstained,
                "seconds": seconds,
                "text": text,
            }
        )
        print(f"{'ok  ' if correct else 'FAIL'} {q.id} {seconds:5.1f}s | {q.question[:60]} | {text[:100]!r}")
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    summary = {
        "correct": sum(r["correct"] for r in answerable) / len(answerable),
        "correct_with_right_file": sum(r["correct"] and r["right_file"] for r in answerable) / len(answerable),
        "false_refusals": sum(r["abstained"] for r in answerable) / len(answerable),
        "abstained_on_unanswerable": sum(r["abstained"] for r in unanswerable) / max(1, len(unanswerable)),
        "markers_valid": sum(r["valid"] for r in rows) / len(rows),
        "total_median_s": statistics.median(r["seconds"] for r in rows[1:]),
    }
    print(json.dumps(summary, indent=1))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "records": rows}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
