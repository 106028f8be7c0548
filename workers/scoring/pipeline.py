"""The scorers, run together over a batch of claimed comments."""

from __future__ import annotations

import gc
import os
import time

from service.config import Settings
from service.ops.metrics import SCORER_BATCH_SIZE, SCORER_LATENCY
from service.scoring.categories import CATEGORIES, SCORED_CATEGORIES
from service.scoring.jobs import ScoreResult, ScoringInput, ScoringJob
from workers.scoring.abuse import get_abuse_scorer
from workers.scoring.defamation import DefamationScorer
from workers.scoring.personal import PersonalDataScorer
from workers.scoring.spam import SPAM_MODEL_VERSION, SpamScorer, text_fingerprint, verbatim_copy

VERBATIM_SCORER = "verbatim-copy"
ABUSE_SCORER = CATEGORIES["toxicity"].scorer


class ScoringPipeline:
    def __init__(self, settings: Settings):
        self.abuse = get_abuse_scorer(settings)
        self.defamation = DefamationScorer(use_embeddings=settings.defamation_embeddings)
        self.personal = PersonalDataScorer()
        self.spam = SpamScorer()
        self.timings: dict[str, float] = {}

    def score(self, jobs: list[ScoringJob]) -> list[list[ScoreResult]]:
        """The output of each scorer a job needs (every scorer, unless the job names its categories), in job order."""
        inputs = [ScoringInput(job.text, job.article_title, job.article_body, job.language) for job in jobs]
        needed = [scorers_for(job.categories) for job in jobs]
        rows: list[list[ScoreResult]] = [[] for _ in jobs]

        def wanting(scorer: str) -> list[int]:
            return [index for index, names in enumerate(needed) if scorer in names]

        def add(scorer: str, at: list[int], function) -> list:
            results = self._timed(scorer, function, [inputs[index] for index in at]) if at else []
            for index, result in zip(at, results):
                rows[index].append(result)
            return results

        # One forward pass gives the abuse scores and the embeddings the defamation head reads.
        abuse_at, defamation_at = wanting(ABUSE_SCORER), wanting("defamation")
        embeddings: dict[int, list[float]] = {}
        if abuse_at:
            results, vectors = self._timed(
                "abuse",
                lambda items: self.abuse.score_results([item.text for item in items], embed=bool(defamation_at)),
                [inputs[index] for index in abuse_at],
            )
            for position, index in enumerate(abuse_at):
                rows[index].append(results[position])
                if vectors is not None:
                    embeddings[index] = vectors[position]
        defamation_vectors = [embeddings[index] for index in defamation_at] if embeddings else None
        add(
            "defamation",
            defamation_at,
            lambda items: self.defamation.score_batch(items, defamation_vectors, self.abuse.embedding_space),
        )
        add("personal", wanting("personal"), self.personal.score_batch)
        for index in wanting("spam"):
            rows[index].append(self.spam.score(jobs[index].text, max_links=jobs[index].policy.get("max_links")))
        for index in wanting(VERBATIM_SCORER):
            rows[index].append(_verbatim_output(jobs[index]))
        return rows

    def warm_up(self) -> None:
        """Score two made-up comments, so the first real batch does not pay for first-call set-up."""
        self.score(
            [
                ScoringJob("warm-up", 1, text, "Warm-up", "", None, {})
                for text in ("A short comment.", "Councillor Ravi took a bribe from the builder, call 98450 12345.")
            ]
        )

    def _timed(self, name: str, function, inputs):
        started = time.perf_counter()
        results = function(inputs)
        self.timings[name] = time.perf_counter() - started
        SCORER_LATENCY.labels(scorer=name).observe(self.timings[name])
        SCORER_BATCH_SIZE.labels(scorer=name).observe(len(inputs))
        return results


class PipelineDefamationScorer:
    """The defamation scorer as the worker runs it, reading the abuse model's embeddings;
    for `kavalu eval defamation`, so the figures are the pipeline's."""

    name = "defamation"

    def __init__(self, settings: Settings | None = None):
        self.abuse = get_abuse_scorer(settings)
        self.defamation = DefamationScorer(use_embeddings=settings.defamation_embeddings if settings else True)
        self.model_version = self.defamation.version_with(self.abuse.embedding_space)

    def score_batch(self, items: list[ScoringInput]) -> list[ScoreResult]:
        embeddings = None
        if self.defamation.reads(self.abuse.embedding_space):
            _, embeddings = self.abuse.score_and_embed([item.text for item in items])
        return self.defamation.score_batch(items, embeddings, self.abuse.embedding_space)


def scorers_for(categories: frozenset[str] | None) -> frozenset[str]:
    """The scorers that give these categories (all of them for None); the defamation head reads the abuse
    model's embeddings, so it brings the abuse scorer along."""
    names = {CATEGORIES[name].scorer for name in (SCORED_CATEGORIES if categories is None else categories)}
    return frozenset(names | {ABUSE_SCORER} if "defamation" in names else names)


def fingerprint(job: ScoringJob) -> str:
    return text_fingerprint(job.text)


def _verbatim_output(job: ScoringJob) -> ScoreResult:
    span = (
        verbatim_copy(job.text, job.article_body, job.policy["verbatim_copy_min_words"]) if job.article_body else None
    )
    return ScoreResult(
        VERBATIM_SCORER, SPAM_MODEL_VERSION, {"infringing": 1.0 if span else 0.0}, [span] if span else []
    )


_pipeline: tuple[int, ScoringPipeline] | None = None


def get_pipeline(settings: Settings) -> ScoringPipeline:
    """One pipeline (and model) per worker process, built after fork."""
    global _pipeline
    if _pipeline is None or _pipeline[0] != os.getpid():
        _pipeline = (os.getpid(), ScoringPipeline(settings))
        # The models leave ~500k long-lived objects; without this, every full collection walks them
        # all (~0.25 s, paid by whichever batch triggers it). They are never garbage, so park them.
        gc.collect()
        gc.freeze()
    return _pipeline[1]
