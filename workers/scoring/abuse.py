"""Abuse scores through the real `detoxify` library, offline.

The model is either Kavalu's shipped default (workers/abuse_model/), a local
Detoxify-format checkpoint with its Hugging Face config directory, or an official
Detoxify model type that `kavalu models pull` has put into a local model directory.
Loading never touches the network: HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE are set, and
the checkpoint's `model_type` (which Detoxify hands to `from_pretrained`, see
detoxify PR #126) is pointed at the local config directory before Detoxify sees it.

Scoring:
* texts are tokenised once, split into windows of the model's own maximum length
  (512 tokens or the tokenizer's `model_max_length`, whichever is smaller), and the
  score of a text is the max over its windows;
* windows are scored in length-sorted micro-batches of at most `batch_size` windows and
  `batch_tokens` padded tokens, so padding stays small and short comments go many to a
  batch, and results are put back in input order;
* scores are clipped to [0, 1];
* `precision`: "fp32" is exact and batch-independent; "bf16" is autocast (fast with AMX or
  AVX-512 BF16, several times slower without); "int8" is Linear layers with int8 weights and
  activations quantised per token (workers/scoring/int8.py: fast with AVX-512 VNNI, about 30x
  slower than fp32 where torch has no int8 kernel, e.g. AVX2-only CPUs). "auto" (default) decides
  by measurement when the model loads: it times each precision on fixed probe texts and keeps the
  fastest whose scores stay within AUTO_TOLERANCE of fp32's (`precision_probe` keeps the
  timings). Figures in workers/abuse_model/MODEL_CARD.md.
* `score_and_embed` also returns, from the same forward pass, each text's mean-pooled,
  L2-normalised hidden state after layer EMBEDDING_LAYER (averaged over its windows). The
  defamation scorer's semantic head reads it, so a comment costs one transformer pass, not two.

The shipped default also blends in alt-profanity-check, when `blend.json` sits next
to the checkpoint: toxicity = sigmoid(a*logit(model) + b*logit(profanity) + c),
with a, b, c fitted on leave-one-source-out predictions only (see MODEL_CARD.md).
Only `toxicity` is blended; other categories come from the model unchanged.

v2 (blend.json with "version": 2, the shipped default since 2026-12-03): a character n-gram model
(CharModel, char_ngram.npz) scores every language; the comment's language (workers/scoring/language.py)
picks a blend, fitted on held-out predictions: Devanagari and Kannada script use the character model
alone (MiniLM's English WordPiece vocabulary turns them into [UNK]); Latin-script text blends it with the
transformer and alt-profanity-check, which all see the normalised text (workers/scoring/normalise.py,
against leetspeak, spaced-out letters and the like); for English the blend also knows whether the comment
names an identity group. score_batch / score_results also return the detected language and evidence spans:
the words whose character n-grams push the score up most, for comments at or above SPAN_THRESHOLD.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from service.config import force_offline_models
from service.scoring.jobs import ScoreResult, ScoringInput, Span
from workers.scoring.char_model import CharModel, blend_group
from workers.scoring.group_calls import group_call_spans
from workers.scoring.language import LanguageDetector, detector_for
from workers.scoring.swear_words import swear_word_spans

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "abuse_model"
DEFAULT_CHECKPOINT = DEFAULT_MODEL_DIR / "kavalu-minilm-abuse.ckpt"
OFFICIAL_MODEL_TYPES = ("original", "unbiased", "multilingual", "original-small", "unbiased-small")
# What a decision may use; official models also return identity columns (male, muslim, ...)
# that are not moderation categories.
CATEGORIES = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack", "sexual_explicit")
MODEL_METADATA = "kavalu-model.json"
PRECISIONS = ("auto", "fp32", "bf16", "int8")
# "auto" keeps a faster precision only if no probe text's score moves by more than this from fp32's.
AUTO_TOLERANCE = 0.02
# A precision whose first probe run is this many times slower than fp32's first is not timed further:
# on a CPU without a kernel for it, one run already says so, and more would slow the worker's start.
AUTO_GIVE_UP_RATIO = 2.0
# The precisions still in the running then take turns for this many timed rounds and keep their fastest, so that a
# burst of other work on the host slows them alike (one after the other, a 2-core Xeon with AMX once timed bf16
# as fast as fp32 and kept fp32, at 207 comments/s where bf16 scores 338).
AUTO_ROUNDS = 3
# Each timed round scores the probe texts this many times over, nearer a worker's batch of 32: on 8 texts bf16's
# casts hide most of its gain (AMX: 26 ms against fp32's 31; on 32 texts 64 against 95).
AUTO_ROUND_REPEAT = 2
# Fixed probe texts for "auto": short and long, English, Hinglish and Kannada, civil and abusive.
PROBE_TEXTS = (
    "Good to see the talks moving.",
    "You are an idiot and a liar, nobody wants your garbage opinions here.",
    "tu ekdum bakwas karta hai, chup baith",
    "ಈ ಸುದ್ದಿ ತುಂಬಾ ಚೆನ್ನಾಗಿದೆ, ಧನ್ಯವಾದಗಳು",
    "The council should publish the budget before the vote, not after it, so residents can read it.",
    "What a stupid article. The writer clearly knows nothing about farming or the people who do it.",
    "Thanks for the update on the metro line; the new timings will help a lot of commuters in the city. " * 3,
    "shut up you moron",
)
# Evidence spans are computed for comments scoring at least this (the default review threshold).
SPAN_THRESHOLD = 0.5
# The layer whose mean-pooled output the defamation scorer's semantic head reads (see score_and_embed).
# Its input is not moved by a tuning file (TUNING_NAME), which holds only the layers above it.
EMBEDDING_LAYER = 4
# Beside a checkpoint: the stage-2 tuning of its top layers (workers/training/abuse.py), loaded over it.
TUNING_NAME = "transformer_tuning.npz"

logger = logging.getLogger(__name__)


class AbuseModelError(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def choose_precision(
    seconds: Mapping[str, float], differences: Mapping[str, float], tolerance: float = AUTO_TOLERANCE
) -> str:
    """The fastest measured precision whose scores stay within `tolerance` of fp32's; fp32 on a tie."""
    agreeing = {p: s for p, s in seconds.items() if p == "fp32" or differences.get(p, math.inf) <= tolerance}
    return min(agreeing, key=lambda p: (agreeing[p], p != "fp32"))


