"""Moderator review API (/v1/review/...): queue, item view, claims, decisions, bulk decisions and audit history.

Thin views over service.review; the blueprint and request plumbing are in service.api.review_blueprint.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from service.api.context import db_session, default_policy, task_queue
from service.api.moderator_auth import BEARER_DOC, authenticate_moderator
from service.api.review_blueprint import (
    AT_MOST,
    BODY_TOO_LARGE,
    FROM_TO,
    ONE_OF,
    OUT_OF_REACH,
    CodedSchema,
    blp,
    error_responses,
    field_messages,
    json_doc,
    load_body,
    load_query,
    query_doc,
    run_in_session,
)
from service.intake.schemas import CleanString, ReasonSchema
from service.review import actions, audit, claims, items, queues
from service.review.redaction import REDACTION_MODES

# -- schemas --------------------------------------------------------------------------------------


class QueueQuerySchema(CodedSchema):
    class Meta:
        unknown = EXCLUDE

    queue = CleanString(
        load_default="general",
        validate=validate.OneOf(list(queues.QUEUES), error=ONE_OF),
        metadata={"error_code": "invalid_queue"},
        error_messages=field_messages(),
    )
    publisher = CleanString(
        load_default=None,
        validate=validate.Length(max=40, error=AT_MOST),
        metadata={"error_code": "invalid_length"},
        error_messages=field_messages(),
    )
    category = CleanString(
        load_default=None,
        validate=validate.Length(max=64, error=AT_MOST),
        error_messages=field_messages(),
        metadata={
            "error_code": "invalid_length",
            "description": "A score category at or over its review threshold, or a reason code",
        },
    )
    language = CleanString(
        load_default=None,
        validate=validate.Length(max=35, error=AT_MOST),
        error_messages=field_messages(),
        metadata={
            "error_code": "invalid_length",
            "description": "A BCP 47 tag or its prefix (`kn` matches `kn-Latn`): the language the publisher sent, "
            "else the detected one",
        },
    )
    sort = CleanString(
        load_default="risk",
        validate=validate.OneOf(list(queues.SORTS), error=ONE_OF),
        metadata={"error_code": "invalid_sort"},
        error_messages=field_messages(),
    )
    limit = fields.Integer(
        load_default=50,
        error_messages=field_messages(invalid="invalid_limit"),
        validate=validate.Range(min=1, max=queues.MAX_PAGE, error=FROM_TO),
        metadata={"error_code": "invalid_limit"},
    )
    cursor = CleanString(
        load_default=None,
        validate=validate.Length(max=1000, error=AT_MOST),
        metadata={"error_code": "invalid_length"},
        error_messages=field_messages(),
    )
    older_than = CleanString(
        load_default=None,
        error_messages=field_messages(),
        metadata={"description": "Seconds before now, or an ISO 8601 date-time"},
    )
    newer_than = CleanString(
        load_default=None,
        error_messages=field_messages(),
        metadata={"description": "Seconds before now, or an ISO 8601 date-time"},
    )


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
    history = fields.Nested(HistoryCountsSchema, metadata={"description": "Item view only"})


class ReviewArticleSchema(Schema):
    id = fields.String()
    title = fields.String()
    url = fields.String(allow_none=True)


class ReviewReasonSchema(ReasonSchema):
    language = fields.String(
        metadata={"description": "Set when the threshold came from the policy's `languages` entry for this tag"}
    )


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
    language = fields.String(allow_none=True, metadata={"description": "The BCP 47 tag the publisher sent, if any"})
    detected_language = fields.String(
        allow_none=True,
        metadata={
            "description": 'The BCP 47 tag the scorers detected ("en", "hi", "hi-Latn", "kn", "kn-Latn", "und"); '
            "null before scoring or when no scorer detects languages"
        },
    )
    text = fields.String(metadata={"description": "The original text"})
    redacted_text = fields.String(allow_none=True)
    highlighted = fields.String(metadata={"description": "HTML-escaped text with evidence spans in <mark>"})
    spans = fields.List(
        fields.Nested(SpanSchema),
        metadata={"description": "Evidence: abuse (toxicity), defamation, personal data, spam, copies, term hits"},
    )
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    risk = fields.Float()
    reasons = fields.List(fields.Nested(ReviewReasonSchema))
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

    start = fields.Integer(required=True, strict=True, error_messages=field_messages(invalid="invalid_span"))
    end = fields.Integer(required=True, strict=True, error_messages=field_messages(invalid="invalid_span"))


class DecisionRequestSchema(CodedSchema):
    class Meta:
        unknown = RAISE

    action = CleanString(
        required=True,
        validate=validate.OneOf(list(actions.ACTIONS), error=ONE_OF),
        metadata={"error_code": "invalid_action"},
        error_messages=field_messages(),
    )
    reason = CleanString(
        load_default=None,
        error_messages=field_messages(),
        metadata={"description": "A reason code (required to reject), e.g. insult, off_topic"},
    )
    note = CleanString(
        allow_newlines=True,
        load_default=None,
        validate=validate.Length(max=2000, error=AT_MOST),
        metadata={"error_code": "invalid_length"},
        error_messages=field_messages(),
    )
    spans = fields.List(
        fields.Nested(RedactSpanSchema),
        load_default=None,
        error_messages=field_messages(),
        metadata={"description": "redact: [start, end) code-point offsets into the original text"},
    )
    redaction = CleanString(
        load_default="block",
        validate=validate.OneOf(list(REDACTION_MODES), error=ONE_OF),
        metadata={"error_code": "invalid_redaction", "description": "block: one █ per character; label: '[redacted]'"},
        error_messages=field_messages(),
    )
    expected_revision = fields.Integer(
        load_default=None,
        strict=True,
        error_messages=field_messages(),
        metadata={"description": "409 stale_revision if the comment moved on"},
    )
    if_status = CleanString(
        load_default=None,
        error_messages=field_messages(),
        metadata={"description": "409 stale_status if the comment's status differs"},
    )
    overturn = fields.Boolean(
        load_default=False,
        error_messages=field_messages(),
        metadata={"description": "Change an approved/rejected comment (legal and admin roles)"},
    )


class DecisionResultSchema(Schema):
    id = fields.String()
    status = fields.String()
    decided_by = fields.String()
    revision = fields.Integer()
    decision_id = fields.Integer()
    reasons = fields.List(fields.Nested(ReasonSchema))
    redacted_text = fields.String(allow_none=True)


class BulkRequestSchema(CodedSchema):
    class Meta:
        unknown = RAISE

    action = CleanString(
        required=True,
        validate=validate.OneOf(list(actions.BULK_ACTIONS), error=ONE_OF),
        metadata={"error_code": "invalid_action"},
        error_messages=field_messages(),
    )
    ids = fields.List(
        CleanString(error_messages=field_messages()),
        required=True,
        error_messages=field_messages(),
        validate=validate.Length(min=1, max=actions.MAX_BULK, error="{min} to {max} ids."),
        metadata={"error_code": "invalid_length"},
    )
    reason = CleanString(load_default=None, error_messages=field_messages())
    note = CleanString(
        allow_newlines=True,
        load_default=None,
        validate=validate.Length(max=2000, error=AT_MOST),
        metadata={"error_code": "invalid_length"},
        error_messages=field_messages(),
    )


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


class HistoryEntrySchema(AuditEventSchema):
    """A moderator's audit event; (action `auto_decision`, actor `kavalu`, no id) an automatic decision; or (action
    `overtaken_edit`, actor `publisher`, no id) an edit that arrived after a later one and never became current."""

    id = fields.Integer(metadata={"description": "The audit event's id; absent on an auto_decision entry"})
    action = fields.String(
        metadata={
            "description": "`auto_decision` for the pipeline's decision, `overtaken_edit` for a late edit kept for the"
            " record (`after`: its `text` and `overtaken_by`, the revision current when it came), else the audit action"
        }
    )
    decision_id = fields.Integer(metadata={"description": "auto_decision only"})
    revision = fields.Integer(
        metadata={"description": "auto_decision: the revision decided; overtaken_edit: the revision it was stored as"}
    )
    status = fields.String(
        metadata={"description": "auto_decision only", "enum": ["review", "legal_review", "approved", "rejected"]}
    )
    reasons = fields.List(fields.Nested(ReasonSchema), metadata={"description": "auto_decision only"})
    scores = fields.Dict(
        keys=fields.String(), values=fields.Float(), metadata={"description": "auto_decision only: score per category"}
    )
    model_versions = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "auto_decision only: the model version of each scorer that scored the revision"},
    )
    policy_version = fields.Integer(metadata={"description": "auto_decision only: the publisher policy applied"})


class HistorySchema(Schema):
    events = fields.List(
        fields.Nested(HistoryEntrySchema),
        metadata={"description": "Oldest first: the automatic decisions and the audit events, in time order"},
    )


# -- views ----------------------------------------------------------------------------------------


@blp.route("/v1/review/queue", methods=["GET"])
@blp.doc(operationId="listReviewQueue", **BEARER_DOC, **query_doc(QueueQuerySchema))
@blp.response(200, QueuePageSchema)
@error_responses((400, "Bad filter, sort, limit or cursor"), (403, "The legal queue, for a moderator (forbidden)"))
def review_queue():
    """The comments waiting in a queue (legal: legal and admin roles), one page at a time."""
    session = db_session()
    moderator = authenticate_moderator(session)
    args = load_query(QueueQuerySchema())
    page, next_cursor = run_in_session(
        lambda s: queues.list_queue(
            s,
            moderator,
            default_policy=default_policy(),
            queue=args["queue"],
            publisher_id=args["publisher"],
            category=args["category"],
            language=args["language"],
            older_than=args["older_than"],
            newer_than=args["newer_than"],
            sort=args["sort"],
            limit=args["limit"],
            cursor=args["cursor"],
        )
    )
    return {"items": page, "next_cursor": next_cursor}


@blp.route("/v1/review/comments/<string:comment_id>", methods=["GET"])
@blp.doc(operationId="getReviewItem", **BEARER_DOC)
@blp.response(200, ReviewItemSchema)
@error_responses((403, OUT_OF_REACH), (404, "No such comment"))
def review_comment(comment_id: str):
    """One comment with article, author name, email and history, scores, reasons and highlighted spans.

    Sender details (IP, user agent) are never shown here: the legal role asks for them with a request reference.
    """
    session = db_session()
    moderator = authenticate_moderator(session)
    return run_in_session(lambda s: items.comment_view(s, comment_id, moderator))


@blp.route("/v1/review/comments/<string:comment_id>/claim", methods=["POST"])
@blp.doc(operationId="claimComment", **BEARER_DOC)
@blp.response(200, ClaimSchema)
@error_responses(
    (403, OUT_OF_REACH),
    (404, "No such comment"),
    (409, "Held by another moderator (claimed), already decided or not in review"),
)
def claim_comment(comment_id: str):
    """Take a 10-minute lease; the holder may claim again to extend it."""
    session = db_session()
    moderator = authenticate_moderator(session)
    return run_in_session(lambda s: claims.claim(s, comment_id, moderator))


@blp.route("/v1/review/comments/<string:comment_id>/decision", methods=["POST"])
@blp.doc(operationId="decideComment", **BEARER_DOC, **json_doc(DecisionRequestSchema))
@blp.response(200, DecisionResultSchema)
@error_responses(
    (400, "Malformed JSON"),
    (403, "An overturn by the moderator role, or a legal-queue comment (forbidden)"),
    (404, "No such comment"),
    (409, "Lease held by another (claimed), already decided, stale_revision or stale_status"),
    (413, BODY_TOO_LARGE),
    (415, "Not JSON"),
    (422, "Bad action, reason, spans"),
)
def decide_comment(comment_id: str):
    """approve | reject (reason code required) | escalate (to the legal queue) | redact (spans; the comment is approved redacted).

    Takes the lease if the comment is free. An approved or rejected comment changes again only with
    `overturn: true` (legal and admin roles); redacting an approved comment needs no overturn. Every
    final decision and later change is called back to the publisher.
    """
    session = db_session()
    moderator = authenticate_moderator(session)
    body = load_body(DecisionRequestSchema())
    return run_in_session(
        lambda s: actions.take_action(
            s,
            comment_id,
            moderator,
            action=body["action"],
            reason=body["reason"],
            note=body["note"],
            spans=body["spans"],
            redaction=body["redaction"],
            expected_revision=body["expected_revision"],
            if_status=body["if_status"],
            overturn=body["overturn"],
            enqueue_delivery=task_queue().enqueue_delivery,
        )
    )


@blp.route("/v1/review/bulk", methods=["POST"])
@blp.doc(operationId="bulkDecide", **BEARER_DOC, **json_doc(BulkRequestSchema))
@blp.response(200, BulkResultSchema, description="One result per id; a refused id does not undo the others")
@error_responses((400, "Malformed JSON"), (413, BODY_TOO_LARGE), (415, "Not JSON"), (422, "Bad action, ids or reason"))
def bulk_decide():
    """Bulk approve or reject: each id gets the same checks as a single decision."""
    session = db_session()
    moderator = authenticate_moderator(session)
    body = load_body(BulkRequestSchema())
    results = run_in_session(
        lambda s: actions.take_bulk_action(
            s,
            body["ids"],
            moderator,
            action=body["action"],
            reason=body["reason"],
            note=body["note"],
            enqueue_delivery=task_queue().enqueue_delivery,
        )
    )
    return {"results": results}


@blp.route("/v1/review/comments/<string:comment_id>/history", methods=["GET"])
@blp.doc(operationId="getCommentHistory", **BEARER_DOC)
@blp.response(200, HistorySchema)
@error_responses((403, OUT_OF_REACH), (404, "No such comment"))
def comment_history(comment_id: str):
    """The history of one comment, oldest first: automatic decisions and audit events.

    An `auto_decision` entry has the scores, reasons, model versions and policy version of one automatic decision;
    an audit event says who did what, when, before/after and why.
    """
    session = db_session()
    moderator = authenticate_moderator(session)
    return {"events": run_in_session(lambda s: audit.comment_history(s, comment_id, moderator))}
