"""Marshmallow schemas: the request and response shapes, and the source of /openapi.json.

Every error message is a one-item list holding {"code", "message"}, so that
`flatten_errors` (service/errors.py) can turn marshmallow's nested error dict into
the contract's flat list with machine-readable codes.
"""

from __future__ import annotations

from datetime import UTC

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validates

from service import policy
from service.strings import CONTROL_OR_SURROGATE, CONTROL_OR_SURROGATE_IN_TEXT


def coded(code: str, message: str) -> list[dict]:
    return [{"code": code, "message": message}]


def _messages(required_code: str = "required", invalid_code: str = "invalid_type") -> dict:
    return {
        "required": coded(required_code, "This field is required."),
        "null": coded(required_code, "This field may not be null."),
        "invalid": coded(invalid_code, "Wrong type."),
        "type": coded(invalid_code, "Wrong type: must be an object."),  # a Nested field's key
    }


class CleanString(fields.String):
    """A string that can be stored anywhere: no NUL, lone surrogates or (outside text) control characters."""

    def __init__(self, *args, allow_newlines: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.forbidden = CONTROL_OR_SURROGATE_IN_TEXT if allow_newlines else CONTROL_OR_SURROGATE

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if self.forbidden.search(value):
            raise ValidationError(coded("invalid_characters", "Contains NUL, control characters or lone surrogates."))
        return value


def _string(required: bool = False, required_code: str = "required", **kwargs) -> CleanString:
    return CleanString(required=required, error_messages=_messages(required_code), **kwargs)


def _length(lo: int, hi: int):
    def check(value: str) -> None:
        if not lo <= len(value) <= hi:
            raise ValidationError(coded("invalid_length", f"Must be {lo} to {hi} characters."))

    return check


class ArticleSchema(Schema):
    class Meta:
        unknown = RAISE

    id = _string(required=True, validate=_length(1, 512))
    title = _string(required=True, validate=_length(1, 2000))
    url = _string(allow_none=True, validate=_length(0, 2000))
    body = _string(allow_none=True, allow_newlines=True, validate=_length(0, 60000))


class AuthorSchema(Schema):
    class Meta:
        unknown = RAISE

    name = _string(required=True, required_code="name_required")
    email = _string(required=True, required_code="email_required")
    ip = _string(required=True, required_code="invalid_ip")
    user_agent = _string(allow_none=True, validate=_length(0, 1000))
    id = _string(allow_none=True, validate=_length(0, 256))

    @validates("name")
    def _name(self, value: str, data_key: str) -> None:
        if code := policy.check_name(value):
            raise ValidationError(coded(code, "Write your name: 1-100 characters, not only digits or punctuation."))

    @validates("email")
    def _email(self, value: str, data_key: str) -> None:
        if code := policy.check_email(value):
            raise ValidationError(coded(code, "Write a valid email address."))

    @validates("ip")
    def _ip(self, value: str, data_key: str) -> None:
        if code := policy.check_ip(value):
            raise ValidationError(coded(code, "Must be an IPv4 or IPv6 address."))


class UtcDateTime(fields.AwareDateTime):
    """An ISO 8601 date-time with a timezone, as UTC: SQLite keeps no offset (the legal export gave the local time as
    UTC), and a time past year 9999 in UTC would be stored by PostgreSQL and then fail every read of its row."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError(coded("invalid_datetime", "The date-time is out of range in UTC.")) from None


class CommentSubmissionSchema(Schema):
    """POST /v1/comments. The length limit comes from the publisher's policy."""

    class Meta:
        unknown = RAISE

    comment_id = _string(required=True, validate=_length(1, 128))
    article = fields.Nested(ArticleSchema, required=True, error_messages=_messages())
    author = fields.Nested(AuthorSchema, required=True, error_messages=_messages())
    text = _string(required=True, required_code="text_required", allow_newlines=True)
    parent_comment_id = _string(allow_none=True, validate=_length(0, 128))
    submitted_at = UtcDateTime(
        allow_none=True,
        error_messages={
            **_messages(),
            "invalid": coded("invalid_datetime", "Not an ISO 8601 date-time with a timezone."),
            "invalid_awareness": coded("invalid_datetime", "The date-time needs a timezone."),
        },
    )
    language = _string(allow_none=True, validate=_length(0, 35))

    def __init__(self, *args, max_length: int = 2000, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_length = max_length

    @pre_load
    def _report_every_rule(self, data, **kwargs):
        # A missing author or article would hide the rules inside them; validate an empty one instead.
        if isinstance(data, dict):
            data = dict(data)
            for key in ("author", "article"):
                if key not in data:
                    data[key] = {}
        return data

    @validates("text")
    def _text(self, value: str, data_key: str) -> None:
        if code := policy.check_text(value, self.max_length):
            message = "Write a comment." if code == "text_required" else f"At most {self.max_length} characters."
            raise ValidationError(coded(code, message))


class LinksSchema(Schema):
    self_ = fields.String(data_key="self")


class CommentAcceptedSchema(Schema):
    id = fields.String()
    comment_id = fields.String()
    status = fields.String()
    links = fields.Nested(LinksSchema)


class ReasonSchema(Schema):
    code = fields.String()
    score = fields.Float(allow_none=True)
    threshold = fields.Float(allow_none=True)
    source = fields.String(allow_none=True)
    language = fields.String(
        metadata={"description": "Set when the threshold came from the policy's `languages` entry for this tag"}
    )


class CommentStatusSchema(CommentAcceptedSchema):
    status = fields.String(metadata={"enum": ["pending", "review", "legal_review", "approved", "rejected"]})
    decided_by = fields.String(allow_none=True, metadata={"enum": ["auto", "moderator", None]})
    revision = fields.Integer()
    language = fields.String(allow_none=True, metadata={"description": "The BCP 47 tag the publisher sent, if any"})
    detected_language = fields.String(
        allow_none=True, metadata={"description": "The language the scoring worker found (null before scoring)"}
    )
    reasons = fields.List(fields.Nested(ReasonSchema))
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    received_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    redacted_text = fields.String(
        allow_none=True,
        metadata={"description": "A moderator's redaction of this revision: show it instead of the text (else null)"},
    )


class ErrorItemSchema(Schema):
    field = fields.String(allow_none=True)
    code = fields.String()
    message = fields.String()


class ErrorBodySchema(Schema):
    errors = fields.List(fields.Nested(ErrorItemSchema))
