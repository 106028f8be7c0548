#!/usr/bin/env python
"""How far bf16 and int8 move the abuse score from fp32's, on real comments rather than `auto`'s probe texts.

Run from the repository root:  .venv/bin/python bench/precision_agreement.py [--rows 1500] [--alone 300]

`auto` (workers/scoring/abuse.py) compares the transformer's raw score on eight probe texts at load time. This
loads the shipped model in each explicit precision and scores the same comments (the benchmark corpus of
bench/abuse_model.py, read from ../shared/data at run time) as a worker does, then prints per precision: the
largest, mean and 99th-percentile difference from fp32 of the transformer's raw score and of the toxicity the
service stores (the v2 blend), how many comments land on the other side of the default policy's review (0.5) and
reject (0.9) thresholds, how far a comment's toxicity moves when scored alone rather than in its batch (the first
--alone comments). Speed is bench/abuse_model.py's (--variants). It prints the CPU model and its SIMD flags first.
Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.abuse_model import DEFAULT_DATA, corpus, cpu_description  # noqa: E402

THRESHOLDS = (0.5, 0.9)


def summary(ours: list[float], reference: list[float]) -> str:
    differences = sorted(abs(a - b) for a, b in zip(ours, reference))
    p99 = differences[min(len(differences) - 1, int(len(differences) * 0.99))]
    return f"max {differences[-1]:.4f}  mean {sum(differences) / len(differences):.5f}  p99 {p99:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--rows", type=int, default=1500)
    parser.add_argument("--alone", type=int, default=300, help="comments also scored one at a time")
    parser.add_argument("--threads", type=int, default=2)
    options = parser.parse_args()

    import torch

    from workers.scoring.abuse import PROBE_TEXTS, DetoxifyAbuseScorer
    from workers.scoring.normalise import normalise

    torch.set_num_threads(options.threads)
    texts = list(PROBE_TEXTS) + corpus(Path(options.data), options.rows)
    print(f"CPU: {cpu_description()}", flush=True)
    print(f"{len(texts)} comments (the {len(PROBE_TEXTS)} probe texts first), {options.threads} threads", flush=True)

    def scores(scorer: DetoxifyAbuseScorer, batch: list[str]) -> tuple[list[float], list[float]]:
        """The transformer's raw toxicity of the normalised texts, and the toxicity the service stores."""
        raw = scorer.predict_texts([normalise(t) for t in batch])
        stored = [r.scores["toxicity"] for r in scorer.score_results(batch)[0]]
        return [r["toxicity"] for r in raw], stored

    reference: tuple[list[float], list[float]] | None = None
    for precision in ("fp32", "bf16", "int8"):
        scorer = DetoxifyAbuseScorer(precision=precision, num_threads=options.threads)
        raw, stored = scores(scorer, texts)
        alone = [scores(scorer, [t])[1][0] for t in texts[: options.alone]]
        print(f"{precision}:", flush=True)
        print(f"    alone vs in its batch, stored toxicity: {summary(alone, stored[: options.alone])}")
        if reference is None:
            reference = raw, stored
            continue
        crossed = ", ".join(
            f"{sum((a >= t) != (b >= t) for a, b in zip(stored, reference[1]))} at {t}" for t in THRESHOLDS
        )
        print(f"    vs fp32, transformer's raw score:   {summary(raw, reference[0])}")
        print(f"    vs fp32, stored toxicity (blend):   {summary(stored, reference[1])}; across a threshold: {crossed}")


if __name__ == "__main__":
    main()
