"""The moderator console through the Flask test client: sessions, cookie flags, CSP, CSRF, roles and bad input.

The browser tests (test_console_browser.py) drive the same pages in Chromium.
"""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pytest
from flask import Flask

from service.console import session as console_sessions
from service.console.views import CONSOLE_CSP
from service.models import AuditEvent, Comment, OutboundEvent, Publisher
from service.publishers import accounts
from service.review import moderators
from tests.console_support import csrf_of, page_csrf, sign_in
from tests.helpers import comment, post_comment
from tests.review_support import bearer, make_moderator, make_review_comment

TEMPLATES = Path(__file__).resolve().parents[1] / "service" / "templates" / "console"


def _cookie(response, name: str) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def _status(database, comment_id: str) -> str:
    with database.session() as session:
        return session.get(Comment, comment_id).status


def _secret(app: Flask) -> str:
    with app.app_context():
        return console_sessions.console_secret(app.config["KAVALU_SETTINGS"], app.extensions["kavalu.db"].sealer)


# -- sign-in, cookies, headers --------------------------------------------------------------------


def test_sign_in_sets_an_http_only_same_site_strict_cookie(client, database):
    _mod, token = make_moderator(database)
    response = sign_in(client, token)
    assert response.status_code == 303
    assert response.headers["Location"] == "/console/queue"
    cookie = _cookie(response, console_sessions.COOKIE_NAME)
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/console" in cookie
    assert "Secure" not in cookie  # plain HTTP: a Secure cookie would never come back
    assert token not in cookie
    assert client.get("/console/queue").status_code == 200


def test_the_cookie_is_secure_over_https(client, database):
    _mod, token = make_moderator(database)
    response = sign_in(client, token, base_url="https://localhost")
    assert response.status_code == 303
    assert "; Secure" in _cookie(response, console_sessions.COOKIE_NAME)


def test_the_cookie_can_be_forced_secure_behind_a_tls_proxy(app, client, database):
    _mod, token = make_moderator(database)
    settings = app.config["KAVALU_SETTINGS"]
    app.config["KAVALU_SETTINGS"] = dataclasses.replace(settings, console_secure_cookie=True)
    try:
        response = sign_in(client, token)
    finally:
        app.config["KAVALU_SETTINGS"] = settings
    assert "; Secure" in _cookie(response, console_sessions.COOKIE_NAME)


def test_console_pages_send_a_strict_content_security_policy(client, database):
    _mod, token = make_moderator(database)
    signin = client.get("/console/signin")
    assert signin.headers["Content-Security-Policy"] == CONSOLE_CSP
    assert "unsafe-inline" not in CONSOLE_CSP
    assert "script-src 'self'" in CONSOLE_CSP
    assert "style-src 'self'" in CONSOLE_CSP
    sign_in(client, token)
    queue = client.get("/console/queue")
    assert queue.headers["Content-Security-Policy"] == CONSOLE_CSP
    assert queue.headers["X-Frame-Options"] == "DENY"
    assert queue.headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_or_style():
    for template in TEMPLATES.glob("*.html"):
        html = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), template.name
        assert not re.search(r"\sstyle=", html), template.name
        assert not re.search(r"\son[a-z]+=", html), template.name
        assert "<style" not in html, template.name


def test_a_wrong_token_is_refused(client, database):
    assert sign_in(client, "kvm_not-a-real-token").status_code == 401
    assert client.get("/console/queue").status_code == 302


def test_sign_in_without_its_csrf_token_is_refused(client, database):
    _mod, token = make_moderator(database)
    client.get("/console/signin")
    response = client.post("/console/signin", data={"token": token})
    assert response.status_code == 400
    assert not any(h.startswith(f"{console_sessions.COOKIE_NAME}=") for h in response.headers.getlist("Set-Cookie"))


def test_pages_need_a_session(client, database):
    response = client.get("/console/queue?sort=oldest")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/signin?next=")
    assert client.post("/console/bulk", data={"action": "approve"}).status_code == 401


