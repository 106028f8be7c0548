"""Moderator review API (/v1/review/...), lawful disclosure (/v1/legal/...) and admin endpoints (/v1/admin/...).

Thin views over service.review.workflow. Request bodies and query strings are loaded by
hand with the schemas below (not @blp.arguments), so that every bad input is
answered in the contract's error shape with machine-readable codes; the schemas
are still attached to the OpenAPI document with @blp.doc.
"""
from __future__ import annotations

import json

from flask import request
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields

from service.review import workflow as review
from service.api.context import db_session, default_policy, task_queue
from service.api.moderator_auth import BEARER_DOC, authenticate_moderator
from service.errors import ApiError, FieldError
from service.intake.schemas import CleanString, ErrorBodySchema, ReasonSchema, coded, flatten_errors

blp = Blueprint("review", __name__, description="Moderator review queue, decisions, audit trail and legal disclosure")


@blp.record_once
def _register_bearer_scheme(state) -> None:
    # The bearer scheme the moderator endpoints declare in their `security`.
    api = state.app.extensions.get("flask-smorest", {}).get("blp_name_to_api", {}).get(blp.name)
    if api is not None and "bearerAuth" not in api.spec.components.security_schemes:
        api.spec.components.security_scheme(
            "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A token from `kavalu moderators create`."})


# -- schemas --------------------------------------------------------------------------------------


def _msgs(required="required", invalid="invalid_type") -> dict:
    return {"required": coded(required, "This field is required."), "null": coded(required, "May not be null."),
            "invalid": coded(invalid, "Wrong type.")}


def _one_of(choices, code):
    def check(value):
        if value not in choices:
            raise ValidationError(coded(code, f"One of: {', '.join(map(str, choices))}."))
    return check


def _between(lo, hi, code, what=""):
    def check(value):
        size = len(value) if isinstance(value, list) else value
        if not lo <= size <= hi:
            raise ValidationError(coded(code, f"{lo} to {hi}{what}."))
    return check


def _max_len(limit):
    def check(value):
        if len(value) > limit:
            raise ValidationError(coded("invalid_length", f"At most {limit} characters."))
    return check


class QueueQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    queue = CleanString(load_default="general", validate=_one_of(list(review.QUEUES), "invalid_queue"),
                          metadata={"enum": list(review.QUEUES)}, error_messages=_msgs())
    publisher = CleanString(load_default=None, validate=_max_len(40), error_messages=_msgs())
    category = CleanString(load_default=None, validate=_max_len(64), error_messages=_msgs(),
                             metadata={"description": "A score category at or over its review threshold, or a reason code"})
    sort = CleanString(load_default="risk", validate=_one_of(review.SORTS, "invalid_sort"),
                         metadata={"enum": list(review.SORTS)}, error_messages=_msgs())
    limit = fields.Integer(load_default=50, error_messages=_msgs(invalid="invalid_limit"),
                           validate=_between(1, review.MAX_PAGE, "invalid_limit"))
    cursor = CleanString(load_default=None, validate=_max_len(1000), error_messages=_msgs())
    older_than = CleanString(load_default=None, error_messages=_msgs(),
                               metadata={"description": "Seconds before now, or an ISO 8601 date-time"})
    newer_than = CleanString(load_default=None, error_messages=_msgs(),
                               metadata={"description": "Seconds before now, or an ISO 8601 date-time"})


class SpanSchema(Schema):
    start = fields.Integer()
    end = fields.Integer()
    category = fields.String(allow_none=True)
    label = fields.String(allow_none=True)


class HistoryCountsSchema(Schema):
    comments = fields.Integer()
    approved = fields.Integer()
    rejected = fields.Integer()


class ReviewAuthorSchema(Schema):
    name = fields.String()
    email = fields.String()
    ip = fields.String(allow_none=True, metadata={"description": "Legal role only; the view is audited"})
    history = fields.Nested(HistoryCountsSchema, metadata={"description": "Item view only"})


class ReviewArticleSchema(Schema):
    id = fields.String()
    title = fields.String()
    url = fields.String(allow_none=True)


