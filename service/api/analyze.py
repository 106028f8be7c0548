"""POST /v1/analyze: score a text and answer in the same request, with the decision the publisher's policy
would take. A thin view over service.analyze."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from service.analyze import storage
from service.analyze.analysis import MAX_TEXT_CHARS, analyze, publisher_policy
from service.analyze.categories import CATEGORY_LANGUAGES
from service.api.auth import authenticate_publisher
from service.api.context import db_session, default_policy, settings, task_queue
from service.apikeys import keys
from service.apikeys.http import per_api_key, presented_key
from service.errors import ApiError, FieldError, flatten_errors
from service.intake.body import json_body
from service.intake.schemas import CleanString, ErrorBodySchema, ReasonSchema, coded
from service.models import Publisher
from service.publishers.signing import SIGNATURE_HEADER
from service.taskqueue import AnalyzeFailed, AnalyzeUnavailable

blp = Blueprint("analyze", __name__, url_prefix="/v1", description="Synchronous scoring")


def _text(value: str) -> None:
    if not value.strip():
        raise ValidationError(coded("text_required", "The text may not be empty."))
    if len(value) > MAX_TEXT_CHARS:
        raise ValidationError(coded("text_too_long", f"At most {MAX_TEXT_CHARS} characters."))


def _known_category(value: str) -> None:
    if value not in CATEGORY_LANGUAGES:
        raise ValidationError(coded("invalid_category", f"Unknown category {value!r}."))


class AnalyzeArticleSchema(Schema):
    class Meta:
        unknown = RAISE

    id = CleanString(validate=validate.Length(max=512))
    title = CleanString(validate=validate.Length(max=2000))
    url = CleanString(allow_none=True, validate=validate.Length(max=2000))
    body = CleanString(allow_none=True, allow_newlines=True, validate=validate.Length(max=60000))


class AnalyzeRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    text = CleanString(
        required=True,
        allow_newlines=True,
        validate=_text,
        error_messages={"required": coded("text_required", "Required.")},
    )
    language = CleanString(allow_none=True, validate=validate.Length(max=35))
    article = fields.Nested(AnalyzeArticleSchema)
    categories = fields.List(
        CleanString(validate=_known_category),
        validate=validate.Length(max=20),
        metadata={
            "description": "Score only these categories (faster: toxicity alone needs only the abuse model); "
            "the decision then weighs only them, plus the rules a bare text can break. Default: all."
        },
    )
    store = fields.Boolean(load_default=False, metadata={"description": "Keep the text as a comment (through intake)"})
    comment_id = CleanString(validate=validate.Length(min=1, max=128), metadata={"description": "With store: your id"})


class AnalyzeSpanSchema(Schema):
    start = fields.Integer()
    end = fields.Integer()
    category = fields.String()
    label = fields.String()


class AnalyzeReasonSchema(ReasonSchema):
    detail = fields.String(metadata={"description": "e.g. the blocked term"})


class AnalyzeDecisionSchema(Schema):
    status = fields.String(metadata={"enum": ["approved", "review", "legal_review", "rejected"]})
    reasons = fields.List(fields.Nested(AnalyzeReasonSchema))
    policy_version = fields.Integer(allow_none=True)


class AnalyzeResponseSchema(Schema):
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    models = fields.Dict(keys=fields.String(), values=fields.String())
    spans = fields.List(fields.Nested(AnalyzeSpanSchema))
    language = fields.String(allow_none=True)
    detected_language = fields.String(allow_none=True)
    decision = fields.Nested(AnalyzeDecisionSchema)
    stored = fields.Boolean()
    comment = fields.Dict(allow_none=True, metadata={"description": "The stored comment's id and status"})


_AUTH = {
    "parameters": [
        {
            "in": "header",
            "name": "Authorization",
            "required": False,
            "schema": {"type": "string"},
            "description": "Bearer <API key of scope analyze>; or sign like POST /v1/comments",
        }
    ]
}


def _caller(session) -> tuple[Publisher, bool]:
    """The publisher calling, and whether it may store the text: a signed request, or an API key of scope analyze."""
    if SIGNATURE_HEADER in request.headers:
        return authenticate_publisher(session), True
    key = keys.authenticate(session, presented_key(), "analyze")
    if key is None:
        raise ApiError.single(401, "invalid_api_key", "The API key is missing, unknown, revoked or of another scope.")
    return session.get_one(Publisher, key.publisher_id), key.store_text


@blp.route("/analyze", methods=["POST"])
@blp.doc(
    operationId="analyzeText",
    **_AUTH,
    requestBody={"required": True, "content": {"application/json": {"schema": AnalyzeRequestSchema}}},
)
@blp.response(200, AnalyzeResponseSchema, description="Scores, spans, languages and the decision preview")
@blp.alt_response(400, schema=ErrorBodySchema, description="Malformed JSON")
@blp.alt_response(401, schema=ErrorBodySchema, description="No valid API key or signature")
@blp.alt_response(403, schema=ErrorBodySchema, description="store asked of a key created with --no-store")
@blp.alt_response(413, schema=ErrorBodySchema, description="Body too large")
@blp.alt_response(415, schema=ErrorBodySchema, description="Not JSON")
@blp.alt_response(422, schema=ErrorBodySchema, description="One error for every rule broken")
@blp.alt_response(429, schema=ErrorBodySchema, description="The key's rate limit; see Retry-After")
@blp.alt_response(503, schema=ErrorBodySchema, description="No scoring worker answered in time; see Retry-After")
@per_api_key
def analyze_text():
    session = db_session()
    publisher, may_store = _caller(session)
    try:
        data = AnalyzeRequestSchema().load(json_body())
    except ValidationError as error:
        raise ApiError(422, flatten_errors(error.messages)) from error
    if data["store"] and not may_store:
        raise ApiError.single(403, "store_not_allowed", "This API key was created with --no-store.", field="store")
    policy = publisher_policy(publisher, default_policy())
    article = data.get("article") or {}
    categories = data.get("categories") or None
    analysis = _score(policy, data["text"], data.get("language"), article, categories)
    stored = None
    if data["store"]:
        result = storage.store_comment(
            session,
            publisher,
            task_queue().enqueue_scoring,
            comment_id=data.get("comment_id") or storage.external_id("analyze", article.get("id"), data["text"]),
            text=data["text"],
            article_id=article.get("id") or "analyze",
            article_title=article.get("title") or "",
            article_url=article.get("url"),
            language=data.get("language"),
        )
        session.commit()
        stored = {"id": result.comment_id, "comment_id": result.external_id, "status": result.status}
    return {
        "scores": analysis.scores,
        "models": analysis.sources,
        "spans": [span.to_dict() for span in analysis.spans],
        "language": data.get("language"),
        "detected_language": analysis.detected_language,
        "decision": analysis.verdict.to_dict(),
        "stored": stored is not None,
        "comment": stored,
    }


def _score(policy: dict, text: str, language: str | None, article: dict, categories: list[str] | None):
    timeout = settings().analyze_timeout_s
    try:
        return analyze(
            task_queue(),
            timeout,
            policy,
            text,
            language=language,
            article_title=article.get("title") or "",
            article_body=article.get("body") or "",
            categories=categories,
        )
    except AnalyzeUnavailable as error:
        raise ApiError(
            503, [FieldError(None, "service_unavailable", f"{error}; retry later.")], headers={"Retry-After": "2"}
        ) from error
    except AnalyzeFailed as error:
        raise ApiError(503, [FieldError(None, "scoring_failed", str(error))], headers={"Retry-After": "2"}) from error