def test_api_hosts_with_the_same_sealing_keys_accept_each_others_sessions(
    settings, migrated_database, database, tmp_path
):
    """No KAVALU_CONSOLE_SECRET: the key that signs the cookie comes from the first sealing key, so a moderator
    signed in on one API host (a data folder of its own) is signed in on every other. A host whose first sealing
    key differs does not accept the cookie."""
    from cryptography.fernet import Fernet

    from service.app import create_app

    assert settings.console_secret is None and settings.sealing_keys
    _mod, token = make_moderator(database)
    host_a = create_app(dataclasses.replace(settings, data_dir=tmp_path / "a")).test_client()
    signed_in = sign_in(host_a, token)
    assert signed_in.status_code == 303
    cookie = _cookie(signed_in, console_sessions.COOKIE_NAME).split(";", 1)[0].split("=", 1)[1]

    def queue_page(host_settings) -> int:
        host = create_app(host_settings).test_client()
        host.set_cookie(console_sessions.COOKIE_NAME, cookie, path="/console")
        return host.get("/console/queue").status_code

    assert queue_page(dataclasses.replace(settings, data_dir=tmp_path / "b")) == 200
    rotated = f"{Fernet.generate_key().decode()},{settings.sealing_keys}"
    assert queue_page(dataclasses.replace(settings, data_dir=tmp_path / "c", sealing_keys=rotated)) == 302
    assert not any(path.exists() for path in (tmp_path / "a", tmp_path / "b", tmp_path / "c"))  # no key files


def test_without_sealing_keys_on_postgresql_the_console_answers_503(settings, migrated_database, tmp_path):
    """Not a key of its own in the data folder, which each API host would make differently."""
    from service.app import create_app

    keyless = dataclasses.replace(settings, data_dir=tmp_path, sealing_keys=None)
    response = create_app(keyless).test_client().get("/console/signin")
    assert response.status_code == 503
    assert response.get_json()["errors"][0]["code"] == "service_unavailable"
    assert not any(tmp_path.iterdir())
    assert "configuration fault" in response.get_json()["errors"][0]["message"]  # what to set is in the log


def test_sign_out_ends_the_session(client, database):
    _mod, token = make_moderator(database)
    sign_in(client, token)
    response = client.post("/console/signout", data={"csrf_token": page_csrf(client)})
    assert response.status_code == 303
    assert "Max-Age=0" in _cookie(response, console_sessions.COOKIE_NAME)
    assert client.get("/console/queue").status_code == 302


def test_sign_in_sign_out_and_refused_attempts_are_audited_without_the_token(client, database):
    moderator_id, token = make_moderator(database, name="Asha")
    assert sign_in(client, "kvm_not-a-real-token").status_code == 401
    assert sign_in(client, token).status_code == 303
    client.post("/console/signout", data={"csrf_token": page_csrf(client)})
    with database.session() as session:
        events = session.query(AuditEvent).filter(AuditEvent.action.startswith("console_")).order_by(AuditEvent.id)
        trail = [(e.actor, e.action, e.comment_id) for e in events]
        stored = " ".join(str([e.before, e.after, e.reason]) for e in session.query(AuditEvent))
    who = f"moderator:{moderator_id} (Asha)"
    assert trail == [
        ("anonymous", "console_sign_in_refused", None),
        (who, "console_signed_in", None),
        (who, "console_signed_out", None),
    ]
    assert token not in stored and "not-a-real-token" not in stored


def test_an_idle_session_is_signed_out(app, client, database):
    moderator_id, token = make_moderator(database)
    settings = app.config["KAVALU_SETTINGS"]
    secret = _secret(app)
    with database.session() as session:
        opened, _moderator = console_sessions.sign_in(session, token, secret, time.time())
    now = time.time()
    idle = console_sessions.ConsoleSession(
        moderator_id, opened.fingerprint, now - 60, now - settings.console_idle_timeout_s - 1, opened.csrf_token
    )
    client.set_cookie(console_sessions.COOKIE_NAME, console_sessions.encode(idle, secret), path="/console")
    response = client.get("/console/queue")
    assert response.status_code == 302
    assert "ended=expired" in response.headers["Location"]
    # Just inside the timeout it still works, and the request moves last_seen forward.
    fresh = console_sessions.ConsoleSession(
        moderator_id, opened.fingerprint, now - 60, now - settings.console_idle_timeout_s + 30, opened.csrf_token
    )
    client.set_cookie(console_sessions.COOKIE_NAME, console_sessions.encode(fresh, secret), path="/console")
    response = client.get("/console/queue")
    assert response.status_code == 200
    renewed = console_sessions.decode(
        _cookie(response, console_sessions.COOKIE_NAME).split(";")[0].split("=", 1)[1], secret
    )
    assert renewed.last_seen >= now
    # The auto-refresh does not count as activity: it leaves last_seen where it was.
    client.set_cookie(console_sessions.COOKIE_NAME, console_sessions.encode(fresh, secret), path="/console")
    response = client.get("/console/queue", headers={"X-Console-Refresh": "1"})
    assert response.status_code == 200
    kept = console_sessions.decode(
        _cookie(response, console_sessions.COOKIE_NAME).split(";")[0].split("=", 1)[1], secret
    )
    assert kept.last_seen == fresh.last_seen