class ReviewItemSchema(Schema):
    id = fields.String()
    comment_id = fields.String()
    publisher_id = fields.String()
    status = fields.String()
    decided_by = fields.String(allow_none=True)
    revision = fields.Integer()
    received_at = fields.String(metadata={"format": "date-time"})
    article = fields.Nested(ReviewArticleSchema)
    author = fields.Nested(ReviewAuthorSchema)
    text = fields.String(metadata={"description": "The original text"})
    redacted_text = fields.String(allow_none=True)
    highlighted = fields.String(metadata={"description": "HTML-escaped text with evidence spans in <mark>"})
    spans = fields.List(fields.Nested(SpanSchema))
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    risk = fields.Float()
    reasons = fields.List(fields.Nested(ReasonSchema))
    claimed_by = fields.String(allow_none=True)
    claim_expires_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class QueuePageSchema(Schema):
    items = fields.List(fields.Nested(ReviewItemSchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "Pass as `cursor`; null at the end"})


class ClaimSchema(Schema):
    id = fields.String()
    claimed_by = fields.String()
    claim_expires_at = fields.String(metadata={"format": "date-time"})
    status = fields.String()
    revision = fields.Integer()


class RedactSpanSchema(Schema):
    class Meta:
        unknown = RAISE

    start = fields.Integer(required=True, strict=True, error_messages=_msgs(invalid="invalid_span"))
    end = fields.Integer(required=True, strict=True, error_messages=_msgs(invalid="invalid_span"))


class DecisionRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    action = CleanString(required=True, validate=_one_of(review.ACTIONS, "invalid_action"),
                           metadata={"enum": list(review.ACTIONS)}, error_messages=_msgs())
    reason = CleanString(load_default=None, error_messages=_msgs(),
                           metadata={"description": "A reason code (required to reject), e.g. insult, off_topic"})
    note = CleanString(allow_newlines=True, load_default=None, validate=_max_len(2000), error_messages=_msgs())
    spans = fields.List(fields.Nested(RedactSpanSchema), load_default=None, error_messages=_msgs(),
                        metadata={"description": "redact: [start, end) code-point offsets into the original text"})
    redaction = CleanString(load_default="block", validate=_one_of(list(review.REDACTION_MODES), "invalid_redaction"),
                              metadata={"enum": list(review.REDACTION_MODES),
                                        "description": "block: one █ per character; label: '[redacted]'"},
                              error_messages=_msgs())
    expected_revision = fields.Integer(load_default=None, strict=True, error_messages=_msgs(),
                                       metadata={"description": "409 stale_revision if the comment moved on"})
    if_status = CleanString(load_default=None, error_messages=_msgs(),
                              metadata={"description": "409 stale_status if the comment's status differs"})
    overturn = fields.Boolean(load_default=False, error_messages=_msgs(),
                              metadata={"description": "Change an approved/rejected comment (legal and admin roles)"})


class DecisionResultSchema(Schema):
    id = fields.String()
    status = fields.String()
    decided_by = fields.String()
    revision = fields.Integer()
    decision_id = fields.Integer()
    reasons = fields.List(fields.Nested(ReasonSchema))
    redacted_text = fields.String(allow_none=True)


class BulkRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    action = CleanString(required=True, validate=_one_of(("approve", "reject"), "invalid_action"),
                           metadata={"enum": ["approve", "reject"]}, error_messages=_msgs())
    ids = fields.List(CleanString(error_messages=_msgs()), required=True, error_messages=_msgs(),
                      validate=_between(1, review.MAX_BULK, "invalid_length", " ids"))
    reason = CleanString(load_default=None, error_messages=_msgs())
    note = CleanString(allow_newlines=True, load_default=None, validate=_max_len(2000), error_messages=_msgs())


class BulkErrorSchema(Schema):
    code = fields.String()
    message = fields.String()
    http_status = fields.Integer()


class BulkItemSchema(Schema):
    id = fields.String()
    ok = fields.Boolean()
    status = fields.String(allow_none=True)
    error = fields.Nested(BulkErrorSchema, allow_none=True)


