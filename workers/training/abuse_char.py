"""Train Kavalu's v2 abuse model parts: the multilingual character n-gram model and the blend.

v2 scores a comment with three parts (workers/scoring/abuse.py):

* a character n-gram logistic regression (this module): char_wb 2-5-grams of the normalised text
  (workers/scoring/normalise.py), hashed into 2**20 features, trained on English, Kannada,
  Roman Urdu, identity-statement and hand-written Hinglish/Hindi/Kannada data;
* the MiniLM transformer (workers/training/abuse.py, unchanged from v1), for Latin-script text only;
* alt-profanity-check, for Latin-script text only.

The blend is a logistic regression per language group on held-out predictions of the three parts
(logits, and the transformer and profanity logits again multiplied by an "identity term present" flag,
so that the blend can learn how much to trust them when a comment names an identity group). It is
fitted on a calibration split that neither the character model nor the blend's evaluation saw, so
its output is a calibrated probability for that mix of sources.

Splits (per seed): each non-English source is split 60 / 20 / 20 (train / calibration / test), each
row by a hash of its text (`split`); the English sources 80 / 10 / 10 (they are large). The shipped model is the
seed-0 model, trained on the train splits, with the blend fitted on the calibration split; the
figures in MODEL_CARD.md are on the test splits (never used for fitting), plus leave-one-source-out
runs of the character model.

    kavalu models train --char               # the v2 parts, into workers/abuse_model/ (minutes)
    kavalu models train --char --seeds 3     # also the spread over 3 seeds (figures only)
    kavalu models train --char --loso --seeds 3
        # leave-one-source-out figures for the character model, per source, language and identity group,
        # with their spread over 3 seeds
    kavalu models train --loso && kavalu models train --char --loso-blend .eval/loso --seeds 3
        # the whole blend out of source: the transformer's own leave-one-source-out predictions
        # (written by the first command, about 5 minutes per English source) and the character model
        # trained without each source
    kavalu models train --feedback feedback.csv --out-dir DIR
        # a copy of the model recalibrated on a publisher's own moderator overrides (`kavalu feedback
        # export`): 70 % of them fit a logistic recalibration of the blended logit, the other 30 % are
        # written to DIR/feedback_holdout.csv and scored before and after
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from workers.scoring.char_model import blend_group, char_ngrams, char_text
from workers.scoring.group_calls import group_call_weight
from workers.scoring.language import (
    LANGUAGE_MODEL_NAME,
    LATIN_LANGUAGES,
    LanguageDetector,
    LatinLanguageModel,
    default_detector,
    language_vectorizer,
)
from workers.scoring.normalise import IDENTITY_TERMS, identity_present
from workers.scoring.swear_words import swear_word_weight
from workers.training import everyday_eval, public_life
from workers.training.inputs import POSITIVE, ArgumentParser, TrainingError, TrainingUsageError, read_labelled_csv

REPO = Path(__file__).resolve().parents[2]
IN_CHECKOUT = (REPO / "pyproject.toml").is_file()
SHARED = REPO.parent / "shared" / "data"
AUTHORED = Path(__file__).resolve().parent / "data" / "hinglish_hindi_kannada_authored.csv"
# Devanagari Hindi and Kannada comments about people and identity groups, a source of its own so that adding it
# leaves the weight of the first authored file's Roman-script rows as it was (each source weighs the same).
AUTHORED_PEOPLE = Path(__file__).resolve().parent / "data" / "hindi_kannada_people_authored.csv"
AUTHORED_PEOPLE_SOURCE = "kavalu-authored-people"
# Hinglish comments about people and identity groups, and everyday comments in Hinglish, Roman Kannada and Kannada
# script (2026-12-05 (l)): no public source has Hinglish, and the public sources' everyday vocabulary is thin in
# the other two, so that everyday words that a few abusive rows happened to use ("thoda", "durastiya") were learnt
# as abuse.
AUTHORED_HINGLISH_PEOPLE = Path(__file__).resolve().parent / "data" / "hinglish_people_authored.csv"
AUTHORED_EVERYDAY = Path(__file__).resolve().parent / "data" / "everyday_authored.csv"
# Threats in Hinglish, Roman Kannada, Hindi and Kannada, and neutral sentences with the same violent verbs (news
# reports, condemnations, sport, cooking) (2026-12-06 (m)): the public sources have few threats in these languages,
# and "jala denge" (will burn) or "mugistivi" (will finish off) were not learnt.
AUTHORED_THREATS = Path(__file__).resolve().parent / "data" / "threats_authored.csv"
# Comments on crime news and everyday numbers in Hindi, Roman Hindi, Kannada and Roman Kannada (2026-12-06 (r)):
# the sources use "चोर", "chor", "ಕಳ್ಳ" (thief) and "नंबर" (number, as in "number one scoundrel") in insults, and
# readers' comments on a theft reached review ("कल चोरी हुई" 0.77).
AUTHORED_NEWS = Path(__file__).resolve().parent / "data" / "news_authored.csv"
# Roman Kannada comments full of the function words that DravidianCodeMix's offensive comments use most ("alla",
# "ella", "ondu", "ninna", "anta"), and insults with the same words (2026-12-07 (v)): "male illa, kere ella khaali,
# ondu hani neeru illa" (no rain, the lakes all empty) reached review.
AUTHORED_ROMAN_KANNADA = Path(__file__).resolve().parent / "data" / "roman_kannada_authored.csv"
# Counter-speech in Hindi, Roman Hindi, Kannada, Roman Kannada and English (2026-12-07 (w)): readers who quote a slur to
# condemn it or ask for its removal, deny a stereotype or defend someone insulted, and the same slurs in earnest. The
# sources never quote a slur except to use it: "someone above wrote 'katua', I reported it" reached rejection.
AUTHORED_COUNTER_SPEECH = Path(__file__).resolve().parent / "data" / "counter_speech_authored.csv"
# data/implicit_hate_authored.csv (2026-12-07 (x)): implicit hate in Hindi, Roman Hindi, Kannada and Roman Kannada beside
# the same groups in neutral words, written for Kavalu but not trained on: it caught implicit hate (8 -> 23 of 48) and
# sent comments on crime news, animals and films to review (HISTORY.md, *Tried on 2026-12-07 (x)*).
AUTHORED_SOURCES = {
    "kavalu-authored": AUTHORED,
    AUTHORED_PEOPLE_SOURCE: AUTHORED_PEOPLE,
    "kavalu-authored-hinglish-people": AUTHORED_HINGLISH_PEOPLE,
    "kavalu-authored-everyday": AUTHORED_EVERYDAY,
    "kavalu-authored-threats": AUTHORED_THREATS,
    "kavalu-authored-news": AUTHORED_NEWS,
    "kavalu-authored-roman-kannada": AUTHORED_ROMAN_KANNADA,
    "kavalu-authored-counter-speech": AUTHORED_COUNTER_SPEECH,
}
# Written apart from the training rows, by other writers, as an evaluation set only: never trained on.
PEOPLE_EVAL = Path(__file__).resolve().parent / "data" / "hindi_kannada_people_eval.csv"
PEOPLE_EVAL_SOURCE = "people-eval"
DEFAULT_OUT = REPO / "workers" / "abuse_model" if IN_CHECKOUT else Path("kavalu-abuse-model")
CHAR_MODEL_NAME = "char_ngram.npz"
BLEND_NAME = "blend.json"
N_FEATURES = 2**20
NGRAMS = (2, 5)
# The blend's language groups: script languages use the character model alone (MiniLM's English
# WordPiece vocabulary turns Devanagari and Kannada into [UNK]); Latin-script ones use all three parts.
# Devanagari and Kannada script each have a blend of their own (one "script" group until 2026-12-05 (i)): fitted
# together, one bias served both, and Devanagari comments about people reached review at twice Kannada's rate.
GROUPS = {
    "en": "en",
    "und": "en",
    "hi-Latn": "roman-hindi",
    "kn-Latn": "roman-kannada",
    "hi": "devanagari",
    "kn": "kannada",
}
SCRIPT_GROUPS = ("devanagari", "kannada")
FEATURES = {
    "en": ["char", "char_max", "bert", "prof"],
    # English comments that name an identity group (workers.scoring.char_model.blend_group)
    "en-identity": ["char", "char_max", "bert"],
    # English comments that read more like Roman Hindi or Kannada to the language model (blend_group)
    "en-code-mixed": ["char", "char_max", "bert", "prof"],
    "roman-hindi": ["char", "char_max", "bert", "prof"],
    "roman-kannada": ["char", "char_max", "bert", "prof"],
    "devanagari": ["char", "char_max"],
    "kannada": ["char", "char_max"],
}
# Groups whose parts are averaged with fixed weights; only the bias is fitted on the calibration split.
# Fitted there, the English weights trusted the character model (char 0.53, char_max 0.18) over
# alt-profanity-check (-0.04): on the calibration split the character model has seen each source's style.
# Out of source it is the weakest of the three parts on English (`--loso-blend`, abuse_model/HISTORY.md), so it has
# 0.3 of the weight, the two parts that carry across English sources 0.7 (until 2026-12-06 (n) 0.5 and 0.5: at
# 0.3, Civil Comments out of source 0.632 -> 0.639, ToxiGen 0.814 -> 0.821, but the Roman Kannada comments that the
# detector takes for English lost the part that reads them, DravidianCodeMix in source 0.810 -> 0.803). English
# comments that the language model finds more likely Roman Hindi or Kannada keep the old weights, "en-code-mixed".
#
# The Roman Hindi/Urdu and Roman Kannada groups ("latn-indic", one group until 2026-12-05 (l): its one bias served
# Roman Urdu tweets, Hinglish and Roman Kannada, and Hinglish rows moved the Kannada bias) share fixed weights,
# near what the one group's free fit gave on 2026-12-05 (char 0.73,
# char_max 0.27, transformer 0.18, profanity -0.06): in-sample the English parts say nothing about Roman Urdu or
# Kannada, so with the same rows split two ways a free fit gave the transformer +0.18 and -0.72 (the bias making up
# the difference), and at -0.72 a code-mixed comment whose insults are English words ("tu pagal hai kya, fucking
# loser") scored 0.00.
#
# "swear" (a swear word of Hindi, Urdu or Kannada: workers.scoring.swear_words) adds SWEAR_WEIGHT in every group,
# fixed too: in-sample the character model already knows the sources' swear words and a fit gives the list little,
# while out of source it is what carries. With RUHSOLD held out (the character model trained without it, the
# transformer never saw it), the blend's ROC-AUC there was 0.709, 0.723, 0.731, 0.735 and 0.737 with a weight of 0
# to 4; on the authored rows held out (the check, not used to choose) 0.836, 0.855, 0.866, 0.871, 0.872. 3 until
# 2026-12-06 (m): with the threat rows the character model weighs swear words less ("gaand" +7.9 -> +5.6 per word)
# and 16 of the list's 124 one-word entries in a plain Hinglish sentence fell below review at 3, none at 4.
SWEAR_WEIGHT = 4.0
# "group_call" (a call to kill, burn, drive out or boycott a community in Hindi or Kannada:
# workers.scoring.group_calls) adds as much, for the same reason: the character model reads its words one by one and
# each of them is also a word of news, so no fit can learn it from the sources (which have 30 such rows).
GROUP_CALL_WEIGHT = SWEAR_WEIGHT
# The features of the word lists, with their fixed weights, in every group.
LIST_WEIGHTS = {"swear": SWEAR_WEIGHT, "group_call": GROUP_CALL_WEIGHT}
ROMAN_WEIGHTS = {"char": 0.7, "char_max": 0.3, "bert": 0.2, "prof": 0.1, **LIST_WEIGHTS}
FIXED_WEIGHTS = {
    "en": {"char": 0.25, "char_max": 0.05, "bert": 0.35, "prof": 0.35, **LIST_WEIGHTS},
    "en-code-mixed": {"char": 0.4, "char_max": 0.1, "bert": 0.25, "prof": 0.25, **LIST_WEIGHTS},
    "roman-hindi": ROMAN_WEIGHTS,
    "roman-kannada": ROMAN_WEIGHTS,
}
# Groups whose bias is fitted together with another group's, each row offset by its own group's weights: the
# code-mixed comments are too few (about 7 % of "en") for a bias of their own, and split off on their own they would
# take with them the Roman Urdu and Kannada comments that pull the English bias up, lowering English recall at
# the review threshold from 0.87 to 0.79 (seed 0's test split).
SHARED_BIAS = {"en-code-mixed": "en"}
# In the fit of "en-identity" (about 550 calibration rows) a (source, class) cell of n rows weighs n / (n + 20) of
# a full one. Without it, the one to six Kannada or Urdu comments that the language detector took for English and
# that named an identity group carried a whole source's weight: the group's bias moved from -1.27 to -0.73 when
# a better detector moved 8 such rows out (abuse_model/HISTORY.md); with it, -1.03 -> -1.01. The larger groups are stable
# without it, and there it would shrink real small cells too (Wikipedia's few abusive rows in "en").
BLEND_CELL_SHRINK = {"en-identity": 20}
# A source with fewer rows than this in a group (comments the language detector took for another language) is left
# out of that group's fit: within the group it would be one class only and carry a whole source's weight. Three
# authored Roman Hindi insults taken for English moved the "en" bias from 0.49 to 0.81 (2026-12-05 (g)).
BLEND_MIN_SOURCE_ROWS = 10
# Sources that weigh more than one ordinary source in the character model: the counterfactual identity
# templates (three times) are what keeps identity terms neutral against thousands of tweets that use them as slurs;
# the comments written for Kavalu and the public-life templates twice.
# The generated English identity templates (identity_training_rows), a training source of their own.
IDENTITY_SOURCE = "identity-templates"
SOURCE_WEIGHT = {IDENTITY_SOURCE: 3.0, public_life.SOURCE: 2.0, **dict.fromkeys(AUTHORED_SOURCES, 2.0)}
# Sources that are all training rows: templates, which the test and calibration splits should not be full of.
TRAINING_ONLY = (public_life.SOURCE,)
# Sources whose rows all weigh the same, classes not balanced: their neutral and abusive frames come in pairs that
# share every word but the insult, and the shared words cancel only if both halves of a pair weigh the same.
UNBALANCED = (public_life.SOURCE,)

# Training templates (neutral -> 0, abusive -> 1). The evaluation templates below use other wording.
TRAIN_NEUTRAL = [
    "{t} people live in my neighbourhood",
    "my colleague is {t} and we work on the same project",
    "the {t} community centre opens at nine",
    "a {t} author won the prize this year",
    "she is {t} and a great teacher",
    "he is {t}, and he coaches the local football team",
    "we interviewed {t} students about the exam results",
    "{t} families came to the festival on sunday",
    "the article is about {t} voters in the election",
    "my best friend is {t}",
    "i am {t} and i agree with this article",
    "as a {t} reader, thanks for this report",
    "there are many {t} doctors in this hospital",
    "being {t} is normal",
    "{t} rights are human rights",
    "the new film has a {t} lead character",
    "{t} teachers marked the exams this week",
    "my cousin is {t} and works at the bank",
    "{t} fans cheered when the team won the match",
    "the mayor met {t} business owners on monday",
    "our {t} neighbours invited us to dinner",
    "{t} athletes won three medals",
    "a {t} nurse looked after my father",
    "the report says {t} workers earn less",
    "i read a book by a {t} historian",
    "{t} voices matter in this debate",
    "he came out as {t} last year and his family supports him",
    "the {t} couple adopted a dog",
]
TRAIN_ABUSIVE = [
    "{t} people are disgusting vermin",
    "shut up you stupid {t} idiot",
    "all {t} people should be killed",
    "get out of our country you filthy {t} scum",
    "i hate {t} people, they are trash",
    "{t} people are worthless animals",
]
EVAL_NEUTRAL = [
    "I was born {t} and I am proud of my family.",
    "Our new neighbours are {t} and very friendly.",
    "The {t} club organised a charity run last weekend.",
    "My doctor is {t}.",
    "Speaking as someone who is {t}, I found this piece useful.",
    "The survey asked {t} residents about bus routes.",
]
EVAL_ABUSIVE = [
    "{t} people are a plague on this country.",
    "I can't stand {t} freaks, go away.",
    "Every {t} person is a moron and a liar.",
    "Somebody should beat up those {t} losers.",
]


def _terms() -> list[tuple[str, str]]:
    return [(group, term) for group, terms in IDENTITY_TERMS.items() for term in terms]


def identity_training_rows() -> list[dict]:
    return _identity_rows(TRAIN_NEUTRAL, TRAIN_ABUSIVE, IDENTITY_SOURCE)


def people_eval_rows() -> list[dict]:
    return read_csv(PEOPLE_EVAL, source=PEOPLE_EVAL_SOURCE)


def identity_eval_rows() -> list[dict]:
    return _identity_rows(EVAL_NEUTRAL, EVAL_ABUSIVE, "identity-eval")


def _identity_rows(neutral, abusive, source: str) -> list[dict]:
    """Every template filled with every identity term: neutral ones labelled 0, abusive ones 1."""
    return [
        _row(template.format(t=term), label, source, "en", group)
        for group, term in _terms()
        for templates, label in ((neutral, 0), (abusive, 1))
        for template in templates
    ]


def _row(text: str, label: int, source: str, lang: str, target: str = "") -> dict:
    return {"text": text, "label": int(label), "source": source, "lang": lang, "target": target}


def read_csv(path: Path, source: str | None = None, lang: str | None = None, name: str | None = None) -> list[dict]:
    """The rows of a CSV text,label[,source,lang,target] with a text; a TrainingError naming the file (`name`) and
    the line for a file that is not UTF-8 CSV with those columns or a label that is not 0 or 1."""

    return [
        _row(
            r["text"],
            r["label"],
            source or r.get("source") or path.stem,
            lang or r.get("lang") or "en",
            r.get("target") or "",
        )
        for r in read_labelled_csv(path, name)
        if r.get("text")
    ]


def authored_rows(authored: dict[str, Path] = AUTHORED_SOURCES) -> dict[str, list[dict]]:
    """The comments written for Kavalu (MODEL_CARD.md), by source."""
    return {name: read_csv(path, source=name) for name, path in authored.items()}


def load_sources(shared: Path, authored: dict[str, Path] = AUTHORED_SOURCES) -> dict[str, list[dict]]:
    """All training sources by name. Roman Urdu rows count as hi-Latn for the language groups."""
    sources: dict[str, list[dict]] = defaultdict(list)
    for r in read_csv(shared / "abuse" / "abuse_train.csv", lang="en"):
        sources[r["source"]].append(r)
    for r in read_csv(shared / "abuse_indic" / "dravidiancodemix_kannada.csv"):
        r["lang"] = {"mixed": "kn", "kn": "kn"}.get(r["lang"], "kn-Latn")
        sources[r["source"]].append(r)
    for r in read_csv(shared / "abuse_indic" / "ruhsold_roman_urdu.csv", lang="hi-Latn"):
        sources[r["source"]].append(r)
    for r in read_csv(shared / "abuse_identity" / "toxigen_prompts.csv", lang="en"):
        sources[r["source"]].append(r)
    sources.update(authored_rows(authored))
    sources[IDENTITY_SOURCE] = identity_training_rows()
    sources[public_life.SOURCE] = public_life.training_rows()
    return dict(sources)


# -- augmentation against obfuscation -----------------------------------------------------------
_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}


def obfuscate(text: str, rng: random.Random) -> str:
    words = text.split()
    if not words:
        return text
    k = rng.randrange(len(words))
    w = words[k]
    kind = rng.randrange(5)
    if kind == 0:
        w = "".join(_LEET.get(c, c) if rng.random() < 0.6 else c for c in w)
    elif kind == 1:
        w = " ".join(w)
    elif kind == 2 and len(w) > 3:
        j = rng.randrange(1, len(w) - 2)
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif kind == 3 and len(w) > 2:
        j = rng.randrange(1, len(w) - 1)
        w = w[:j] + w[j] * rng.randint(3, 6) + w[j + 1 :]
    else:
        w = w[: len(w) // 2] + rng.choice(["*", ".", "-", ""]) + w[len(w) // 2 :]
    words[k] = w
    return " ".join(words)


def augment(rows: list[dict], rng: random.Random, share: float = 0.15) -> list[dict]:
    """Obfuscated copies of a share of the abusive rows (same source, label 1)."""
    out = []
    for r in rows:
        if r["label"] == 1 and rng.random() < share:
            out.append({**r, "text": obfuscate(r["text"], rng)})
    return out


# -- the character model -----------------------------------------------------------------------
def vectorizer():
    return char_ngrams(NGRAMS, N_FEATURES, char_text)


def balanced_weights(rows: list[dict], shrink: int = 0) -> np.ndarray:
    """Each source weighs the same; within a source, each class half (one-class and UNBALANCED sources: each row
    the same). With `shrink`, a (source, class) cell of n rows weighs n / (n + shrink) of that, so that a handful
    of rows cannot carry a whole source's weight; the weights still sum to the number of rows."""

    def cell(r: dict) -> tuple[str, int]:
        return r["source"], -1 if r["source"] in UNBALANCED else r["label"]

    cells = Counter(cell(r) for r in rows)
    classes: dict[str, set] = defaultdict(set)
    for r in rows:
        classes[r["source"]].add(cell(r)[1])
    w = np.asarray([1 / len(classes[r["source"]]) / (cells[cell(r)] + shrink) for r in rows])
    return w * (len(rows) / w.sum()) if len(rows) else w


