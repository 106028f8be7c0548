"""`kavalu eval ...` and `kavalu models ...`: commands that need the scoring stack.

Heavy imports (torch, detoxify) happen inside the commands, so `kavalu --help` stays fast.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import re
import shutil
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import click

HF_BASE_URL = "https://huggingface.co"
# Files of a Hugging Face repo that config + tokenizer loading may need; absent ones are skipped.
HF_FILES = (
    "config.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "special_tokens_map.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "sentencepiece.bpe.model",
    "spiece.model",
)
# The base model each official checkpoint names as its `model_type`.
HF_REPOS = {
    "original": "bert-base-uncased",
    "unbiased": "roberta-base",
    "multilingual": "xlm-roberta-base",
    "original-small": "albert-base-v2",
    "unbiased-small": "albert-base-v2",
}
_HASH_IN_NAME = re.compile(r"-([a-f0-9]{8,})\.")


# -- eval -----------------------------------------------------------------------------
def library_bars_only_on_a_terminal() -> None:
    """Hugging Face libraries draw their own bars (loading weights) even into a log file; not ours."""
    if not sys.stderr.isatty():
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


@click.group("eval", help="Evaluate scorers on a labelled CSV (text,label[,source]).")
def eval_group() -> None:
    library_bars_only_on_a_terminal()


def _eval(
    task: str,
    csv_file: str,
    scorers: tuple[str, ...],
    threshold: float | None,
    model_dir: str | None,
    as_json: bool,
    group_by: str = "source",
    identity_column: str | None = None,
) -> None:
    from service.cli.main import WrongUsage
    from service.config import Settings
    from workers.evaluation import EvaluationError, UnknownScorer, evaluate, format_runs
    from workers.scoring.abuse import AbuseModelError

    # The worker's settings (model, precision, micro-batches), so the figures are the pipeline's.
    settings = Settings.from_env()
    if model_dir:
        settings = dataclasses.replace(settings, abuse_model_dir=model_dir)
    try:
        runs = evaluate(
            task,
            csv_file,
            list(scorers) or ["default"],
            threshold=threshold,
            abuse_settings=settings,
            group_by=group_by,
            identity_column=identity_column,
        )
    except UnknownScorer as error:
        raise WrongUsage(f"--scorer: {error}") from error
    except (EvaluationError, AbuseModelError) as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(
            json.dumps(
                _defined(
                    [
                        {
                            "scorer": r.spec,
                            "model_version": r.model_version,
                            "throughput": r.throughput,
                            "load_seconds": r.load_seconds,
                            **r.report,
                        }
                        for r in runs
                    ]
                ),
                indent=2,
                default=str,
                allow_nan=False,
            )
        )
    else:
        click.echo(format_runs(runs))


def _defined(value: Any) -> Any:
    """value with null for each undefined figure (NaN: an AUC of one class; infinity: no time measured), which
    JSON cannot write."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _defined(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_defined(item) for item in value]
    return value


class Share(click.FloatRange):
    """A number from 0 to 1; NaN, which compares false with both ends, is refused too."""

    def __init__(self) -> None:
        super().__init__(0.0, 1.0)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        converted = super().convert(value, param, ctx)
        if math.isnan(converted):
            self.fail(f"{value!r} is not a number from 0 to 1.", param, ctx)
        return converted


_scorer_opt = click.option(
    "--scorer", "scorers", multiple=True, help="scorer spec; repeat to compare (default: the configured model)"
)
_threshold_opt = click.option(
    "--threshold",
    type=Share(),
    default=None,
    help="decision threshold for precision/recall/F1 (default: policy review threshold 0.5)",
)
_json_opt = click.option("--json", "as_json", is_flag=True, help="machine-readable output")
_group_opt = click.option(
    "--group-by",
    default="source",
    show_default=True,
    help="CSV column for the per-group breakdown and macro-AUC (e.g. kind, lang), or 'detected': "
    "the language the scorer detected",
)


@eval_group.command("abuse")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@_scorer_opt
@_threshold_opt
@click.option(
    "--model-dir",
    default=None,
    type=click.Path(exists=True, file_okay=False),
    help="where `kavalu models pull` put official models",
)
@_json_opt
@_group_opt
@click.option(
    "--identity-column",
    default=None,
    help="CSV column naming the identity group a row is about: adds each group's false-positive rate and AUC",
)
def eval_abuse(csv_file, scorers, threshold, model_dir, as_json, group_by, identity_column):
    """Toxicity: default, default-noblend, profanity-check, detoxify:<type>, checkpoint:<path>, module:Class."""
    _eval("abuse", csv_file, scorers, threshold, model_dir, as_json, group_by, identity_column)