class BulkResultSchema(Schema):
    results = fields.List(fields.Nested(BulkItemSchema))


class AuditEventSchema(Schema):
    id = fields.Integer()
    actor = fields.String()
    action = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    reason = fields.String(allow_none=True)
    created_at = fields.String(metadata={"format": "date-time"})


class HistorySchema(Schema):
    events = fields.List(fields.Nested(AuditEventSchema))


class SenderQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    request_reference = CleanString(required=True, error_messages=_msgs(required="request_reference_required"),
                                      metadata={"description": "The authority's request reference (required)"})


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


class AuthorRuleRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    kind = CleanString(required=True, validate=_one_of(review.RULE_KINDS, "invalid_kind"),
                         metadata={"enum": list(review.RULE_KINDS)}, error_messages=_msgs())
    value = CleanString(required=True, validate=_max_len(320), error_messages=_msgs(),
                          metadata={"description": "An email, an email domain (subdomains included) or a CIDR range"})
    action = CleanString(required=True, validate=_one_of(review.RULE_ACTIONS, "invalid_action"),
                           metadata={"enum": list(review.RULE_ACTIONS)}, error_messages=_msgs())
    publisher_id = CleanString(load_default=None, validate=_max_len(40), error_messages=_msgs(),
                                 metadata={"description": "Omit for every publisher"})
    reason = CleanString(load_default=None, validate=_max_len(2000), error_messages=_msgs())


class AuthorRuleSchema(Schema):
    id = fields.Integer()
    publisher_id = fields.String(allow_none=True)
    kind = fields.String()
    value = fields.String()
    action = fields.String()
    reason = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.String(metadata={"format": "date-time"})
    revoked_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class AuthorRuleListSchema(Schema):
    rules = fields.List(fields.Nested(AuthorRuleSchema))


class AuthorRulesQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    publisher = CleanString(load_default=None, validate=_max_len(40), error_messages=_msgs())
    include_revoked = fields.Boolean(load_default=False, error_messages=_msgs())


class FailedDeliveriesQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=100, error_messages=_msgs(invalid="invalid_limit"),
                           validate=_between(1, 1000, "invalid_limit"))


class FailedDeliveriesSchema(Schema):
    events = fields.List(fields.Dict())


# -- helpers --------------------------------------------------------------------------------------


def _query(schema: Schema) -> dict:
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as error:
        raise ApiError(400, flatten_errors(error.messages))


def _body(schema: Schema) -> dict:
    if not request.is_json:
        raise ApiError.single(415, "unsupported_media_type", "Send application/json.")
    try:
        data = json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError.single(400, "malformed_json", "The body is not valid JSON.")
    if not isinstance(data, dict):
        raise ApiError.single(422, "invalid_type", "The body must be a JSON object.")
    try:
        return schema.load(data)
    except ValidationError as error:
        raise ApiError(422, flatten_errors(error.messages))


def _review_error(error: review.ReviewError) -> ApiError:
    return ApiError(error.status, [FieldError(error.field, error.code, error.message)])


def _run(action):
    """Run a service call in the request's session: commit on success, roll back on refusal."""
    session = db_session()
    try:
        result = action(session)
    except review.ReviewError as error:
        session.rollback()
        raise _review_error(error)
    session.commit()
    return result


def _query_doc(schema) -> dict:
    return {"parameters": [{"in": "query", "schema": schema}]}


def _json_doc(schema) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


_AUTH_ERRORS = [(401, "Missing, invalid or revoked token"), (403, "Wrong role")]


def _errors(*extra):
    def decorate(view):
        for status, description in [*_AUTH_ERRORS, *extra]:
            view = blp.alt_response(status, schema=ErrorBodySchema, description=description)(view)
        return view
    return decorate


# -- review ----------------------------------------------------------------------------------------


