"""Helpers shared by the tests: signing requests the way a publisher does."""

from __future__ import annotations

import contextlib
import copy
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass

from service.intake import ratelimit
from service.publishers import accounts as publishers
from service.publishers.signing import signature_header


@dataclass
class PublisherKeys:
    id: str
    secret: str


def create_publisher(database, name: str, callback_url: str | None = None) -> PublisherKeys:
    with database.session() as session:
        publisher, secret = publishers.create(session, name, callback_url)
        return PublisherKeys(publisher.id, secret)


VALID_COMMENT = {
    "comment_id": "c-1",
    "article": {
        "id": "a-123",
        "title": "India-Russia ties look up ahead of Putin's possible Delhi visit in July",
        "url": "https://news.example/a-123",
    },
    "author": {"name": "Ravi", "email": "ravi@example.in", "ip": "203.0.113.7", "user_agent": "Mozilla/5.0"},
    "text": "A thoughtful comment about the visit.",
    "submitted_at": "2026-05-05T10:00:00Z",
}


def comment(**changes) -> dict:
    body = copy.deepcopy(VALID_COMMENT)
    for key, value in changes.items():
        if "__" in key:
            outer, inner = key.split("__")
            if value is ...:
                body[outer].pop(inner, None)
            else:
                body[outer][inner] = value
        elif value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def signed_headers(
    keys: PublisherKeys, raw: bytes, timestamp: int | None = None, content_type="application/json"
) -> dict:
    headers = {
        "X-Kavalu-Publisher": keys.id,
        "X-Kavalu-Signature": signature_header(keys.secret, raw, int(time.time()) if timestamp is None else timestamp),
    }
    if content_type:
        headers["Content-Type"] = content_type
    return headers


def post_comment(client, keys: PublisherKeys, body, **kw):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/v1/comments", data=raw, headers=signed_headers(keys, raw, **kw))


def accepted_ids(client, keys: PublisherKeys, *external_ids: str) -> list[str]:
    """Post one plain comment per external id; Kavalu's ids, in the same order."""
    ids = []
    for external_id in external_ids:
        response = post_comment(client, keys, comment(comment_id=external_id))
        assert response.status_code == 202, response.get_json()
        ids.append(response.get_json()["id"])
    return ids


def get_signed(client, keys: PublisherKeys, path: str):
    return client.get(path, headers=signed_headers(keys, b"", content_type=None))


def error_codes(response) -> set[tuple[str | None, str]]:
    return {(e["field"], e["code"]) for e in response.get_json()["errors"]}


@contextmanager
def limiter_state_kept():
    """The Flask-Limiter instance is module-level: an app created in a test re-points its storage for every app."""
    names = ("_storage", "_limiter", "_storage_dead", "_fallback_storage", "_fallback_limiter")
    # Before any app has set the limiter up, some of these don't exist yet: nothing to keep for them.
    saved = {name: getattr(ratelimit.limiter, name) for name in names if hasattr(ratelimit.limiter, name)}
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(ratelimit.limiter, name, value)


def approve_new_comment(database, keys: PublisherKeys, external_id: str, callback_url: str, enqueue_delivery) -> None:
    """A new comment of the publisher, approved automatically, with `callback_url` now its callback URL; the
    decision's callback is handed to `enqueue_delivery` (a TaskQueue's)."""
    from service.decisions.record import record_decision
    from service.intake import comments
    from service.intake.schemas import CommentSubmissionSchema
    from service.models import Comment, Publisher

    with database.session() as session:
        publisher = session.get(Publisher, keys.id)
        publisher.callback_url = callback_url
        data = CommentSubmissionSchema().load(comment(comment_id=external_id))
        result = comments.submit(session, publisher, data, lambda _id: None)
        stored = session.get(Comment, getattr(result, "comment_id", None) or result.comment.id)
        record_decision(
            session,
            stored,
            status="approved",
            decided_by="auto",
            reasons=[],
            scores={"toxicity": 0.01},
            policy_version=publisher.policy_version,
            enqueue_delivery=enqueue_delivery,
        )


def fill(folder) -> None:
    """Fill the filesystem of `folder` (a file `filler` in it takes what is left); remove the file to free it."""
    with contextlib.suppress(OSError), open(folder / "filler", "ab") as filler:
        while True:
            filler.write(b"\0" * 65536)
            filler.flush()