def _timed(function, texts: list[str]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function(texts)
    return time.perf_counter() - started, result


def apply_tuning(model, path: Path) -> None:
    """Load a stage-2 tuning (workers/training/abuse.py: the top layers, pooler and classifier, fp16) over a model."""
    import numpy as np
    import torch

    with np.load(path) as data:
        tuned = {name: torch.from_numpy(data[name].astype(np.float32)) for name in data.files}
    state = model.state_dict()
    wrong = sorted(n for n, t in tuned.items() if n not in state or state[n].shape != t.shape)
    if wrong:
        raise AbuseModelError(f"{path} does not fit the checkpoint beside it: {', '.join(wrong[:3])}")
    model.load_state_dict(tuned, strict=False)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def resolve_official(model_type: str, model_dir: str | os.PathLike) -> tuple[Path, Path, str | None]:
    """(checkpoint, hf config dir, sha256) of an official model pulled into model_dir."""
    base = Path(model_dir)
    for candidate in (base / model_type, base):
        meta_path = candidate / MODEL_METADATA
        if meta_path.is_file():
            pull_again = f"run `kavalu models pull {model_type} --dest {base}` again"
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:  # ValueError: JSONDecodeError, UnicodeDecodeError
                raise AbuseModelError(f"{meta_path} is not readable JSON ({error}); {pull_again}") from error
            if not isinstance(meta, dict):
                raise AbuseModelError(f"{meta_path} is not a JSON object; {pull_again}")
            if meta.get("model_type") == model_type:
                names = {key: meta.get(key) for key in ("checkpoint", "config_dir")}
                wrong = [key for key, name in names.items() if not isinstance(name, str) or not name]
                if wrong:
                    raise AbuseModelError(f"{meta_path} names no {' or '.join(map(repr, wrong))}; {pull_again}")
                sha = meta.get("sha256")
                return (
                    candidate / str(names["checkpoint"]),
                    candidate / str(names["config_dir"]),
                    sha if isinstance(sha, str) and sha else None,
                )
    raise AbuseModelError(
        f"Detoxify model {model_type!r} is not in {base}; run `kavalu models pull {model_type} --dest {base}` "
        "on a machine with internet access (e.g. while building the image)."
    )


class DetoxifyAbuseScorer:
    """Scores abuse categories with a Detoxify model loaded once, offline."""

    name = "detoxify"

    def __init__(
        self,
        model_type: str | None = None,
        checkpoint: str | os.PathLike | None = None,
        config_dir: str | os.PathLike | None = None,
        model_dir: str | os.PathLike | None = None,
        batch_size: int = 32,
        batch_tokens: int | None = 384,
        num_threads: int | None = None,
        max_length: int | None = None,
        precision: str | None = None,
        blend: bool = True,
    ) -> None:
        import torch

        if num_threads:
            torch.set_num_threads(int(num_threads))
        self.batch_size = max(1, int(batch_size))
        self.batch_tokens = int(batch_tokens) if batch_tokens else None
        sha = None
        if checkpoint is not None:
            ckpt_path = Path(checkpoint)
            cfg_dir = Path(config_dir) if config_dir else ckpt_path.parent / "hf_config"
            label = ckpt_path.stem
        elif model_type and model_type != "default":
            if model_type not in OFFICIAL_MODEL_TYPES:
                raise AbuseModelError(f"unknown Detoxify model type {model_type!r}; one of {OFFICIAL_MODEL_TYPES}")
            if not model_dir:
                raise AbuseModelError(f"model type {model_type!r} needs a local model directory (KAVALU_MODEL_DIR)")
            ckpt_path, cfg_dir, sha = resolve_official(model_type, model_dir)
            label = f"detoxify-{model_type}"
        else:
            ckpt_path = DEFAULT_CHECKPOINT
            cfg_dir = Path(config_dir) if config_dir else DEFAULT_MODEL_DIR / "hf_config"
            label = ckpt_path.stem
        if not ckpt_path.is_file():
            raise AbuseModelError(f"checkpoint not found: {ckpt_path}")
        if not (cfg_dir / "config.json").is_file():
            raise AbuseModelError(f"Hugging Face config directory not found or incomplete: {cfg_dir}")
        self.checkpoint_path = ckpt_path
        self.config_dir = cfg_dir
        sha = sha or _sha256(ckpt_path)
        self.checkpoint_sha = sha

        self.detoxify = self.load_detoxify(ckpt_path, cfg_dir)
        model = self.detoxify.model
        # Checkpoints may be stored in fp16; CPU inference is fast and exact only in fp32.
        model.float().eval()
        tuning_path = ckpt_path.parent / TUNING_NAME
        self.tuning_sha = _sha256(tuning_path) if tuning_path.is_file() else None
        if self.tuning_sha:
            apply_tuning(model, tuning_path)
        precision = precision or "auto"
        if precision not in PRECISIONS:
            raise AbuseModelError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
        self.precision = "fp32"
        self.model = model
        self.embedding_layer = min(EMBEDDING_LAYER, int(getattr(model.config, "num_hidden_layers", EMBEDDING_LAYER)))
        self.tokenizer = self.detoxify.tokenizer
        self.class_names = list(self.detoxify.class_names)
        limits = [512, int(getattr(self.tokenizer, "model_max_length", 512) or 512)]
        max_pos = getattr(model.config, "max_position_embeddings", None)
        if max_pos:
            # RoBERTa-style models reserve padding_idx + 1 positions.
            offset = 2 if getattr(model.config, "model_type", "") in ("roberta", "xlm-roberta") else 0
            limits.append(int(max_pos) - offset)
        if max_length:
            limits.append(int(max_length))
        self.max_length = min(limits)
        self._prefix, self._suffix = self._special_tokens()
        self.window = self.max_length - len(self._prefix) - len(self._suffix)
        if self.window < 8:
            raise AbuseModelError(f"model max length {self.max_length} is too small")

        self.precision_probe: dict[str, Any] = {}
        if precision == "auto":
            precision = self._measure_precisions()
        elif precision == "int8":
            from workers.scoring.int8 import quantise_linear_layers

            quantise_linear_layers(self.model)  # after Detoxify has loaded it; see workers/scoring/int8.py
        self.precision = precision

        self.blend = None
        self.blend_v2: dict[str, Any] | None = None
        self.char: CharModel | None = None
        self.language = LanguageDetector()
        blend_path = ckpt_path.parent / "blend.json"
        blend_suffix = ""
        if blend and blend_path.is_file() and "toxicity" in self.class_names:
            cfg = json.loads(blend_path.read_text())
            from profanity_check import predict_prob

            self._profanity = predict_prob
            if cfg.get("version") == 2:
                char_path = ckpt_path.parent / cfg["char_model"]
                self.char = CharModel(char_path)
                named = cfg.get("language_model")
                self.language = detector_for(ckpt_path.parent / named if named else None)
                self.blend_v2 = cfg
                parts = hashlib.sha256((_sha256(char_path) + _sha256(blend_path)).encode()).hexdigest()
                blend_suffix = f"+char-blend-v2@{parts[:8]}"
                blend_suffix += "+recalibrated" if cfg.get("recalibration") else ""
            else:
                self.blend = (cfg["bert_weight"], cfg["profanity_weight"], cfg["bias"])
                blend_suffix = "+profanity-blend"
        suffix = f"+tuned@{self.tuning_sha[:8]}" if self.tuning_sha else ""
        suffix += "" if precision == "fp32" else f"+{precision}"
        suffix += blend_suffix
        self.model_version = f"{label}@{sha[:12]}{suffix}"

    @staticmethod
    def load_detoxify(ckpt_path: Path, cfg_dir: Path):
        import torch

        force_offline_models()
        from detoxify import Detoxify

        loaded = torch.load(ckpt_path, map_location="cpu", weights_only=False)
        if "config" not in loaded or "state_dict" not in loaded:
            raise AbuseModelError(f"{ckpt_path} is not a Detoxify checkpoint (needs config and state_dict)")
        args = loaded["config"]["arch"]["args"]
        num_classes = int(args.get("num_classes", len(loaded["config"]["dataset"]["args"]["classes"])))
        hf_cfg = json.loads((cfg_dir / "config.json").read_text())
        hf_labels = len(hf_cfg.get("id2label") or {}) or int(hf_cfg.get("num_labels", 2))
        if hf_labels != num_classes:
            raise AbuseModelError(
                f"{cfg_dir}/config.json has {hf_labels} labels but the checkpoint has {num_classes} classes"
            )
        # Detoxify calls from_pretrained(model_type) even when given a config path; a hub id
        # there means a download. Point it at the local directory instead.
        args["model_type"] = str(cfg_dir)
        buffer = io.BytesIO()
        torch.save(loaded, buffer)
        del loaded
        buffer.seek(0)
        return Detoxify(checkpoint=buffer, device="cpu", huggingface_config_path=str(cfg_dir))

    def _special_tokens(self) -> tuple[list[int], list[int]]:
        """The ids the tokenizer puts before and after a single sequence ([CLS] .. [SEP], <s> .. </s>)."""
        probe = "hello"
        bare = self.tokenizer(probe, add_special_tokens=False)["input_ids"]
        full = self.tokenizer(probe, add_special_tokens=True)["input_ids"]
        for start in range(len(full) - len(bare) + 1):
            if full[start : start + len(bare)] == bare:
                return list(full[:start]), list(full[start + len(bare) :])
        raise AbuseModelError("cannot tell how the tokenizer adds special tokens")

    def _measure_precisions(self) -> str:
        """Time fp32, bf16 and int8 on PROBE_TEXTS, keep the fastest that agrees with fp32, and leave
        self.model in that precision. The timings, in seconds per probe text (of the fastest timed round where
        there were rounds, otherwise of the first run), and the differences stay in `precision_probe`."""
        import copy

        from workers.scoring.int8 import quantise_linear_layers

        texts = list(PROBE_TEXTS)
        fp32_model = self.model
        candidates = {"fp32": fp32_model, "bf16": fp32_model}
        try:
            int8_model = copy.deepcopy(fp32_model)
            quantise_linear_layers(int8_model)
            candidates["int8"] = int8_model
        except Exception as error:  # a torch build without int8 matmul: not a candidate
            logger.info("int8 is not available here", extra={"error": type(error).__name__})
        seconds: dict[str, float] = {}
        differences: dict[str, float] = {}
        reference: list[float] = []
        for name, model in candidates.items():  # fp32 first: the reference for the others' scores and time
            self.precision, self.model = name, model
            elapsed, scores = _timed(self.predict_texts, texts)
            seconds[name] = elapsed / len(texts)
            if name == "fp32":
                reference = [s[self.class_names[0]] for s in scores]
            else:
                differences[name] = max(abs(s[self.class_names[0]] - r) for s, r in zip(scores, reference))
        contenders = [
            name
            for name in candidates
            if name == "fp32"
            or (seconds[name] <= AUTO_GIVE_UP_RATIO * seconds["fp32"] and differences[name] <= AUTO_TOLERANCE)
        ]
        if len(contenders) > 1:
            rounds: dict[str, list[float]] = {name: [] for name in contenders}
            for _ in range(AUTO_ROUNDS):
                for name in contenders:
                    self.precision, self.model = name, candidates[name]
                    elapsed = _timed(self.predict_texts, texts * AUTO_ROUND_REPEAT)[0]
                    rounds[name].append(elapsed / (len(texts) * AUTO_ROUND_REPEAT))
            seconds.update({name: min(times) for name, times in rounds.items()})
        chosen = choose_precision({name: seconds[name] for name in contenders}, differences)
        self.model = candidates[chosen]
        self.precision_probe = {
            "chosen": chosen,
            "seconds_per_text": {name: round(value, 6) for name, value in seconds.items()},
            "max_difference": {name: round(value, 4) for name, value in differences.items() if name != "fp32"},
            "tolerance": AUTO_TOLERANCE,
        }
        logger.info("abuse model precision chosen by measurement", extra={"precision_probe": self.precision_probe})
        return chosen

    # -- scoring -----------------------------------------------------------------
    def windows(self, text: str) -> list[list[int]]:
        """Token-id windows of at most max_length tokens (special tokens included)."""
        ids = self.tokenizer(text, add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
        if not ids:
            return [self._prefix + self._suffix]
        stride = max(1, self.window - min(32, self.window // 4))  # windows overlap a little
        out = []
        start = 0
        while True:
            out.append(self._prefix + ids[start : start + self.window] + self._suffix)
            if start + self.window >= len(ids):
                break
            start += stride
        return out

    @property
    def embedding_space(self) -> str:
        """Names the vectors score_and_embed returns: same checkpoint and layer, same space."""
        return f"{self.checkpoint_sha[:12]}:hidden{self.embedding_layer}"

    def predict_texts(self, texts: list[str]) -> list[dict[str, float]]:
        """Raw model probabilities per class (max over windows), in input order."""
        return self._forward(texts, embed=False)[0]

    def _forward(self, texts: list[str], embed: bool) -> tuple[list[dict[str, float]], list[list[float]] | None]:
        import torch

        chunks: list[tuple[int, list[int]]] = []
        for i, text in enumerate(texts):
            chunks.extend((i, w) for w in self.windows(text or ""))
        order = sorted(range(len(chunks)), key=lambda k: len(chunks[k][1]))
        best = [[0.0] * len(self.class_names) for _ in texts]
        pooled_sum = torch.zeros((len(texts), self.model.config.hidden_size if embed else 0))
        window_count = [0] * len(texts)
        pad = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for batch in self._micro_batches([chunks[k] for k in order]):
                longest = max(len(w) for _, w in batch)
                ids = torch.full((len(batch), longest), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), longest), dtype=torch.long)
                for row, (_, w) in enumerate(batch):
                    ids[row, : len(w)] = torch.tensor(w, dtype=torch.long)
                    mask[row, : len(w)] = 1
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
                    output = self.model(input_ids=ids, attention_mask=mask, output_hidden_states=embed)
                probs = torch.sigmoid(output[0].float()).tolist()
                for (i, _), p in zip(batch, probs):
                    best[i] = [max(a, b) for a, b in zip(best[i], p)]
                if embed:
                    hidden = output.hidden_states[self.embedding_layer].float()
                    weights = mask.unsqueeze(-1).float()
                    pooled = torch.nn.functional.normalize((hidden * weights).sum(1) / weights.sum(1), dim=1)
                    for row, (i, _) in enumerate(batch):
                        pooled_sum[i] += pooled[row]
                        window_count[i] += 1
        scores = [dict(zip(self.class_names, row)) for row in best]
        if not embed:
            return scores, None
        means = pooled_sum / torch.tensor(window_count, dtype=torch.float32).clamp(min=1).unsqueeze(1)
        return scores, torch.nn.functional.normalize(means, dim=1).tolist()

    def _micro_batches(self, windows: list[tuple[int, list[int]]]):
        """Consecutive runs of the length-sorted windows: at most batch_size windows, and at most
        batch_tokens tokens once padded to the longest (so short comments go many to a batch and
        long ones few; small matrices stay in cache on CPU)."""
        batch: list[tuple[int, list[int]]] = []
        for window in windows:  # sorted by length, so the window being added is the longest
            full = len(batch) == self.batch_size or (
                self.batch_tokens and (len(batch) + 1) * len(window[1]) > self.batch_tokens
            )
            if batch and full:
                yield batch
                batch = []
            batch.append(window)
        if batch:
            yield batch

    def score_texts(self, texts: list[str]) -> list[dict[str, float]]:
        return self._scores(texts, embed=False)[0]

    def score_and_embed(self, texts: list[str]) -> tuple[list[dict[str, float]], list[list[float]]]:
        """score_texts plus each text's embedding (see embedding_space), from one forward pass."""
        scores, embeddings, _ = self._scores(texts, embed=True)
        assert embeddings is not None  # embed=True always returns them
        return scores, embeddings

    def score_results(
        self, texts: list[str], embed: bool = False
    ) -> tuple[list[ScoreResult], list[list[float]] | None]:
        """ScoreResults with spans and the detected language (v2), and the embeddings if asked for."""
        scores, embeddings, languages = self._scores(texts, embed)
        results = []
        for text, s, language in zip(texts, scores, languages):
            spans = []
            if self.char is not None and s.get("toxicity", 0.0) >= SPAN_THRESHOLD:
                ranges = _merged(
                    self.char.spans(text or "") + swear_word_spans(text or "") + group_call_spans(text or "")
                )
                spans = [Span(a, b, "toxicity", "abuse") for a, b in ranges]
            results.append(ScoreResult(self.name, self.model_version, s, spans, detected_language=language))
        return results, embeddings

    def _scores(
        self, texts: list[str], embed: bool
    ) -> tuple[list[dict[str, float]], list[list[float]] | None, list[str | None]]:
        """Scores, embeddings (if `embed`) and detected languages (v2 only; None otherwise)."""
        if self.blend_v2 is None:
            raw, embeddings = self._forward(texts, embed=embed)
            return self._finish_scores(texts, raw), embeddings, [None] * len(texts)
        from workers.scoring.normalise import normalise

        raw_v2, embeddings = self._forward([normalise(t) for t in texts], embed=True) if embed else (None, None)
        scores, languages = self._v2(texts, raw_v2)
        return scores, embeddings, list(languages)

    def _v2(self, texts: list[str], raw: list[dict[str, float]] | None) -> tuple[list[dict[str, float]], list[str]]:
        """v2 toxicity: the character model, and for Latin-script text the transformer and
        alt-profanity-check, blended per language group (raw: transformer outputs on the normalised
        texts, if already computed)."""
        from workers.scoring.group_calls import group_call_weight
        from workers.scoring.normalise import identity_present, normalise
        from workers.scoring.swear_words import swear_word_weight

        assert self.blend_v2 is not None
        assert self.char is not None
        if not texts:
            return [], []
        groups: dict[str, str] = self.blend_v2["groups"]
        blends: dict[str, dict] = self.blend_v2["blend"]
        recal = self.blend_v2.get("recalibration")
        texts = [t or "" for t in texts]
        langs = self.language.detect_all(texts)
        char, char_max = self.char.logits(texts)
        chosen = [blend_group(lang, text, groups, blends) for lang, text in zip(langs, texts)]
        if "en-code-mixed" in blends:
            # Only plain English comments can lean Indic: those naming an identity group stay in "en-identity",
            # so the language model is not run for them.
            plain = [i for i, group in enumerate(chosen) if group == "en"]
            leans = self.language.leans_indic([texts[i] for i in plain], [langs[i] for i in plain])
            for i, lean in zip(plain, leans):
                chosen[i] = blend_group(langs[i], texts[i], groups, blends, lean)
        latin = [i for i, group in enumerate(chosen) if "bert" in blends[group]["weights"]]
        bert = [0.0] * len(texts)
        prof = [0.0] * len(texts)
        if latin:
            norm = [normalise(texts[i]) for i in latin]
            bert_raw = self.predict_texts(norm) if raw is None else [raw[i] for i in latin]
            for i, r, p in zip(latin, bert_raw, self._profanity(norm)):
                bert[i], prof[i] = _logit(r["toxicity"]), _logit(float(p))
        out = []
        for i, group in enumerate(chosen):
            part = blends[group]
            ident = 1.0 if "id_bert" in part["weights"] and identity_present(texts[i]) else 0.0
            feats = {"char": float(char[i]), "char_max": char_max[i], "bert": bert[i], "prof": prof[i]}
            feats["id_bert"] = ident * bert[i]
            feats["id_prof"] = ident * prof[i]
            feats["swear"] = swear_word_weight(texts[i]) if "swear" in part["weights"] else 0.0
            feats["group_call"] = group_call_weight(texts[i]) if "group_call" in part["weights"] else 0.0
            z = part["bias"] + sum(w * feats[name] for name, w in part["weights"].items())
            if recal:  # a publisher's own recalibration (kavalu models train --feedback)
                z = recal["scale"] * z + recal["shift"]
            out.append({"toxicity": 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))})
        return out, langs

    def _finish_scores(self, texts: list[str], raw: list[dict[str, float]]) -> list[dict[str, float]]:
        if self.blend:
            a, b, c = self.blend
            prof = self._profanity(list(texts)) if texts else []
            for scores, p in zip(raw, prof):
                z = a * _logit(scores["toxicity"]) + b * _logit(float(p)) + c
                scores["toxicity"] = 1.0 / (1.0 + math.exp(-z))
        return [{k: min(1.0, max(0.0, float(v))) for k, v in scores.items() if k in CATEGORIES} for scores in raw]

    def score_batch(self, items: list[ScoringInput]) -> list[ScoreResult]:
        return self.score_results([item.text for item in items])[0]


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges in order, overlapping ones joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


