"""OpenAI-compatible POST /v1/moderations, so the official `openai` client works with base_url=KAVALU + "/v1".
A thin view over service.analyze.openai; every error has OpenAI's shape."""

from __future__ import annotations

from flask import jsonify
from flask_limiter.errors import RateLimitExceeded
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from service.analyze import openai
from service.analyze.analysis import analyze, publisher_policy
from service.api.context import db_session, default_policy, settings, task_queue
from service.apikeys import keys
from service.apikeys.http import per_api_key, presented_key
from service.errors import ApiError
from service.intake.body import json_body
from service.models import Publisher
from service.taskqueue import AnalyzeFailed, AnalyzeUnavailable

blp = Blueprint("openai", __name__, url_prefix="/v1", description="OpenAI-compatible moderation")


class OpenAIErrorInnerSchema(Schema):
    message = fields.String()
    type = fields.String()
    param = fields.String(allow_none=True)
    code = fields.String(allow_none=True)


class OpenAIErrorSchema(Schema):
    error = fields.Nested(OpenAIErrorInnerSchema)


class ModerationRequestSchema(Schema):
    input = fields.Raw(
        required=True,
        metadata={
            "description": "A string (one input), a list of strings (one input each), or a list of content parts"
            " {type: text, text} and {type: image_url, image_url: {url}} (ONE input: its text parts are scored"
            " together; images are not scored)"
        },
    )
    model = fields.String()


class ModerationResultSchema(Schema):
    flagged = fields.Boolean()
    categories = fields.Dict(keys=fields.String(), values=fields.Boolean())
    category_scores = fields.Dict(keys=fields.String(), values=fields.Float())
    category_applied_input_types = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ModerationResponseSchema(Schema):
    id = fields.String()
    model = fields.String()
    results = fields.List(fields.Nested(ModerationResultSchema))


_STATUS_TYPES = {401: "invalid_request_error", 429: "rate_limit_exceeded", 503: "server_error"}


def _answer(error: openai.OpenAIError):
    response = jsonify(error.body())
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


@blp.errorhandler(openai.OpenAIError)
def _openai_error(error: openai.OpenAIError):
    return _answer(error)


@blp.errorhandler(RateLimitExceeded)
def _rate_limited(error: RateLimitExceeded):
    answer = openai.OpenAIError(
        429, f"Rate limit reached for this API key ({error.description}).", "requests", "rate_limit_exceeded"
    )
    answer.headers["Retry-After"] = str(max(1, int(error.limit.limit.get_expiry())))
    return _answer(answer)


@blp.errorhandler(ApiError)
def _kavalu_error(error: ApiError):
    first = error.errors[0] if error.errors else None
    answer = openai.OpenAIError(
        error.status,
        first.message if first else "Error.",
        _STATUS_TYPES.get(error.status, "invalid_request_error"),
        first.code if first else None,
    )
    answer.headers.update(error.headers)
    return _answer(answer)


@blp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return _answer(openai.OpenAIError(error.code or 400, error.description or error.name, "invalid_request_error"))


@blp.route("/moderations", methods=["POST"])
@blp.doc(
    operationId="createModeration",
    parameters=[
        {
            "in": "header",
            "name": "Authorization",
            "required": False,
            "schema": {"type": "string"},
            "description": "Bearer <API key of scope openai>",
        }
    ],
    requestBody={"required": True, "content": {"application/json": {"schema": ModerationRequestSchema}}},
)
@blp.response(200, ModerationResponseSchema, description="One result per input (a list of content parts is one)")
@blp.alt_response(400, schema=OpenAIErrorSchema, description="Malformed request")
@blp.alt_response(401, schema=OpenAIErrorSchema, description="No valid API key")
@blp.alt_response(413, schema=OpenAIErrorSchema, description="Body too large")
@blp.alt_response(415, schema=OpenAIErrorSchema, description="Not JSON")
@blp.alt_response(429, schema=OpenAIErrorSchema, description="The key's rate limit; see Retry-After")
@blp.alt_response(503, schema=OpenAIErrorSchema, description="No scoring worker answered in time; see Retry-After")
@per_api_key
def create_moderation():
    session = db_session()
    key = keys.authenticate(session, presented_key(), "openai")
    if key is None:
        raise openai.OpenAIError(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
    publisher = session.get_one(Publisher, key.publisher_id)
    texts, model = openai.parse_inputs(json_body())
    policy = publisher_policy(publisher, default_policy())
    results = []
    for text in texts:
        try:
            analysis = analyze(task_queue(), settings().analyze_timeout_s, policy, text)
        except (AnalyzeUnavailable, AnalyzeFailed) as error:
            unavailable = openai.OpenAIError(503, f"{error}; retry later.", "server_error", "service_unavailable")
            unavailable.headers["Retry-After"] = "2"
            raise unavailable from error
        results.append(openai.result(analysis, policy))
    return jsonify(openai.response(model, results))
