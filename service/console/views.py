"""The moderator console at /console: server-rendered pages over the same service functions as the review API.

Views stay thin: they check the form, call service.review / publishers / delivery / authors / ops (through
service.console.pages for what a page shows) and render. Sessions and CSRF are in service.console.session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from service.api.context import database, db_session, default_policy, settings, task_queue
from service.console import forms, pages
from service.console import session as console_sessions
from service.console.forms import ConsoleRefusal, load
from service.delivery import redelivery
from service.publishers import accounts
from service.review import actions, claims, disclosure
from service.review.access import can_see_legal_queue
from service.review.errors import ReviewError

blp = Blueprint("console", __name__, url_prefix="/console")

# Scripts, styles and images from this origin only: no inline script and no style attributes anywhere.
CONSOLE_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
# Auto-refresh requests carry this header: they must not count as activity, or a session would never go idle.
REFRESH_HEADER = "X-Console-Refresh"
PUBLIC_ENDPOINTS = {"console.sign_in_form", "console.sign_in"}
ADMIN_ROLES = ("admin",)
DONE_MESSAGES = {
    "approve": "Comment approved.",
    "reject": "Comment rejected.",
    "escalate": "Comment escalated to the legal queue.",
    "redact": "Comment redacted and approved.",
}
ENDED_MESSAGES = {
    "signed_out": "You signed out.",
    "expired": "Your session ended (idle too long, or the token was revoked). Sign in again.",
}

T = TypeVar("T")


def _secret() -> str:
    secret = current_app.extensions.get("kavalu.console_secret")
    if secret is None:
        secret = console_sessions.console_secret(settings(), database().sealer)
        current_app.extensions["kavalu.console_secret"] = secret
    return secret


def _secure_cookies() -> bool:
    return request.is_secure or settings().console_secure_cookie


def _moderator():
    return g.console_moderator


def _perform(action: Callable[[Session], T]) -> T:
    """Run service calls in the request's session: commit on success, roll back and refuse on a ReviewError."""
    session = db_session()
    try:
        result = action(session)
    except ConsoleRefusal:
        session.rollback()
        raise
    except ReviewError as error:
        session.rollback()
        raise ConsoleRefusal(error.status, error.message) from error
    except (accounts.PublisherError, redelivery.DeliveryError) as error:
        session.rollback()
        raise ConsoleRefusal(422 if isinstance(error, accounts.PublisherError) else 404, str(error)) from error
    session.commit()
    return result


def _require(roles: tuple[str, ...]) -> None:
    if _moderator().role not in roles:
        raise ConsoleRefusal(403, f"This page needs the {' or '.join(roles)} role.")


# -- session plumbing -----------------------------------------------------------------------------


@blp.before_request
def _authenticate():
    g.console_moderator = None
    g.console_session = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    now = time.time()
    resumed = console_sessions.resume(
        db_session(), request.cookies.get(console_sessions.COOKIE_NAME), settings(), _secret(), now
    )
    if resumed is None:
        had_cookie = console_sessions.COOKIE_NAME in request.cookies
        if request.method == "GET":
            target = {"next": request.full_path.rstrip("?")} if request.endpoint != "console.home" else {}
            if had_cookie:
                target["ended"] = "expired"
            response = redirect(url_for(".sign_in_form", **target))
        else:
            response = current_app.make_response(
                (render_template("console/error.html", status=401, message="Sign in first."), 401)
            )
        response.delete_cookie(console_sessions.COOKIE_NAME, path=console_sessions.COOKIE_PATH)
        return response
    current, moderator = resumed
    if request.method == "POST" and not console_sessions.csrf_matches(
        current.csrf_token, request.form.get("csrf_token")
    ):
        g.console_moderator = moderator
        raise ConsoleRefusal(400, "The form's CSRF token is missing or wrong. Reload the page and try again.")
    g.console_moderator = moderator
    g.console_session = current if request.headers.get(REFRESH_HEADER) else console_sessions.touched(current, now)
    return None


@blp.after_request
def _console_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONSOLE_CSP
    response.headers["Cache-Control"] = "no-store"
    current = g.get("console_session")
    if current is not None:
        _set_session_cookie(response, current)
    return response


def _set_session_cookie(response: Response, current: console_sessions.ConsoleSession) -> None:
    response.set_cookie(
        console_sessions.COOKIE_NAME,
        console_sessions.encode(current, _secret()),
        path=console_sessions.COOKIE_PATH,
        httponly=True,
        secure=_secure_cookies(),
        samesite="Strict",
    )


