"""Keeping a text that came through a drop-in endpoint: as a comment, through the intake service, so it is
scored, decided, reviewed and called back like any other (service.intake.comments.submit)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy.orm import Session

from service.intake import comments
from service.models import Publisher


def external_id(prefix: str, *parts: str | None) -> str:
    """A stable comment id for a source that has none (same source and text: the same comment, a retry)."""
    digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{prefix}:{digest[:48]}"


def store_comment(
    session: Session,
    publisher: Publisher,
    enqueue_scoring: Callable[[str], object],
    *,
    comment_id: str,
    text: str,
    article_id: str,
    article_title: str = "",
    article_url: str | None = None,
    language: str | None = None,
    parent_id: str | None = None,
    author_id: str | None = None,
    author_name: str = "",
) -> comments.IntakeResult:
    """Store through intake. These sources send no email or IP (Coral, Perspective clients): both are kept
    empty, so the email and IP author rules never match them; the publisher's policy still applies."""
    data = {
        "comment_id": comment_id[:128],
        "article": {"id": (article_id or "-")[:512], "title": article_title[:1000], "url": article_url},
        "author": {"name": author_name[:400], "email": "", "ip": "", "id": (author_id or None) and author_id[:256]},
        "text": text,
        "language": language[:35] if language else None,
        "parent_comment_id": parent_id[:128] if parent_id else None,
    }
    return comments.submit(session, publisher, data, enqueue_scoring)