def char_weights(rows: list[dict]) -> np.ndarray:
    return balanced_weights(rows) * np.asarray([SOURCE_WEIGHT.get(r["source"], 1.0) for r in rows])


def fit_char(rows: list[dict], c: float = 8.0) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    x = vectorizer().transform([r["text"] for r in rows])
    y = np.asarray([r["label"] for r in rows])
    model = LogisticRegression(C=c, solver="liblinear", max_iter=200)
    model.fit(x, y, sample_weight=char_weights(rows))
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


# Rows per source for the language model: enough for character statistics, and the English sources do not
# outweigh the Indian ones by tens of thousands of rows.
LANGUAGE_ROWS_PER_SOURCE = 4000


def fit_language_model(train: list[dict], seed: int) -> LatinLanguageModel:
    """The Latin-script language model (workers.scoring.language) from the training split's stated languages:
    English sources, Roman Urdu (as hi-Latn), the Roman-script DravidianCodeMix rows and the authored rows.
    Each language weighs the same."""
    from sklearn.linear_model import LogisticRegression

    rng = random.Random(seed)
    by_source: dict[str, list[dict]] = defaultdict(list)
    for r in train:
        if r["lang"] in LATIN_LANGUAGES and r["source"] not in (IDENTITY_SOURCE, *TRAINING_ONLY):
            by_source[r["source"]].append(r)
    rows = [r for name in sorted(by_source) for r in _sample(by_source[name], LANGUAGE_ROWS_PER_SOURCE, rng)]
    langs = [r["lang"] for r in rows]
    counts = Counter(langs)
    weights = np.asarray([len(rows) / len(counts) / counts[lang] for lang in langs])
    x = language_vectorizer().transform([r["text"] for r in rows])
    model = LogisticRegression(C=4.0, max_iter=500)
    model.fit(x, langs, sample_weight=weights)
    return LatinLanguageModel(model.coef_.T, model.intercept_, tuple(str(c) for c in model.classes_))


