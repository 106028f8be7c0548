"""Helpers for the console tests: signing in through the real sign-in form, and reading a page's CSRF token."""

from __future__ import annotations

import re

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, token: str, base_url: str = "http://localhost"):
    """Sign in through the form (its CSRF cookie and field); returns the sign-in response (a 303 on success)."""
    form = client.get("/console/signin", base_url=base_url)
    return client.post(
        "/console/signin",
        data={"token": token, "csrf_token": csrf_of(form.get_data(as_text=True))},
        base_url=base_url,
    )


def page_csrf(client, path: str = "/console/queue") -> str:
    """The session's CSRF token, as any signed-in page carries it."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return csrf_of(response.get_data(as_text=True))
