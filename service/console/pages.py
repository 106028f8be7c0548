"""What each console page shows, gathered from the same service functions the review, legal and admin APIs call."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from service import policy
from service.config import Settings
from service.console.forms import AGE_FILTERS, ConsoleRefusal
from service.models import Moderator, Publisher, as_utc, utcnow
from service.ops.metrics import backlog_figures
from service.ops.overview import decision_latency, queue_overview
from service.publishers import accounts
from service.review import audit, items, queues
from service.review.access import can_see_legal_queue, can_see_sender
from service.review.audit import AUTO_DECISION

PAGE_SIZE = 50
RECENT_BY_AUTHOR = 5


def queue_page(session: Session, moderator: Moderator, filters: dict, default_policy: dict) -> dict:
    """One page of a queue, the queue sizes and the publishers to filter by."""
    _label, age_field, age_seconds = AGE_FILTERS[filters["age"]]
    page, next_cursor = queues.list_queue(
        session,
        moderator,
        default_policy=default_policy,
        queue=filters["queue"],
        publisher_id=filters["publisher"] or None,
        category=filters["category"] or None,
        language=filters["language"] or None,
        older_than=age_seconds if age_field == "older_than" else None,
        newer_than=age_seconds if age_field == "newer_than" else None,
        sort=filters["sort"],
        limit=PAGE_SIZE,
        cursor=filters["cursor"] or None,
    )
    sizes = backlog_figures(session)["review_queue_size"]
    return {
        "items": page,
        "next_cursor": next_cursor,
        "counts": sizes if can_see_legal_queue(moderator.role) else {"general": sizes["general"]},
        "publishers": [(p.id, p.name) for p in accounts.list_all(session)],
        "categories": sorted(default_policy.get("thresholds", {})),
    }


def link_or_none(url: str | None) -> str | None:
    """An article URL the page may link to: http(s) only (never javascript: or data:)."""
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def comment_page(session: Session, moderator: Moderator, comment_id: str, now: datetime | None = None) -> dict:
    """The item view, its history (with every disclosure), who holds its lease and for how long."""
    now = now or utcnow()
    item = items.comment_view(session, comment_id, moderator)
    history = audit.comment_history(session, comment_id, moderator)
    automatic = [entry for entry in history if entry["action"] == AUTO_DECISION]
    holder = None
    seconds_left = 0
    expires = datetime.fromisoformat(item["claim_expires_at"]) if item["claim_expires_at"] else None
    if item["claimed_by"] and expires and as_utc(expires) > now:
        seconds_left = int((as_utc(expires) - now).total_seconds())
        holder_row = session.get(Moderator, item["claimed_by"])
        holder = {
            "id": item["claimed_by"],
            "name": holder_row.name if holder_row else item["claimed_by"],
            "is_me": item["claimed_by"] == moderator.id,
        }
    publisher = session.get(Publisher, item["publisher_id"])
    evidence = [
        {**span, "excerpt": item["text"][span["start"] : span["end"]]}
        for span in item["spans"]
        if isinstance(span["start"], int) and isinstance(span["end"], int)
    ]
    recent = items.recent_by_author(session, item, moderator, RECENT_BY_AUTHOR)
    return {
        "item": item,
        "recent_by_author": [
            {"id": c.id, "status": c.status, "received_at": audit.iso(c.received_at), "article": c.article_title}
            for c in recent
        ],
        "article_link": link_or_none(item["article"]["url"]),
        "publisher_name": publisher.name if publisher else item["publisher_id"],
        "history": history,
        "model_versions": automatic[-1]["model_versions"] if automatic else {},
        "holder": holder,
        "seconds_left": seconds_left,
        "evidence": evidence,
        "may_disclose": can_see_sender(moderator.role),
    }


def publishers_page(session: Session, now: datetime | None = None) -> list[dict]:
    return [
        {
            "id": p.id,
            "name": p.name,
            "callback_url": accounts.shown_url(p.callback_url),
            "policy_version": p.policy_version,
            "policy_overrides": p.policy_overrides or {},
            "previous_valid_until": audit.iso(accounts.previous_secret_valid_until(p, now)),
        }
        for p in accounts.list_all(session)
    ]


def ops_page(session: Session, settings: Settings, celery) -> dict:
    return {"overview": queue_overview(session, settings, celery), "latency": decision_latency(session)}


def save_policy(session: Session, publisher_id: str, overrides: dict, default_policy: dict, actor: str) -> dict:
    """Replace a publisher's overrides with the checks `kavalu publishers set-policy` and PUT .../policy make."""
    try:
        return accounts.set_policy(session, publisher_id, overrides, default_policy, actor=actor)
    except policy.PolicyInvalid as error:
        raise ConsoleRefusal(422, str(error)) from error
