"""Evidence spans shown in the review item: merged, clipped to the text, and wrapped in escaped `<mark>` HTML."""

from __future__ import annotations

import html
from collections.abc import Iterable


def merge_spans(spans: Iterable[dict], length: int) -> list[dict]:
    """Clip spans to the text and merge overlapping ones; each keeps the categories that cover it."""
    clean = []
    for span in spans:
        try:
            start, end = int(span["start"]), int(span["end"])
        except (KeyError, TypeError, ValueError):
            continue
        start, end = max(0, start), min(length, end)
        if start < end:
            clean.append((start, end, str(span.get("category") or span.get("label") or "")))
    clean.sort()
    merged: list[dict] = []
    for start, end, category in clean:
        if merged and start < merged[-1]["end"]:
            merged[-1]["end"] = max(merged[-1]["end"], end)
            if category and category not in merged[-1]["categories"]:
                merged[-1]["categories"].append(category)
        else:
            merged.append({"start": start, "end": end, "categories": [category] if category else []})
    return merged


def _escape(text: str) -> str:
    # A carriage return as a character reference: a browser drops a literal one from "\r\n" when it reads the page,
    # so the console's text selection would count one character fewer per line break than the server, and a
    # redaction chosen by selecting would miss the end of what was selected.
    return html.escape(text).replace("\r", "&#13;")


def highlight(text: str, spans: Iterable[dict]) -> str:
    """The text, HTML-escaped, with each evidence span wrapped in <mark>."""
    out, position = [], 0
    for span in merge_spans(spans, len(text)):
        out.append(_escape(text[position : span["start"]]))
        categories = html.escape(" ".join(span["categories"]), quote=True)
        out.append(f'<mark data-categories="{categories}">{_escape(text[span["start"] : span["end"]])}</mark>')
        position = span["end"]
    out.append(_escape(text[position:]))
    return "".join(out)