def char_logits(coef: np.ndarray, intercept: float, texts: list[str]) -> np.ndarray:
    return vectorizer().transform(texts) @ coef + intercept


def char_model(coef: np.ndarray, intercept: float):
    from workers.scoring.char_model import CharModel

    return CharModel.from_arrays(coef, intercept, NGRAMS, N_FEATURES)


# -- splits --------------------------------------------------------------------------------------
def split(sources: dict[str, list[dict]], seed: int) -> tuple[list[dict], list[dict], list[dict]]:
    """Each row to train, calibration or test by a hash of the seed, its source and its text: rows added to a
    source never move the rows already there (a shuffle did, and a rare word's only training row could move to
    test), and copies of a text land in the same part."""
    train: list[dict] = []
    cal: list[dict] = []
    test: list[dict] = []
    for name in sorted(sources):
        english = name in ("davidson-twitter", "civil-comments-toxic-spans", "mlma-twitter", "wikipedia-talk-gn")
        fr_cal, fr_test = (0.1, 0.1) if english else (0.0, 0.0) if name in TRAINING_ONLY else (0.2, 0.2)
        for row in sources[name]:
            digest = hashlib.blake2b(f"{seed}:{name}:{row['text']}".encode(), digest_size=8).digest()
            u = int.from_bytes(digest, "big") / 2**64
            (cal if u < fr_cal else test if u < fr_cal + fr_test else train).append(row)
    return train, cal, test


