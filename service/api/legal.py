"""Lawful disclosure API (/v1/legal/...): sender details for the legal role, audited with the authority's reference.

The views are routes on the shared "review" blueprint (service.api.review_blueprint), so they keep its OpenAPI tag.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from service.api.context import db_session
from service.api.moderator_auth import BEARER_DOC, authenticate_moderator
from service.api.review_blueprint import (
    blp,
    error_responses,
    field_messages,
    load_query,
    query_doc,
    run_in_session,
)
from service.intake.schemas import CleanString
from service.review import disclosure
from service.review.access import SENDER_ROLES


class SenderQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    request_reference = CleanString(
        required=True,
        error_messages=field_messages(required="request_reference_required"),
        metadata={"description": "The authority's request reference (required)"},
    )


class SenderRevisionSchema(Schema):
    revision = fields.Integer()
    ip = fields.String()
    user_agent = fields.String(allow_none=True)
    email = fields.String()
    name = fields.String()
    submitted_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    received_at = fields.String(metadata={"format": "date-time"})


class SenderSchema(SenderRevisionSchema):
    id = fields.String()
    comment_id = fields.String()
    publisher_id = fields.String()
    request_reference = fields.String()
    revisions = fields.List(fields.Nested(SenderRevisionSchema))


@blp.route("/v1/legal/comments/<string:comment_id>/sender", methods=["GET"])
@blp.doc(operationId="getSender", **BEARER_DOC, **query_doc(SenderQuerySchema))
@blp.response(200, SenderSchema)
@error_responses(
    (400, "request_reference missing or invalid"), (403, "Not the legal role (forbidden)"), (404, "No such comment")
)
def sender(comment_id: str):
    """Legal role only: the sender's IP, user agent, email, name and times, for each revision. Audited with the reference."""
    session = db_session()
    moderator = authenticate_moderator(session, roles=SENDER_ROLES)
    args = load_query(SenderQuerySchema())
    return run_in_session(lambda s: disclosure.sender_details(s, comment_id, moderator, args["request_reference"]))
