"""The console's form and query inputs, checked with marshmallow; a bad one is a ConsoleRefusal (4xx page)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from service.errors import ApiError
from service.intake.body import parse_json
from service.intake.schemas import CleanString
from service.review import actions, queues
from service.review.redaction import REDACTION_MODES


class ConsoleRefusal(Exception):
    """A request the console answers with an error page and this status, instead of acting."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


# Reason codes offered when rejecting; the service accepts any lower-case code (actions.REASON_CODE).
REJECT_REASONS = {
    "insult": "Insult or abuse",
    "hate": "Hate speech",
    "harassment": "Harassment",
    "defamation": "Defamation risk",
    "personal_data": "Personal data",
    "spam": "Spam or advertising",
    "off_topic": "Off topic",
    "other": "Other (see note)",
}

# Age filter choices: (query field of service.review.queues.list_queue, seconds).
AGE_FILTERS = {
    "": ("Any age", None, None),
    "newer_1h": ("Last hour", "newer_than", "3600"),
    "newer_24h": ("Last 24 hours", "newer_than", "86400"),
    "older_1h": ("Older than an hour", "older_than", "3600"),
    "older_24h": ("Older than a day", "older_than", "86400"),
}


def _messages(field_name: str, errors) -> str:
    if isinstance(errors, Mapping) and "code" in errors and "message" in errors:
        return f"{field_name}: {errors['message']}"
    if isinstance(errors, Mapping):
        return "; ".join(_messages(f"{field_name}.{k}" if field_name else str(k), v) for k, v in errors.items())
    if isinstance(errors, list):
        return "; ".join(_messages(field_name, e) for e in errors)
    return f"{field_name}: {errors}"


def load(schema: Schema, data: Mapping, status: int = 422) -> dict:
    try:
        return schema.load(dict(data))
    except ValidationError as error:
        raise ConsoleRefusal(status, _messages("", error.messages)) from error


class QueueFilters(Schema):
    class Meta:
        unknown = EXCLUDE

    queue = CleanString(load_default="general", validate=validate.OneOf(list(queues.QUEUES)))
    publisher = CleanString(load_default="", validate=validate.Length(max=40))
    category = CleanString(load_default="", validate=validate.Length(max=64))
    language = CleanString(load_default="", validate=validate.Regexp(r"^([A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*)?$"))
    age = CleanString(load_default="", validate=validate.OneOf(list(AGE_FILTERS)))
    sort = CleanString(load_default="risk", validate=validate.OneOf(list(queues.SORTS)))
    cursor = CleanString(load_default="", validate=validate.Length(max=1000))


class DecisionForm(Schema):
    class Meta:
        unknown = EXCLUDE

    action = CleanString(required=True, validate=validate.OneOf(list(actions.ACTIONS)))
    reason = CleanString(load_default="")
    note = CleanString(allow_newlines=True, load_default="", validate=validate.Length(max=2000))
    spans = CleanString(load_default="", validate=validate.Length(max=4000))
    redaction = CleanString(load_default="block", validate=validate.OneOf(list(REDACTION_MODES)))
    expected_revision = fields.Integer(load_default=None, allow_none=True)
    next = CleanString(load_default="", validate=validate.Length(max=2000))


class BulkForm(Schema):
    class Meta:
        unknown = EXCLUDE

    action = CleanString(required=True, validate=validate.OneOf(list(actions.BULK_ACTIONS)))
    reason = CleanString(load_default="")
    next = CleanString(load_default="", validate=validate.Length(max=2000))


class DisclosureForm(Schema):
    class Meta:
        unknown = EXCLUDE

    request_reference = CleanString(load_default="", validate=validate.Length(max=200))


class PublisherForm(Schema):
    class Meta:
        unknown = EXCLUDE

    name = CleanString(required=True, validate=validate.Length(min=1, max=200))
    callback_url = CleanString(load_default="", validate=validate.Length(max=2000))


class RotateForm(Schema):
    class Meta:
        unknown = EXCLUDE

    grace = CleanString(load_default="24h", validate=validate.Length(max=20))
    revoke_now = fields.Boolean(load_default=False)


class PolicyForm(Schema):
    class Meta:
        unknown = EXCLUDE

    overrides = CleanString(allow_newlines=True, required=True, validate=validate.Length(max=60000))


class AuthorRuleForm(Schema):
    class Meta:
        unknown = EXCLUDE

    kind = CleanString(required=True, validate=validate.Length(max=20))
    value = CleanString(required=True, validate=validate.Length(min=1, max=320))
    action = CleanString(required=True, validate=validate.Length(max=20))
    publisher_id = CleanString(load_default="", validate=validate.Length(max=40))
    reason = CleanString(load_default="", validate=validate.Length(max=2000))


_SPAN = re.compile(r"^\s*(\d{1,6})\s*-\s*(\d{1,6})\s*$")


def parse_spans(text: str) -> list[dict] | None:
    """`3-9, 15-20` (code-point offsets, end exclusive) as [{start, end}]; the service checks them against the text."""
    if not text.strip():
        return None
    spans = []
    for part in text.split(","):
        match = _SPAN.match(part)
        if not match:
            raise ConsoleRefusal(422, "spans: give start-end pairs separated by commas, like 3-9, 15-20.")
        spans.append({"start": int(match.group(1)), "end": int(match.group(2))})
    return spans


def parse_overrides(text: str) -> dict:
    overrides = parse_json(text.encode("utf-8", "surrogatepass"))
    if isinstance(overrides, ApiError):
        raise ConsoleRefusal(422, f"policy: {overrides.errors[0].message}")
    if not isinstance(overrides, dict):
        raise ConsoleRefusal(422, "policy: must be a JSON object.")
    return overrides


def safe_next(target: str | None, default: str) -> str:
    """A redirect target inside the console only (never another site)."""
    if target and target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return default
