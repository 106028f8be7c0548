"""POST /v1/comments and GET /v1/comments/<id>: thin views over service.intake.comments."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, jsonify, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy.orm import Session

from service.api.auth import authenticate_publisher
from service.api.context import db_session
from service.delivery.attempts import DELIVERY_HEADER, EVENT_HEADER
from service.errors import ApiError, FieldError
from service.intake import comments, lean, ratelimit
from service.intake.body import json_body, peek_json_body
from service.intake.schemas import (
    CommentAcceptedSchema,
    CommentStatusSchema,
    CommentSubmissionSchema,
    ErrorBodySchema,
    ReasonSchema,
)
from service.publishers.cache import PublisherCache
from service.publishers.signing import PUBLISHER_HEADER, SIGNATURE_HEADER

blp = Blueprint("comments", __name__, url_prefix="/v1/comments", description="Intake webhook and comment status")

_SIGNED = {
    "parameters": [
        {"in": "header", "name": "X-Kavalu-Publisher", "required": True, "schema": {"type": "string"}},
        {
            "in": "header",
            "name": "X-Kavalu-Signature",
            "required": True,
            "schema": {"type": "string"},
            "description": "t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.' + raw body>",
        },
    ]
}


# -- the outbound callback, documented on POST /v1/comments (sent by service.delivery) ------------


class DecidedCommentSchema(Schema):
    id = fields.String(metadata={"description": "Kavalu's comment id"})
    comment_id = fields.String(metadata={"description": "The publisher's own comment id"})
    revision = fields.Integer(metadata={"description": "The revision decided; an edit is decided again"})
    status = fields.String(metadata={"enum": ["approved", "rejected"]})
    decided_by = fields.String(metadata={"enum": ["auto", "moderator"]})
    reasons = fields.List(fields.Nested(ReasonSchema))
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    decided_at = fields.DateTime()
    language = fields.String(allow_none=True, metadata={"description": "The language tag the publisher sent"})
    detected_language = fields.String(
        allow_none=True,
        metadata={"description": 'What the abuse scorer detected: "en", "hi", "hi-Latn", "kn", "kn-Latn", "und"'},
    )


class CommentDecidedEventSchema(Schema):
    """The body of a comment.decided callback (service.decisions.record.callback_payload)."""

    event_id = fields.String(metadata={"description": "evt_…, the same on every retry: deduplicate on it"})
    type = fields.String(metadata={"enum": ["comment.decided"]})
    created_at = fields.DateTime()
    data = fields.Nested(DecidedCommentSchema)


def _header(name: str, description: str, **schema) -> dict:
    return {
        "in": "header",
        "name": name,
        "required": True,
        "description": description,
        "schema": {"type": "string", **schema},
    }


DECIDED_CALLBACK = {
    "commentDecided": {
        # A literal key, not a runtime expression: the URL is the publisher's callback_url, set with
        # `kavalu publishers create --callback-url`, not taken from the request.
        "callback_url": {
            "post": {
                "operationId": "commentDecided",
                "summary": "comment.decided: a final decision, or a later change of one",
                "description": "POSTed to the publisher's callback_url and signed like the publisher's own requests, "
                "with its signing secret. Any 2xx acknowledges the event; another status, a time-out or a refused "
                "connection is retried with backoff under the same event_id for at least 24 hours. Redirects are "
                "not followed.",
                "parameters": [
                    _header(PUBLISHER_HEADER, "The publisher's id"),
                    _header(SIGNATURE_HEADER, "t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.' + raw body>"),
                    _header(EVENT_HEADER, "The event type", enum=["comment.decided"]),
                    _header(DELIVERY_HEADER, "This attempt's id: new for each attempt, unlike event_id"),
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": CommentDecidedEventSchema}},
                },
                "responses": {
                    "2XX": {"description": "Acknowledged"},
                    "default": {"description": "Not acknowledged: retried with backoff"},
                },
            }
        }
    }
}


@blp.route("", methods=["POST"])
@blp.doc(
    operationId="submitComment",
    callbacks=DECIDED_CALLBACK,
    **_SIGNED,
    requestBody={"required": True, "content": {"application/json": {"schema": CommentSubmissionSchema}}},
)
@blp.response(202, CommentAcceptedSchema, description="New comment or new revision accepted")
@blp.alt_response(200, schema=CommentStatusSchema, description="A retry: the current record")
@blp.alt_response(400, schema=ErrorBodySchema, description="Malformed JSON")
@blp.alt_response(401, schema=ErrorBodySchema, description="Signature fails")
@blp.alt_response(413, schema=ErrorBodySchema, description="Body over 64 KiB")
@blp.alt_response(415, schema=ErrorBodySchema, description="Not JSON")
@blp.alt_response(422, schema=ErrorBodySchema, description="One error for every rule broken")
@blp.alt_response(429, schema=ErrorBodySchema, description="Rate limit hit; see Retry-After")
@blp.alt_response(503, schema=ErrorBodySchema, description="Store unavailable; retry with the same comment_id")
def submit_comment():
    # Most intake requests are answered by service.api.intake_fast_path before they reach Flask; this view
    # answers those it passes on (no Content-Length, a body over the limit, another JSON media type).
    signed = lean.SignedRequest(
        publisher_id=request.headers.get(PUBLISHER_HEADER, ""),
        signature=request.headers.get(SIGNATURE_HEADER),
        raw=request.get_data(cache=True),  # raises 413 past MAX_CONTENT_LENGTH
    )
    # json_body is parsed once (peek_json_body caches it) and raises the body's 4xx.
    status, body = accept_comment(current_app, db_session(), signed, peek_json_body, json_body)
    response = jsonify(body)
    response.status_code = status
    return response  # a Response: flask-smorest leaves it as it is


def accept_comment(
    app: Flask,
    session: Session,
    signed: lean.SignedRequest,
    peek_body: Callable[[], object | None],
    read_body: Callable[[], object],
) -> tuple[int, dict]:
    """A signed intake request to the status and body of its answer; raises ApiError for a 4xx. The view and
    the fast path both answer through here."""
    result = lean.accept(
        session,
        publisher_cache(app),
        intake_limits(app),
        signed,
        app.config["KAVALU_SETTINGS"].signature_tolerance_s,
        peek_body,
        read_body,
        app.extensions["kavalu.tasks"].enqueue_scoring,
    )
    if session.in_transaction():  # a new comment's one statement committed itself (service.intake.lean)
        session.commit()
    if result.outcome == "duplicate":
        assert result.comment is not None  # a retry is answered from the stored row, with the whole current record
        return 200, _STATUS_SCHEMA.dump(comments.status_view(session, result.comment))
    # CommentAcceptedSchema's shape, written out: dumping four strings through it cost more than building them.
    links = {"self": f"/v1/comments/{result.comment_id}"}
    return 202, {"id": result.comment_id, "comment_id": result.external_id, "status": result.status, "links": links}


_STATUS_SCHEMA = CommentStatusSchema()


def intake_limits(app: Flask) -> ratelimit.IntakeLimits:
    """This app's intake rate limits (service.intake.ratelimit), built on first use."""
    extensions = app.extensions
    if "kavalu.intake_limits" not in extensions:
        extensions["kavalu.intake_limits"] = ratelimit.IntakeLimits(
            app.config["KAVALU_SETTINGS"], extensions["kavalu.db"].sealer
        )
    return extensions["kavalu.intake_limits"]


def publisher_cache(app: Flask) -> PublisherCache:
    """This process's publisher snapshots (service.publishers.cache), one cache per app."""
    extensions = app.extensions
    if "kavalu.publishers" not in extensions:
        extensions["kavalu.publishers"] = PublisherCache(app.config["KAVALU_SETTINGS"].default_policy)
    return extensions["kavalu.publishers"]


@blp.route("/<string:comment_id>", methods=["GET"])
@blp.doc(operationId="getCommentStatus", **_SIGNED)
@blp.response(200, CommentStatusSchema)
@blp.alt_response(401, schema=ErrorBodySchema, description="Signature fails")
@blp.alt_response(404, schema=ErrorBodySchema, description="No such comment for this publisher")
@blp.alt_response(413, schema=ErrorBodySchema, description="Body over 64 KiB (the signature covers any body sent)")
@blp.alt_response(503, schema=ErrorBodySchema, description="Store unavailable; see Retry-After")
def get_comment(comment_id: str):
    session = db_session()
    publisher = authenticate_publisher(session)
    comment = comments.get_for_publisher(session, publisher.id, comment_id)
    if comment is None:
        raise ApiError(404, [FieldError(None, "not_found", "No such comment.")])
    return comments.status_view(session, comment)