def cap_per_source(rows: list[dict], limit: int, seed: int, max_words: int = 120) -> list[dict]:
    """At most `limit` rows per (source, label) cell, of at most `max_words` words: the transformer is the
    slow part of scoring them (long comments are scored in several 512-token windows)."""
    rng = random.Random(seed)
    cells: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        if len(r["text"].split()) <= max_words:
            cells[(r["source"], r["label"])].append(r)
    out = []
    for key in sorted(cells):
        cell = cells[key]
        out += rng.sample(cell, limit) if len(cell) > limit else cell
    return out


# -- the blend -----------------------------------------------------------------------------------
def _logit(p: Any) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


class PartScorer:
    """The transformer and alt-profanity-check, as the v2 scorer runs them (Latin-script text only)."""

    def __init__(self, threads: int, checkpoint: Path | None = None) -> None:
        from profanity_check import predict_prob

        from workers.scoring.abuse import DetoxifyAbuseScorer

        self.bert = DetoxifyAbuseScorer(checkpoint=checkpoint, precision="fp32", blend=False, num_threads=threads)
        self.prof = predict_prob
        self.cache: dict[str, tuple[float, float]] = {}  # text -> (transformer, profanity) logits, across seeds

    def features(
        self,
        rows: list[dict],
        coef: np.ndarray,
        intercept: float,
        progress: bool = True,
        detector: LanguageDetector | None = None,
    ) -> dict:
        from workers.scoring.normalise import normalise

        texts = [r["text"] for r in rows]
        detector = detector or default_detector()
        langs = detector.detect_all(texts)
        latin = [i for i, lang in enumerate(langs) if GROUPS[lang] not in SCRIPT_GROUPS]
        todo = sorted({texts[i] for i in latin if texts[i] not in self.cache})
        chunk = 128
        for k in tqdm(range(0, len(todo), chunk), desc="transformer", unit="batch", disable=not progress):
            norm = [normalise(t) for t in todo[k : k + chunk]]
            b = _logit([s["toxicity"] for s in self.bert.predict_texts(norm)])
            p = _logit(self.prof(norm))
            self.cache.update(zip(todo[k : k + chunk], zip(b.tolist(), p.tolist())))
        bert = np.zeros(len(rows))
        prof = np.zeros(len(rows))
        for i in latin:
            bert[i], prof[i] = self.cache[texts[i]]
        ident = np.asarray([identity_present(t) for t in texts], dtype=np.float64)
        swear = np.asarray([swear_word_weight(t) for t in texts], dtype=np.float64)
        group_call = np.asarray([group_call_weight(t) for t in texts], dtype=np.float64)
        whole, best = char_model(coef, intercept).logits(texts)
        return {
            "lang": langs,
            "leans_indic": detector.leans_indic(texts, langs),
            "char": np.asarray(whole),
            "char_max": np.asarray(best),
            "bert": bert,
            "prof": prof,
            "id_bert": ident * bert,
            "id_prof": ident * prof,
            "swear": swear,
            "group_call": group_call,
        }


