#!/usr/bin/env python
"""Benchmark of the default abuse model: load time and comments/s through the scorer.

Run from the repository root, with the venv active and nothing else busy:

    python bench/abuse_model.py                      # the shipped default, as the worker runs it
    python bench/abuse_model.py --variants           # also fp32 / no blend / max_length 128, to compare
    python bench/abuse_model.py --data FILE.csv --rows 1000 --batch-size 32 --threads 2

The corpus is a fixed, seeded sample of typical comments (under 100 words) read at run
time from ../shared/data/abuse/abuse_train.csv (never copied into the repo), stratified
by source. Each configuration is loaded in a fresh subprocess so the load time is a
cold(ish) load, then scored once as a warm-up on 64 comments and once measured.

Measured 2026-12-01 on a 2-core Intel Xeon VM (AVX-512 with VNNI and AVX512-BF16, no AMX, no GPU), torch
2.13.0 CPU, 2 threads, micro-batches of up to 32, 1,000 comments of mean 21.6 words:

    default (auto = int8 per token here) + blend   369-373 comments/s   load 3.4-3.6 s
    fp32                                           231-245 comments/s
    bf16 autocast (no AMX: slow)                   137-161 comments/s
    default, 1 torch thread                        235 comments/s

The same VM kind on an AMD EPYC (Zen 4, AVX-512 with VNNI and BF16, no AMX), 2026-12-01: default 294-337
comments/s at 2 threads, 249/s at 1 thread, load 3.3-3.8 s.

v2 (character n-gram model + transformer + alt-profanity-check, blended per detected language, with
evidence spans): the benchmark scores through `score_results`, as a worker batch does, and prints the CPU model,
its SIMD flags and the precision chosen. Figures for v2 in workers/abuse_model/MODEL_CARD.md.

Other machines of the same kind gave other figures (an AVX2-only AMD EPYC: fp32 ~100/s, torch's dynamic int8 ~150/s;
a Xeon with AMX: bf16 410/s). With other jobs saturating the two cores the run fell to 15-35 comments/s.
More in workers/abuse_model/MODEL_CARD.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "abuse" / "abuse_train.csv"


def corpus(path: Path, rows: int, seed: int = 7) -> list[str]:
    with open(path, newline="", encoding="utf-8") as handle:
        data = [r for r in csv.DictReader(handle) if len(r["text"].split()) < 100]
    by_source: dict[str, list[str]] = {}
    for r in data:
        by_source.setdefault(r.get("source") or "all", []).append(r["text"])
    rng = random.Random(seed)
    per = rows // len(by_source)
    out = []
    for src in sorted(by_source):
        out += rng.sample(by_source[src], min(per, len(by_source[src])))
    rng.shuffle(out)
    return out


def cpu_description() -> str:
    """The CPU model and the SIMD flags that decide the precision (from /proc/cpuinfo where there is one)."""
    import platform

    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model in ("", platform.machine()):
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    except OSError:
        pass
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8")
    return f"{model}, {os.cpu_count()} cores, flags: {' '.join(f for f in wanted if f in flags) or 'n/a'}"


def measure(args) -> dict:
    import torch

    torch.set_num_threads(args.threads)
    texts = corpus(Path(args.data), args.rows)
    t0 = time.perf_counter()
    sys.path.insert(0, str(REPO))
    from workers.scoring.abuse import DetoxifyAbuseScorer

    kwargs = json.loads(args.kwargs)
    scorer = DetoxifyAbuseScorer(batch_size=args.batch_size, num_threads=args.threads, **kwargs)
    load = time.perf_counter() - t0
    # As the worker scores a batch: scores, evidence spans and the detected language.
    scorer.score_results(texts[:64])
    t1 = time.perf_counter()
    results, _ = scorer.score_results(texts)
    secs = time.perf_counter() - t1
    scores = [r.scores for r in results]
    words = sum(len(t.split()) for t in texts) / len(texts)
    return {
        "config": kwargs,
        "model_version": scorer.model_version,
        "precision": scorer.precision,
        "precision_probe": scorer.precision_probe,
        "load_s": round(load, 2),
        "comments": len(texts),
        "mean_words": round(words, 1),
        "seconds": round(secs, 2),
        "comments_per_s": round(len(texts) / secs, 1),
        "mean_toxicity": round(sum(s["toxicity"] for s in scores) / len(scores), 4),
    }


def matmul_gflops(threads: int, rounds: int = 20) -> float:
    """The host's speed at the transformer's largest product in fp32 (1,024 tokens of 384 by a 384 x 1,536 layer),
    the best of `rounds`: AVX2 hosts with the same CPU string and flags have run it at 63 to 175 GFLOP/s, so a
    figure of this benchmark says little about the code without it."""
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(1024, 384), torch.randn(384, 1536)
    best = math.inf
    for _ in range(rounds):
        started = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - started)
    return 2 * 1024 * 384 * 1536 / best / 1e9


def main() -> int:
    p = argparse.ArgumentParser(description="abuse model benchmark")
    p.add_argument("--data", default=str(DEFAULT_DATA))
    p.add_argument("--rows", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--checkpoint", default=None, help="another Detoxify-format checkpoint (hf_config/ beside it)")
    p.add_argument("--variants", action="store_true", help="compare quantisation / blend / max length options")
    p.add_argument("--kwargs", default="{}", help=argparse.SUPPRESS)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(measure(args)))
        return 0
    base = {"checkpoint": args.checkpoint} if args.checkpoint else {}
    configs = [dict(base)]
    if args.variants:
        configs += [
            {**base, **v}
            for v in (
                {"precision": "fp32"},
                {"precision": "int8"},
                {"precision": "bf16"},
                {"blend": False},
                {"max_length": 128},
            )
        ]
    print(f"CPU: {cpu_description()}", flush=True)
    print(
        f"host: fp32 matrix product at {matmul_gflops(args.threads):.0f} GFLOP/s ({args.threads} threads)", flush=True
    )
    for cfg in configs:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "--kwargs",
            json.dumps(cfg),
            "--data",
            args.data,
            "--rows",
            str(args.rows),
            "--batch-size",
            str(args.batch_size),
            "--threads",
            str(args.threads),
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        r = json.loads(out)
        print(
            f"{json.dumps(r['config']) or '{}':<40} load {r['load_s']:.2f}s  "
            f"{r['comments_per_s']:.1f} comments/s ({r['comments']} comments, mean {r['mean_words']} words, "
            f"batch {args.batch_size}, {args.threads} threads)  precision {r['precision']}  {r['model_version']}",
            flush=True,
        )
        probe = r.get("precision_probe") or {}
        if probe:  # `auto`: what it measured on the probe texts, and what it kept
            timings = ", ".join(
                f"{name} {seconds * 1000:.2f} ms/text" for name, seconds in probe["seconds_per_text"].items()
            )
            differences = ", ".join(f"{name} {value:.4f}" for name, value in probe.get("max_difference", {}).items())
            print(
                f"{'':<40} auto chose {probe['chosen']}: probe {timings}; largest difference from fp32 "
                f"{differences or 'n/a'} (tolerance {probe.get('tolerance')})",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