# -- one instance per process --------------------------------------------------------
_lock = threading.Lock()
_instance: tuple[int, tuple, DetoxifyAbuseScorer] | None = None


def scorer_kwargs(settings: Any = None) -> dict:
    """Constructor arguments from a Settings object or a mapping (abuse_* or plain keys)."""
    if settings is None:
        return {}

    def get(*names):
        for name in names:
            if isinstance(settings, Mapping):
                if settings.get(name) is not None:
                    return settings[name]
            elif getattr(settings, name, None) is not None:
                return getattr(settings, name)
        return None

    kwargs = {
        "model_type": get("abuse_model_type", "model_type"),
        "checkpoint": get("abuse_checkpoint", "checkpoint"),
        "config_dir": get("abuse_config_dir", "config_dir"),
        "model_dir": get("abuse_model_dir", "model_dir"),
        "batch_size": get("scoring_batch_size", "batch_size"),
        "batch_tokens": get("scoring_batch_tokens", "batch_tokens"),
        "num_threads": get("torch_threads", "num_threads"),
        "precision": get("abuse_precision", "precision"),
    }
    return {k: v for k, v in kwargs.items() if v is not None}


def get_abuse_scorer(settings: Any = None) -> DetoxifyAbuseScorer:
    """The process-wide scorer, created on first use (after fork) and then reused.

    A forked child never reuses its parent's instance: torch state does not survive fork.
    """
    global _instance
    kwargs = scorer_kwargs(settings)
    key = tuple(sorted((k, str(v)) for k, v in kwargs.items()))
    with _lock:
        if _instance is None or _instance[0] != os.getpid() or _instance[1] != key:
            _instance = (os.getpid(), key, DetoxifyAbuseScorer(**kwargs))
        return _instance[2]


def reset_abuse_scorer() -> None:
    global _instance
    with _lock:
        _instance = None
