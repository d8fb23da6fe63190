"""One record per question, and the figures of a run computed from them: pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from evals.gold import GoldQuestion, Verdict, holds
from qa.types import Answer, Hit, Timings

K = 5  # hit@K and MRR@K: within the first K chunks retrieved
STAGES = tuple(f.name for f in fields(Timings))  # rewrite, retrieval, prompt, first_token, generation, total

Summary = dict[str, float | None]  # metric name -> value; None when nothing could be judged


@dataclass(frozen=True, slots=True)
class Record:
    """What happened to one question. Without an answer it is a retrieval-only record."""

    question: GoldQuestion
    search_question: str  # what was searched: the question, or a follow-up made standalone
    hits: tuple[Hit, ...]
    gold_rank: int | None  # 1-based rank of the first gold hit, None when no hit is gold
    timings: Timings  # retrieval-only records fill in retrieval (and total) only
    answer: Answer | None = None
    verdict: Verdict | None = None

    @property
    def passed(self) -> bool:
        if self.verdict is not None:
            return self.verdict.passed
        return self.gold_rank is not None or not self.question.answerable

    @property
    def reasons(self) -> tuple[str, ...]:
        miss = f"no chunk among the {len(self.hits)} retrieved is from a gold file and holds an answer"
        missed = (miss,) if self.misses_gold else ()
        return (self.verdict.reasons if self.verdict else ()) + missed

    @property
    def misses_gold(self) -> bool:
        return self.question.answerable and self.gold_rank is None


def gold_rank(hits: Sequence[Hit], question: GoldQuestion) -> int | None:
    """1-based rank of the first gold hit: a chunk from a gold file that holds an accepted answer
    (as ``evals.gold.holds`` matches, so a file of many chunks is not a hit by itself)."""
    for rank, hit in enumerate(hits, start=1):
        if hit.source in question.sources and holds(hit.text, question.answers):
            return rank
    return None


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def retrieval_metrics(records: Sequence[Record]) -> Summary:
    ranks = [r.gold_rank for r in records if r.question.answerable]
    if not ranks:
        return {"hit@1": None, f"hit@{K}": None, f"mrr@{K}": None}
    return {
        "hit@1": _share([r == 1 for r in ranks]),
        f"hit@{K}": _share([r is not None and r <= K for r in ranks]),
        f"mrr@{K}": sum(1 / r for r in ranks if r is not None and r <= K) / len(ranks),
    }


def answer_metrics(records: Sequence[Record]) -> Summary:
    judged = [(r.question, r.verdict) for r in records if r.verdict is not None]
    answerable = [v for q, v in judged if q.answerable]
    unanswerable = [v for q, v in judged if not q.answerable]
    supported = [v.supported for v in answerable if v.supported is not None]
    relevant = [(v.relevant_citations, v.citations) for v in answerable if v.relevant_citations is not None]
    cited = sum(n for _, n in relevant)
    return {
        "answer_accuracy": _share([v.correct for v in answerable]),
        "correct_and_cited": _share([v.correct and v.cited_right_file for v in answerable]),
        "citation_accuracy": _share([v.cited_right_file for v in answerable]),
        "citation_validity": _share([v.markers_valid for _, v in judged]),
        "citation_recall": _share(supported),
        "citation_precision": sum(r for r, _ in relevant) / cited if cited else None,
        "abstention_rate": _share([v.abstained for v in unanswerable]),
        "false_refusal_rate": _share([v.abstained for v in answerable]),
    }


def latency_metrics(records: Sequence[Record]) -> Summary:
    """Median and p95 seconds of each stage, over the questions where the stage ran: it took > 0 s,
    and for the rewrite, the question has a history."""
    out: Summary = {}
    for stage in STAGES:
        ran = [r for r in records if stage != "rewrite" or r.question.history]
        values = [getattr(r.timings, stage) for r in ran if getattr(r.timings, stage) > 0]
        if values:
            out[f"latency_{stage}_median_s"] = float(np.median(values))
            out[f"latency_{stage}_p95_s"] = float(np.percentile(values, 95))
    return out


def counts(records: Sequence[Record]) -> dict[str, int]:
    answerable = [r for r in records if r.question.answerable]
    judged = [r for r in answerable if r.verdict is not None and r.verdict.supported is not None]
    return {
        "questions": len(records),
        "answerable": len(answerable),
        "unanswerable": len(records) - len(answerable),
        "passed": sum(r.passed for r in records),
        "citation_judged": len(judged),
    }


def summarise(records: Sequence[Record]) -> Summary:
    """Every figure of a run; answer figures only when the records have answers."""
    summary = retrieval_metrics(records)
    if any(r.verdict is not None for r in records):
        summary |= answer_metrics(records)
    return summary | latency_metrics(records)


def by_kind(records: Sequence[Record]) -> dict[str, tuple[int, float]]:
    """For each kind of question: how many, and the share that passed."""
    kinds: dict[str, list[bool]] = {}
    for r in records:
        kinds.setdefault(r.question.kind or "-", []).append(r.passed)
    return {kind: (len(flags), sum(flags) / len(flags)) for kind, flags in kinds.items()}
