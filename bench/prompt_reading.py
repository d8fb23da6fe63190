"""How fast the answer model reads a prompt on this machine, under the load options that could change
it: plain CPU weights (what ``qa.generate`` loads) or llama.cpp's repacked ones, a larger batch, flash
attention. Prompt reading is most of the time to the first token; this says whether a setting, rather
than a shorter prompt, could buy it back on the machine at hand.

    python -m bench.prompt_reading [--tokens 600] [--rounds 3]

Each variant is loaded once; then, round after round, each reads the same tokens of a seed article
from an empty cache, so a slow spell of the machine hits every variant alike.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from bench.common import emit
from evals.gold import SEEDS
from qa.config import Settings
from qa.generate import plain_cpu_weights
from qa.model import BUNDLED, ensure_model_file

VARIANTS: dict[str, dict[str, Any]] = {
    "plain weights, batch 256 (qa's)": {"plain": True, "n_batch": 256},
    "repacked weights, batch 256": {"plain": False, "n_batch": 256},
    "plain weights, batch 512": {"plain": True, "n_batch": 512},
    "plain weights, batch 256, flash attention": {"plain": True, "n_batch": 256, "flash_attn": True},
}


def load(path: str, n_threads: int, plain: bool, **options: Any) -> Any:
    from llama_cpp import Llama

    kwargs: dict[str, Any] = {"model_path": path, "n_ctx": 2048, "n_threads": n_threads, "verbose": False, "seed": 0}
    if not plain:
        return Llama(**kwargs, **options)
    with plain_cpu_weights():
        return Llama(**kwargs, **options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = Settings.from_env()
    path = str(ensure_model_file(BUNDLED[settings.local_model], settings.cache_dir))
    models = {name: load(path, settings.n_threads, **variant) for name, variant in VARIANTS.items()}
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    tokens = next(iter(models.values())).tokenize(text.encode())[: args.tokens]
    seconds: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(args.rounds):
        for name, model in models.items():
            model.reset()
            start = time.perf_counter()
            model.eval(tokens)
            seconds[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(times) for name, times in seconds.items()}
    first = next(iter(medians.values()))  # qa's own way of loading
    variants = {
        name: {"seconds": seconds[name], "median_s": m, "tokens_per_s": len(tokens) / m, "vs_qa": m / first}
        for name, m in medians.items()
    }
    emit({"tokens": len(tokens), "variants": variants})


if __name__ == "__main__":
    main()
