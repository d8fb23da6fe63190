"""Can another backend embed faster with the same vectors? MiniLM through sentence-transformers (torch
fp32) against torch with bfloat16 autocast (the default on CPUs with AMX) and ONNX Runtime, fp32 and
int8 (dynamic quantisation), on the same chunks.
Needs ``pip install onnx==1.23.2 onnxruntime==1.31.1`` (not project dependencies: no backend passed).

    python -m bench.embedding_backends [--chunks 256]

A backend passes when every chunk's cosine to the torch fp32 vector is at least 0.99 (retrieval
then ranks the same chunks; int8 of the same model through torch was 0.936 on average here).
The ONNX files are written once under ``<Settings.cache_dir>/onnx``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from evals.squad import DEFAULT_SQUAD
from qa.chunking import chunk_document
from qa.config import Settings
from qa.corpus import read_corpus
from qa.embed import Vectors, fast_bf16, load_embedder, minilm_path

TOLERANCE = 0.99
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export(folder: Path) -> tuple[Path, Path]:
    """The fp32 and int8 ONNX files of MiniLM's transformer, written once."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    fp32, int8 = folder / "minilm-fp32.onnx", folder / "minilm-int8.onnx"
    if not fp32.is_file():
        model = AutoModel.from_pretrained(str(minilm_path())).eval()

        class Hidden(torch.nn.Module):
            def forward(self, ids: Any, mask: Any, types: Any) -> Any:
                return model(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state

        sample = AutoTokenizer.from_pretrained(str(minilm_path()))(["a sample"], return_tensors="pt")
        axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "hidden")}
        torch.onnx.export(
            Hidden(), tuple(sample[k] for k in INPUTS), str(fp32), input_names=list(INPUTS),
            output_names=["hidden"], dynamic_axes=axes, opset_version=17, dynamo=False,
        )  # fmt: skip
    if not int8.is_file():
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return fp32, int8


def onnx_session(path: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def onnx_embed(session: Any, tokenizer: Any, texts: list[str], batch_size: int) -> Vectors:
    """Mean-pooled, L2-normalised vectors as sentence-transformers makes them, batched by length."""
    out = np.zeros((len(texts), 384), dtype=np.float32)
    order = np.argsort([-len(t) for t in texts], kind="stable")
    for start in range(0, len(texts), batch_size):
        rows = order[start : start + batch_size]
        encoded = tokenizer(
            [texts[i] for i in rows], padding=True, truncation=True, max_length=256, return_tensors="np"
        )
        hidden = session.run(None, {k: encoded[k].astype(np.int64) for k in INPUTS})[0]
        mask = encoded["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / mask.sum(axis=1)
        out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--chunks", type=int, default=256)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    documents, _ = read_corpus(args.squad / "docs")
    texts = [c.text for d in documents for c in chunk_document(d, settings.chunk_size, settings.chunk_overlap)]
    texts = texts[: args.chunks]
    embedder = load_embedder(settings.embedder, settings.embed_batch_size, "fp32")
    embedder.embed(texts[:8])  # warm-up
    started = time.perf_counter()
    reference = embedder.embed(texts)
    seconds = {"torch fp32 (sentence-transformers)": time.perf_counter() - started}
    print(f"{len(texts)} SQuAD chunks; a backend passes when every cosine to torch fp32 is >= {TOLERANCE}")
    print("| backend | chunks/s | speed vs torch | cosine to torch fp32, min / mean | passes |")
    print("|---|---|---|---|---|")
    base = seconds["torch fp32 (sentence-transformers)"]
    print(f"| torch fp32 (sentence-transformers) | {len(texts) / base:.1f} | 1.00x | 1 / 1 | yes |")

    def row(name: str, took: float, vectors: Vectors) -> None:
        cosine = (vectors * reference).sum(axis=1)
        passes = "yes" if cosine.min() >= TOLERANCE else "no"
        print(
            f"| {name} | {len(texts) / took:.1f} | {base / took:.2f}x | {cosine.min():.4f} / {cosine.mean():.4f} "
            f"| {passes} |"
        )

    bf16 = load_embedder(settings.embedder, settings.embed_batch_size, "bf16")
    bf16.embed(texts[:8])  # warm-up
    started = time.perf_counter()
    vectors = bf16.embed(texts)
    row(f"torch bf16 autocast (AMX: {'yes' if fast_bf16() else 'no'})", time.perf_counter() - started, vectors)
    try:
        fp32, int8 = export(settings.cache_dir / "onnx")
    except ImportError:
        print("| ONNX Runtime | - | - | - | not installed: pip install onnx==1.23.2 onnxruntime==1.31.1 |")
        return 0
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(minilm_path()))
    for name, path in (("ONNX Runtime fp32", fp32), ("ONNX Runtime int8 (dynamic)", int8)):
        session = onnx_session(path)
        onnx_embed(session, tokenizer, texts[:8], settings.embed_batch_size)  # warm-up
        started = time.perf_counter()
        vectors = onnx_embed(session, tokenizer, texts, settings.embed_batch_size)
        row(name, time.perf_counter() - started, vectors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
