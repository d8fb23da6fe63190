"""BM25 over the chunks, kept as term counts rather than precomputed scores.

bm25s precomputes every (chunk, term) score, and those scores depend on the whole corpus (document
frequencies, mean length), so any added or removed file means scoring every chunk again. Here the
index keeps the raw counts (a sparse chunks x terms matrix) and scores at query time, which costs
about the same as summing precomputed columns. An update then re-uses the counts of the chunks it
keeps, tokenises only the new ones, and recomputes the per-term statistics, a few vector operations.
Scores equal bm25s's default ("lucene": k1 1.5, b 0.75); tests check them against bm25s itself.

On disk (a folder)::

    vocab.json     the terms, column i is vocab[i]
    counts.npz     scipy CSC matrix of term counts, one row per chunk
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

K1 = 1.5
B = 0.75
Ranking = list[tuple[int, float]]


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased word tokens, English stopwords removed, Snowball-stemmed (bm25s's tokenizer)."""
    import bm25s

    if not texts:
        return []
    tokens: list[list[str]] = bm25s.tokenize(
        list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )
    return tokens


def count_matrix(token_lists: Sequence[Sequence[str]], vocab: dict[str, int]) -> sp.csr_matrix:
    """Rows of term counts for ``token_lists``; terms missing from ``vocab`` are added to it (in place)."""
    rows: list[int] = []
    cols: list[int] = []
    for row, tokens in enumerate(token_lists):
        for token in tokens:
            col = vocab.get(token)
            if col is None:
                col = vocab[token] = len(vocab)
            cols.append(col)
        rows.extend([row] * len(tokens))
    matrix = sp.csr_matrix(
        (np.ones(len(cols), dtype=np.float32), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
        shape=(len(token_lists), len(vocab)),
        dtype=np.float32,
    )
    matrix.sum_duplicates()
    return matrix


class SparseIndex:
    """BM25 search over a chunks x terms count matrix."""

    def __init__(self, vocab: list[str], counts: sp.spmatrix) -> None:
        self.vocab = vocab
        self.ids = {term: i for i, term in enumerate(vocab)}
        self.counts: sp.csc_matrix = sp.csc_matrix(counts, dtype=np.float32)
        if self.counts.shape[1] != len(vocab):
            raise ValueError(f"counts have {self.counts.shape[1]} columns for {len(vocab)} terms")
        n_docs = self.counts.shape[0]
        lengths = np.asarray(self.counts.sum(axis=1), dtype=np.float32).ravel()
        mean_length = float(lengths.mean()) if n_docs else 1.0
        df = np.diff(self.counts.indptr).astype(np.float32)
        self.idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        # The per-chunk part of BM25's denominator: k1 * (1 - b + b * length / mean length).
        self.norm = (K1 * ((1 - B) + B * lengths / (mean_length or 1.0))).astype(np.float32)

    def __len__(self) -> int:
        return int(self.counts.shape[0])

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> SparseIndex:
        vocab: dict[str, int] = {}
        counts = count_matrix(tokenize(texts), vocab)
        return cls(list(vocab), counts)

    def rows(self) -> sp.csr_matrix:
        """The count rows, for re-use by the next version."""
        return self.counts.tocsr()

    def scores(self, tokens: Sequence[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The chunks holding any of ``tokens`` and their BM25 scores (each distinct token counts once)."""
        totals = np.zeros(len(self), dtype=np.float32)
        indptr, indices, data = self.counts.indptr, self.counts.indices, self.counts.data
        for term in sorted({self.ids[t] for t in tokens if t in self.ids}):
            docs, tf = indices[indptr[term] : indptr[term + 1]], data[indptr[term] : indptr[term + 1]]
            totals[docs] += self.idf[term] * tf / (self.norm[docs] + tf)  # a term's docs are distinct
        hit = np.flatnonzero(totals)
        return hit, totals[hit]

    def search(self, queries: Sequence[str], n: int) -> list[Ranking]:
        """For each query, up to ``n`` (chunk row, BM25 score) pairs with a positive score, best first."""
        results: list[Ranking] = []
        for tokens in tokenize(queries):
            docs, totals = self.scores(tokens)
            keep = np.flatnonzero(totals > 0)
            if len(keep) > n:
                keep = keep[np.argpartition(-totals[keep], n - 1)[:n]]
            order = keep[np.lexsort((docs[keep], -totals[keep]))]  # best first, ties by row
            results.append([(int(docs[i]), float(totals[i])) for i in order])
        return results

    def save(self, folder: Path) -> None:
        folder.mkdir()
        (folder / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        sp.save_npz(folder / "counts.npz", self.counts, compressed=False)

    @classmethod
    def load(cls, folder: Path) -> SparseIndex:
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        if not isinstance(vocab, list):
            raise ValueError("vocab.json does not hold a list of terms")
        return cls(vocab, sp.load_npz(folder / "counts.npz"))


def combine(previous: SparseIndex | None, texts: Sequence[str], order: Sequence[int]) -> SparseIndex:
    """A new index whose row i is row ``order[i]`` of [``previous``'s rows, then ``texts``]. Only
    ``texts`` are tokenised; terms no row holds any more are dropped."""
    vocab: dict[str, int] = dict(previous.ids) if previous is not None else {}
    fresh = count_matrix(tokenize(texts), vocab)
    parts = [_widen(previous.rows(), len(vocab))] if previous is not None else []
    parts.append(_widen(fresh, len(vocab)))
    counts = sp.csc_matrix(sp.vstack(parts, format="csr")[np.asarray(order, dtype=np.int64)])
    terms = list(vocab)
    live = np.flatnonzero(np.diff(counts.indptr))
    if len(live) < len(terms):
        counts = counts[:, live]
        terms = [terms[i] for i in live]
    return SparseIndex(terms, counts)


def _widen(rows: sp.csr_matrix, width: int) -> sp.csr_matrix:
    return sp.csr_matrix((rows.data, rows.indices, rows.indptr), shape=(rows.shape[0], width))
