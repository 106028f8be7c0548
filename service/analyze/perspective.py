"""Perspective's comments:analyze and comments:suggestscore on Kavalu's scorers: request checks, the answer,
and Perspective's error shape (clients match on `details[].errorType`).

Scores are Kavalu's, not Perspective's: an attribute is answered only when a Kavalu scorer outputs its category
(service.analyze.categories), and thresholds tuned on Perspective need checking again.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

from service.analyze.analysis import MAX_TEXT_CHARS, Analysis
from service.analyze.categories import DEFAULT_LANGUAGE, PERSPECTIVE_ATTRIBUTES, UNDETERMINED, supports_language
from service.strings import storable

ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "INVALID_ARGUMENT",
    413: "INVALID_ARGUMENT",
    415: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class PerspectiveError(Exception):
    def __init__(self, code: int, message: str, error_type: str | None = None, headers: dict | None = None, **extra):
        super().__init__(message)
        self.code, self.message, self.error_type = code, message, error_type
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict:
        details = []
        if self.error_type:
            details.append({"@type": ERROR_TYPE, "errorType": self.error_type, **self.extra})
        elif "reason" in self.extra:
            details.append({"@type": "type.googleapis.com/google.rpc.ErrorInfo", **self.extra})
        error = {"code": self.code, "message": self.message, "status": STATUS_NAMES.get(self.code, "UNKNOWN")}
        if details:
            error["details"] = details
        return {"error": error}


def invalid(message: str, error_type: str = "INVALID_REQUEST", **extra) -> PerspectiveError:
    return PerspectiveError(400, message, error_type, **extra)


@dataclass
class AnalyzePlan:
    text: str
    attributes: dict[str, float | None]  # attribute -> scoreThreshold
    languages: list[str]
    span_annotations: bool
    do_not_store: bool
    drop_unsupported: bool
    client_token: str | None
    community_id: str | None
    context_text: str = ""
    dropped: list[str] = field(default_factory=list)
    # The comment as sent, and for an HTML one the range of it each character of `text` came from: span offsets
    # are answered in the text as sent, in UTF-16 code units (what Perspective's clients index by).
    source_text: str = ""
    source_ranges: list[tuple[int, int]] | None = None

    def source_span(self, begin: int, end: int) -> tuple[int, int]:
        if self.source_ranges is not None and end > begin:
            begin, end = self.source_ranges[begin][0], self.source_ranges[end - 1][1]
        source = self.source_text or self.text
        return _utf16_length(source[:begin]), _utf16_length(source[:end])

    @property
    def categories(self) -> set[str]:
        """The Kavalu categories to score: only the requested attributes' (a TOXICITY-only request needs only
        the abuse model)."""
        return {PERSPECTIVE_ATTRIBUTES[name] for name in self.attributes}


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


# A line break, any other tag, or an entity.
_HTML_PIECE = re.compile(r"(?i)(<br\s*/?>|</p\s*>|</div\s*>)|<[^>]*>|&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);?")


def html_to_text(body: str) -> str:
    """Perspective's comment.type HTML, and Coral's comment bodies: tags dropped, entities decoded."""
    return html_text_and_ranges(body)[0]


def html_text_and_ranges(body: str) -> tuple[str, list[tuple[int, int]]]:
    """The text of an HTML body (tags dropped, a line break for <br>, </p> and </div>, entities decoded, outer
    whitespace stripped), and for each of its characters the range of the body it came from."""
    chars: list[str] = []
    ranges: list[tuple[int, int]] = []
    position = 0
    for piece in [*_HTML_PIECE.finditer(body), None]:
        start = piece.start() if piece else len(body)
        chars.extend(body[position:start])
        ranges.extend((index, index + 1) for index in range(position, start))
        if piece is None:
            break
        kept = "\n" if piece.group(1) else html.unescape(piece.group()) if piece.group().startswith("&") else ""
        chars.extend(kept)
        ranges.extend([piece.span()] * len(kept))
        position = piece.end()
    text = "".join(chars)
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    return text[start:end], ranges[start:end]


def _object(value, name: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid(f"Invalid value at '{name}': expected an object.")
    return value


def _string(value, name: str, limit: int = 1000) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit or not storable(value):
        raise invalid(
            f"Invalid value at '{name}': expected a string of at most {limit} characters, without NUL, control"
            " characters or lone surrogates."
        )
    return value


def _comment_text(comment: dict, name: str = "comment") -> str:
    text = comment.get("text")
    kind = comment.get("type", "PLAIN_TEXT")
    if kind not in ("PLAIN_TEXT", "HTML"):
        raise invalid(f"Unknown text type {kind!r}: PLAIN_TEXT or HTML.")
    if text is None or (isinstance(text, str) and not text.strip()):
        raise invalid("Comment must be non-empty.", "COMMENT_EMPTY")
    if not isinstance(text, str):
        raise invalid(f"Invalid value at '{name}.text': expected a string.")
    text = html_to_text(text) if kind == "HTML" else text
    if not text.strip():
        raise invalid("Comment must be non-empty.", "COMMENT_EMPTY")
    if len(text) > MAX_TEXT_CHARS:
        raise invalid(f"Comment text too long. At most {MAX_TEXT_CHARS} characters.", "COMMENT_TOO_LONG")
    if any(0xD800 <= ord(ch) <= 0xDFFF or ch == "\x00" for ch in text):
        raise invalid("Comment text contains NUL or lone surrogates.")
    return text


def _languages(body: dict) -> list[str]:
    languages = body.get("languages")
    if languages is None:
        return []
    if not isinstance(languages, list) or not all(
        isinstance(x, str) and 0 < len(x) <= 35 and storable(x) for x in languages
    ):
        raise invalid("Invalid value at 'languages': expected a list of language codes.")
    return languages[:10]


def _bool(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise invalid(f"Invalid value at '{name}': expected true or false.")
    return value


_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


def _camel_keys(value):
    """Perspective is a proto3 API, whose JSON parsers take a field's proto name (`requested_attributes`) as well as
    its JSON name (`requestedAttributes`); attribute names (`SEVERE_TOXICITY`) are not field names and stay."""
    if isinstance(value, list):
        return [_camel_keys(item) for item in value]
    if not isinstance(value, dict):
        return value
    camel = {}
    for key, item in value.items():
        name = key
        if isinstance(key, str) and _SNAKE_CASE.fullmatch(key):
            head, *rest = key.split("_")
            name = head + "".join(part.capitalize() for part in rest)
            if name in value:  # both spellings: the JSON name wins
                continue
        camel[name] = _camel_keys(item)
    return camel


def parse_analyze(body) -> AnalyzePlan:
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received: expected an object.")
    body = _camel_keys(body)
    comment = _object(body.get("comment"), "comment")
    text = _comment_text(comment)
    source_ranges = html_text_and_ranges(comment["text"])[1] if comment.get("type") == "HTML" else None
    requested = _object(body.get("requestedAttributes"), "requestedAttributes")
    if not requested:
        raise invalid("Missing requested_attributes", "NO_REQUESTED_ATTRIBUTES")
    drop = _bool(body, "dropUnsupportedAttributes")
    attributes: dict[str, float | None] = {}
    dropped = []
    for name, given in requested.items():
        spec = _object(given, f"requestedAttributes.{name}")
        if name not in PERSPECTIVE_ATTRIBUTES:
            if drop:
                dropped.append(name)
                continue
            raise invalid(f"Unknown requested attribute: {name}", attribute=name)
        score_type = spec.get("scoreType", "PROBABILITY")
        if score_type not in ("PROBABILITY", None):
            raise invalid(f"Requested score type {score_type} is not supported by attribute {name}")
        threshold = spec.get("scoreThreshold")
        if threshold is not None and (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not math.isfinite(threshold)
            or not 0 <= threshold <= 1
        ):
            raise invalid(f"Invalid scoreThreshold for {name}: a number from 0 to 1.")
        attributes[name] = float(threshold) if threshold is not None else None
    context = _object(body.get("context"), "context")
    entries = context.get("entries") or []
    if not isinstance(entries, list):
        raise invalid("Invalid value at 'context.entries': expected a list.")
    context_text = "\n".join(_comment_text(_object(e, "context.entries"), "context.entries") for e in entries[:20])
    plan = AnalyzePlan(
        text=text,
        attributes=attributes,
        languages=_languages(body),
        span_annotations=_bool(body, "spanAnnotations"),
        do_not_store=_bool(body, "doNotStore"),
        drop_unsupported=drop,
        client_token=_string(body.get("clientToken"), "clientToken", 256),
        community_id=_string(body.get("communityId"), "communityId", 512),
        context_text=context_text,
        dropped=dropped,
        source_text=comment["text"],
        source_ranges=source_ranges,
    )
    _string(body.get("sessionId"), "sessionId", 256)
    check_languages(plan, plan.languages, "requestedLanguages")
    return plan


def check_languages(plan: AnalyzePlan, languages: list[str], given_as: str) -> None:
    """An attribute none of whose languages is among `languages` is refused, or dropped when the client asked.
    given_as: "requestedLanguages" (the request's) or "detectedLanguages" (what a scorer detected)."""
    if not languages:
        return
    for name in list(plan.attributes):
        category = PERSPECTIVE_ATTRIBUTES[name]
        if any(supports_language(category, language) for language in languages):
            continue
        if plan.drop_unsupported:
            plan.attributes.pop(name)
            plan.dropped.append(name)
            continue
        raise invalid(
            f"Attribute {name} does not support request languages: {', '.join(languages)}",
            "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
            languageNotSupportedByAttributeError={given_as: languages, "attribute": name},
        )


def analyze_response(plan: AnalyzePlan, analysis: Analysis) -> dict:
    if not plan.languages and analysis.detected_language not in (None, UNDETERMINED):
        check_languages(plan, [analysis.detected_language], "detectedLanguages")
    scores = {}
    for name, threshold in plan.attributes.items():
        category = PERSPECTIVE_ATTRIBUTES[name]
        if category not in analysis.scores:  # the running model does not score it
            if plan.drop_unsupported:
                continue
            raise invalid(
                f"Attribute {name} was not scored: Kavalu's scorers gave no {category!r} score for this text.",
                attribute=name,
            )
        value = analysis.scores[category]
        if threshold is not None and value < threshold:
            continue
        entry: dict = {"summaryScore": {"value": value, "type": "PROBABILITY"}}
        if plan.span_annotations:
            spans = analysis.spans_of(category) or []
            ranges = [(s.start, s.end) for s in spans] or [(0, len(plan.text))]
            entry["spanScores"] = [
                {"begin": begin, "end": end, "score": {"value": value, "type": "PROBABILITY"}}
                for begin, end in sorted({plan.source_span(b, e) for b, e in ranges})
            ]
        scores[name] = entry
    # "und" (no letters: emoji, numbers) is no code Perspective answers with; its clients read it as English.
    detected = analysis.detected_language if analysis.detected_language != UNDETERMINED else None
    answer: dict = {"attributeScores": scores, "languages": plan.languages or [detected or DEFAULT_LANGUAGE]}
    if detected:
        answer["detectedLanguages"] = [detected]
    if plan.client_token is not None:
        answer["clientToken"] = plan.client_token
    return answer


@dataclass
class Suggestion:
    text: str
    scores: dict[str, float]
    languages: list[str]
    client_token: str | None
    community_id: str | None


def parse_suggestion(body) -> Suggestion:
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received: expected an object.")
    body = _camel_keys(body)
    text = _comment_text(_object(body.get("comment"), "comment"))
    given = _object(body.get("attributeScores"), "attributeScores")
    if not given:
        raise invalid("No attribute scores suggested: attributeScores is empty.", "NO_REQUESTED_ATTRIBUTES")
    scores = {}
    for name, entry in given.items():
        if name not in PERSPECTIVE_ATTRIBUTES:
            raise invalid(f"Unknown requested attribute: {name}", attribute=name)
        summary = _object(_object(entry, f"attributeScores.{name}").get("summaryScore"), f"{name}.summaryScore")
        value = summary.get("value")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0 <= value <= 1
        ):
            raise invalid(f"Invalid summaryScore.value for {name}: a number from 0 to 1.")
        scores[name] = float(value)
    return Suggestion(
        text,
        scores,
        _languages(body),
        _string(body.get("clientToken"), "clientToken", 256),
        _string(body.get("communityId"), "communityId", 512),
    )
