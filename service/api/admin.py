"""Admin API (/v1/admin/...): author ban and trust rules, and deliveries that ran out of retries.

The views are routes on the shared "review" blueprint (service.api.review_blueprint), so they keep its OpenAPI tag.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from service.api.context import db_session
from service.api.moderator_auth import BEARER_DOC, authenticate_moderator
from service.api.review_blueprint import (
    AT_MOST,
    BODY_TOO_LARGE,
    FROM_TO,
    ONE_OF,
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
from service.authors import rules
from service.delivery.redelivery import failed_events
from service.intake.schemas import CleanString
from service.review.audit import actor_name

ADMIN_ROLES = ("admin",)
NOT_ADMIN = (403, "Not the admin role (forbidden)")


class AuthorRuleRequestSchema(CodedSchema):
    class Meta:
        unknown = RAISE

    kind = CleanString(
        required=True,
        validate=validate.OneOf(list(rules.RULE_KINDS), error=ONE_OF),
        metadata={"error_code": "invalid_kind"},
        error_messages=field_messages(),
    )
    value = CleanString(
        required=True,
        validate=validate.Length(max=320, error=AT_MOST),
        error_messages=field_messages(),
        metadata={
            "error_code": "invalid_length",
            "description": "An email, an email domain (subdomains included) or a CIDR range",
        },
    )
    action = CleanString(
        required=True,
        validate=validate.OneOf(list(rules.RULE_ACTIONS), error=ONE_OF),
        metadata={"error_code": "invalid_action"},
        error_messages=field_messages(),
    )
    publisher_id = CleanString(
        load_default=None,
        validate=validate.Length(max=40, error=AT_MOST),
        error_messages=field_messages(),
        metadata={"error_code": "invalid_length", "description": "Omit for every publisher"},
    )
    reason = CleanString(
        load_default=None,
        validate=validate.Length(max=2000, error=AT_MOST),
        metadata={"error_code": "invalid_length"},
        error_messages=field_messages(),
    )


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


class AuthorRulesQuerySchema(CodedSchema):
    class Meta:
        unknown = EXCLUDE

    publisher = CleanString(
        load_default=None,
        validate=validate.Length(max=40, error=AT_MOST),
        metadata={"error_code": "invalid_length"},
        error_messages=field_messages(),
    )
    include_revoked = fields.Boolean(load_default=False, error_messages=field_messages())


class FailedDeliveriesQuerySchema(CodedSchema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(
        load_default=100,
        error_messages=field_messages(invalid="invalid_limit"),
        validate=validate.Range(min=1, max=1000, error=FROM_TO),
        metadata={"error_code": "invalid_limit"},
    )


class FailedDeliveriesSchema(Schema):
    events = fields.List(fields.Dict())


# -- authors --------------------------------------------------------------------------------------


@blp.route("/v1/admin/authors", methods=["POST"])
@blp.doc(operationId="addAuthorRule", **BEARER_DOC, **json_doc(AuthorRuleRequestSchema))
@blp.response(201, AuthorRuleSchema)
@error_responses(
    (400, "Malformed JSON"),
    NOT_ADMIN,
    (413, BODY_TOO_LARGE),
    (415, "Not JSON"),
    (422, "Bad kind, value, action or publisher"),
)
def add_author_rule():
    """Admin: ban (comments rejected with author_banned) or trust an author by email, domain or IP range."""
    session = db_session()
    moderator = authenticate_moderator(session, roles=ADMIN_ROLES)
    body = load_body(AuthorRuleRequestSchema())
    rule = run_in_session(
        lambda s: rules.add_author_rule(
            s,
            kind=body["kind"],
            value=body["value"],
            action=body["action"],
            publisher_id=body["publisher_id"],
            reason=body["reason"],
            actor=actor_name(moderator),
        )
    )
    return rules.rule_dict(rule)


@blp.route("/v1/admin/authors", methods=["GET"])
@blp.doc(operationId="listAuthorRules", **BEARER_DOC, **query_doc(AuthorRulesQuerySchema))
@blp.response(200, AuthorRuleListSchema)
@error_responses((400, "Bad query"), NOT_ADMIN)
def list_author_rules():
    """Admin: the author rules (a publisher's own and the global ones)."""
    session = db_session()
    authenticate_moderator(session, roles=ADMIN_ROLES)
    args = load_query(AuthorRulesQuerySchema())
    found = rules.list_author_rules(session, args["publisher"], args["include_revoked"])
    return {"rules": [rules.rule_dict(r) for r in found]}


@blp.route("/v1/admin/authors/<int:rule_id>", methods=["DELETE"])
@blp.doc(operationId="revokeAuthorRule", **BEARER_DOC)
@blp.response(200, AuthorRuleSchema)
@error_responses(NOT_ADMIN, (404, "No such rule"))
def revoke_author_rule(rule_id: int):
    """Admin: revoke a ban or trust rule."""
    session = db_session()
    moderator = authenticate_moderator(session, roles=ADMIN_ROLES)
    rule = run_in_session(lambda s: rules.revoke_author_rule(s, rule_id, actor_name(moderator)))
    return rules.rule_dict(rule)


# -- deliveries -----------------------------------------------------------------------------------


@blp.route("/v1/admin/deliveries/failed", methods=["GET"])
@blp.doc(operationId="listFailedDeliveries", **BEARER_DOC, **query_doc(FailedDeliveriesQuerySchema))
@blp.response(200, FailedDeliveriesSchema)
@error_responses((400, "Bad limit"), NOT_ADMIN)
def failed_deliveries():
    """Admin: outbound events that ran out of retries (`kavalu deliveries redeliver` resends one)."""
    session = db_session()
    authenticate_moderator(session, roles=ADMIN_ROLES)
    args = load_query(FailedDeliveriesQuerySchema())
    return {"events": failed_events(session, limit=args["limit"])}