@blp.errorhandler(ConsoleRefusal)
def _refused(error: ConsoleRefusal):
    return render_template("console/error.html", status=error.status, message=error.message), error.status


@blp.context_processor
def _page_context() -> dict:
    moderator = g.get("console_moderator")
    current = g.get("console_session")
    return {
        "moderator": moderator,
        "csrf_token": current.csrf_token if current else "",
        "sees_legal_queue": bool(moderator) and can_see_legal_queue(moderator.role),
        "is_admin": bool(moderator) and moderator.role in ADMIN_ROLES,
    }


# -- sign-in and sign-out -------------------------------------------------------------------------


@blp.route("/signin", methods=["GET"])
def sign_in_form():
    return _sign_in_page(None, 200)


def _sign_in_page(error: str | None, status: int):
    form_token = console_sessions.new_sign_in_token()
    response = current_app.make_response(
        (
            render_template(
                "console/signin.html",
                form_token=form_token,
                error=error,
                next=forms.safe_next(request.values.get("next"), ""),
                ended=ENDED_MESSAGES.get(request.args.get("ended", "")),
            ),
            status,
        )
    )
    response.set_cookie(
        console_sessions.SIGN_IN_COOKIE_NAME,
        console_sessions.encode_sign_in_token(form_token, _secret()),
        path=console_sessions.COOKIE_PATH,
        max_age=3600,
        httponly=True,
        secure=_secure_cookies(),
        samesite="Strict",
    )
    return response


@blp.route("/signin", methods=["POST"])
def sign_in():
    expected = console_sessions.decode_sign_in_token(
        request.cookies.get(console_sessions.SIGN_IN_COOKIE_NAME), _secret()
    )
    if expected is None or not console_sessions.csrf_matches(expected, request.form.get("csrf_token")):
        return _sign_in_page("The form expired or its CSRF token is wrong. Try again.", 400)
    token = request.form.get("token", "")
    opened = console_sessions.sign_in(db_session(), token, _secret(), time.time())
    db_session().commit()  # the audit row of the attempt
    if opened is None:
        return _sign_in_page("That token is not valid, or it was revoked.", 401)
    response = redirect(forms.safe_next(request.form.get("next"), url_for(".queue")), code=303)
    _set_session_cookie(response, opened[0])
    response.delete_cookie(console_sessions.SIGN_IN_COOKIE_NAME, path=console_sessions.COOKIE_PATH)
    return response


@blp.route("/signout", methods=["POST"])
def sign_out():
    console_sessions.sign_out(db_session(), g.console_moderator)
    db_session().commit()
    g.console_session = None
    response = redirect(url_for(".sign_in_form", ended="signed_out"), code=303)
    response.delete_cookie(console_sessions.COOKIE_NAME, path=console_sessions.COOKIE_PATH)
    return response


# -- queues and decisions -------------------------------------------------------------------------


@blp.route("", methods=["GET"])
@blp.route("/", methods=["GET"])
def home():
    return redirect(url_for(".queue"))


@blp.route("/queue", methods=["GET"])
def queue():
    filters = load(forms.QueueFilters(), request.args, status=400)
    page = _perform(lambda s: pages.queue_page(s, _moderator(), filters, default_policy()))
    next_args = {k: v for k, v in filters.items() if v and k != "cursor"}
    return render_template(
        "console/queue.html",
        filters=filters,
        page=page,
        next_page=url_for(".queue", **next_args, cursor=page["next_cursor"]) if page["next_cursor"] else None,
        here=_without_notice(request.full_path),
        reject_reasons=forms.REJECT_REASONS,
        age_filters=forms.AGE_FILTERS,
        notice=_notice(),
    )


def _without_notice(target: str) -> str:
    path, _, query = target.partition("?")
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in _NOTICE_PARAMS]
    return path + ("?" + urlencode(kept) if kept else "")


def _notice() -> str | None:
    done = request.args.get("done", "")
    if done == "bulk":
        ok, failed = request.args.get("ok", "0"), request.args.get("failed", "0")
        if ok.isdigit() and failed.isdigit():
            return f"{ok} decided, {failed} refused."
        return None
    return DONE_MESSAGES.get(done)


