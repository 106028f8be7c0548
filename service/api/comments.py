"""POST /v1/comments and GET /v1/comments/<id>: thin views over service.intake.comments."""

from __future__ import annotations

import json

from flask import jsonify, request
from flask_smorest import Blueprint
from marshmallow import ValidationError

from service.api.auth import authenticate_publisher
from service.api.context import db_session, default_policy, task_queue
from service.errors import ApiError, FieldError, flatten_errors
from service.intake import comments, ratelimit
from service.intake.schemas import CommentAcceptedSchema, CommentStatusSchema, CommentSubmissionSchema, ErrorBodySchema
from service.policy import merged_policy

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


def _parse_json_body() -> object:
    if not request.is_json:
        raise ApiError.single(415, "unsupported_media_type", "Send application/json.")
    body = request.get_json(silent=True, cache=True)  # parsed once, shared with the rate limiter
    if body is not None:
        return body
    try:
        return json.loads(request.get_data(cache=True))  # tells "null" from garbage
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError.single(400, "malformed_json", "The body is not valid JSON.") from None


@blp.route("", methods=["POST"])
@blp.doc(
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
@ratelimit.per_publisher
@ratelimit.per_author_ip
def submit_comment():
    session = db_session()
    publisher = authenticate_publisher(session)
    body = _parse_json_body()
    policy = merged_policy(default_policy(), publisher.policy_overrides)
    try:
        data = CommentSubmissionSchema(max_length=policy["max_length"]).load(body)
    except ValidationError as error:
        raise ApiError(422, flatten_errors(error.messages)) from error
    result = comments.submit(session, publisher, data, task_queue().enqueue_scoring)
    session.commit()
    if result.outcome == "duplicate":
        # Bypass the 202 response schema: a retry answers with the whole current record.
        return jsonify(CommentStatusSchema().dump(comments.status_view(session, result.comment)))
    return {
        "id": result.comment_id,
        "comment_id": result.external_id,
        "status": result.status,
        "links": {"self_": f"/v1/comments/{result.comment_id}"},
    }


@blp.route("/<string:comment_id>", methods=["GET"])
@blp.doc(**_SIGNED)
@blp.response(200, CommentStatusSchema)
@blp.alt_response(401, schema=ErrorBodySchema, description="Signature fails")
@blp.alt_response(404, schema=ErrorBodySchema, description="No such comment for this publisher")
def get_comment(comment_id: str):
    session = db_session()
    publisher = authenticate_publisher(session)
    comment = comments.get_for_publisher(session, publisher.id, comment_id)
    if comment is None:
        raise ApiError(404, [FieldError(None, "not_found", "No such comment.")])
    return comments.status_view(session, comment)
