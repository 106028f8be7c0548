"""The publisher's pull feed of decisions (GET /v1/decisions): a thin view over service.delivery.feed."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, ValidationError, fields

from service.api.auth import authenticate_publisher
from service.api.context import db_session
from service.delivery import feed as pull_feed
from service.errors import ApiError
from service.intake.schemas import ErrorBodySchema, coded

blp = Blueprint("decisions", __name__, url_prefix="/v1/decisions", description="Pull feed of final decisions")

MAX_LIMIT = 500

# Path-level, because an operation's own "parameters" doc would replace the query ones from @blp.arguments.
_SIGNED = [
    {"in": "header", "name": "X-Kavalu-Publisher", "required": True, "schema": {"type": "string"}},
    {
        "in": "header",
        "name": "X-Kavalu-Signature",
        "required": True,
        "schema": {"type": "string"},
        "description": "t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.' (a GET signs an empty body)>",
    },
]


def _limit_in_range(value: int) -> None:
    if not 1 <= value <= MAX_LIMIT:
        raise ValidationError(coded("invalid_limit", f"limit must be 1 to {MAX_LIMIT}."))


def _cursor_length(value: str) -> None:
    if len(value) > 64:
        raise ValidationError(coded("invalid_cursor", "after must be a cursor returned as `next` by this feed."))


class FeedQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    after = fields.String(
        load_default=None,
        validate=_cursor_length,
        error_messages={"invalid": coded("invalid_cursor", "after must be a string.")},
        metadata={"description": "The `next` of the previous page; omit to start from the oldest decision. Opaque."},
    )
    limit = fields.Integer(
        load_default=100,
        validate=_limit_in_range,
        strict=False,
        error_messages={"invalid": coded("invalid_limit", f"limit must be an integer 1 to {MAX_LIMIT}.")},
        metadata={"description": f"Page size, 1 to {MAX_LIMIT}.", "minimum": 1, "maximum": MAX_LIMIT, "default": 100},
    )


class FeedDecisionSchema(Schema):
    sequence = fields.String(
        metadata={"description": "Position in this publisher's feed; a later decision has a larger one."}
    )
    id = fields.String(metadata={"description": "Kavalu's comment id"})
    comment_id = fields.String(metadata={"description": "The publisher's own comment id"})
    revision = fields.Integer()
    status = fields.String(metadata={"enum": ["approved", "rejected"]})
    decided_by = fields.String(metadata={"enum": ["auto", "moderator"]})
    reasons = fields.List(fields.Dict(), metadata={"description": "As in the callback: code, score, threshold, ..."})
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    decided_at = fields.DateTime()
    language = fields.String(allow_none=True, metadata={"description": "The language tag the publisher sent"})
    detected_language = fields.String(
        allow_none=True,
        metadata={"description": 'What the abuse scorer detected: "en", "hi", "hi-Latn", "kn", "kn-Latn", "und"'},
    )
    redacted_text = fields.String(
        allow_none=True,
        metadata={"description": "A moderator's redaction of this revision: show it instead of the text (else null)"},
    )


class FeedPageSchema(Schema):
    data = fields.List(fields.Nested(FeedDecisionSchema))
    next = fields.String(
        metadata={"description": "Pass as `after` for the following page (also when this one is empty)."}
    )
    has_more = fields.Boolean(metadata={"description": "True when another page is already waiting."})


@blp.route("", methods=["GET"], parameters=_SIGNED)
@blp.doc(operationId="listDecisions")
# A bad query is a 400 (webargs' default is 422); the app's error handler answers it in the contract's shape.
@blp.arguments(FeedQuerySchema, location="query", as_kwargs=True, error_status_code=400)
@blp.response(200, FeedPageSchema, description="Final decisions after the cursor, oldest first")
@blp.alt_response(400, schema=ErrorBodySchema, description="Bad cursor (invalid_cursor) or limit (invalid_limit)")
@blp.alt_response(401, schema=ErrorBodySchema, description="Signature fails")
@blp.alt_response(413, schema=ErrorBodySchema, description="Body over 64 KiB (the signature covers any body sent)")
@blp.alt_response(503, schema=ErrorBodySchema, description="Store unavailable; see Retry-After")
def decision_feed(after: str | None, limit: int):
    """Every final decision (approved or rejected) for the calling publisher, oldest first.

    Complete even when every callback failed: a publisher whose endpoint was
    down reads what it missed here, and polls on with the `next` it last got.
    """
    session = db_session()
    publisher = authenticate_publisher(session)
    try:
        return pull_feed.decision_feed(session, publisher.id, after, limit)
    except pull_feed.InvalidCursor as error:
        raise ApiError.single(400, "invalid_cursor", str(error), field="after") from error
