"""Admin API (/v1/admin/...): author ban and trust rules, deliveries that ran out of retries, publishers'
policies and the score categories they may name.

The views are routes on the shared "review" blueprint (service.api.review_blueprint), so they keep its OpenAPI tag.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, fields, validate

from service import policy
from service.api.context import db_session, default_policy
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
from service.errors import ApiError, FieldError
from service.intake.schemas import CleanString
from service.publishers import accounts
from service.review.audit import actor_name
from service.scoring.categories import SCORED_CATEGORIES

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


@blp.route("/v1/admin/authors/<int(max=9223372036854775807):rule_id>", methods=["DELETE"])
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


# -- score categories and publishers' policies ---------------------------------------------------


class ThresholdsSchema(Schema):
    review = fields.Float(
        allow_none=True, metadata={"description": "At or over it: review (legal review for a legal category)"}
    )
    reject = fields.Float(allow_none=True, metadata={"description": "At or over it: rejected; null never rejects"})


class CategorySchema(Schema):
    name = fields.String(metadata={"enum": list(SCORED_CATEGORIES)})
    scorer = fields.String(metadata={"description": "The scorer that outputs it"})
    description = fields.String()
    abuse = fields.Boolean(metadata={"description": "Its evidence spans are abuse evidence"})
    legal = fields.Boolean(metadata={"description": "Over its review threshold: the legal queue"})
    default_thresholds = fields.Nested(ThresholdsSchema)


class CategoryListSchema(Schema):
    categories = fields.List(fields.Nested(CategorySchema))


class LanguageOverridesSchema(Schema):
    thresholds = fields.Dict(
        keys=fields.String(metadata={"enum": list(SCORED_CATEGORIES)}), values=fields.Nested(ThresholdsSchema)
    )


class PolicyOverridesSchema(Schema):
    """The overrides a publisher's policy replaces; any key of config/policy.default.json (documentation only:
    the body is checked by service.policy.check_overrides, which lists every problem)."""

    class Meta:
        unknown = INCLUDE

    max_length = fields.Integer(metadata={"description": "1 to 60000"})
    blocked_terms = fields.List(fields.String())
    suspect_terms = fields.List(fields.String())
    blocked_emails = fields.List(fields.String())
    blocked_email_domains = fields.List(fields.String())
    blocked_ip_ranges = fields.List(fields.String())
    max_links = fields.Integer()
    premoderation = fields.Boolean()
    duplicate_window_seconds = fields.Integer()
    duplicate_min_words = fields.Integer(
        metadata={"description": "1 to 10000: shorter texts are never duplicates (many readers write 'Jai Hind!')"}
    )
    verbatim_copy_min_words = fields.Integer()
    author_rejection_rate_threshold = fields.Float()
    thresholds = fields.Dict(
        keys=fields.String(metadata={"enum": list(SCORED_CATEGORIES)}),
        values=fields.Nested(ThresholdsSchema),
        metadata={"description": "Per scored category (GET /v1/admin/categories); others: unknown_category"},
    )
    languages = fields.Dict(
        keys=fields.String(metadata={"description": 'A BCP 47 tag: "kn", "hi-Latn", "kn-IN" (invalid_language)'}),
        values=fields.Nested(LanguageOverridesSchema),
        metadata={
            "description": "Thresholds for comments in a language (the tag the publisher sent or the one detected; "
            '"kn" also covers "kn-Latn" unless that has its own); where both tags set one, the stricter applies'
        },
    )


class PublisherPolicySchema(Schema):
    publisher_id = fields.String()
    policy_version = fields.Integer()
    overrides = fields.Dict(metadata={"description": "As stored"})
    effective = fields.Dict(metadata={"description": "The default policy merged with the overrides"})
    ignored_overrides = fields.List(
        fields.String(),
        metadata={
            "description": "Stored overrides that no longer apply, e.g. thresholds.threat (no scorer outputs it)"
        },
    )


class _JsonObject(Schema):
    class Meta:
        unknown = INCLUDE


def _publisher(session, publisher_id: str):
    try:
        return accounts.get(session, publisher_id)
    except accounts.PublisherError:
        raise ApiError.single(404, "not_found", "No such publisher.") from None


def _policy_view(publisher) -> dict:
    return {
        "publisher_id": publisher.id,
        "policy_version": publisher.policy_version,
        **policy.policy_report(default_policy(), publisher.policy_overrides),
    }


@blp.route("/v1/admin/categories", methods=["GET"])
@blp.doc(operationId="listCategories", **BEARER_DOC)
@blp.response(200, CategoryListSchema)
@error_responses()
def list_categories():
    """The score categories the scorers output: the only ones a policy's thresholds, the queue's category filter
    and per-language overrides may name (any role)."""
    session = db_session()
    authenticate_moderator(session)
    return {"categories": policy.category_list(default_policy())}


@blp.route("/v1/admin/publishers/<string:publisher_id>/policy", methods=["GET"])
@blp.doc(operationId="getPublisherPolicy", **BEARER_DOC)
@blp.response(200, PublisherPolicySchema)
@error_responses(NOT_ADMIN, (404, "No such publisher"))
def get_publisher_policy(publisher_id: str):
    """Admin: a publisher's policy overrides, the effective policy, and stored overrides that no longer apply."""
    session = db_session()
    authenticate_moderator(session, roles=ADMIN_ROLES)
    return _policy_view(_publisher(session, publisher_id))


@blp.route("/v1/admin/publishers/<string:publisher_id>/policy", methods=["PUT"])
@blp.doc(operationId="setPublisherPolicy", **BEARER_DOC, **json_doc(PolicyOverridesSchema))
@blp.response(200, PublisherPolicySchema)
@error_responses(
    (400, "Malformed JSON"),
    NOT_ADMIN,
    (404, "No such publisher"),
    (413, BODY_TOO_LARGE),
    (415, "Not JSON"),
    (
        422,
        "Every problem: unknown_field, invalid_type, out_of_range, invalid_threshold, unknown_category (the message "
        "lists the categories), invalid_language, duplicate_language",
    ),
)
def set_publisher_policy(publisher_id: str):
    """Admin: replace a publisher's policy overrides, as `kavalu publishers set-policy` does."""
    session = db_session()
    moderator = authenticate_moderator(session, roles=ADMIN_ROLES)
    overrides = load_body(_JsonObject())
    publisher = _publisher(session, publisher_id)
    try:
        accounts.set_policy(session, publisher.id, overrides, default_policy(), actor=actor_name(moderator))
    except policy.PolicyInvalid as error:
        session.rollback()
        raise ApiError(422, [FieldError(p.field, p.code, p.message) for p in error.problems]) from error
    except accounts.PublisherError as error:
        session.rollback()
        raise ApiError.single(422, "invalid_policy", str(error)) from error
    session.commit()
    return _policy_view(publisher)
