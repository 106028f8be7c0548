"""Coral Talk's external moderation phase: POST /v1/integrations/coral/<publisher_id>. A thin view over
service.analyze.coral: verify the signature, score the comment now, answer Coral, and store the comment through
intake so it goes on through review and callbacks like any other (an EDIT only when the request names the comment:
service.analyze.coral.stored_comment_id)."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.analyze import coral, storage
from service.analyze.analysis import analyze, publisher_policy
from service.api.context import db_session, default_policy, settings, task_queue
from service.errors import ApiError, FieldError
from service.intake.body import parse_json
from service.intake.ratelimit import limiter
from service.intake.schemas import ErrorBodySchema
from service.models import Publisher
from service.publishers.accounts import active_secrets
from service.taskqueue import AnalyzeFailed, AnalyzeUnavailable

blp = Blueprint("coral", __name__, url_prefix="/v1/integrations", description="Coral Talk external moderation phase")


class CoralActionSchema(Schema):
    actionType = fields.String(metadata={"enum": ["FLAG"]})
    reason = fields.String()


class CoralResponseSchema(Schema):
    status = fields.String(metadata={"enum": ["APPROVED", "REJECTED", "PREMOD", "SYSTEM_WITHHELD"]})
    actions = fields.List(fields.Nested(CoralActionSchema))
    tags = fields.List(fields.String())


class CoralRequestSchema(Schema):
    action = fields.String(required=True, metadata={"enum": ["NEW", "EDIT"]})
    comment = fields.Dict(required=True, metadata={"description": "{id?, body (HTML), parentID}"})
    author = fields.Dict(metadata={"description": "{id, role}"})
    story = fields.Dict(metadata={"description": "{id, url}"})
    site = fields.Dict()
    tenantID = fields.String()
    tenantDomain = fields.String()
    tenant = fields.Dict(metadata={"description": "Older Coral: {id, domain}"})


def _publisher_key() -> str:
    return "coral:" + (request.view_args or {}).get("publisher_id", "")[:40]


def _verified_publisher(session, publisher_id: str) -> Publisher:
    body = request.get_data(cache=True)
    publisher = session.get(Publisher, publisher_id) if len(publisher_id) <= 40 else None
    if publisher is None or not coral.signature_valid(
        active_secrets(publisher), body, request.headers.get(coral.SIGNATURE_HEADER)
    ):
        raise ApiError.single(401, "invalid_signature", "The X-Coral-Signature header is missing or does not match.")
    return publisher


@blp.route("/coral/<string:publisher_id>", methods=["POST"])
@blp.doc(
    operationId="coralModerationPhase",
    parameters=[
        {
            "in": "header",
            "name": "X-Coral-Signature",
            "required": True,
            "schema": {"type": "string"},
            "description": "sha256=<hex HMAC-SHA256(publisher signing secret, raw body)>, comma-joined per active secret",
        }
    ],
    requestBody={"required": True, "content": {"application/json": {"schema": CoralRequestSchema}}},
)
@blp.response(200, CoralResponseSchema, description="Kavalu's verdict in Coral's terms")
@blp.alt_response(204, description="No opinion: no scoring worker answered within the phase's time, or no text")
@blp.alt_response(400, schema=ErrorBodySchema, description="Malformed JSON")
@blp.alt_response(401, schema=ErrorBodySchema, description="Unknown publisher or bad signature")
@blp.alt_response(
    404, schema=ErrorBodySchema, description="A publisher id with characters no id has (NUL, control characters)"
)
@blp.alt_response(413, schema=ErrorBodySchema, description="Body too large")
@blp.alt_response(422, schema=ErrorBodySchema, description="Not a Coral moderation request")
@blp.alt_response(429, schema=ErrorBodySchema, description="Rate limit hit; see Retry-After")
@limiter.limit(
    lambda: settings().rate_limit_per_api_key, key_func=_publisher_key, deduct_when=lambda r: r.status_code != 401
)
def coral_phase(publisher_id: str):
    """Score a comment Coral is about to publish, and answer with Kavalu's verdict in Coral's terms.

    A NEW is also stored, and goes through Kavalu's review, feed and callbacks like any other comment. Coral's
    requests do not say which comment an EDIT changes (no `comment.id`): such an EDIT is scored and answered, so
    Coral moderates the edited text, but it is not stored, and the comment stored from the NEW keeps its first text
    and decision. A request that carries `comment.id` (a proxy that adds it) is stored as `coral:<comment.id>`,
    and its EDIT as a new revision of that comment, scored and called back again."""
    session = db_session()
    publisher = _verified_publisher(session, publisher_id)
    body = parse_json(request.get_data(cache=True))
    if isinstance(body, ApiError):
        raise body
    try:
        item = coral.parse_request(body)
    except coral.CoralError as error:
        raise ApiError(422, [FieldError(error.field, error.code, error.message)]) from error
    if not item.text.strip():
        return "", 204
    policy = publisher_policy(publisher, default_policy())
    try:
        analysis = analyze(task_queue(), settings().analyze_timeout_s, policy, item.text, article_title="")
    except (AnalyzeUnavailable, AnalyzeFailed):
        analysis = None  # Coral's phase has a deadline: no opinion now; the stored comment is scored by the workers
    comment_id = coral.stored_comment_id(item)
    if comment_id is not None:
        storage.store_comment(
            session,
            publisher,
            task_queue().enqueue_scoring,
            comment_id=comment_id,
            text=item.text,
            article_id=item.story_id,
            article_url=item.story_url,
            parent_id=item.parent_id,
            author_id=item.author_id,
        )
        session.commit()
    if analysis is None:
        return "", 204
    return coral.answer(analysis.verdict)