@eval_group.command("defamation")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@_scorer_opt
@_threshold_opt
@_json_opt
@_group_opt
def eval_defamation(csv_file, scorers, threshold, as_json, group_by):
    """Defamation risk: default (workers.scoring.defamation.DefamationScorer) or module:Class."""
    _eval("defamation", csv_file, scorers, threshold, None, as_json, group_by)


# -- models ---------------------------------------------------------------------------
@click.group("models", help="Train the default abuse model or the defamation head, or pull official Detoxify models.")
def models_group() -> None:
    library_bars_only_on_a_terminal()


@models_group.command(
    "train",
    # --help goes through to the script's own argparse help
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def train_command(args):
    """Train the default abuse model (workers.training.abuse; see its --help)."""
    from workers.scoring.abuse import AbuseModelError
    from workers.training import abuse

    try:
        status = abuse.main(list(args))
    except abuse.TrainingUsageError as error:
        raise click.UsageError(str(error), click.get_current_context()) from error
    except (abuse.TrainingError, AbuseModelError) as error:
        raise click.ClickException(str(error)) from error
    sys.exit(status)


@models_group.command(
    "train-defamation-head",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def train_defamation_head_command(args):
    """Fit the defamation scorer's semantic head (workers.training.defamation_head; see its --help)."""
    from workers.training import defamation_head

    sys.exit(defamation_head.main(list(args)))


def _download(url: str, dest: Path) -> str:
    """Stream url to dest; returns the sha256 of what was written. A missing file (404) raises HTTPError."""
    from tqdm import tqdm

    digest = hashlib.sha256()
    part = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(part, "wb") as out:
            size = int(response.headers.get("Content-Length") or 0) or None
            # A bar only for a person watching: logs of an image build get the one line per file.
            with tqdm(
                total=size,
                desc=dest.name,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                disable=not sys.stderr.isatty(),
            ) as progress:
                for block in iter(lambda: response.read(1 << 20), b""):
                    digest.update(block)
                    out.write(block)
                    progress.update(len(block))
    except urllib.error.HTTPError as error:
        part.unlink(missing_ok=True)
        if error.code == 404:
            raise
        raise click.ClickException(f"cannot download {url}: HTTP {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError) as error:
        part.unlink(missing_ok=True)
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        raise click.ClickException(
            f"cannot download {url}: {reason} (no network? --base-url and --hf-base-url take a mirror)"
        ) from error
    except ValueError as error:  # urllib's "unknown url type"
        part.unlink(missing_ok=True)
        raise click.ClickException(f"cannot download {url}: {error}") from error
    part.replace(dest)
    return digest.hexdigest()


def _one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty, or not there
        folder.rmdir()


def check_url(ctx: click.Context | None, param: click.Parameter | None, value: str | None) -> str | None:
    """A click callback: an http(s) URL with a host, or a file URL; anything else is refused."""
    if value is None:
        return None
    parts = urllib.parse.urlsplit(value)
    if parts.scheme.lower() not in ("http", "https", "file") or (parts.scheme.lower() != "file" and not parts.netloc):
        raise click.BadParameter(f"{value!r} is not an http://, https:// or file:// URL", ctx, param)
    return value


def pull_official_model(
    model_type: str,
    dest: str | Path,
    base_url: str | None = None,
    hf_base_url: str = HF_BASE_URL,
    checkpoint_url: str | None = None,
    echo=print,
) -> Path:
    """Download an official Detoxify checkpoint plus config/tokenizer files into dest/<type>/.

    The layout is what DetoxifyAbuseScorer(model_type=..., model_dir=dest) loads offline:
    dest/<type>/<checkpoint>.ckpt, dest/<type>/hf_config/, dest/<type>/kavalu-model.json.
    """
    import torch
    from detoxify.detoxify import DOWNLOAD_URL, MODEL_URLS

    if model_type not in MODEL_URLS:
        raise click.BadParameter(f"unknown model type {model_type!r}; one of {sorted(MODEL_URLS)}")
    official = MODEL_URLS[model_type]
    url = checkpoint_url or (base_url.rstrip("/") + "/" + official[len(DOWNLOAD_URL) :] if base_url else official)
    target = Path(dest) / model_type
    config_dir = target / "hf_config"
    target.mkdir(parents=True, exist_ok=True)
    ckpt_name = url.rsplit("/", 1)[-1]
    echo(f"downloading {url}")
    try:
        sha = _download(url, target / ckpt_name)
    except (click.ClickException, urllib.error.HTTPError):
        _remove_if_empty(target)
        raise
    expected = _HASH_IN_NAME.search(ckpt_name)
    if expected and not sha.startswith(expected.group(1)):
        (target / ckpt_name).unlink()
        raise click.ClickException(f"{ckpt_name}: sha256 {sha[:12]} does not match the name's {expected.group(1)}")

    try:
        # torch.load raises whatever its unpickler or zip reader meets in a file that is no checkpoint
        loaded = torch.load(target / ckpt_name, map_location="cpu", weights_only=False)
        arch = loaded["config"]["arch"]["args"]
        classes = [str(c) for c in loaded["config"]["dataset"]["args"]["classes"]]
        if "state_dict" not in loaded or not isinstance(arch, dict) or not classes:
            raise ValueError("no state_dict, architecture or classes")
    except Exception as error:
        (target / ckpt_name).unlink(missing_ok=True)
        _remove_if_empty(target)
        reason = _one_line(error)
        raise click.ClickException(f"{url} is not a Detoxify checkpoint ({reason})") from error
    hf_repo = arch.get("model_type") or HF_REPOS[model_type]
    if Path(hf_repo).is_absolute() or hf_repo.startswith("."):
        hf_repo = HF_REPOS[model_type]
    del loaded

    if config_dir.exists():
        shutil.rmtree(config_dir)
    config_dir.mkdir()
    for name in HF_FILES:
        file_url = f"{hf_base_url.rstrip('/')}/{hf_repo}/resolve/main/{name}"
        try:
            _download(file_url, config_dir / name)
            echo(f"downloaded {file_url}")
        except urllib.error.HTTPError as err:
            if err.code != 404:
                raise
    if not (config_dir / "config.json").is_file():
        raise click.ClickException(f"no config.json for {hf_repo} at {hf_base_url}")
    # Detoxify builds the model from this config, so it must have the checkpoint's labels.
    try:
        config = json.loads((config_dir / "config.json").read_text(encoding="utf-8"))
        if not isinstance(config, dict):
            raise ValueError("not a JSON object")
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise click.ClickException(f"config.json of {hf_repo} at {hf_base_url} is not JSON: {error}") from error
    config["num_labels"] = len(classes)
    config["id2label"] = {str(i): c for i, c in enumerate(classes)}
    config["label2id"] = {c: i for i, c in enumerate(classes)}
    config["problem_type"] = "multi_label_classification"
    (config_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    meta = {
        "model_type": model_type,
        "checkpoint": ckpt_name,
        "config_dir": "hf_config",
        "sha256": sha,
        "source_url": url,
        "hf_repo": hf_repo,
        "classes": classes,
    }
    (target / "kavalu-model.json").write_text(json.dumps(meta, indent=2) + "\n")
    echo(
        f"{model_type}: {target} (sha256 {sha[:12]}); set KAVALU_ABUSE_MODEL_TYPE={model_type} "
        f"KAVALU_MODEL_DIR={Path(dest).resolve()}"
    )
    return target


@models_group.command("pull")
@click.argument(
    "model_type", type=click.Choice(["original", "unbiased", "multilingual", "original-small", "unbiased-small"])
)
@click.option("--dest", required=True, type=click.Path(file_okay=False), help="local model directory")
@click.option(
    "--base-url",
    default=None,
    callback=check_url,
    help="mirror of Detoxify's release downloads (default: GitHub releases)",
)
@click.option(
    "--hf-base-url",
    default=HF_BASE_URL,
    show_default=True,
    callback=check_url,
    help="mirror of the Hugging Face hub",
)
@click.option("--checkpoint-url", default=None, callback=check_url, help="full checkpoint URL (overrides --base-url)")
def pull_command(model_type, dest, base_url, hf_base_url, checkpoint_url):
    """Download an official Detoxify model for offline use (e.g. while building an image)."""
    pull_official_model(
        model_type, dest, base_url=base_url, hf_base_url=hf_base_url, checkpoint_url=checkpoint_url, echo=click.echo
    )
