"""OpenAI's moderation API on Kavalu's scorers: the request checks and the answer.

A category is true when the Kavalu category behind it (service.analyze.categories.OPENAI_CATEGORIES) is at
or above the publisher's review threshold for it. `flagged` is true when the publisher's policy would not
approve the text automatically (review, legal review or reject), which also covers what OpenAI has no
category for (defamation, personal data, spam, blocked terms).
"""

from __future__ import annotations

import uuid

from service.analyze.analysis import MAX_TEXT_CHARS, Analysis
from service.analyze.categories import OPENAI_CATEGORIES, OPENAI_MODEL
from service.decisions.engine import APPROVED

MAX_INPUTS = 32


class OpenAIError(Exception):
    def __init__(self, status: int, message: str, type_: str, code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type_, code, param
        self.headers: dict[str, str] = {}

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def invalid(message: str, param: str | None = "input", code: str | None = None) -> OpenAIError:
    return OpenAIError(400, message, "invalid_request_error", code, param)


def parse_inputs(body) -> tuple[list[str], str]:
    """The inputs to moderate, one text each, and the model name to answer with.

    As OpenAI's API: a string is one input, a list of strings is one input per string, and a list of content
    parts ({type: text} and {type: image_url}) is ONE input, answered with one result. Images cannot be scored
    here: a multimodal input is scored on its text parts together, and one with no text is refused.
    """
    if not isinstance(body, dict):
        raise invalid("The body must be a JSON object.", None)
    unknown = set(body) - {"input", "model"}
    if unknown:
        raise invalid(f"Unrecognized request argument supplied: {sorted(unknown)[0]}", sorted(unknown)[0])
    model = body.get("model") or OPENAI_MODEL
    if not isinstance(model, str) or len(model) > 100:
        raise invalid("model must be a string.", "model")
    given = body.get("input")
    items = given if isinstance(given, list) else [given]
    if not items or len(items) > MAX_INPUTS:
        raise invalid(f"input must be a string or a list of 1 to {MAX_INPUTS} items.")
    if all(isinstance(item, dict) for item in items):
        return [_checked(_multimodal_text(items))], model
    if any(isinstance(item, dict) for item in items):
        raise invalid("input must be a string, a list of strings, or a list of content parts, not a mix of them.")
    return [_checked(item) for item in items], model


def _multimodal_text(parts: list) -> str:
    """The text parts of one multimodal input, joined; image parts are checked, then left unscored."""
    texts, images = [], 0
    for part in parts:
        kind = part.get("type")
        if kind == "text":
            if not isinstance(part.get("text"), str):
                raise invalid("A text part must have a string `text`.")
            texts.append(part["text"])
        elif kind == "image_url":
            image = part.get("image_url")
            if not isinstance(image, dict) or not isinstance(image.get("url"), str):
                raise invalid("An image_url part must have `image_url: {url}`.")
            images += 1
        else:
            raise invalid("Each content part must be of type text or image_url.")
    if images and not any(text.strip() for text in texts):
        raise invalid(
            "Images cannot be scored by this server; send the text to moderate (image parts are left unscored).",
            "input",
            "unsupported_input_type",
        )
    return "\n".join(texts)


def _checked(text) -> str:
    if not isinstance(text, str) or not text.strip():
        raise invalid("Each input must be a non-empty string.")
    if len(text) > MAX_TEXT_CHARS or any(0xD800 <= ord(ch) <= 0xDFFF or ch == "\x00" for ch in text):
        raise invalid(f"Each input must be at most {MAX_TEXT_CHARS} characters of text.")
    return text


def result(analysis: Analysis, policy: dict) -> dict:
    thresholds = policy.get("thresholds", {})
    categories, category_scores = {}, {}
    for name, category in OPENAI_CATEGORIES.items():
        score = analysis.scores.get(category, 0.0) if category else 0.0
        review_at = (thresholds.get(category) or {}).get("review") if category else None
        category_scores[name] = float(score)
        categories[name] = bool(
            category and category in analysis.scores and review_at is not None and score >= review_at
        )
    return {
        "flagged": analysis.verdict.status != APPROVED or any(categories.values()),
        "categories": categories,
        "category_scores": category_scores,
        "category_applied_input_types": {name: ["text"] for name in OPENAI_CATEGORIES},
    }


def response(model: str, results: list[dict]) -> dict:
    return {"id": "modr-" + uuid.uuid4().hex, "model": model, "results": results}
