"""`kavalu eval` and `kavalu models` refuse bad input in one line, `error: ...`, with a non-zero exit: never a
traceback, and never a value out of range accepted in silence. Each case runs the real command through the root
`kavalu` group (service.cli.main.cli) with click's CliRunner, on an embedded store in a temporary folder.

Nothing here trains or loads a model: `models train` must refuse before training starts (the training functions
are replaced by ones that fail the test), and `eval` runs the keyword scorer of tests/test_evaluation.py."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner, Result

from service.cli.main import cli

KEYWORDS = "tests.test_evaluation:KeywordScorer"


@pytest.fixture(autouse=True)
def embedded(tmp_path, monkeypatch):
    """As a reviewer ran it: KAVALU_DATA_DIR set to a temporary folder, DATABASE_URL and BROKER_URL unset."""
    monkeypatch.setenv("KAVALU_DATA_DIR", str(tmp_path / "data"))
    for name in ("DATABASE_URL", "BROKER_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def no_training(monkeypatch):
    """Training (or loading a model to recalibrate) would mean a refusal came too late: fail the test instead."""
    import workers.scoring.abuse
    from workers.training import abuse

    def started(*args, **kwargs):
        raise AssertionError("training started: the input should have been refused before")

    for name in ("train", "tune", "run_loso", "load_checkpoint", "fit_blend"):
        monkeypatch.setattr(abuse, name, started)
    monkeypatch.setattr(workers.scoring.abuse, "DetoxifyAbuseScorer", started)


def kavalu(*args: str) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def refused(result: Result, *expected: str, exit_code: int = 1) -> str:
    """The one `error: ...` line of a refusal, which must contain each of `expected`."""
    # An exception that escaped the command would be a traceback on a terminal; CliRunner keeps it here instead.
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def write(path, text: str | bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ok_csv(tmp_path):
    return write(
        tmp_path / "ok.csv", "text,label,source\nyou idiot,1,forum\nthanks for the article,0,forum\nidiot,1,news\n"
    )


# -- 1. eval --scorer module:Class ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("nomod:X", "No module named 'nomod'"),
        (":Foo", "Empty module name"),
        (".x:Foo", "relative import"),
        ("os:sep", "is not a class"),
        ("os:getcwd", "no score_batch"),
        ("json:JSONDecoder", "no score_batch"),
        ("pathlib:PurePath.joinpath", "cannot import scorer"),
        ("detoxify:", "names no Detoxify model type"),
    ],
)
def test_a_scorer_spec_that_names_no_scorer_is_a_usage_error(ok_csv, spec, why):
    refused(kavalu("eval", "abuse", ok_csv, "--scorer", spec), "--scorer:", why, exit_code=2)


def test_a_scorer_class_that_needs_arguments_is_refused(ok_csv):
    refused(kavalu("eval", "abuse", ok_csv, "--scorer", "datetime:date"), "--scorer:", "required", exit_code=2)


# -- 2. eval --scorer detoxify:<type> with a broken kavalu-model.json ----------------------------------------------


@pytest.mark.parametrize(
    ("metadata", "why"),
    [
        ("{not json", "is not readable JSON"),
        ('["a list"]', "is not a JSON object"),
        ('{"model_type": "original", "config_dir": "hf_config"}', "names no 'checkpoint'"),
        ('{"model_type": "original", "checkpoint": "x.ckpt"}', "names no 'config_dir'"),
        ('{"model_type": "original", "checkpoint": 7, "config_dir": "hf_config"}', "names no 'checkpoint'"),
    ],
)
def test_an_official_model_with_broken_metadata_is_reported(tmp_path, ok_csv, metadata, why):
    pytest.importorskip("torch")
    model_dir = tmp_path / "md"
    write(model_dir / "original" / "kavalu-model.json", metadata)
    line = refused(kavalu("eval", "abuse", ok_csv, "--scorer", "detoxify:original", "--model-dir", model_dir), why)
    assert "kavalu-model.json" in line and "kavalu models pull original" in line


def test_resolve_official_raises_its_own_error_for_broken_metadata(tmp_path):
    from workers.scoring.abuse import AbuseModelError, resolve_official

    write(tmp_path / "original" / "kavalu-model.json", '{"model_type": "original"}')
    with pytest.raises(AbuseModelError, match="names no 'checkpoint' or 'config_dir'"):
        resolve_official("original", tmp_path)


# -- 3. and 4. models train --feedback / --data with a bad CSV ------------------------------------------------------

BAD_CSVS = {
    "no-label-column": ("text,verdict\nhi,0\n", "missing column(s) ['label']"),
    "label-yes": ("text,label\nhello,0\nhi,yes\n", "line 3: the label must be 0 or 1, not 'yes'"),
    "label-inf": ("text,label\nhello,0\nhi,inf\n", "line 3: the label must be 0 or 1, not 'inf'"),
    "label-nan": ("text,label\nhello,0\nhi,nan\n", "line 3: the label must be 0 or 1, not 'nan'"),
    "label-2": ("text,label\nhello,0\nhi,2\n", "line 3: the label must be 0 or 1, not '2'"),  # used to pass
    "label-0.5": ("text,label\nhello,0\nhi,0.5\n", "line 3: the label must be 0 or 1, not '0.5'"),  # used to pass
    "label-empty": ("text,label\nhello,0\nhi,\n", "line 3: the label must be 0 or 1, not ''"),
    "latin-1": (b"text,label\nhello,0\ncaf\xe9 au lait,1\n", "line 3: not UTF-8 text"),
    "too-few-fields": ("text,label,source\nhello,0,a\nhi,1\n", "line 3: 2 field(s) where the header has 3"),
    "too-many-fields": ("text,label\nhello,0\nhi,1,x\n", "line 3: 3 field(s) where the header has 2"),
    "huge-field": ('text,label\nhello,0\n"' + "a" * 140_000 + '",1\n', "line 3: a field is longer than 131072"),
    "unclosed-quote": ('text,label\nhello,0\n"hi,1\n' + "more text,0\n" * 20_000, "a field is longer than"),
}


@pytest.mark.parametrize("case", sorted(BAD_CSVS))
@pytest.mark.parametrize("option", ["--feedback", "--data"])
def test_a_bad_training_csv_names_the_file_the_line_and_the_problem(tmp_path, no_training, option, case):
    content, why = BAD_CSVS[case]
    bad = write(tmp_path / "bad.csv", content)
    refused(kavalu("models", "train", option, bad, "--out-dir", tmp_path / "out"), f"{option} {bad}", why)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option", ["--feedback", "--data"])
def test_a_missing_training_csv_is_reported(tmp_path, no_training, option):
    refused(
        kavalu("models", "train", option, tmp_path / "nope.csv", "--out-dir", tmp_path / "out"),
        "No such file or directory",
    )


def test_good_labels_still_read_as_0_and_1(tmp_path):
    from workers.training.abuse import read_rows

    data = write(tmp_path / "ok.csv", "\ufefftext,label,source\na,0,x\nb,1,x\nc,1.0,y\nd, 0.0 ,y\n\n")
    assert [(r["text"], r["label"], r["source"]) for r in read_rows(data)] == [
        ("a", 0, "x"),
        ("b", 1, "x"),
        ("c", 1, "y"),
        ("d", 0, "y"),
    ]


def test_a_latin_1_file_blames_the_encoding_not_the_label(tmp_path, no_training):
    bad = write(tmp_path / "bad.csv", b"\xef\xbb\xbftext,label\nhello,0\ncaf\xe9,1\n")
    line = refused(kavalu("models", "train", "--data", bad))
    assert "line 3: not UTF-8 text (byte 0xe9)" in line and "label" not in line


def test_feedback_from_a_model_dir_that_does_not_exist_is_refused(tmp_path, no_training):
    feedback = write(tmp_path / "f.csv", "text,label\n" + "".join(f"row {i},{i % 2}\n" for i in range(30)))
    refused(
        kavalu("models", "train", "--feedback", feedback, "--model-dir", tmp_path / "nonexistent"),
        "--model-dir",
        "nonexistent: no such directory",
        exit_code=2,
    )


def test_feedback_from_a_broken_model_dir_reports_the_model_error(tmp_path):
    pytest.importorskip("torch")
    feedback = write(tmp_path / "f.csv", "text,label\n" + "".join(f"row {i},{i % 2}\n" for i in range(30)))
    broken = tmp_path / "model"
    broken.mkdir()
    (broken / "kavalu-minilm-abuse.ckpt").write_bytes(b"not a checkpoint")  # and no hf_config/ beside it
    refused(
        kavalu("models", "train", "--feedback", feedback, "--model-dir", broken, "--out-dir", tmp_path / "out"),
        "Hugging Face config directory not found",
    )


def test_feedback_with_too_few_rows_is_an_error_line(tmp_path, no_training):
    feedback = write(tmp_path / "f.csv", "text,label\nhi,0\nidiot,1\n")
    model = write(tmp_path / "model" / "kavalu-minilm-abuse.ckpt", b"never loaded").parent
    refused(
        kavalu("models", "train", "--feedback", feedback, "--model-dir", model, "--out-dir", tmp_path / "out"),
        "need at least 20 rows with both labels",
    )


# -- 5. models train: options out of range ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--steps", "-5"),
        ("--steps", "0"),
        ("--steps", "abc"),
        ("--batch-size", "0"),
        ("--lr", "-1"),
        ("--lr", "0"),
        ("--lr", "nan"),
        ("--lr", "inf"),
        ("--threads", "-3"),
        ("--pos-share", "7"),
        ("--pos-share", "0"),
        ("--pos-share", "1"),
        ("--label-smoothing", "1"),
        ("--label-smoothing", "-0.1"),
        ("--max-length", "0"),
        ("--max-length", "4096"),
        ("--eval-limit", "0"),
        ("--tune-steps", "-1"),
        ("--tune-lr", "0"),
        ("--time-budget", "-1"),
        ("--time-budget", "nan"),
        ("--seed", "-1"),
        ("--char", "--seeds", "0"),
        ("--char", "--threads", "0"),
        ("--char", "--cal-cap", "-1"),
        ("--no-such-option",),
    ],
)
def test_training_options_out_of_range_are_refused_before_training(tmp_path, no_training, args):
    data = write(tmp_path / "d.csv", "text,label\nhello,0\nidiot,1\n")
    given = ("--data", data) if "--char" not in args else ()
    option = args[-2] if len(args) > 1 else args[0]
    refused(kavalu("models", "train", *given, "--out-dir", tmp_path / "out", *args), option, exit_code=2)
    assert not (tmp_path / "out").exists()


def test_holdout_must_name_a_source_of_the_data(tmp_path, no_training):
    data = write(tmp_path / "d.csv", "text,label,source\nhello,0,forum\nidiot,1,forum\n")
    refused(
        kavalu("models", "train", "--data", data, "--loso", "--holdout", "nosuch", "--eval-dir", tmp_path / "e"),
        "--holdout",
        "'nosuch'",
        exit_code=2,
    )


def test_out_dir_that_is_a_file_is_refused(tmp_path, no_training):
    data = write(tmp_path / "d.csv", "text,label\nhello,0\nidiot,1\n")
    taken = write(tmp_path / "taken", "a file")
    refused(kavalu("models", "train", "--data", data, "--out-dir", taken), "is not a directory", exit_code=2)


def test_fit_blend_without_predictions_is_refused(tmp_path):
    refused(
        kavalu("models", "train", "--fit-blend", "--eval-dir", tmp_path / "none"), "run `kavalu models train --loso`"
    )


# -- 6. models pull ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--base-url", "--hf-base-url", "--checkpoint-url"])
@pytest.mark.parametrize("url", ["notaurl", "ftp://example.org/x", "http://", "/tmp/x/fake.ckpt"])
def test_pull_refuses_what_is_not_an_http_or_file_url(tmp_path, option, url):
    refused(kavalu("models", "pull", "original", "--dest", tmp_path / "d", option, url), option, exit_code=2)
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("content", [b"not a checkpoint\n", bytes(range(256)) * 4, b"\x80\x04K\x07."])
def test_pull_of_a_file_that_is_no_checkpoint_is_refused_and_removed(tmp_path, content):
    pytest.importorskip("torch")
    fake = write(tmp_path / "src" / "fake.ckpt", content)
    dest = tmp_path / "d"
    refused(
        kavalu("models", "pull", "original", "--dest", dest, "--checkpoint-url", fake.as_uri()),
        "is not a Detoxify checkpoint",
    )
    assert not (dest / "original" / "fake.ckpt").exists()
    assert not (dest / "original").exists()


def test_pull_of_a_missing_file_url_is_refused(tmp_path):
    pytest.importorskip("torch")
    missing = (tmp_path / "nope.ckpt").as_uri()
    refused(kavalu("models", "pull", "original", "--dest", tmp_path / "d", "--checkpoint-url", missing), "nope.ckpt")
    assert not (tmp_path / "d" / "original").exists()


# -- 7. eval abuse: threshold, --group-by, the CSV, --json, --model-dir -----------------------------------------------


@pytest.mark.parametrize("threshold", ["-1", "5", "nan", "inf", "x"])
def test_a_threshold_outside_0_to_1_is_refused(ok_csv, threshold):
    refused(kavalu("eval", "abuse", ok_csv, "--scorer", KEYWORDS, "--threshold", threshold), "--threshold", exit_code=2)


def test_thresholds_at_the_ends_still_work(ok_csv):
    for threshold in ("0", "1"):
        result = kavalu("eval", "abuse", ok_csv, "--scorer", KEYWORDS, "--threshold", threshold)
        assert result.exit_code == 0, result.output


def test_the_evaluate_function_refuses_a_threshold_out_of_range(ok_csv):
    from workers.evaluation import EvaluationError, evaluate

    for threshold in (-0.1, 1.5, math.nan):
        with pytest.raises(EvaluationError, match="threshold"):
            evaluate("abuse", ok_csv, [KEYWORDS], threshold=threshold)


def test_group_by_an_unknown_column_is_refused_like_identity_column(ok_csv):
    refused(kavalu("eval", "abuse", ok_csv, "--scorer", KEYWORDS, "--group-by", "nosuch"), "'nosuch'", "--group-by")
    refused(kavalu("eval", "abuse", ok_csv, "--scorer", KEYWORDS, "--identity-column", "nosuch"), "'nosuch'")


def test_group_by_detected_and_an_absent_source_column_still_work(tmp_path, ok_csv):
    detected = kavalu("eval", "abuse", ok_csv, "--scorer", KEYWORDS, "--group-by", "detected", "--json")
    assert detected.exit_code == 0, detected.output
    assert list(json.loads(detected.stdout)[0]["per_source"]) == ["und"]  # the keyword scorer detects none
    plain = write(tmp_path / "plain.csv", "text,label\nidiot,1\nhello,0\n")
    result = kavalu("eval", "abuse", plain, "--scorer", KEYWORDS, "--json")
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)[0]["per_source"]) == ["all"]


def test_a_csv_with_a_byte_order_mark_is_read(tmp_path):
    bom = write(tmp_path / "bom.csv", "\ufefftext,label,source\nyou idiot,1,a\nhello there,0,a\n")
    result = kavalu("eval", "abuse", bom, "--scorer", KEYWORDS, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["overall"]["n"] == 2


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("text,label,source\nhello,0,a\nidiot,1,a,extra\n", "line 3: 4 field(s) where the header has 3"),
        ("text,label,source\nhello,0\nidiot,1,a\n", "line 2: 2 field(s) where the header has 3"),
        (b"text,label\nhello,0\ncaf\xe9,1\n", "not UTF-8"),
        ('text,label\nhello,0\n"' + "a" * 140_000 + '",1\n', "a field is longer than 131072"),
        ("text,label\nhello,0\nidiot,2\n", "label must be 0 or 1"),
    ],
)
def test_an_eval_csv_with_bad_rows_is_refused_with_the_line(tmp_path, content, why):
    bad = write(tmp_path / "bad.csv", content)
    refused(kavalu("eval", "abuse", bad, "--scorer", KEYWORDS), why)


def test_json_output_has_null_for_undefined_figures(tmp_path):
    # Each source has one class only: its ROC-AUC, and so the macro-AUC, is undefined.
    one_class = write(tmp_path / "one.csv", "text,label,source\nidiot,1,a\nhello,0,b\n")
    result = kavalu("eval", "abuse", one_class, "--scorer", KEYWORDS, "--json")
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout

    def strict(constant):
        raise AssertionError(f"{constant} is not JSON")

    [run] = json.loads(result.stdout, parse_constant=strict)
    assert run["macro_auc"] is None and run["per_source"]["a"]["auc"] is None
    assert run["overall"]["auc"] == 1.0


def test_a_model_dir_that_does_not_exist_is_refused(tmp_path, ok_csv):
    refused(
        kavalu("eval", "abuse", ok_csv, "--model-dir", tmp_path / "nonexistent"),
        "--model-dir",
        "does not exist",
        exit_code=2,
    )