@blp.route("/v1/review/queue", methods=["GET"])
@blp.doc(**BEARER_DOC, **_query_doc(QueueQuerySchema))
@blp.response(200, QueuePageSchema)
@_errors((400, "Bad filter, sort, limit or cursor"))
def review_queue():
    """The comments waiting in a queue (legal: legal and admin roles), one page at a time."""
    session = db_session()
    moderator = authenticate_moderator(session)
    args = _query(QueueQuerySchema())
    items, next_cursor = _run(lambda s: review.list_queue(
        s, moderator, default_policy=default_policy(), queue=args["queue"], publisher_id=args["publisher"],
        category=args["category"], older_than=args["older_than"], newer_than=args["newer_than"],
        sort=args["sort"], limit=args["limit"], cursor=args["cursor"]))
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/v1/review/comments/<string:comment_id>", methods=["GET"])
@blp.doc(**BEARER_DOC)
@blp.response(200, ReviewItemSchema)
@_errors((404, "No such comment"))
def review_comment(comment_id: str):
    """One comment with article, author name, email and history, scores, reasons and highlighted spans.

    The author's IP is included for the legal role only, and that view is written to the audit trail.
    """
    session = db_session()
    moderator = authenticate_moderator(session)
    return _run(lambda s: review.comment_view(s, comment_id, moderator))


@blp.route("/v1/review/comments/<string:comment_id>/claim", methods=["POST"])
@blp.doc(**BEARER_DOC)
@blp.response(200, ClaimSchema)
@_errors((404, "No such comment"), (409, "Held by another moderator (claimed), already decided or not in review"))
def claim_comment(comment_id: str):
    """Take a 10-minute lease; the holder may claim again to extend it."""
    session = db_session()
    moderator = authenticate_moderator(session)
    return _run(lambda s: review.claim(s, comment_id, moderator))


@blp.route("/v1/review/comments/<string:comment_id>/decision", methods=["POST"])
@blp.doc(**BEARER_DOC, **_json_doc(DecisionRequestSchema))
@blp.response(200, DecisionResultSchema)
@_errors((400, "Malformed JSON"), (404, "No such comment"), (415, "Not JSON"),
         (409, "Lease held by another (claimed), already decided, stale_revision or stale_status"),
         (422, "Bad action, reason, spans"))
def decide_comment(comment_id: str):
    """approve | reject (reason code required) | escalate (to the legal queue) | redact (spans; the comment is approved redacted).

    Takes the lease if the comment is free. An approved or rejected comment changes again only with
    `overturn: true` (legal and admin roles); redacting an approved comment needs no overturn. Every
    final decision and later change is called back to the publisher.
    """
    session = db_session()
    moderator = authenticate_moderator(session)
    body = _body(DecisionRequestSchema())
    return _run(lambda s: review.decide(
        s, comment_id, moderator, action=body["action"], reason=body["reason"], note=body["note"],
        spans=body["spans"], redaction=body["redaction"], expected_revision=body["expected_revision"],
        if_status=body["if_status"], overturn=body["overturn"], enqueue_delivery=task_queue().enqueue_delivery))


@blp.route("/v1/review/bulk", methods=["POST"])
@blp.doc(**BEARER_DOC, **_json_doc(BulkRequestSchema))
@blp.response(200, BulkResultSchema, description="One result per id; a refused id does not undo the others")
@_errors((400, "Malformed JSON"), (415, "Not JSON"), (422, "Bad action, ids or reason"))
def bulk_decide():
    """Bulk approve or reject: each id gets the same checks as a single decision."""
    session = db_session()
    moderator = authenticate_moderator(session)
    body = _body(BulkRequestSchema())
    results = _run(lambda s: review.bulk_decide(
        s, body["ids"], moderator, action=body["action"], reason=body["reason"], note=body["note"],
        enqueue_delivery=task_queue().enqueue_delivery))
    return {"results": results}


@blp.route("/v1/review/comments/<string:comment_id>/history", methods=["GET"])
@blp.doc(**BEARER_DOC)
@blp.response(200, HistorySchema)
@_errors((404, "No such comment"))
def comment_history(comment_id: str):
    """The audit trail of one comment: who did what, when, before/after and why."""
    session = db_session()
    moderator = authenticate_moderator(session)
    return {"events": _run(lambda s: review.history(s, comment_id, moderator))}


