"""Redaction: the moderator's spans checked against the text, and the text with them cut out."""

from __future__ import annotations

from service.review.errors import ReviewError
from service.review.highlighting import merge_spans

REDACTION_MODES = {"block": None, "label": "[redacted]"}


def check_spans(spans, length: int) -> list[dict]:
    """The spans a redact request gives, as {start, end}; refused unless each is inside the text."""
    if not isinstance(spans, list) or not spans:
        raise ReviewError(422, "spans_required", 'Give the spans to redact: [{"start", "end"}, ...].', "spans")
    clean = []
    for index, span in enumerate(spans):
        start, end = (span.get("start"), span.get("end")) if isinstance(span, dict) else (None, None)
        if (
            not isinstance(start, int)
            or not isinstance(end, int)
            or isinstance(start, bool)
            or isinstance(end, bool)
            or not 0 <= start < end <= length
        ):
            raise ReviewError(422, "invalid_span", f"Each span needs 0 <= start < end <= {length}.", f"spans.{index}")
        clean.append({"start": start, "end": end})
    return clean


def redact_text(text: str, spans: list[dict], mode: str = "block") -> str:
    """Replace each [start, end) with "█" per character ("block", keeps offsets) or "[redacted]" ("label")."""
    label = REDACTION_MODES[mode]
    out, position = [], 0
    for span in merge_spans(spans, len(text)):
        out.append(text[position : span["start"]])
        out.append("█" * (span["end"] - span["start"]) if label is None else label)
        position = span["end"]
    out.append(text[position:])
    return "".join(out)
