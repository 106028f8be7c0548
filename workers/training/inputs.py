"""What `kavalu models train` reads, checked before any training: its CSV files and its options.

Shared by the transformer's training (workers/training/abuse.py) and the character model's
(workers/training/abuse_char.py), which import it and not each other.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn


class TrainingError(Exception):
    """Training cannot start: no data, or data that is not text,label[,source]."""


class TrainingUsageError(TrainingError):
    """The command line is wrong (an unknown option, a value out of range), not the data."""


def parse_label(raw: str | None) -> int:
    """A label as the CSVs we read write it: exactly 0 or 1 (0.0 and 1.0 too, as spreadsheets write them).

    ValueError for anything else: 2, 0.5, yes, inf, nan or nothing at all."""
    value = float((raw or "").strip() or "nan")
    if value not in (0.0, 1.0):
        raise ValueError(raw)
    return int(value)


def read_labelled_csv(path: str | os.PathLike, name: str | None = None) -> list[dict[str, Any]]:
    """The rows of a UTF-8 CSV with columns text,label[,...], each label parsed by parse_label.

    Every fault is a TrainingError naming the file (`name`, e.g. "--data FILE") and, where it is in a row, the
    line: a file that cannot be read or is not UTF-8, a missing column, a row with more or fewer fields than the
    header, a field too large for the csv module (an unclosed quote, usually), a label that is not 0 or 1."""
    name = name or str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise TrainingError(f"{name}: {error.strerror or error}") from error
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's byte order mark is not part of the first column's name
    except UnicodeDecodeError as error:
        start = error.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, start) + 1
        raise TrainingError(
            f"{name}, line {line}: not UTF-8 text (byte {data[start]:#04x}); save the file as UTF-8"
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        columns = next(reader, [])
        missing = {"text", "label"} - set(columns)
        if missing:
            raise TrainingError(f"{name}: missing column(s) {sorted(missing)}; need text,label[,source]")
        for fields in reader:
            if not fields:  # a blank line
                continue
            if len(fields) != len(columns):
                raise TrainingError(
                    f"{name}, line {reader.line_num}: {len(fields)} field(s) where the header has {len(columns)}"
                )
            row: dict[str, Any] = dict(zip(columns, fields))
            try:
                row["label"] = parse_label(row["label"])
            except ValueError as error:
                raise TrainingError(
                    f"{name}, line {reader.line_num}: the label must be 0 or 1, not {row['label']!r}"
                ) from error
            rows.append(row)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise TrainingError(
                f"{name}, line {reader.line_num}: a field is longer than {csv.field_size_limit()} characters "
                "(a quote that is never closed?)"
            ) from error
        raise TrainingError(f"{name}, line {reader.line_num}: not CSV ({error})") from error
    return rows


class ArgumentParser(argparse.ArgumentParser):
    """argparse that raises TrainingUsageError where argparse would print its usage and exit: `kavalu models
    train` then reports a wrong option in one line, as every other command does."""

    def error(self, message: str) -> NoReturn:
        raise TrainingUsageError(message)


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from low to high (inclusive)."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            upto = f" to {high}" if high is not None else " or more"
            raise argparse.ArgumentTypeError(f"must be a whole number {low}{upto}, not {text!r}")
        return value

    return convert


def number(low: float, high: float | None = None, low_open: bool = False, high_open: bool = False):
    """An argparse type: a finite number in the range from low to high; an open end excludes its bound."""
    if high is None:
        wanted = f"{'above' if low_open else 'at least'} {low:g}"
    else:
        wanted = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if (
            not math.isfinite(value)
            or value < low
            or (low_open and value == low)
            or (high is not None and (value > high or (high_open and value == high)))
        ):
            raise argparse.ArgumentTypeError(f"must be a number {wanted}, not {text!r}")
        return value

    return convert


POSITIVE = whole_number(1)
# BERT's position embeddings end at 512, and a window needs [CLS], one token and [SEP].
MAX_LENGTH = whole_number(3, 512)