# -- legal ---------------------------------------------------------------------------------------


@blp.route("/v1/legal/comments/<string:comment_id>/sender", methods=["GET"])
@blp.doc(**BEARER_DOC, **_query_doc(SenderQuerySchema))
@blp.response(200, SenderSchema)
@_errors((400, "request_reference missing"), (404, "No such comment"))
def sender(comment_id: str):
    """Legal role only: the sender's IP, user agent, email, name and times, for each revision. Audited with the reference."""
    session = db_session()
    moderator = authenticate_moderator(session, roles=review.SENDER_ROLES)
    args = _query(SenderQuerySchema())
    return _run(lambda s: review.sender_details(s, comment_id, moderator, args["request_reference"]))


# -- admin ---------------------------------------------------------------------------------------


@blp.route("/v1/admin/authors", methods=["POST"])
@blp.doc(**BEARER_DOC, **_json_doc(AuthorRuleRequestSchema))
@blp.response(201, AuthorRuleSchema)
@_errors((400, "Malformed JSON"), (415, "Not JSON"), (422, "Bad kind, value, action or publisher"))
def add_author_rule():
    """Admin: ban (comments rejected with author_banned) or trust an author by email, domain or IP range."""
    session = db_session()
    moderator = authenticate_moderator(session, roles=("admin",))
    body = _body(AuthorRuleRequestSchema())
    rule = _run(lambda s: review.add_author_rule(
        s, kind=body["kind"], value=body["value"], action=body["action"], publisher_id=body["publisher_id"],
        reason=body["reason"], actor=review.actor_name(moderator)))
    return review.rule_dict(rule)


@blp.route("/v1/admin/authors", methods=["GET"])
@blp.doc(**BEARER_DOC, **_query_doc(AuthorRulesQuerySchema))
@blp.response(200, AuthorRuleListSchema)
@_errors((400, "Bad query"))
def list_author_rules():
    """Admin: the author rules (a publisher's own and the global ones)."""
    session = db_session()
    authenticate_moderator(session, roles=("admin",))
    args = _query(AuthorRulesQuerySchema())
    rules = review.list_author_rules(session, args["publisher"], args["include_revoked"])
    return {"rules": [review.rule_dict(r) for r in rules]}


@blp.route("/v1/admin/authors/<int:rule_id>", methods=["DELETE"])
@blp.doc(**BEARER_DOC)
@blp.response(200, AuthorRuleSchema)
@_errors((404, "No such rule"))
def revoke_author_rule(rule_id: int):
    """Admin: revoke a ban or trust rule."""
    session = db_session()
    moderator = authenticate_moderator(session, roles=("admin",))
    rule = _run(lambda s: review.revoke_author_rule(s, rule_id, review.actor_name(moderator)))
    return review.rule_dict(rule)


@blp.route("/v1/admin/deliveries/failed", methods=["GET"])
@blp.doc(**BEARER_DOC, **_query_doc(FailedDeliveriesQuerySchema))
@blp.response(200, FailedDeliveriesSchema)
@_errors((400, "Bad limit"), (501, "Deliveries are not available in this build"))
def failed_deliveries():
    """Admin: outbound events that ran out of retries (`kavalu deliveries redeliver` resends one)."""
    session = db_session()
    authenticate_moderator(session, roles=("admin",))
    args = _query(FailedDeliveriesQuerySchema())
    try:
        from service.delivery.core import failed_events
    except ImportError:
        raise ApiError.single(501, "not_implemented", "Delivery tracking is not available.")
    events = failed_events(session, limit=args["limit"])
    return {"events": [_event_dict(e) for e in events]}


def _event_dict(event) -> dict:
    if isinstance(event, dict):
        return event
    out = {}
    for key in ("id", "publisher_id", "comment_id", "decision_id", "type", "status", "attempts",
                "last_status_code", "last_error", "created_at", "next_attempt_at", "delivered_at"):
        value = getattr(event, key, None)
        out[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out