def _groups(rows: list[dict], feats: dict, blends: Any) -> list[str]:
    leans = feats.get("leans_indic") or [False] * len(rows)
    return [blend_group(lang, r["text"], GROUPS, blends, lean) for lang, r, lean in zip(feats["lang"], rows, leans)]


def fit_blend(rows: list[dict], feats: dict) -> dict:
    blend: dict[str, Any] = {}
    chosen = _groups(rows, feats, FEATURES)
    for group, names in FEATURES.items():
        if group in SHARED_BIAS:
            continue  # fitted with the group it shares its bias with
        members = [group, *(g for g, owner in SHARED_BIAS.items() if owner == group)]
        idx = [i for i, g in enumerate(chosen) if g in members]
        per_source = Counter(rows[i]["source"] for i in idx)
        idx = [i for i in idx if per_source[rows[i]["source"]] >= BLEND_MIN_SOURCE_ROWS]
        sub = [rows[i] for i in idx]
        y = np.asarray([r["label"] for r in sub])
        if group in FIXED_WEIGHTS:
            offset = np.asarray([sum(w * feats[n][i] for n, w in FIXED_WEIGHTS[chosen[i]].items()) for i in idx])
            bias = fit_bias(offset, y, balanced_weights(sub, BLEND_CELL_SHRINK.get(group, 0)))
            for member in members:
                fitted_on = sum(1 for i in idx if chosen[i] == member)
                blend[member] = {"weights": dict(FIXED_WEIGHTS[member]), "bias": bias, "fitted_on": fitted_on}
        else:
            x = np.column_stack([feats[n][idx] for n in names])
            lists = sum(w * np.asarray(feats[name])[idx] for name, w in LIST_WEIGHTS.items())
            coef, bias = fit_non_negative(x, y, balanced_weights(sub, BLEND_CELL_SHRINK.get(group, 0)), offset=lists)
            weights = dict(zip(names, (float(w) for w in coef)))
            blend[group] = {"weights": {**weights, **LIST_WEIGHTS}, "bias": bias, "fitted_on": len(idx)}
    return blend


def fit_non_negative(
    x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, c: float = 1.0, offset: np.ndarray | float = 0.0
) -> tuple[np.ndarray, float]:
    """A logistic regression (L2, as scikit-learn's with C=c) whose weights may not be negative: each part's logit is
    evidence of abuse, and a part that reads a comment as more abusive must never lower its score. (A free fit gave
    `latn-indic`'s English parts negative weights, which sank code-mixed comments with English insults; that
    group's weights are now fixed, FIXED_WEIGHTS, and this guards the groups still fitted.)"""
    from scipy.optimize import minimize
    from scipy.special import expit

    k = x.shape[1]

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:k], params[k]
        z = x @ w + b + offset
        p = expit(z)
        value = c * float(np.sum(sample_weight * np.logaddexp(0.0, np.where(y == 1, -z, z)))) + 0.5 * float(w @ w)
        residual = c * sample_weight * (p - y)
        return value, np.concatenate([x.T @ residual + w, [residual.sum()]])

    fitted = minimize(loss, np.zeros(k + 1), jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * k + [(None, None)])
    return fitted.x[:k], float(fitted.x[k])


def fit_bias(z: np.ndarray, y: np.ndarray, sample_weight: np.ndarray) -> float:
    """The b that minimises the weighted log loss of sigmoid(z + b): a logistic regression with z as a fixed offset."""
    from scipy.optimize import minimize_scalar

    def loss(b: float) -> float:
        # log(1 + e^-m) for the right class, written stably
        margin = np.where(y == 1, z + b, -(z + b))
        return float(np.sum(sample_weight * np.logaddexp(0.0, -margin)))

    return float(minimize_scalar(loss, bounds=(-10.0, 10.0), method="bounded").x)


def apply_blend(blend: dict, feats: dict, rows: list[dict]) -> np.ndarray:
    z = np.zeros(len(feats["lang"]))
    for i, group in enumerate(_groups(rows, feats, blend)):
        part = blend[group]
        z[i] = part["bias"] + sum(w * feats[name][i] for name, w in part["weights"].items())
    return 1 / (1 + np.exp(-z))


# -- figures -------------------------------------------------------------------------------------
def auc(labels, scores) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores)) if len(set(labels)) == 2 else float("nan")


# The default policy's toxicity thresholds (config/policy.default.json).
REVIEW, REJECT = 0.5, 0.9