# The parameters a redirect after an action adds; a target that already has them (the queue after an earlier
# action) drops them first, or the page would show the earlier action's message.
_NOTICE_PARAMS = ("done", "ok", "failed")


def _with_query(target: str, **params) -> str:
    base = _without_notice(target)
    added = urlencode([(k, v) for k, v in params.items() if v is not None])
    return base + ("&" if "?" in base else "?") + added


def _reason_for(action: str, reason: str | None) -> str | None:
    """The console's reason list holds reject reasons: an approval or an escalation carries none of them."""
    return (reason or None) if action in ("reject", "redact") else None


@blp.route("/bulk", methods=["POST"])
def bulk():
    form = load(forms.BulkForm(), request.form)
    ids = [i for i in request.form.getlist("ids") if i]
    if not ids:
        raise ConsoleRefusal(422, "Select at least one comment.")
    results = _perform(
        lambda s: actions.take_bulk_action(
            s,
            ids,
            _moderator(),
            action=form["action"],
            reason=_reason_for(form["action"], form["reason"]),
            enqueue_delivery=task_queue().enqueue_delivery,
        )
    )
    ok = sum(1 for r in results if r["ok"])
    target = forms.safe_next(form["next"], url_for(".queue"))
    return redirect(_with_query(target, done="bulk", ok=ok, failed=len(results) - ok), code=303)


@blp.route("/comments/<string:comment_id>", methods=["GET"])
def comment(comment_id: str):
    return _comment_page(comment_id)


def _comment_page(
    comment_id: str,
    *,
    error: str | None = None,
    status: int = 200,
    sender: dict | None = None,
    submitted: dict | None = None,
):
    """submitted: a refused decision's form, shown again so that the moderator's note and spans are not lost."""
    page = _perform(lambda s: pages.comment_page(s, _moderator(), comment_id))
    return (
        render_template(
            "console/comment.html",
            page=page,
            item=page["item"],
            error=error,
            sender=sender,
            reject_reasons=forms.REJECT_REASONS,
            back=forms.safe_next(request.values.get("next"), url_for(".queue")),
            notice=DONE_MESSAGES.get(request.args.get("done", "")),
            submitted=submitted or {},
        ),
        status,
    )


@blp.route("/comments/<string:comment_id>/claim", methods=["POST"])
def claim(comment_id: str):
    try:
        _perform(lambda s: claims.claim(s, comment_id, _moderator()))
    except ConsoleRefusal as refusal:
        if refusal.status == 404:
            raise
        return _comment_page(comment_id, error=refusal.message, status=refusal.status)
    back = forms.safe_next(request.form.get("next"), url_for(".queue"))
    return redirect(url_for(".comment", comment_id=comment_id, next=back), code=303)


@blp.route("/comments/<string:comment_id>/decision", methods=["POST"])
def decide(comment_id: str):
    form = load(forms.DecisionForm(), request.form)
    try:
        spans = forms.parse_spans(form["spans"]) if form["action"] == "redact" else None
        _perform(
            lambda s: actions.take_action(
                s,
                comment_id,
                _moderator(),
                action=form["action"],
                reason=_reason_for(form["action"], form["reason"]),
                note=form["note"] or None,
                spans=spans,
                redaction=form["redaction"],
                expected_revision=form["expected_revision"],
                enqueue_delivery=task_queue().enqueue_delivery,
            )
        )
    except ConsoleRefusal as refusal:
        if refusal.status not in (409, 422):
            raise
        # Held by someone else, decided meanwhile, a newer revision, or a reason or span missing: the comment as it is
        # now, with what the moderator typed.
        return _comment_page(comment_id, error=refusal.message, status=refusal.status, submitted=form)
    target = forms.safe_next(form["next"], url_for(".queue"))
    return redirect(_with_query(target, done=form["action"]), code=303)


@blp.route("/comments/<string:comment_id>/sender", methods=["POST"])
def sender(comment_id: str):
    """Legal role: sender details against an authority's request reference; audited like GET /v1/legal/.../sender."""
    form = load(forms.DisclosureForm(), request.form)
    try:
        details = _perform(
            lambda s: disclosure.sender_details(s, comment_id, _moderator(), form["request_reference"] or None)
        )
    except ConsoleRefusal as refusal:
        if refusal.status in (403, 404):
            raise
        return _comment_page(comment_id, error=refusal.message, status=refusal.status)
    return _comment_page(comment_id, sender=details)
