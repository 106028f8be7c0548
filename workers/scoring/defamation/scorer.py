"""DefamationScorer: the rules first, then the semantic head for what they miss.

Scores: FLAGGED_SCORE for a rule finding, SEMANTIC_SCORE for a semantic finding, BLOCKED_SCORE
when a comment names someone and has an allegation word that was blocked, 0.0 otherwise. The
review threshold is 0.5, so only findings reach the legal queue.
"""

from __future__ import annotations

import logging

from service.scoring.jobs import ScoreResult, ScoringInput, Span
from workers.scoring.defamation.head import (
    ABUSE_HEAD_PATH,
    AllegationHead,
    SentenceEncoder,
    masked,
    semantic_candidate,
)
from workers.scoring.defamation.rules import Finding, may_allege, scan, sentences
from workers.scoring.defamation.targets import Mention, article_names, find_targets

logger = logging.getLogger(__name__)

CATEGORY = "defamation"
MODEL_VERSION = "rules-2"
SEMANTIC_VERSION = "minilm-head-1"
ABUSE_SPACE_VERSION = "abuse-embedding-head-1"

FLAGGED_SCORE = 0.9  # a rule finding
SEMANTIC_SCORE = 0.7  # a semantic finding: above the review threshold, below a rule finding
BLOCKED_SCORE = 0.3  # names someone, and has an allegation word that was blocked


class DefamationScorer:
    """Rules first; comments that name someone but match no allegation rule (and are not
    hedged, questions, attributed or defended) go to the semantic head, if available.

    use_embeddings: Settings.defamation_embeddings (KAVALU_DEFAMATION_EMBEDDINGS, default on); when the encoder
    cannot load, the scorer runs on rules alone and says so in its model_version.
    """

    name = "defamation"

    def __init__(self, use_embeddings: bool = True) -> None:
        self._use_embeddings = use_embeddings
        self._encoder: SentenceEncoder | None = None
        self._head: AllegationHead | None = None
        self._load_failed = False
        self._abuse_head: AllegationHead | None = None
        if use_embeddings and ABUSE_HEAD_PATH.is_file():
            self._abuse_head = AllegationHead.load(ABUSE_HEAD_PATH)

    @property
    def model_version(self) -> str:
        if self._use_embeddings and not self._load_failed:
            return f"{MODEL_VERSION}+{SEMANTIC_VERSION}"
        return MODEL_VERSION

    def score_batch(
        self, items: list[ScoringInput], embeddings: list[list[float]] | None = None, embedding_space: str | None = None
    ) -> list[ScoreResult]:
        """`embeddings`, when given, are the abuse model's for the same items (score_and_embed), in `embedding_space`."""
        shared = embeddings is not None and self.reads(embedding_space)
        version = self.version_with(embedding_space if shared else None)
        results: list[ScoreResult] = []
        pending: list[tuple[int, str, list[Mention]]] = []  # for the semantic head
        # On the abuse model's embeddings the head is one dot product, so it goes first: a comment it
        # passes over, with no allegation in it, scores 0 whoever it names, so the (costlier) target
        # search is skipped. Most comments are such.
        abuse_head = self._abuse_head
        head_fires = (
            [abuse_head.probability(vector) >= abuse_head.threshold for vector in embeddings]
            if shared and self._use_embeddings and abuse_head is not None and embeddings is not None
            else None
        )
        for index, item in enumerate(items):
            if head_fires is not None and not head_fires[index] and not may_allege(item.text):
                results.append(self._result(0.0, [], version))
                continue
            targets = find_targets(item.text, article_names(item.article_title, item.article_body))
            findings, allegation_seen = scan(item.text, targets)
            if findings:
                results.append(self._result(FLAGGED_SCORE, _evidence_spans(findings), version))
                continue
            results.append(self._result(BLOCKED_SCORE if allegation_seen else 0.0, [], version))
            if self._use_embeddings and semantic_candidate(item.text, targets):
                pending.append((index, item.text, targets))
        if pending and shared:
            assert abuse_head is not None
            assert embeddings is not None
            head, vectors = abuse_head, [embeddings[index] for index, _, _ in pending]
        elif pending and self._semantic_ready():
            assert self._head is not None
            assert self._encoder is not None
            head, vectors = self._head, self._encoder.encode([masked(text, targets) for _, text, targets in pending])
        else:
            return results
        for (index, text, targets), vector in zip(pending, vectors):
            if head.probability(vector) >= head.threshold:
                results[index] = self._result(SEMANTIC_SCORE, _semantic_spans(text, targets), version)
        return results

    def reads(self, embedding_space: str | None) -> bool:
        """Whether the semantic head can use the abuse model's embeddings from this space."""
        return (
            self._abuse_head is not None
            and embedding_space is not None
            and self._abuse_head.embedding_space == embedding_space
        )

    def version_with(self, embedding_space: str | None) -> str:
        return f"{MODEL_VERSION}+{ABUSE_SPACE_VERSION}" if self.reads(embedding_space) else self.model_version

    def score(self, item: ScoringInput) -> ScoreResult:
        return self.score_batch([item])[0]

    def _result(self, score: float, spans: list[Span], version: str | None = None) -> ScoreResult:
        return ScoreResult(self.name, version or self.model_version, {CATEGORY: score}, spans)

    def _semantic_ready(self) -> bool:
        if self._load_failed:
            return False
        if self._encoder is None:
            try:
                self._head = AllegationHead.load()
                self._encoder = SentenceEncoder()
            except Exception:  # any load failure means rules only
                logger.warning("defamation: semantic head unavailable, using rules only", exc_info=True)
                self._load_failed = True
                return False
        return True


def _semantic_spans(text: str, targets: list[Mention]) -> list[Span]:
    """The first target, and as the allegation the rest of its sentence."""
    target = targets[0]
    sentence_end = next((end for start, end in sentences(text) if start <= target.start < end), len(text))
    spans = [Span(target.start, target.end, CATEGORY, "target")]
    rest = text[target.end : sentence_end]
    stripped_start = target.end + (len(rest) - len(rest.lstrip(" ,;:-")))
    stripped_end = target.end + len(rest.rstrip(" .!?\n"))
    if stripped_end > stripped_start:
        spans.append(Span(stripped_start, stripped_end, CATEGORY, "allegation"))
    return spans


def _evidence_spans(findings: list[Finding]) -> list[Span]:
    spans: set[Span] = set()
    for finding in findings:
        spans.add(Span(finding.target.start, finding.target.end, CATEGORY, "target"))
        spans.add(Span(finding.allegation[0], finding.allegation[1], CATEGORY, "allegation"))
    return sorted(spans, key=lambda span: (span.start, span.end))