def test_a_tampered_or_foreign_cookie_is_refused(app, client, database):
    moderator_id, _token = make_moderator(database)
    secret = _secret(app)
    now = time.time()
    forged = console_sessions.ConsoleSession(moderator_id, "0" * 32, now, now, "x" * 43)
    client.set_cookie(console_sessions.COOKIE_NAME, console_sessions.encode(forged, secret), path="/console")
    assert client.get("/console/queue").status_code == 302
    other_key = console_sessions.ConsoleSession(
        moderator_id, console_sessions.token_fingerprint("other", "x"), now, now, "x"
    )
    client.set_cookie(console_sessions.COOKIE_NAME, console_sessions.encode(other_key, "other"), path="/console")
    assert client.get("/console/queue").status_code == 302


def test_revoking_the_token_ends_its_sessions_at_once(client, database):
    moderator_id, token = make_moderator(database)
    sign_in(client, token)
    assert client.get("/console/queue").status_code == 200
    with database.session() as session:
        moderators.revoke(session, moderator_id)
    response = client.get("/console/queue")
    assert response.status_code == 302
    assert "ended=expired" in response.headers["Location"]


# -- CSRF, roles, bad input -----------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(client, database, publisher):
    _mod, token = make_moderator(database)
    comment_id = make_review_comment(client, database, publisher, "c-1")
    sign_in(client, token)
    for data in ({}, {"csrf_token": "wrong"}):
        response = client.post(f"/console/comments/{comment_id}/decision", data={"action": "approve", **data})
        assert response.status_code == 400
        assert "CSRF" in response.get_data(as_text=True)
    assert _status(database, comment_id) == "review"


@pytest.mark.parametrize(
    "role, path, status",
    [
        ("moderator", "/console/queue?queue=legal", 403),
        ("legal", "/console/queue?queue=legal", 200),
        ("admin", "/console/queue?queue=legal", 200),
        ("moderator", "/console/admin/publishers", 403),
        ("legal", "/console/admin/deliveries", 403),
        ("moderator", "/console/admin/authors", 403),
        ("legal", "/console/ops", 403),
        ("admin", "/console/admin/publishers", 200),
        ("admin", "/console/admin/deliveries", 200),
        ("admin", "/console/admin/authors", 200),
        ("admin", "/console/ops", 200),
    ],
)
def test_role_checks(client, database, role, path, status):
    _mod, token = make_moderator(database, role)
    sign_in(client, token)
    assert client.get(path).status_code == status


def test_a_moderator_cannot_open_or_decide_a_legal_queue_comment(client, database, publisher):
    _mod, token = make_moderator(database)
    comment_id = make_review_comment(client, database, publisher, "c-legal", status="legal_review")
    sign_in(client, token)
    assert client.get(f"/console/comments/{comment_id}").status_code == 403
    response = client.post(
        f"/console/comments/{comment_id}/decision", data={"action": "approve", "csrf_token": page_csrf(client)}
    )
    assert response.status_code == 403
    assert _status(database, comment_id) == "legal_review"


def test_disclosure_is_for_the_legal_role_only(client, database, publisher):
    _mod, token = make_moderator(database, "admin")
    comment_id = make_review_comment(client, database, publisher, "c-1", ip="198.51.100.9")
    sign_in(client, token)
    page = client.get(f"/console/comments/{comment_id}").get_data(as_text=True)
    assert "disclosure-form" not in page
    response = client.post(
        f"/console/comments/{comment_id}/sender",
        data={"csrf_token": csrf_of(page), "request_reference": "REQ-1"},
    )
    assert response.status_code == 403
    assert "198.51.100.9" not in response.get_data(as_text=True)