def report(rows: list[dict], probs: np.ndarray, key: str, review: float = REVIEW) -> dict:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups[r[key]].append(i)
    out = {}
    for name, idx in sorted(groups.items()):
        y = [rows[i]["label"] for i in idx]
        p = probs[idx]
        pos = [i for i, label in enumerate(y) if label == 1]
        neg = [i for i, label in enumerate(y) if label == 0]
        out[name] = {
            "n": len(idx),
            "positives": len(pos),
            "auc": round(auc(y, p), 4),
            "recall_at_review": round(float(np.mean(p[pos] >= review)), 4) if pos else None,
            "review_rate_clean": round(float(np.mean(p[neg] >= review)), 4) if neg else None,
        }
    return out


def run_seed(sources, seed: int, parts: PartScorer, log, cal_cap: int, test_cap: int) -> dict:
    started = time.perf_counter()
    train, cal, test = split(sources, seed)
    rng = random.Random(seed)
    train = train + augment(train, rng)
    log(f"seed {seed}: {len(train)} training rows (with obfuscated copies), {len(cal)} calibration, {len(test)} test")
    coef, intercept = fit_char(train)
    language_model = fit_language_model(train, seed)
    detector = LanguageDetector(language_model)
    log(f"seed {seed}: character and language models fitted in {time.perf_counter() - started:.0f}s")
    cal = cap_per_source(cal, cal_cap, seed)
    blend = fit_blend(cal, parts.features(cal, coef, intercept, detector=detector))
    test = (
        cap_per_source(test, test_cap, seed)
        + identity_eval_rows()
        + public_life.eval_rows()
        + everyday_eval.rows()
        + people_eval_rows()
    )
    feats = parts.features(test, coef, intercept, detector=detector)
    probs = apply_blend(blend, feats, test)
    char_only = 1 / (1 + np.exp(-feats["char"]))
    for r, lang in zip(test, feats["lang"]):
        r["detected"] = lang
    ident = [r for r in test if r["source"] == "identity-eval"]
    ident_idx = [i for i, r in enumerate(test) if r["source"] == "identity-eval"]
    public_idx = [i for i, r in enumerate(test) if r["source"] == public_life.EVAL_SOURCE]
    public = [test[i] for i in public_idx]
    everyday_idx = [i for i, r in enumerate(test) if r["source"] == everyday_eval.SOURCE]
    everyday = [test[i] for i in everyday_idx]
    people_idx = [i for i, r in enumerate(test) if r["source"] == PEOPLE_EVAL_SOURCE]
    people = [test[i] for i in people_idx]
    written_eval = ("identity-eval", public_life.EVAL_SOURCE, everyday_eval.SOURCE, PEOPLE_EVAL_SOURCE)
    other_idx = [i for i, r in enumerate(test) if r["source"] not in written_eval]
    others = [test[i] for i in other_idx]
    figures = {
        "seed": seed,
        "by_source": report(others, probs[other_idx], "source"),
        "by_language": report(others, probs[other_idx], "lang"),
        "by_source_char_only": report(others, char_only[other_idx], "source"),
        "language_detection": detection_rates(others),
        "identity": report(ident, probs[ident_idx], "target"),
        "identity_char_only": report(ident, char_only[ident_idx], "target"),
        "public_life": report(public, probs[public_idx], "target"),
        "public_life_by_language": report(public, probs[public_idx], "lang"),
        "everyday": report(everyday, probs[everyday_idx], "lang"),
        "everyday_rejected": report(everyday, probs[everyday_idx], "lang", review=REJECT),
        "people": report(people, probs[people_idx], "lang"),
        "seconds": round(time.perf_counter() - started, 1),
    }
    return {"coef": coef, "intercept": intercept, "language_model": language_model, "blend": blend, "figures": figures}


def detection_rates(rows: list[dict]) -> dict:
    """For each stated language, the share of its rows detected as it (Roman-script DravidianCodeMix rows
    include comments wholly in English, so Roman Kannada cannot reach 1)."""
    stated: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        stated[r["lang"]].append(r["detected"] == r["lang"])
    return {
        lang: {"n": len(hits), "detected": round(sum(hits) / len(hits), 3)} for lang, hits in sorted(stated.items())
    }


def run_loso(sources, seeds: int, log, limit: int = 6000) -> dict:
    """Character model only: train on every source but one (at most `limit` rows of each, for time), score
    at most 1,500 rows per class of the held-out one, per seed. Figures per held-out source, per (source,
    language), per language over all held-out rows (each row scored by the model that never saw its source), and
    on the evaluation templates whose training counterpart was held out: identity groups with `identity-templates`
    out, public life with the public-life templates out. `spread` has each figure's mean and sd over the seeds."""
    runs = []
    for seed in range(seeds):
        rng = random.Random(seed)
        run: dict[str, Any] = {"seed": seed, "by_source": {}, "by_source_language": {}}
        held_rows: list[dict] = []
        held_probs: list[np.ndarray] = []
        for held in tqdm(sorted(sources), desc=f"leave-one-source-out, seed {seed}", unit="source"):
            model = fit_char_without(sources, held, limit, rng, seed)
            rows = cap_per_source(sources[held], 1500, seed)
            p = char_probs(model, rows)
            run["by_source"][held] = report(rows, p, "source")[held]
            run["by_source_language"][held] = report(rows, p, "lang")
            held_rows += rows
            held_probs.append(p)
            if held == IDENTITY_SOURCE:
                written = identity_eval_rows()
                run["identity"] = report(written, char_probs(model, written), "target")
            elif held == public_life.SOURCE:
                written = public_life.eval_rows()
                run["public_life_by_language"] = report(written, char_probs(model, written), "lang")
            log(f"seed {seed}, held out {held}: {run['by_source'][held]}")
        real = [i for i, r in enumerate(held_rows) if r["source"] not in WRITTEN_TEMPLATES]
        run["by_language"] = report([held_rows[i] for i in real], np.concatenate(held_probs)[real], "lang")
        runs.append(run)
    return {"seeds": runs, "spread": spread(runs)}


def char_probs(model: tuple[np.ndarray, float], rows: list[dict]) -> np.ndarray:
    coef, intercept = model
    return 1 / (1 + np.exp(-char_logits(coef, intercept, [r["text"] for r in rows])))


# Generated sentences, not comments: left out of the per-language figures over held-out rows.
WRITTEN_TEMPLATES = (IDENTITY_SOURCE, public_life.SOURCE)


