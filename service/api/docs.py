"""GET /docs: a browsable reference of /openapi.json, rendered by ReDoc from files shipped in service/static/docs.

The page loads nothing from elsewhere, so it works offline and behind a firewall.
"""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template

blp = Blueprint("docs", __name__)

# No inline script and nothing from other origins. ReDoc's CSS-in-JS (styled-components) adds <style>
# elements at run time, hence 'unsafe-inline' for style-src; its search runs in a blob: worker, so
# search is turned off (static/docs/reference.js) rather than allowing blob: workers.
REFERENCE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)


@blp.route("/docs", methods=["GET"])
def reference():
    response = make_response(render_template("docs.html"))
    response.headers["Content-Security-Policy"] = REFERENCE_CSP
    return response


@blp.route("/", methods=["GET"])
def root():
    return redirect("/console/")
