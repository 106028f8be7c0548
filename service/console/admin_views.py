"""The console's admin pages: publishers, failed deliveries, author rules and ops (admin role only)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from service.api.context import default_policy, settings, task_queue
from service.authors import rules
from service.console import forms, pages
from service.console.forms import load
from service.console.views import ADMIN_ROLES, _moderator, _perform, _require, blp
from service.delivery import redelivery
from service.publishers import accounts
from service.review.audit import actor_name


@blp.route("/admin/publishers", methods=["GET"])
def publishers():
    _require(ADMIN_ROLES)
    return _publishers_page()


def _publishers_page(revealed: dict | None = None, status: int = 200):
    rows = _perform(pages.publishers_page)
    return render_template("console/publishers.html", publishers=rows, revealed=revealed), status


@blp.route("/admin/publishers", methods=["POST"])
def create_publisher():
    _require(ADMIN_ROLES)
    form = load(forms.PublisherForm(), request.form)

    def create(session: Session) -> dict:
        publisher, secret = accounts.create(
            session, form["name"], form["callback_url"] or None, actor=actor_name(_moderator())
        )
        return {"publisher_id": publisher.id, "name": publisher.name, "secret": secret, "what": "created"}

    return _publishers_page(revealed=_perform(create), status=201)


@blp.route("/admin/publishers/<string:publisher_id>/rotate", methods=["POST"])
def rotate_secret(publisher_id: str):
    _require(ADMIN_ROLES)
    form = load(forms.RotateForm(), request.form)

    def rotate(session: Session) -> dict:
        grace = None if form["revoke_now"] else accounts.parse_grace(form["grace"])
        rotation = accounts.rotate_secret(session, publisher_id, grace, actor=actor_name(_moderator()))
        return {
            "publisher_id": publisher_id,
            "secret": rotation.secret,
            "what": "rotated",
            "previous_valid_until": rotation.previous_valid_until,
        }

    return _publishers_page(revealed=_perform(rotate))


@blp.route("/admin/publishers/<string:publisher_id>/policy", methods=["POST"])
def set_policy(publisher_id: str):
    _require(ADMIN_ROLES)
    form = load(forms.PolicyForm(), request.form)
    overrides = forms.parse_overrides(form["overrides"])
    _perform(lambda s: pages.save_policy(s, publisher_id, overrides, default_policy(), actor=actor_name(_moderator())))
    return redirect(url_for(".publishers"), code=303)


@blp.route("/admin/deliveries", methods=["GET"])
def deliveries():
    _require(ADMIN_ROLES)
    events = _perform(lambda s: redelivery.failed_events(s, limit=200))
    return render_template("console/deliveries.html", events=events, notice=request.args.get("redelivered"))


@blp.route("/admin/deliveries/<string:event_id>/redeliver", methods=["POST"])
def redeliver(event_id: str):
    _require(ADMIN_ROLES)
    event = _perform(lambda s: redelivery.redeliver(s, event_id).id)
    # Due now: the dispatcher picks it up even if this enqueue can't reach the broker (as `kavalu deliveries`).
    task_queue().enqueue_delivery(event)
    return redirect(url_for(".deliveries", redelivered=event), code=303)


@blp.route("/admin/authors", methods=["GET"])
def authors():
    _require(ADMIN_ROLES)
    return _authors_page()


def _authors_page(status: int = 200):
    found = _perform(lambda s: [rules.rule_dict(r) for r in rules.list_author_rules(s, None, include_revoked=True)])
    return (
        render_template("console/authors.html", rules=found, kinds=rules.RULE_KINDS, rule_actions=rules.RULE_ACTIONS),
        status,
    )


@blp.route("/admin/authors", methods=["POST"])
def add_author_rule():
    _require(ADMIN_ROLES)
    form = load(forms.AuthorRuleForm(), request.form)
    _perform(
        lambda s: rules.add_author_rule(
            s,
            kind=form["kind"],
            value=form["value"],
            action=form["action"],
            publisher_id=form["publisher_id"] or None,
            reason=form["reason"] or None,
            actor=actor_name(_moderator()),
        )
    )
    return redirect(url_for(".authors"), code=303)


@blp.route("/admin/authors/<int(max=9223372036854775807):rule_id>/revoke", methods=["POST"])
def revoke_author_rule(rule_id: int):
    _require(ADMIN_ROLES)
    _perform(lambda s: rules.revoke_author_rule(s, rule_id, actor_name(_moderator())))
    return redirect(url_for(".authors"), code=303)


@blp.route("/ops", methods=["GET"])
def ops():
    _require(ADMIN_ROLES)
    figures = _perform(lambda s: pages.ops_page(s, settings(), task_queue().celery))
    return render_template("console/ops.html", **figures)