def spread(runs: list[Any]) -> Any:
    """Each number in the runs' figures (the same keys in every run) as [mean, sd] over the runs; None where a run
    has no figure."""
    first = runs[0]
    if isinstance(first, dict):
        keys = [k for k in first if k != "seed"]
        return {k: spread([(r or {}).get(k) for r in runs]) for k in keys}
    values = [v for v in runs if isinstance(v, (int, float)) and not np.isnan(v)]
    if len(values) < len(runs):
        return None
    return [round(float(np.mean(values)), 4), round(float(np.std(values)), 4)]


def run_loso_blend(
    sources, blend: dict, parts: PartScorer, eval_dir: Path, log, limit: int = 6000, seeds: int = 1
) -> dict:
    """The whole blend out of source. For each source: the character model trained on every other source (at
    most `limit` rows of each); the transformer's out-of-source predictions where `kavalu models train --loso`
    wrote them (eval_dir/SOURCE.jsonl: the four English sources it is trained on), else the shipped
    transformer, which never saw that source; alt-profanity-check; and `blend` (the shipped blend.json's) on
    top. Figures for the blend and for each part alone, per seed (the character model's samples and the scored
    rows of the sources without predictions vary; the transformer's predictions do not), and their spread."""
    runs = []
    for seed in range(seeds):
        rng = random.Random(seed)
        run: dict[str, Any] = {"seed": seed}
        for held in tqdm(sorted(sources), desc=f"blend out of source, seed {seed}", unit="source"):
            predictions = eval_dir / f"{held}.jsonl"
            loso_bert = None
            if predictions.is_file():
                records = [json.loads(line) for line in predictions.read_text(encoding="utf-8").splitlines()]
                rows = [_row(r["text"], int(r["label"]), held, "en") for r in records]
                loso_bert = _logit([r["bert"] for r in records])
            else:
                rows = cap_per_source(sources[held], 1500, seed)
            coef, intercept = fit_char_without(sources, held, limit, rng, seed)
            feats = parts.features(rows, coef, intercept, progress=False)
            if loso_bert is not None:
                latin = np.asarray([GROUPS[lang] not in SCRIPT_GROUPS for lang in feats["lang"]])
                feats["bert"] = np.where(latin, loso_bert, 0.0)
            figures = {"blend": report(rows, apply_blend(blend, feats, rows), "source")[held]}
            for part in ("char", "bert", "prof"):
                figures[f"{part}_alone_auc"] = round(auc([r["label"] for r in rows], feats[part]), 4)
            if loso_bert is not None:
                figures["transformer"] = "out of source (--loso)"
            elif held == IDENTITY_SOURCE:  # stage 2 of the shipped transformer trains on them
                figures["transformer"] = "shipped (tuned on it)"
            else:
                figures["transformer"] = "shipped (never saw it)"
            run[held] = figures
            log(f"seed {seed}, held out {held}: {figures}")
        runs.append(run)
    return {"seeds": runs, "spread": spread(runs)}


def fit_char_without(sources, held: str, limit: int, rng: random.Random, seed: int = 0) -> tuple[np.ndarray, float]:
    """The character model trained on every source but `held`, at most `limit` rows of each (for time)."""
    train = [r for name, rows in sources.items() if name != held for r in _sample(rows, limit, rng)]
    return fit_char(train + augment(train, random.Random(seed)))


def _sample(rows: list[dict], limit: int, rng: random.Random) -> list[dict]:
    return rng.sample(rows, limit) if len(rows) > limit else rows


def save(result: dict, out_dir: Path, meta: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out_dir / CHAR_MODEL_NAME,
        coef=result["coef"].astype(np.float16),
        intercept=np.float32(result["intercept"]),
        n_features=np.int64(N_FEATURES),
        ngram_min=np.int64(NGRAMS[0]),
        ngram_max=np.int64(NGRAMS[1]),
    )
    result["language_model"].save(out_dir / LANGUAGE_MODEL_NAME)
    blend = {
        "version": 2,
        "char_model": CHAR_MODEL_NAME,
        "language_model": LANGUAGE_MODEL_NAME,
        "groups": GROUPS,
        "blend": result["blend"],
        **meta,
    }
    (out_dir / BLEND_NAME).write_text(json.dumps(blend, indent=2) + "\n")