def test_legal_disclosure_needs_a_reference_and_is_audited(client, database, publisher):
    _mod, token = make_moderator(database, "legal")
    comment_id = make_review_comment(client, database, publisher, "c-1", ip="198.51.100.9")
    sign_in(client, token)
    page = client.get(f"/console/comments/{comment_id}").get_data(as_text=True)
    assert "198.51.100.9" not in page
    refused = client.post(f"/console/comments/{comment_id}/sender", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 400
    assert "198.51.100.9" not in refused.get_data(as_text=True)
    shown = client.post(
        f"/console/comments/{comment_id}/sender", data={"csrf_token": csrf_of(page), "request_reference": "REQ-9"}
    )
    assert shown.status_code == 200
    assert "198.51.100.9" in shown.get_data(as_text=True)
    with database.session() as session:
        events = session.query(AuditEvent).filter_by(comment_id=comment_id, action="sender_details_viewed").all()
        assert [e.reason for e in events] == ["REQ-9"]


@pytest.mark.parametrize(
    "form, status",
    [
        ({"action": "bogus"}, 422),
        ({}, 422),
        ({"action": "reject"}, 422),  # a rejection needs a reason code
        ({"action": "reject", "reason": "Not A Code"}, 422),
        ({"action": "redact", "spans": "abc"}, 422),
        ({"action": "redact", "spans": ""}, 422),
        ({"action": "redact", "spans": "5-500"}, 422),
        ({"action": "approve", "redaction": "paint"}, 422),
        ({"action": "approve", "expected_revision": "two"}, 422),
        ({"action": "approve", "expected_revision": "7"}, 409),
        ({"action": "approve", "note": "bad \x00 byte"}, 422),
    ],
)
def test_bad_decision_input_gets_a_4xx(client, database, publisher, form, status):
    _mod, token = make_moderator(database)
    comment_id = make_review_comment(client, database, publisher, "c-1")
    sign_in(client, token)
    response = client.post(f"/console/comments/{comment_id}/decision", data={"csrf_token": page_csrf(client), **form})
    assert response.status_code == status
    assert _status(database, comment_id) == "review"


@pytest.mark.parametrize(
    "query",
    ["queue=bogus", "sort=sideways", "age=ancient", "language=%3Cb%3E", "cursor=not-a-cursor", "publisher=" + "x" * 41],
)
def test_bad_queue_filters_get_a_400(client, database, query):
    _mod, token = make_moderator(database)
    sign_in(client, token)
    assert client.get(f"/console/queue?{query}").status_code == 400


def test_unknown_comment_and_event_get_404(client, database):
    _mod, token = make_moderator(database, "admin")
    sign_in(client, token)
    csrf = page_csrf(client)
    assert client.get("/console/comments/cmt_nope").status_code == 404
    assert client.post("/console/comments/cmt_nope/claim", data={"csrf_token": csrf}).status_code == 404
    assert (
        client.post("/console/comments/cmt_nope/decision", data={"csrf_token": csrf, "action": "approve"}).status_code
        == 404
    )
    assert client.post("/console/admin/deliveries/evt_nope/redeliver", data={"csrf_token": csrf}).status_code == 404


def test_bad_admin_input_gets_a_4xx(client, database, publisher):
    _mod, token = make_moderator(database, "admin")
    sign_in(client, token)
    csrf = page_csrf(client)
    policy = f"/console/admin/publishers/{publisher.id}/policy"
    assert client.post(policy, data={"csrf_token": csrf, "overrides": "{not json"}).status_code == 422
    assert client.post(policy, data={"csrf_token": csrf, "overrides": "[]"}).status_code == 422
    assert client.post(policy, data={"csrf_token": csrf, "overrides": '{"colour": "red"}'}).status_code == 422
    assert client.post(policy, data={"csrf_token": csrf, "overrides": '{"max_length": 0}'}).status_code == 422
    assert client.post(policy, data={"csrf_token": csrf}).status_code == 422
    assert (
        client.post("/console/admin/publishers/pub_nope/policy", data={"csrf_token": csrf, "overrides": "{}"})
    ).status_code == 422
    create = "/console/admin/publishers"
    assert client.post(create, data={"csrf_token": csrf, "name": ""}).status_code == 422
    assert client.post(create, data={"csrf_token": csrf, "name": "X", "callback_url": "ftp://x"}).status_code == 422
    rotate = f"/console/admin/publishers/{publisher.id}/rotate"
    assert client.post(rotate, data={"csrf_token": csrf, "grace": "forever"}).status_code == 422
    rule = {"csrf_token": csrf, "kind": "email", "value": "not-an-email", "action": "ban"}
    assert client.post("/console/admin/authors", data=rule).status_code == 422
    assert client.post("/console/admin/authors", data={**rule, "kind": "shoe_size"}).status_code == 422
    assert client.post("/console/admin/authors/999/revoke", data={"csrf_token": csrf}).status_code == 404


# -- the same service functions as the API ---------------------------------------------------------


def test_a_console_decision_shows_in_the_api_and_the_audit_trail(client, database, publisher):
    _mod, token = make_moderator(database, name="Asha Rao")
    comment_id = make_review_comment(client, database, publisher, "c-1")
    sign_in(client, token)
    response = client.post(
        f"/console/comments/{comment_id}/decision",
        data={"csrf_token": page_csrf(client), "action": "reject", "reason": "insult", "next": "/console/queue"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/console/queue?done=reject"
    item = client.get(f"/v1/review/comments/{comment_id}", headers=bearer(token)).get_json()
    assert (item["status"], item["decided_by"]) == ("rejected", "moderator")
    history = client.get(f"/v1/review/comments/{comment_id}/history", headers=bearer(token)).get_json()["events"]
    assert [e["action"] for e in history] == ["auto_decision", "decision"]
    assert "Asha Rao" in history[-1]["actor"]
    page = client.get(f"/console/comments/{comment_id}").get_data(as_text=True)
    assert "Asha Rao" in page


def test_an_api_claim_shows_in_the_console(client, database, publisher):
    _a, token_a = make_moderator(database, name="Asha Rao")
    _b, token_b = make_moderator(database, name="Bilal Khan")
    comment_id = make_review_comment(client, database, publisher, "c-1")
    assert client.post(f"/v1/review/comments/{comment_id}/claim", headers=bearer(token_a)).status_code == 200
    sign_in(client, token_b)
    page = client.get(f"/console/comments/{comment_id}").get_data(as_text=True)
    assert 'id="holder">Asha Rao<' in page
    response = client.post(f"/console/comments/{comment_id}/claim", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 409
    assert "Another moderator holds this comment" in response.get_data(as_text=True)


def test_bulk_approve_and_reject(client, database, publisher):
    _mod, token = make_moderator(database)
    ids = [make_review_comment(client, database, publisher, f"c-{n}") for n in range(3)]
    sign_in(client, token)
    csrf = page_csrf(client)
    refused = client.post("/console/bulk", data={"csrf_token": csrf, "action": "approve"})
    assert refused.status_code == 422
    response = client.post(
        "/console/bulk", data={"csrf_token": csrf, "action": "approve", "ids": ids[:2], "next": "/console/queue"}
    )
    assert response.status_code == 303
    assert "ok=2" in response.headers["Location"]
    assert (
        client.post("/console/bulk", data={"csrf_token": csrf, "action": "reject", "ids": ids[2:]}).status_code == 422
    )
    client.post("/console/bulk", data={"csrf_token": csrf, "action": "reject", "reason": "spam", "ids": ids[2:]})
    assert [_status(database, i) for i in ids] == ["approved", "approved", "rejected"]


def test_redaction_from_the_console(client, database, publisher):
    _mod, token = make_moderator(database)
    comment_id = make_review_comment(client, database, publisher, "c-1", text="Call 98450 12345 now")
    sign_in(client, token)
    response = client.post(
        f"/console/comments/{comment_id}/decision",
        data={"csrf_token": page_csrf(client), "action": "redact", "spans": "5-16", "redaction": "label"},
    )
    assert response.status_code == 303
    item = client.get(f"/v1/review/comments/{comment_id}", headers=bearer(token)).get_json()
    assert item["redacted_text"] == "Call [redacted] now"
    assert item["status"] == "approved"


def test_comment_text_is_escaped_and_evidence_highlighted(client, database, publisher):
    _mod, token = make_moderator(database)
    text = '<script>alert(1)</script><img src=x onerror="alert(2)"> idiots'
    comment_id = make_review_comment(
        client,
        database,
        publisher,
        "c-1",
        text=text,
        spans=[{"start": text.index("idiots"), "end": len(text), "category": "toxicity"}],
    )
    sign_in(client, token)
    page = client.get(f"/console/comments/{comment_id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<mark data-categories="toxicity">idiots</mark>' in page
    queue = client.get("/console/queue").get_data(as_text=True)
    assert "<script>alert" not in queue
    assert "&lt;img src=x" in queue


def test_the_comment_page_shows_the_author_history(client, database, publisher):
    _mod, token = make_moderator(database)
    earlier = make_review_comment(client, database, publisher, "c-1", status="rejected", email="ravi@example.in")
    make_review_comment(client, database, publisher, "c-other", email="someone@example.in")
    comment_id = make_review_comment(client, database, publisher, "c-2", email="ravi@example.in")
    sign_in(client, token)
    page = client.get(f"/console/comments/{comment_id}").get_data(as_text=True)
    assert "2 comments, 0 approved, 1 rejected" in page
    recent = page[page.index('id="recent-by-author"') :]
    recent = recent[: recent.index("</ul>")]
    assert earlier in recent
    assert comment_id not in recent
    assert recent.count("<li>") == 1


def test_the_author_history_lists_and_counts_legal_queue_comments_to_the_legal_roles_only(client, database, publisher):
    legal_case = make_review_comment(
        client, database, publisher, "c-legal", "The councillor took a bribe.", status="legal_review"
    )
    earlier = make_review_comment(client, database, publisher, "c-1", status="rejected")
    comment_id = make_review_comment(client, database, publisher, "c-2")
    for role, listed in (("moderator", False), ("legal", True), ("admin", True)):
        _mod, token = make_moderator(database, role)
        sign_in(client, token)
        page = client.get(f"/console/comments/{comment_id}").get_data(as_text=True)
        assert f"{3 if listed else 2} comments, 0 approved, 1 rejected" in page, role
        recent = page[page.index('id="recent-by-author"') :]
        recent = recent[: recent.index("</ul>")]
        assert earlier in recent
        assert (legal_case in recent) is listed, role
        assert ("legal_review" in recent) is listed, role


def test_the_comment_page_shows_an_overtaken_edit_in_the_history(client, database, publisher):
    _mod, token = make_moderator(database)
    comment_id = make_review_comment(client, database, publisher, "c-1")  # submitted at 10:00
    late = comment(comment_id="c-1", text="An <em>earlier</em> edit.", submitted_at="2026-05-05T09:59:00Z")
    assert post_comment(client, publisher, late).status_code == 200
    sign_in(client, token)
    page = client.get(f"/console/comments/{comment_id}").get_data(as_text=True)
    history = page[page.index('id="history"') :]
    assert '<li class="event-overtaken_edit">' in history
    assert "revision 2, sent before revision 1, never made current" in history
    assert '<q class="overtaken-text">An &lt;em&gt;earlier&lt;/em&gt; edit.</q>' in history
    assert _status(database, comment_id) == "review"


def test_only_http_article_links_are_linked(client, database, publisher):
    _mod, token = make_moderator(database)
    comment_id = make_review_comment(client, database, publisher, "c-1")
    with database.session() as session:
        session.get(Comment, comment_id).article_url = "javascript:alert(1)"
    sign_in(client, token)
    page = client.get(f"/console/comments/{comment_id}").get_data(as_text=True)
    assert "javascript:alert" not in page
    assert 'id="article-title"' in page


def test_admin_publishers_deliveries_and_authors(client, database, publisher):
    _mod, token = make_moderator(database, "admin", "Ada Admin")
    sign_in(client, token)
    csrf = page_csrf(client)
    created = client.post("/console/admin/publishers", data={"csrf_token": csrf, "name": "Hill Post"})
    assert created.status_code == 201
    secret = re.search(r'id="secret">(whsec_[^<]+)<', created.get_data(as_text=True)).group(1)
    with database.session() as session:
        row = session.query(Publisher).filter_by(name="Hill Post").one()
        assert accounts.active_secrets(row) == [secret]
        new_id = row.id
    assert secret not in client.get("/console/admin/publishers").get_data(as_text=True)  # shown once

    rotated = client.post(f"/console/admin/publishers/{new_id}/rotate", data={"csrf_token": csrf, "grace": "1h"})
    assert rotated.status_code == 200
    with database.session() as session:
        row = session.get(Publisher, new_id)
        current, previous = accounts.active_secrets(row)
        assert previous == secret
        assert current in rotated.get_data(as_text=True)

    policy = client.post(
        f"/console/admin/publishers/{new_id}/policy",
        data={"csrf_token": csrf, "overrides": '{"max_length": 500, "premoderation": true}'},
    )
    assert policy.status_code == 303
    with database.session() as session:
        row = session.get(Publisher, new_id)
        assert row.policy_overrides == {"max_length": 500, "premoderation": True}
        actors = {e.actor for e in session.query(AuditEvent).filter_by(publisher_id=new_id)}
        assert all("Ada Admin" in a for a in actors)

    rule = {"csrf_token": csrf, "kind": "domain", "value": "spam.example", "action": "ban", "reason": "bots"}
    assert client.post("/console/admin/authors", data=rule).status_code == 303
    rules = client.get("/v1/admin/authors", headers=bearer(token)).get_json()["rules"]
    assert [(r["value"], r["action"]) for r in rules] == [("spam.example", "ban")]
    assert client.post(f"/console/admin/authors/{rules[0]['id']}/revoke", data={"csrf_token": csrf}).status_code == 303
    assert client.get("/v1/admin/authors", headers=bearer(token)).get_json()["rules"] == []


def test_failed_delivery_redeliver(client, database, publisher, queue_redis):
    _mod, token = make_moderator(database, "admin")
    comment_id = make_review_comment(client, database, publisher, "c-1", status="approved")
    with database.session() as session:
        event = session.query(OutboundEvent).filter_by(comment_id=comment_id).one()
        event.status, event.attempts = "failed", 9
        event_id = event.id
    sign_in(client, token)
    page = client.get("/console/admin/deliveries").get_data(as_text=True)
    assert event_id in page
    response = client.post(f"/console/admin/deliveries/{event_id}/redeliver", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 303
    with database.session() as session:
        event = session.get(OutboundEvent, event_id)
        assert (event.status, event.attempts) == ("pending", 0)
    assert event_id not in client.get("/console/admin/deliveries").get_data(as_text=True)


def test_ops_page_shows_the_api_figures(client, database, publisher):
    _mod, token = make_moderator(database, "admin")
    make_review_comment(client, database, publisher, "c-1")
    make_review_comment(client, database, publisher, "c-2", status="legal_review")
    sign_in(client, token)
    api = client.get("/v1/ops/queues", headers=bearer(token)).get_json()
    page = client.get("/console/ops").get_data(as_text=True)
    assert f'id="ops-general">{api["review_queue_size"]["general"]}<' in page
    assert f'id="ops-legal">{api["review_queue_size"]["legal"]}<' in page
    assert "Decision latency" in page


def test_root_redirects_to_the_console(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/"


def _decision_reasons(database, comment_id: str) -> list[list[str]]:
    from service.models import Decision

    with database.session() as session:
        rows = session.query(Decision).filter_by(comment_id=comment_id).order_by(Decision.id).all()
        return [[reason["code"] for reason in row.reasons] for row in rows]


def test_an_approval_carries_no_reject_reason_and_the_notice_is_the_last_actions(client, database, publisher):
    """The queue's reason list (first option: insult) went with "Approve selected" to the publisher; and a redirect
    after a second action kept the first's done=, so the page said "Comment approved." after a reject."""
    _mod, token = make_moderator(database)
    ids = [make_review_comment(client, database, publisher, f"c-{n}") for n in range(3)]
    sign_in(client, token)
    csrf = page_csrf(client)
    queue = "/console/queue?sort=oldest&done=approve"
    bulk = client.post(
        "/console/bulk",
        data={"csrf_token": csrf, "action": "approve", "reason": "insult", "ids": ids[:1], "next": queue},
    )
    assert bulk.headers["Location"] == "/console/queue?sort=oldest&done=bulk&ok=1&failed=0"
    one = client.post(
        f"/console/comments/{ids[1]}/decision",
        data={"csrf_token": csrf, "action": "approve", "reason": "insult", "next": queue},
    )
    assert one.headers["Location"] == "/console/queue?sort=oldest&done=approve"
    assert _decision_reasons(database, ids[0])[-1] == ["moderator_approved"]
    assert _decision_reasons(database, ids[1])[-1] == ["moderator_approved"]
    page = client.get("/console/queue?sort=oldest&done=approve").get_data(as_text=True)
    assert "done=approve" not in page  # the forms' `next` does not carry the notice on


def test_a_claim_keeps_the_queue_to_go_back_to(client, database, publisher):
    _mod, token = make_moderator(database)
    comment_id = make_review_comment(client, database, publisher, "c-1")
    sign_in(client, token)
    queue = f"/console/queue?publisher={publisher.id}&sort=oldest"
    claimed = client.post(
        f"/console/comments/{comment_id}/claim", data={"csrf_token": page_csrf(client), "next": queue}
    )
    assert claimed.status_code == 303
    page = client.get(claimed.headers["Location"]).get_data(as_text=True)
    assert f'href="{queue.replace("&", "&amp;")}" id="back"' in page


def test_a_refused_decision_keeps_what_the_moderator_typed(client, database, publisher):
    _mod, token = make_moderator(database)
    comment_id = make_review_comment(client, database, publisher, "c-1", text="Call 98450 12345 now")
    sign_in(client, token)
    csrf = page_csrf(client)
    no_reason = client.post(
        f"/console/comments/{comment_id}/decision",
        data={"csrf_token": csrf, "action": "reject", "note": "same troll as last week"},
    )
    assert no_reason.status_code == 422
    assert ">same troll as last week</textarea>" in no_reason.get_data(as_text=True)
    bad_spans = client.post(
        f"/console/comments/{comment_id}/decision",
        data={"csrf_token": csrf, "action": "redact", "spans": "5-500", "redaction": "label", "note": "phone"},
    )
    assert bad_spans.status_code == 422
    html = bad_spans.get_data(as_text=True)
    assert 'value="5-500"' in html and '<option value="label" selected>' in html and ">phone</textarea>" in html


def test_a_keyboard_decision_names_the_revision_shown(client, database, publisher):
    """The queue's keyboard form sends the revision of the row shown: after an edit it is refused (409), never
    applied to text the moderator did not see."""
    _mod, token = make_moderator(database)
    comment_id = make_review_comment(client, database, publisher, "c-1")
    sign_in(client, token)
    page = client.get("/console/queue").get_data(as_text=True)
    assert f'data-id="{comment_id}" data-revision="1"' in page and 'name="expected_revision"' in page
    with database.session() as session:
        session.get(Comment, comment_id).current_revision = 2  # as an edit scored back into review leaves it
    stale = client.post(
        f"/console/comments/{comment_id}/decision",
        data={"csrf_token": page_csrf(client), "action": "approve", "expected_revision": "1"},
    )
    assert stale.status_code == 409 and _status(database, comment_id) == "review"


def test_comment_text_keeps_its_carriage_returns_and_its_language(client, database, publisher):
    """A browser drops a literal CR of CRLF when it reads the page: offsets selected after a line break were one
    short per break, and a redaction left the end of a phone number published."""
    _mod, token = make_moderator(database)
    comment_id = make_review_comment(
        client, database, publisher, "c-1", text="ಸಾಲು ಒಂದು\r\nCall 98450 12345 now", scores={"personal": 0.9}
    )
    with database.session() as session:
        session.get(Comment, comment_id).language = "kn"
    sign_in(client, token)
    html = client.get(f"/console/comments/{comment_id}").get_data(as_text=True)
    assert "ಸಾಲು ಒಂದು&#13;\nCall" in html
    assert re.search(r'id="comment-text"[^>]* lang="kn" dir="auto"', html)
