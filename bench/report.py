"""The benchmark's Markdown report and plots, from the results ``bench.run`` collected."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _rate(row: dict[str, Any]) -> tuple[float, float]:
    seconds = row["index_s"]
    return row["chunks"] / seconds, row["megabytes"] / seconds


def _header(*columns: str) -> list[str]:
    return ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]


def _ms(timing: dict[str, Any]) -> str:
    return f"{timing['median_ms']:.1f} / {timing['p95_ms']:.1f}"


def indexing_table(index: dict[str, Any], large: dict[str, Any] | None) -> list[str]:
    lines = _header(
        "pipeline", "corpus", "chunks", "embedded", "model load", "indexing", "chunks/s", "MB/s",
        "no-change re-index", "peak memory",
    )  # fmt: skip
    precision = index["ours"].get("precision", "fp32")
    rows: list[tuple[str, str, dict[str, Any]]] = [(f"qa (this project), {precision}", "SQuAD articles", index["ours"])]
    if "ours_fp32" in index:
        rows.append(("qa, fp32 embeddings", "SQuAD articles", index["ours_fp32"]))
    rows.append(("llama-index, default settings", "SQuAD articles", index["reference"]))
    if "reference_sized" in index:
        size = index["reference_sized"]["chunk_size"]
        rows.append((f"llama-index, {size}-token chunks", "SQuAD articles", index["reference_sized"]))
    if large:
        rows.append(("qa (this project)", f"{large['copies']} verbatim copies", large))
    for name, corpus, row in rows:
        chunks_s, mb_s = _rate(row)
        embedded = row.get("embedded", row["chunks"])
        reindex = f"{row['reindex_s']:.2f} s" if "reindex_s" in row else "none (a re-run rebuilds)"
        lines.append(
            f"| {name} | {corpus}, {row['megabytes']:.2f} MB | {row['chunks']:,} | {embedded:,} "
            f"| {row['model_load_s']:.1f} s | {row['index_s']:.1f} s | {chunks_s:.1f} | {mb_s:.3f} | {reindex} "
            f"| {row['peak_rss_mb']:,.0f} MB |"
        )
    if large and "update" in large:
        update = large["update"]
        lines.append("")
        lines.append(
            f"A small update of the {update['chunks']:,}-chunk index, embedder loaded: one new article added in "
            f"{update['add_s']:.1f} s ({update['add_embedded']} chunks embedded), removed again in "
            f"{update['remove_s']:.1f} s."
        )
    ours = _rate(index["ours"])[1]
    lines.append("")
    lines.append(
        f"Throughput in MB/s, qa over llama-index with its defaults: {ours / _rate(index['reference'])[1]:.2f}x"
    )
    if "reference_sized" in index:
        sized = _rate(index["reference_sized"])[1]
        lines[-1] += f"; over llama-index with chunks of our size: {ours / sized:.2f}x"
        if "ours_fp32" in index:
            lines[-1] += f" ({_rate(index['ours_fp32'])[1] / sized:.2f}x with fp32 embeddings)"
    lines[-1] += "."
    return lines


def retrieval_table(index: dict[str, Any], large: dict[str, Any] | None) -> list[str]:
    ours, ref = index["search_ours"], index["search_reference"]
    lines = _header("search, k=5, one question at a time", "index", "median / p95 ms")
    lines += [
        f"| qa `Retriever.search`, hybrid (default) | SQuAD, {ours['chunks']:,} chunks | {_ms(ours['hybrid'])} |",
        f"| qa, dense only | SQuAD | {_ms(ours['dense'])} |",
        f"| qa, BM25 only | SQuAD | {_ms(ours['bm25'])} |",
        f"| llama-index retriever (dense) | SQuAD, {index['reference']['chunks']:,} chunks | {_ms(ref['dense'])} |",
    ]
    if large:
        found = large["search"]
        lines.append(f"| qa, hybrid (default) | {found['chunks']:,} chunks | {_ms(found['hybrid'])} |")
        lines.append(f"| qa, dense only | {found['chunks']:,} chunks | {_ms(found['dense'])} |")
        lines.append(f"| qa, BM25 only | {found['chunks']:,} chunks | {_ms(found['bm25'])} |")
    return lines


def scale_table(search: dict[str, Any]) -> list[str]:
    lines = _header(
        "chunks", "exact (FAISS flat)", "llama-index `FaissVectorStore` (flat)", "IVF nlist / nprobe", "IVF",
        "IVF recall@10", "the index uses",
    )  # fmt: skip
    for row in search["sizes"]:
        ivf = row["ivf"]
        lines.append(
            f"| {row['n']:,} | {_ms(row['exact'])} | {_ms(row['reference'])} | {ivf['nlist']} / {ivf['nprobe']} "
            f"| {_ms(ivf)} | {ivf['recall']:.3f} | {row['auto_layout']} |"
        )
    return lines


def ask_table(ask: dict[str, Any]) -> list[str]:
    lines = _header(
        "answering, median seconds", "questions", "retrieval", "prompt reading", "first token", "generation",
        "total", "peak memory",
    )  # fmt: skip
    sides = [("qa `ask()`", ask["ours"]), ("llama-index `CitationQueryEngine`", ask.get("reference"))]
    for name, side in sides:
        if side and side["median"]:
            m = side["median"]
            prompt = f"{m['prompt']:.2f}" if "prompt" in m else ""
            lines.append(
                f"| {name} | {side['questions']} | {m['retrieval']:.2f} | {prompt} | {m['first_token']:.2f} "
                f"| {m['generation']:.2f} | {m['total']:.2f} | {side['peak_rss_mb']:,.0f} MB |"
            )
    return lines


def plot(results: dict[str, Any], out: Path) -> list[str]:
    """Writes the PNG plots; returns their file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    if "search" in results:
        sizes = results["search"]["sizes"]
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
        n = [row["n"] for row in sizes]
        for label, key in (("exact (flat)", "exact"), ("llama-index FaissVectorStore", "reference")):
            left.plot(n, [row[key]["median_ms"] for row in sizes], marker="o", label=label)
        left.plot(n, [row["ivf"]["median_ms"] for row in sizes], marker="o", label="IVF (chosen nprobe)")
        left.axhline(20, color="grey", linestyle="--", linewidth=1, label="20 ms target")
        left.set(xscale="log", yscale="log", xlabel="chunks", ylabel="median ms per query", title="Dense search")
        left.legend()
        for row in sizes:
            sweep = row["sweep"]
            right.plot([p["median_ms"] for p in sweep], [p["recall"] for p in sweep], marker="o", label=f"{row['n']:,}")
        right.axhline(0.95, color="grey", linestyle="--", linewidth=1)
        right.set(xlabel="median ms per query", ylabel="recall@10 vs exact", title="IVF: nprobe sweep")
        right.legend(title="chunks")
        fig.tight_layout()
        fig.savefig(out / "search.png", dpi=110)
        plt.close(fig)
        names.append("search.png")
    if "index" in results:
        index = results["index"]
        bars = [(f"qa\n{index['ours'].get('precision', 'fp32')}", index["ours"])]
        if "ours_fp32" in index:
            bars.append(("qa\nfp32", index["ours_fp32"]))
        bars.append(("llama-index\ndefaults", index["reference"]))
        if "reference_sized" in index:
            bars.append((f"llama-index\n{index['reference_sized']['chunk_size']}-token", index["reference_sized"]))
        fig, ax = plt.subplots(figsize=(5.5, 3.5))
        ax.bar([b[0] for b in bars], [_rate(b[1])[1] for b in bars], color=[f"C{i}" for i in range(len(bars))])
        ax.set(ylabel="MB of text per second", title="Indexing the SQuAD articles")
        fig.tight_layout()
        fig.savefig(out / "indexing.png", dpi=110)
        plt.close(fig)
        names.append("indexing.png")
    if "ask" in results and results["ask"]["ours"]["median"]:
        ask = results["ask"]
        fig, ax = plt.subplots(figsize=(6, 3.5))
        sides = [("qa ask()", ask["ours"]["median"])]
        if ask.get("reference") and ask["reference"]["median"]:
            sides.append(("CitationQueryEngine", ask["reference"]["median"]))
        for i, stage in enumerate(("retrieval", "first_token", "total")):
            ax.bar([j + 0.27 * i for j in range(len(sides))], [s[1][stage] for s in sides], width=0.27, label=stage)
        ax.set_xticks([j + 0.27 for j in range(len(sides))], [s[0] for s in sides])
        ax.set(ylabel="median seconds", title="Answering a seed question")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "answering.png", dpi=110)
        plt.close(fig)
        names.append("answering.png")
    return names


def write_report(results: dict[str, Any], out: Path) -> str:
    lines = [f"Command: `{results['command']}` ({results['seconds'] / 60:.1f} min).", ""]
    if "index" in results:
        lines += ["**Indexing**", "", *indexing_table(results["index"], results.get("large")), ""]
        lines += ["**Search on real indexes**", "", *retrieval_table(results["index"], results.get("large")), ""]
    if "search" in results:
        lines += ["**Dense search at scale** (median / p95 ms, one query at a time)", ""]
        lines += [*scale_table(results["search"]), ""]
    if "ask" in results:
        lines += ["**Answering**", "", *ask_table(results["ask"]), ""]
    plots = plot(results, out)
    lines += [f"![{name}]({name})" for name in plots]
    text = "\n".join(lines) + "\n"
    (out / "report.md").write_text(text, encoding="utf-8")
    return text