def feedback(args, log) -> int:
    """Recalibrate the shipped (or --model-dir) v2 model on a feedback export; see the module docstring."""
    import shutil

    from sklearn.linear_model import LogisticRegression

    from workers.scoring.abuse import DEFAULT_CHECKPOINT, DetoxifyAbuseScorer

    src = Path(args.model_dir) if args.model_dir else DEFAULT_CHECKPOINT.parent
    if not (src / DEFAULT_CHECKPOINT.name).is_file():
        what = "no such directory" if not src.is_dir() else f"no {DEFAULT_CHECKPOINT.name} in it"
        raise TrainingUsageError(f"argument --model-dir: {src}: {what}")
    out = Path(args.out_dir) if args.out_dir != DEFAULT_OUT else Path("kavalu-abuse-model-feedback")
    if out.resolve() == src.resolve():
        raise TrainingUsageError(
            "argument --out-dir: must differ from the model directory: the recalibrated model is a copy"
        )
    if out.exists() and not out.is_dir():
        raise TrainingUsageError(f"argument --out-dir: {out} is not a directory")
    rows = read_csv(args.feedback, source="moderator", name=f"--feedback {args.feedback}")
    if len({r["label"] for r in rows}) < 2 or len(rows) < 20:
        raise TrainingError(
            f"--feedback {args.feedback}: need at least 20 rows with both labels (0 and 1); got {len(rows)}"
        )
    rng = random.Random(args.feedback_seed)
    fit: list[dict] = []
    held: list[dict] = []
    for label in (0, 1):
        cell = [r for r in rows if r["label"] == label]
        rng.shuffle(cell)
        k = max(1, round(len(cell) * 0.3))
        held += cell[:k]
        fit += cell[k:]
    scorer = DetoxifyAbuseScorer(checkpoint=src / DEFAULT_CHECKPOINT.name, precision="fp32")
    if scorer.blend_v2 is None:
        raise TrainingError(f"{src}: not a v2 model (blend.json without version 2)")

    def logits(part: list[dict]) -> np.ndarray:
        return _logit([s["toxicity"] for s in scorer.score_texts([r["text"] for r in part])])

    model = LogisticRegression(C=1.0)
    model.fit(logits(fit).reshape(-1, 1), [r["label"] for r in fit], sample_weight=balanced_weights(fit))
    scale, shift = float(model.coef_[0][0]), float(model.intercept_[0])
    cfg = dict(scorer.blend_v2)
    old = cfg.get("recalibration") or {"scale": 1.0, "shift": 0.0}
    # Compose with an earlier recalibration: the scorer applies one scale and shift to the blended logit.
    cfg["recalibration"] = {
        "scale": scale * old["scale"],
        "shift": scale * old["shift"] + shift,
        "fitted_on": len(fit),
        "feedback": str(args.feedback),
    }
    out.mkdir(parents=True, exist_ok=True)
    for item in src.iterdir():
        if item.name in ("blend.json", "loso") or item.name.startswith("feedback_holdout"):
            continue
        target = out / item.name
        if item.is_dir():
            shutil.copytree(item, target, dirs_exist_ok=True)
        else:
            shutil.copy2(item, target)
    (out / BLEND_NAME).write_text(json.dumps(cfg, indent=2) + "\n")
    with open(out / "feedback_holdout.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "source"])
        writer.writerows([r["text"], r["label"], "moderator"] for r in held)
    z = logits(held)
    before = 1 / (1 + np.exp(-z))
    after = 1 / (1 + np.exp(-(scale * z + shift)))
    for r, lang in zip(held, (scorer._v2([r["text"] for r in held], None)[1])):
        r["lang"] = lang
    figures = {"before": report(held, before, "source"), "after": report(held, after, "source")}
    log(f"recalibrated on {len(fit)} rows (scale {scale:.3f}, shift {shift:.3f}); {len(held)} held out")
    for name in ("before", "after"):
        m = figures[name]["moderator"]
        log(
            f"  {name:<6} held-out AUC {m['auc']}  recall at 0.5 {m['recall_at_review']}  "
            f"clean sent to review {m['review_rate_clean']}"
        )
    log(
        f"model written to {out}; compare with `kavalu eval abuse {out / 'feedback_holdout.csv'} --scorer default "
        f"--scorer checkpoint:{out / DEFAULT_CHECKPOINT.name}`; use it with KAVALU_ABUSE_CHECKPOINT="
        f"{out / DEFAULT_CHECKPOINT.name}"
    )
    print(json.dumps(figures, indent=1))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = ArgumentParser(prog="kavalu models train --char", description=__doc__.split("\n\n")[0])
    p.add_argument("--shared", type=Path, default=SHARED, help="folder with abuse/, abuse_indic/, abuse_identity/")
    p.add_argument(
        "--authored",
        action="append",
        default=[],
        metavar="SOURCE=CSV",
        help=f"another file for one of the written sources ({', '.join(AUTHORED_SOURCES)}); repeatable",
    )
    p.add_argument("--out-dir", type=Path, default=DEFAULT_OUT)
    p.add_argument(
        "--seeds",
        type=POSITIVE,
        default=1,
        help="seeds to run; the first one's model is saved (with --loso: figures only)",
    )
    p.add_argument("--loso", action="store_true", help="leave-one-source-out figures instead (saves nothing)")
    p.add_argument("--loso-limit", type=POSITIVE, default=6000, help="with --loso: training rows per source")
    p.add_argument(
        "--loso-blend",
        type=Path,
        default=None,
        metavar="DIR",
        help="figures of the --out-dir blend out of source instead (saves nothing); DIR holds the transformer's "
        "leave-one-source-out predictions, written by `kavalu models train --loso` (.eval/loso in a checkout)",
    )
    p.add_argument("--figures", type=Path, default=None, help="write the figures as JSON here")
    p.add_argument("--cal-cap", type=POSITIVE, default=300, help="calibration rows per (source, label)")
    p.add_argument("--test-cap", type=POSITIVE, default=250, help="test rows per (source, label)")
    p.add_argument("--threads", type=POSITIVE, default=2)
    p.add_argument("--char", action="store_true", help="(accepted for `kavalu models train --char`)")
    p.add_argument("--feedback", type=Path, default=None, help="recalibrate on this feedback export instead")
    p.add_argument("--model-dir", default=None, help="with --feedback: the model to start from (default: shipped)")
    p.add_argument("--feedback-seed", type=int, default=0)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def log(msg: str) -> None:
        tqdm.write(msg, file=sys.stderr)

    if args.feedback:
        return feedback(args, log)
    authored = dict(AUTHORED_SOURCES)
    for given in args.authored:
        name, _, path = given.partition("=")
        if name not in AUTHORED_SOURCES or not Path(path).is_file():
            log(f"--authored {given}: give SOURCE=CSV, SOURCE one of {', '.join(AUTHORED_SOURCES)}, CSV a file")
            return 2
        authored[name] = Path(path)
    for needed in ("abuse/abuse_train.csv", "abuse_indic/dravidiancodemix_kannada.csv"):
        if not (args.shared / needed).is_file():
            log(
                f"missing {args.shared / needed}: give --shared DIR (the folder with abuse/, abuse_indic/, abuse_identity/)"
            )
            return 2
    started = time.perf_counter()
    sources = load_sources(args.shared, authored)
    log("sources: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(sources.items())))
    if args.loso:
        figures: Any = run_loso(sources, args.seeds, log, args.loso_limit)
    elif args.loso_blend:
        blend = json.loads((args.out_dir / BLEND_NAME).read_text(encoding="utf-8"))["blend"]
        own = args.out_dir / "kavalu-minilm-abuse.ckpt"
        parts = PartScorer(args.threads, own if own.is_file() else None)
        figures = run_loso_blend(sources, blend, parts, args.loso_blend, log, args.loso_limit, args.seeds)
    else:
        # The transformer in --out-dir if one is there (a full `kavalu models train`), else the shipped one.
        own = args.out_dir / "kavalu-minilm-abuse.ckpt"
        parts = PartScorer(args.threads, own if own.is_file() else None)
        figures = []
        for seed in range(args.seeds):
            run = run_seed(sources, seed, parts, log, args.cal_cap, args.test_cap)
            figures.append(run["figures"])
            if seed == 0:  # the shipped model; further seeds only measure the spread
                total = round(time.perf_counter() - started, 1)
                save(run, args.out_dir, {"train_seconds": total, "figures": figures[0]})
                log(f"saved {args.out_dir / CHAR_MODEL_NAME} and {args.out_dir / BLEND_NAME} in {total}s")
            if args.figures:
                args.figures.parent.mkdir(parents=True, exist_ok=True)
                args.figures.write_text(json.dumps(figures, indent=1) + "\n")
    text = json.dumps(figures, indent=1)
    if args.figures:
        args.figures.parent.mkdir(parents=True, exist_ok=True)
        args.figures.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except TrainingError as failure:
        sys.exit(f"error: {failure}")
