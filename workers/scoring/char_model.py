"""The v2 abuse model's character n-gram part, and the choice of blend per comment.

workers/training/abuse_char.py trains it; workers.scoring.abuse.DetoxifyAbuseScorer blends it with the
transformer and alt-profanity-check (see workers/abuse_model/MODEL_CARD.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from workers.scoring.normalise import normalise, strip_punctuation, token_ranges
from workers.scoring.swear_words import blank_misleading_words, blank_misleading_words_in

# The character model's window feature: runs of this many words (CharModel.logits).
WINDOW_WORDS = 3
# A word is evidence if its character-model contribution is at least this share of the top word's.
SPAN_SHARE = 0.5


def char_text(text: str) -> str:
    """What the character model reads of a whole text: normalised, without the misleading words of swear_words
    (everyday words that share letters with a swear, negated words)."""
    return normalise(blank_misleading_words_in(text))


def char_ngrams(
    ngrams: tuple[int, int],
    n_features: int,
    preprocessor: Callable[[str], str],
    norm: str | None = "l2",
    dtype: str = "float32",
):
    """Hashed, binary character n-grams within word boundaries (`char_wb`): the features of the character model
    and of the language model (workers.scoring.language), at training and at run time."""
    import numpy as np
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=ngrams,
        n_features=n_features,
        alternate_sign=False,
        binary=True,
        norm=norm,
        lowercase=False,
        preprocessor=preprocessor,
        dtype=np.dtype(dtype).type,
    )


class CharModel:
    """The v2 character n-gram model: a logistic regression over hashed char_wb n-grams of the
    normalised text (workers/training/abuse_char.py trains it). Linear, and char_wb n-grams never
    cross a word boundary, so a word's share of the logit is the sum of its own n-grams' weights."""

    def __init__(self, path: Path) -> None:
        import numpy as np

        with np.load(path) as data:
            coef = data["coef"].astype(np.float32)
            intercept = float(data["intercept"])
            n_features = int(data["n_features"])
            ngrams = (int(data["ngram_min"]), int(data["ngram_max"]))
        self._setup(coef, intercept, ngrams, n_features)

    @classmethod
    def from_arrays(cls, coef, intercept: float, ngrams: tuple[int, int], n_features: int) -> CharModel:
        model = cls.__new__(cls)
        model._setup(coef, intercept, ngrams, n_features)
        return model

    def _setup(self, coef, intercept: float, ngrams: tuple[int, int], n_features: int) -> None:
        import numpy as np

        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = float(intercept)
        self.vectorizer = char_ngrams(ngrams, n_features, char_text)
        self.word_vectorizer = char_ngrams(ngrams, n_features, normalise, norm=None)
        self._word_cache: dict[str, tuple[float, int]] = {}

    def exact_logits(self, texts: list[str]):
        """The logistic regression's own logits (l2-normalised binary n-grams of the whole text)."""
        return self.vectorizer.transform(texts) @ self.coef + self.intercept

    def logits(self, texts: list[str]) -> tuple[list[float], list[float]]:
        """(whole-text, best-window) logits from per-word n-gram sums: each run of WINDOW_WORDS words scored as a text of its own, so that an insult in a long friendly comment is not diluted. The whole-text
        one approximates exact_logits (n-grams repeated across words count again) at a fraction of the
        cost, since words are cached; the blend is fitted on these same values."""
        whole, best = [], []
        texts_words = [blank_misleading_words([text[a:b] for a, b in token_ranges(text or "")]) for text in texts]
        self._words([w for words in texts_words for w in words])  # one vectoriser call for the batch's new words
        for words in texts_words:
            stats = self._words(words) if words else [(0.0, 0)]
            total_w = sum(w for w, _ in stats)
            total_n = sum(c for _, c in stats)
            whole.append((total_w / math.sqrt(total_n) if total_n else 0.0) + self.intercept)
            top = -math.inf
            for k in range(max(1, len(stats) - WINDOW_WORDS + 1)):
                run = stats[k : k + WINDOW_WORDS]
                n = sum(c for _, c in run)
                if n:
                    top = max(top, sum(w for w, _ in run) / math.sqrt(n))
            best.append((top if top > -math.inf else 0.0) + self.intercept)
        return whole, best

    def _words(self, words: list[str]) -> list[tuple[float, int]]:
        """Each word's summed n-gram weight (unnormalised) and its number of n-grams, cached per word."""
        missing = sorted({w for w in words if w not in self._word_cache})
        if missing:
            if len(self._word_cache) > 200_000:
                self._word_cache.clear()
            x = self.word_vectorizer.transform(missing)
            values = x @ self.coef
            counts = x.getnnz(axis=1)
            self._word_cache.update(zip(missing, zip((float(v) for v in values), (int(c) for c in counts))))
        return [self._word_cache[w] for w in words]

    def word_weights(self, words: list[str]) -> list[float]:
        return [w for w, _ in self._words(words)]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Character ranges of the words that push the score up most, adjacent ones merged."""
        tokens = token_ranges(text)
        if not tokens:
            return []
        weights = self.word_weights(blank_misleading_words([text[a:b] for a, b in tokens]))
        top = max(weights)
        if top <= 0:
            return []
        chosen = [t for t, w in zip(tokens, weights) if w >= SPAN_SHARE * top]
        merged: list[list[int]] = []
        for start, end in chosen:
            a, b = strip_punctuation(text, start, end)
            if merged and not text[merged[-1][1] : a].strip(" ,.;:!?-"):
                merged[-1][1] = b
            else:
                merged.append([a, b])
        return [(a, b) for a, b in merged if b > a]


def blend_group(
    language: str, text: str, groups: Mapping[str, str], blends: Mapping[str, Any], leans_indic: bool = False
) -> str:
    """The blend that scores a comment: its language's group, except for two kinds of English comment, where
    the blend has a group for them: those naming an identity group use "en-identity", which leaves out
    alt-profanity-check (it over-scores neutral mentions of such groups, as the untuned transformer did); those
    that read more like Roman Hindi or Kannada than English to the language model (`leans_indic`:
    LanguageDetector.leans_indic) use "en-code-mixed", which keeps more of the character model."""
    from workers.scoring.normalise import identity_present

    group = groups[language]
    if group == "en" and "en-identity" in blends and identity_present(text):
        return "en-identity"
    if group == "en" and leans_indic and "en-code-mixed" in blends:
        return "en-code-mixed"
    return group
