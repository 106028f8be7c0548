"""`kavalu models pull` against a local HTTP server that serves a tiny model."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading

import pytest
from click.testing import CliRunner

pytest.importorskip("torch")

from tests.test_abuse_scorer import build_tiny_checkpoint

OFFICIAL_CLASSES = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")


@pytest.fixture
def mirror(tmp_path):
    """Serves <root>/v0.1-alpha/<official name>, <root>/ckpt/tiny.ckpt and <root>/bert-base-uncased/resolve/main/*."""
    built = tmp_path / "built"
    ckpt, hf_dir = build_tiny_checkpoint(built, classes=OFFICIAL_CLASSES, write_labels=False)
    root = tmp_path / "www"
    (root / "ckpt").mkdir(parents=True)
    shutil.copy(ckpt, root / "ckpt" / "tiny.ckpt")
    (root / "v0.1-alpha").mkdir()
    shutil.copy(ckpt, root / "v0.1-alpha" / "toxic_original-c1212f89.ckpt")  # wrong content for its hash
    hub = root / "bert-base-uncased" / "resolve" / "main"
    hub.mkdir(parents=True)
    for f in hf_dir.iterdir():
        shutil.copy(f, hub / f.name)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_pull_then_load_offline(mirror, tmp_path, monkeypatch):
    from workers.cli import models_group

    dest = tmp_path / "models"
    result = CliRunner().invoke(
        models_group,
        [
            "pull",
            "original",
            "--dest",
            str(dest),
            "--checkpoint-url",
            f"{mirror}/ckpt/tiny.ckpt",
            "--hf-base-url",
            mirror,
        ],
    )
    assert result.exit_code == 0, result.output
    target = dest / "original"
    meta = json.loads((target / "kavalu-model.json").read_text())
    assert meta["model_type"] == "original" and meta["hf_repo"] == "bert-base-uncased"
    assert (target / meta["checkpoint"]).is_file()
    config = json.loads((target / "hf_config" / "config.json").read_text())
    assert config["num_labels"] == len(OFFICIAL_CLASSES)  # fixed up to match the checkpoint
    for name in ("tokenizer.json", "tokenizer_config.json"):
        assert (target / "hf_config" / name).is_file()

    import socket

    def refuse(*a, **k):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    from service.scoring.jobs import ScoringInput
    from workers.scoring.abuse import DetoxifyAbuseScorer

    scorer = DetoxifyAbuseScorer(model_type="original", model_dir=dest, batch_size=2)
    precision = "" if scorer.precision == "fp32" else f"+{scorer.precision}"
    assert scorer.model_version == f"detoxify-original@{meta['sha256'][:12]}{precision}"
    [res] = scorer.score_batch([ScoringInput("hello there")])
    assert set(res.scores) == {"toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack"}


def test_pull_refuses_a_checkpoint_whose_hash_does_not_match_its_name(mirror, tmp_path):
    from workers.cli import models_group

    dest = tmp_path / "models"
    result = CliRunner().invoke(
        models_group, ["pull", "original", "--dest", str(dest), "--base-url", mirror, "--hf-base-url", mirror]
    )
    assert result.exit_code != 0
    assert "does not match" in result.output
    assert not (dest / "original" / "toxic_original-c1212f89.ckpt").exists()
