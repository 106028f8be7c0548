"""Perspective-compatible endpoints (comments:analyze, comments:suggestscore, the discovery document), so a
Perspective client works by changing only its base URL and key. Thin views over service.analyze.perspective;
every error has Perspective's shape, never Kavalu's."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_limiter.errors import RateLimitExceeded
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from service.analyze import perspective, storage
from service.analyze.analysis import analyze, publisher_policy
from service.analyze.discovery import discovery_document
from service.analyze.suggestions import store_suggestion
from service.api.context import db_session, default_policy, settings, task_queue
from service.apikeys import keys
from service.apikeys.http import per_api_key, presented_key
from service.errors import ApiError
from service.intake.body import json_body
from service.models import ApiKey, Publisher
from service.taskqueue import AnalyzeFailed, AnalyzeUnavailable

blp = Blueprint("perspective", __name__, description="Perspective-compatible (commentanalyzer v1alpha1)")


class PerspectiveErrorDetailSchema(Schema):
    type_ = fields.String(data_key="@type")
    errorType = fields.String()
    reason = fields.String()


class PerspectiveErrorInnerSchema(Schema):
    code = fields.Integer()
    message = fields.String()
    status = fields.String()
    details = fields.List(fields.Dict())


class PerspectiveErrorSchema(Schema):
    error = fields.Nested(PerspectiveErrorInnerSchema)


class AnalyzeCommentRequestSchema(Schema):
    comment = fields.Dict(required=True, metadata={"description": "{text, type: PLAIN_TEXT|HTML}"})
    requestedAttributes = fields.Dict(
        required=True, metadata={"description": "{ATTRIBUTE: {scoreType, scoreThreshold}}"}
    )
    languages = fields.List(fields.String())
    doNotStore = fields.Boolean()
    spanAnnotations = fields.Boolean()
    dropUnsupportedAttributes = fields.Boolean()
    clientToken = fields.String()
    sessionId = fields.String()
    communityId = fields.String()
    context = fields.Dict()


class AnalyzeCommentResponseSchema(Schema):
    attributeScores = fields.Dict(keys=fields.String(), values=fields.Dict())
    languages = fields.List(fields.String())
    detectedLanguages = fields.List(fields.String())
    clientToken = fields.String()


class SuggestCommentScoreRequestSchema(Schema):
    comment = fields.Dict(required=True)
    attributeScores = fields.Dict(required=True, metadata={"description": "{ATTRIBUTE: {summaryScore: {value}}}"})
    languages = fields.List(fields.String())
    context = fields.Dict()
    communityId = fields.String()
    clientToken = fields.String()


class SuggestCommentScoreResponseSchema(Schema):
    detectedLanguages = fields.List(fields.String())
    requestedLanguages = fields.List(fields.String())
    clientToken = fields.String()


_KEY = {
    "parameters": [
        {
            "in": "query",
            "name": "key",
            "required": False,
            "schema": {"type": "string"},
            "description": "An API key of scope perspective (or the X-Goog-Api-Key header)",
        }
    ]
}
_ERRORS = {
    400: "Perspective's INVALID_ARGUMENT: a bad request, an unsupported attribute or language, an invalid key",
    403: "PERMISSION_DENIED: no API key, or the key may not store text",
    413: "Body too large",
    415: "Not JSON",
    429: "RESOURCE_EXHAUSTED: the key's quota; see Retry-After",
    503: "UNAVAILABLE: no scoring worker answered in time; see Retry-After",
}


def _documented_errors(view, statuses=(400, 403, 413, 415, 429, 503)):
    for status in statuses:
        view = blp.alt_response(status, schema=PerspectiveErrorSchema, description=_ERRORS[status])(view)
    return view


@blp.errorhandler(perspective.PerspectiveError)
def _perspective_error(error: perspective.PerspectiveError):
    response = jsonify(error.body())
    response.status_code = error.code
    response.headers.update(error.headers)
    return response


@blp.errorhandler(RateLimitExceeded)
def _over_quota(error: RateLimitExceeded):
    retry_after = max(1, int(error.limit.limit.get_expiry()))
    return _perspective_error(
        perspective.PerspectiveError(
            429,
            f"Quota exceeded for this API key ({error.description}).",
            headers={"Retry-After": str(retry_after)},
            reason="RATE_LIMIT_EXCEEDED",  # what Google's quota errors carry (google.rpc.ErrorInfo)
            domain="kavalu",
        )
    )


@blp.errorhandler(ApiError)
def _kavalu_error(error: ApiError):
    first = error.errors[0] if error.errors else None
    return _perspective_error(
        perspective.PerspectiveError(error.status, first.message if first else "Error.", headers=error.headers)
    )


@blp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return _perspective_error(perspective.PerspectiveError(error.code or 400, error.description or error.name))


def _key(session) -> tuple[Publisher, ApiKey]:
    given = presented_key()
    if not given:
        raise perspective.PerspectiveError(
            403, "The request is missing a valid API key.", reason="API_KEY_MISSING", domain="kavalu"
        )
    key = keys.authenticate(session, given, "perspective")
    if key is None:
        raise perspective.PerspectiveError(
            400, "API key not valid. Please pass a valid API key.", reason="API_KEY_INVALID", domain="kavalu"
        )
    return session.get_one(Publisher, key.publisher_id), key


@blp.route("/v1alpha1/comments:analyze", methods=["POST"])
@blp.doc(
    operationId="perspectiveAnalyzeComment",
    **_KEY,
    requestBody={"required": True, "content": {"application/json": {"schema": AnalyzeCommentRequestSchema}}},
)
@blp.response(200, AnalyzeCommentResponseSchema, description="attributeScores, languages, clientToken")
@_documented_errors
@per_api_key
def analyze_comment() -> Response:
    session = db_session()
    publisher, key = _key(session)
    plan = perspective.parse_analyze(json_body())
    policy = publisher_policy(publisher, default_policy())
    try:
        analysis = analyze(
            task_queue(),
            settings().analyze_timeout_s,
            policy,
            plan.text,
            language=plan.languages[0] if plan.languages else None,
            article_body=plan.context_text,
            categories=plan.categories,
        )
    except (AnalyzeUnavailable, AnalyzeFailed) as error:
        raise perspective.PerspectiveError(503, f"{error}; retry later.", headers={"Retry-After": "2"}) from error
    answer = perspective.analyze_response(plan, analysis)
    if not plan.do_not_store and key.store_text:
        storage.store_comment(
            session,
            publisher,
            task_queue().enqueue_scoring,
            comment_id=storage.external_id("perspective", plan.community_id, plan.client_token, plan.text),
            text=plan.text,
            article_id=plan.community_id or "perspective",
            language=plan.languages[0] if plan.languages else analysis.detected_language,
        )
        session.commit()
    return jsonify(answer)


@blp.route("/v1alpha1/comments:suggestscore", methods=["POST"])
@blp.doc(
    operationId="perspectiveSuggestCommentScore",
    **_KEY,
    requestBody={"required": True, "content": {"application/json": {"schema": SuggestCommentScoreRequestSchema}}},
)
@blp.response(200, SuggestCommentScoreResponseSchema, description="Stored as a labelled example")
@_documented_errors
@per_api_key
def suggest_score() -> Response:
    session = db_session()
    publisher, key = _key(session)
    suggestion = perspective.parse_suggestion(json_body())
    if not key.store_text:
        raise perspective.PerspectiveError(
            403, "This API key was created with --no-store: it cannot store suggestions.", reason="STORE_NOT_ALLOWED"
        )
    store_suggestion(session, publisher.id, key.id, suggestion)
    session.commit()
    answer: dict = {"requestedLanguages": suggestion.languages}
    if suggestion.client_token is not None:
        answer["clientToken"] = suggestion.client_token
    return jsonify(answer)


@blp.route("/$discovery/rest", methods=["GET"])
@blp.doc(
    operationId="perspectiveDiscovery",
    parameters=[{"in": "query", "name": "version", "required": False, "schema": {"type": "string"}}],
)
@blp.response(200, description="The Google API discovery document, rooted at this server")
@blp.alt_response(404, schema=PerspectiveErrorSchema, description="Another API version than v1alpha1")
def discovery() -> Response:
    version = request.args.get("version", "v1alpha1")
    if version != "v1alpha1":
        raise perspective.PerspectiveError(404, f"No discovery document for version {version[:40]!r}: v1alpha1 only.")
    return jsonify(discovery_document(request.host_url))
