"""The "review" blueprint that the moderator views in review.py, legal.py and admin.py share, and their plumbing.

One blueprint, because flask-smorest names the OpenAPI tag after it: all moderator endpoints keep the one
"review" tag. Request bodies and query strings are loaded by hand with marshmallow schemas (not
@blp.arguments), so that every bad input is answered in the contract's error shape with machine-readable
codes; the schemas are still attached to the OpenAPI document with @blp.doc (query_doc, json_doc).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from service.api.context import db_session
from service.errors import ApiError, FieldError, flatten_errors
from service.intake.body import parse_json
from service.intake.schemas import ErrorBodySchema, coded
from service.review.errors import ReviewError

blp = Blueprint("review", __name__, description="Moderator review queue, decisions, audit trail and legal disclosure")

T = TypeVar("T")


@blp.record_once
def _register_bearer_scheme(state) -> None:
    # The bearer scheme the moderator endpoints declare in their `security`.
    api = state.app.extensions.get("flask-smorest", {}).get("blp_name_to_api", {}).get(blp.name)
    if api is not None and "bearerAuth" not in api.spec.components.security_schemes:
        api.spec.components.security_scheme(
            "bearerAuth",
            {"type": "http", "scheme": "bearer", "description": "A token from `kavalu moderators create`."},
        )


# -- schema field helpers -------------------------------------------------------------------------


def field_messages(required="required", invalid="invalid_type") -> dict:
    return {
        "required": coded(required, "This field is required."),
        "null": coded(required, "May not be null."),
        "invalid": coded(invalid, "Wrong type."),
    }


# marshmallow's validators (OneOf, Range, Length) with these messages; CodedSchema adds the field's code.
ONE_OF = "One of: {choices}."
FROM_TO = "{min} to {max}."
AT_MOST = "At most {max} characters."


class CodedSchema(Schema):
    """A request schema whose fields name, in metadata["error_code"], the code for a failed validator.

    marshmallow's validators raise plain messages, and the contract needs a code with each; the other
    errors of a field (required, null, wrong type) carry their codes already (field_messages).
    """

    def handle_error(self, error: ValidationError, data, *, many: bool, **kwargs) -> None:
        if not isinstance(error.messages, dict):
            return
        for name, field in self.load_fields.items():
            code = field.metadata.get("error_code")
            messages = error.messages.get(field.data_key or name)
            if code and isinstance(messages, list):
                messages[:] = [coded(code, m)[0] if isinstance(m, str) else m for m in messages]


# -- requests and refusals ------------------------------------------------------------------------


def load_query(schema: Schema) -> dict:
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as error:
        raise ApiError(400, flatten_errors(error.messages)) from error


def load_body(schema: Schema) -> dict:
    if not request.is_json:
        raise ApiError.single(415, "unsupported_media_type", "Send application/json.")
    data = parse_json(request.get_data(cache=True) or b"null")
    if isinstance(data, ApiError):
        raise data
    if not isinstance(data, dict):
        raise ApiError.single(422, "invalid_type", "The body must be a JSON object.")
    try:
        return schema.load(data)
    except ValidationError as error:
        raise ApiError(422, flatten_errors(error.messages)) from error


def _api_error(error: ReviewError) -> ApiError:
    return ApiError(error.status, [FieldError(error.field, error.code, error.message)])


def run_in_session(action: Callable[[Session], T]) -> T:
    """Run a service call in the request's session: commit on success, roll back on refusal."""
    session = db_session()
    try:
        result = action(session)
    except ReviewError as error:
        session.rollback()
        raise _api_error(error) from error
    session.commit()
    return result


# -- OpenAPI --------------------------------------------------------------------------------------


def query_doc(schema) -> dict:
    return {"parameters": [{"in": "query", "schema": schema}]}


def json_doc(schema) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


OUT_OF_REACH = "A legal-queue comment, for the legal and admin roles only (forbidden)"
BODY_TOO_LARGE = "Body over KAVALU_MAX_BODY_BYTES (body_too_large)"


def error_responses(*answers):
    """Document 401 (every view here takes a token), 503 (every one uses the store) and these answers.

    Each answer is (status, description), in the contract's error shape; list only what the view can answer.
    """

    def decorate(view):
        for status, description in [
            (401, "Missing, invalid or revoked token (invalid_token)"),
            *answers,
            (503, "Store unavailable; see Retry-After"),
        ]:
            view = blp.alt_response(status, schema=ErrorBodySchema, description=description)(view)
        return view

    return decorate
