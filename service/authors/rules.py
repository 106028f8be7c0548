"""Author rules and states: who is banned, trusted or premoderated by their history, for a publisher.

Admins add and revoke rules (/v1/admin/authors, `kavalu authors`); scoring asks author_states
for a whole batch (service.scoring.results) and turns the state into a rule hit.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from service.models import APPROVED, FINAL_STATUSES, REJECTED, AuthorRule, Comment, Publisher, utcnow
from service.policy import check_email, ip_network_or_none
from service.review.audit import audit, iso
from service.review.errors import ReviewError

RULE_KINDS = ("email", "domain", "ip_range")
RULE_ACTIONS = ("ban", "trust")
BANNED, TRUSTED, PREMODERATED, NORMAL = "banned", "trusted", "premoderated", "normal"
STATE_REASONS = {BANNED: "author_banned", PREMODERATED: "author_history"}
# Author history: at least this many decided comments in the window before the rate counts.
AUTHOR_HISTORY_WINDOW = timedelta(days=30)
AUTHOR_HISTORY_MIN_DECISIONS = 3


# -- rules ----------------------------------------------------------------------------------------


def normalise_rule_value(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == "email":
        if check_email(value):
            raise ReviewError(422, "invalid_email", "Not an email address.", "value")
        return value.lower()
    if kind == "domain":
        domain = value.lstrip("@").rstrip(".").lower()
        if not re.fullmatch(r"[^\s@/]+\.[^\s@/]+", domain) or len(domain) > 253:
            raise ReviewError(422, "invalid_domain", "Not an email domain.", "value")
        return domain
    if kind == "ip_range":
        network = ip_network_or_none(value)
        if network is None:
            raise ReviewError(422, "invalid_ip_range", "Not an IPv4 or IPv6 address or CIDR range.", "value")
        return str(network)
    raise ReviewError(422, "invalid_kind", "kind is email, domain or ip_range.", "kind")


def add_author_rule(
    session: Session,
    *,
    kind: str,
    value: str,
    action: str,
    actor: str,
    publisher_id: str | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> AuthorRule:
    if action not in RULE_ACTIONS:
        raise ReviewError(422, "invalid_action", "action is ban or trust.", "action")
    value = normalise_rule_value(kind, value)
    if publisher_id is not None and session.get(Publisher, publisher_id) is None:
        raise ReviewError(422, "unknown_publisher", "No such publisher.", "publisher_id")
    now = now or utcnow()
    rule = AuthorRule(
        publisher_id=publisher_id,
        kind=kind,
        value=value,
        action=action,
        reason=reason,
        created_by=actor,
        created_at=now,
    )
    session.add(rule)
    session.flush()
    audit(
        session,
        actor=actor,
        action=f"author_{action}",
        publisher_id=publisher_id,
        before=None,
        after=rule_dict(rule),
        reason=reason,
        now=now,
    )
    return rule


def revoke_author_rule(
    session: Session, rule_id: int, actor: str, reason: str | None = None, now: datetime | None = None
) -> AuthorRule:
    rule = session.get(AuthorRule, rule_id)
    if rule is None:
        raise ReviewError(404, "not_found", "No such author rule.")
    if rule.revoked_at is None:
        now = now or utcnow()
        before = rule_dict(rule)
        rule.revoked_at = now
        audit(
            session,
            actor=actor,
            action="author_rule_revoked",
            publisher_id=rule.publisher_id,
            before=before,
            after=rule_dict(rule),
            reason=reason,
            now=now,
        )
    return rule


def list_author_rules(
    session: Session, publisher_id: str | None = None, include_revoked: bool = False
) -> list[AuthorRule]:
    query = select(AuthorRule).order_by(AuthorRule.id)
    if publisher_id is not None:
        query = query.where(or_(AuthorRule.publisher_id == publisher_id, AuthorRule.publisher_id.is_(None)))
    if not include_revoked:
        query = query.where(AuthorRule.revoked_at.is_(None))
    return list(session.scalars(query))


def rule_dict(rule: AuthorRule) -> dict:
    return {
        "id": rule.id,
        "publisher_id": rule.publisher_id,
        "kind": rule.kind,
        "value": rule.value,
        "action": rule.action,
        "reason": rule.reason,
        "created_by": rule.created_by,
        "created_at": iso(rule.created_at),
        "revoked_at": iso(rule.revoked_at),
    }


def _rule_matches(rule: AuthorRule, email: str, ip) -> bool:
    if rule.kind == "email":
        return bool(email) and email == rule.value
    if rule.kind == "domain":
        domain = email.rpartition("@")[2] if "@" in email else ""
        return bool(domain) and (domain == rule.value or domain.endswith("." + rule.value))
    if rule.kind == "ip_range" and ip is not None:
        try:
            network = ipaddress.ip_network(rule.value, strict=False)
        except ValueError:
            return False
        candidate = ip
        if network.version == 4 and ip.version == 6 and ip.ipv4_mapped:
            candidate = ip.ipv4_mapped
        return candidate.version == network.version and candidate in network
    return False


# -- states ---------------------------------------------------------------------------------------


def author_state(
    session: Session, publisher_id: str, email: str | None, ip: str | None, policy: dict, now: datetime | None = None
) -> str:
    """ "banned" | "trusted" | "premoderated" | "normal" for an author of this publisher.

    - banned: an active AuthorRule(action=ban) for this publisher or for all, matching the email
      exactly (case-insensitive), the email's domain or a parent domain of it, or the IP in a CIDR range.
      A ban beats a trust mark.
    - trusted: an active trust rule matches (and no ban).
    - premoderated: in the last 30 days at least 3 of this author's comments (same email, same
      publisher) were decided, and the share rejected is over policy["author_rejection_rate_threshold"].
      The reason code for it is "author_history" (STATE_REASONS).
    - normal: otherwise.
    Policy-level blocked_emails/domains/ip_ranges are not looked at here (service.decisions.content_rules does that).
    """
    return author_states(session, [(publisher_id, email, ip, policy)], now=now)[0]


def author_states(
    session: Session, authors: list[tuple[str, str | None, str | None, dict]], now: datetime | None = None
) -> list[str]:
    """author_state for many (publisher_id, email, ip, policy) at once, in two queries."""
    now = now or utcnow()
    keys = []
    for publisher_id, email, ip, policy in authors:
        try:
            ip_value = ipaddress.ip_address((ip or "").strip()) if ip else None
        except ValueError:
            ip_value = None
        keys.append((publisher_id, (email or "").strip().lower(), ip_value, policy))
    publisher_ids = {key[0] for key in keys}
    rules = list(
        session.scalars(
            select(AuthorRule).where(
                AuthorRule.revoked_at.is_(None),
                or_(AuthorRule.publisher_id.in_(publisher_ids), AuthorRule.publisher_id.is_(None)),
            )
        )
    )
    history = _rejection_history(
        session,
        {(key[0], key[1]) for key in keys if key[1] and key[3].get("author_rejection_rate_threshold") is not None},
        now,
    )
    states = []
    for publisher_id, email_key, ip_value, policy in keys:
        matched = {
            rule.action
            for rule in rules
            if rule.publisher_id in (None, publisher_id) and _rule_matches(rule, email_key, ip_value)
        }
        counts = history.get((publisher_id, email_key), {})
        decided = counts.get(APPROVED, 0) + counts.get(REJECTED, 0)
        threshold = policy.get("author_rejection_rate_threshold")
        if "ban" in matched:
            states.append(BANNED)
        elif "trust" in matched:
            states.append(TRUSTED)
        elif (
            threshold is not None
            and decided >= AUTHOR_HISTORY_MIN_DECISIONS
            and counts.get(REJECTED, 0) / decided > float(threshold)
        ):
            states.append(PREMODERATED)
        else:
            states.append(NORMAL)
    return states


def _rejection_history(
    session: Session, authors: set[tuple[str, str]], now: datetime
) -> dict[tuple[str, str], dict[str, int]]:
    """Final decisions in the history window, counted by status, per (publisher_id, lower-case email)."""
    if not authors:
        return {}
    email = func.lower(Comment.author_email)
    rows = session.execute(
        select(Comment.publisher_id, email, Comment.status, func.count())
        .where(
            Comment.publisher_id.in_({publisher_id for publisher_id, _ in authors}),
            email.in_({email_key for _, email_key in authors}),
            Comment.status.in_(FINAL_STATUSES),
            Comment.updated_at >= now - AUTHOR_HISTORY_WINDOW,
        )
        .group_by(Comment.publisher_id, email, Comment.status)
    ).all()
    history: dict[tuple[str, str], dict[str, int]] = {}
    for publisher_id, email_key, status, count in rows:
        history.setdefault((publisher_id, email_key), {})[status] = count
    return history
