"""Coral Talk's external moderation phase: the signature, the request, and Kavalu's verdict as Coral's answer.

Coral signs the raw body: `X-Coral-Signature: sha256=<hex HMAC-SHA256(secret, body)>`, one value per active
secret, comma-joined; any match passes. Kavalu checks them against the publisher's signing secret and, during a
rotation's grace, its previous one.

Verdicts: approved -> APPROVED; review -> PREMOD; legal_review -> SYSTEM_WITHHELD; rejected -> REJECTED. Every
reason Coral has a flag for becomes a FLAG action. Coral sends no email, IP or name, so the author rules on
those never apply here; the publisher's policy (terms, thresholds, pre-moderation) does.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from service.analyze import storage
from service.analyze.analysis import MAX_TEXT_CHARS
from service.analyze.perspective import html_to_text
from service.decisions.engine import Verdict
from service.strings import storable

SIGNATURE_HEADER = "X-Coral-Signature"
MAX_SIGNATURES = 8

STATUS_OF_VERDICT = {
    "approved": "APPROVED",
    "review": "PREMOD",
    "legal_review": "SYSTEM_WITHHELD",
    "rejected": "REJECTED",
}
# Kavalu reason code -> Coral's flag reason. Coral's external phase accepts these two flag reasons only (its
# response schema refuses any other, and then ignores the whole answer): the other reasons (blocked and suspect
# terms, defamation, personal data, verbatim copies, pre-moderation) set the status only.
FLAG_OF_REASON = {
    "toxicity": "COMMENT_DETECTED_TOXIC",
    "spam": "COMMENT_DETECTED_SPAM",
}


class CoralError(ValueError):
    def __init__(self, field: str | None, code: str, message: str):
        super().__init__(message)
        self.field, self.code, self.message = field, code, message


def signature_valid(secrets: Sequence[str], body: bytes, header: str | None) -> bool:
    """True when any `sha256=` value of the header is HMAC-SHA256 of the body under any active secret."""
    if not header or not secrets:
        return False
    given = [
        part.strip()[len("sha256=") :]
        for part in header.split(",")[:MAX_SIGNATURES]
        if part.strip().startswith("sha256=")
    ]
    expected = [hmac.new(s.encode(), body, hashlib.sha256).hexdigest().encode() for s in secrets]
    matched = False
    for value in given:  # every pair compared: timing tells neither which value nor which secret matched
        candidate = value.encode("ascii", "replace")
        for signature in expected:
            matched |= hmac.compare_digest(signature, candidate)
    return matched


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class CoralComment:
    action: str
    comment_id: str | None
    text: str
    parent_id: str | None
    author_id: str | None
    author_role: str | None
    story_id: str
    story_url: str | None
    tenant_id: str | None
    tenant_domain: str | None


def _dict(body: dict, name: str) -> dict:
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CoralError(name, "invalid_type", f"{name} must be an object.")
    return value


def _str(container: dict, name: str, field: str, limit: int = 512) -> str | None:
    value = container.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit or not storable(value):
        raise CoralError(
            field,
            "invalid_type",
            f"{field} must be a string of at most {limit} characters, without NUL, control characters or lone"
            " surrogates.",
        )
    return value


def parse_request(body) -> CoralComment:
    if not isinstance(body, dict):
        raise CoralError(None, "invalid_type", "The body must be a JSON object.")
    action = body.get("action")
    if action not in ("NEW", "EDIT"):
        raise CoralError("action", "invalid_action", "action must be NEW or EDIT.")
    comment, author, story = _dict(body, "comment"), _dict(body, "author"), _dict(body, "story")
    tenant = _dict(body, "tenant")  # older Coral: tenant{id, domain}
    raw = comment.get("body")
    if not isinstance(raw, str):
        raise CoralError("comment.body", "text_required", "comment.body must be a string.")
    text = html_to_text(raw)
    if len(text) > MAX_TEXT_CHARS or any(0xD800 <= ord(ch) <= 0xDFFF or ch == "\x00" for ch in text):
        raise CoralError("comment.body", "text_too_long", f"At most {MAX_TEXT_CHARS} characters of text.")
    return CoralComment(
        action=action,
        comment_id=_str(comment, "id", "comment.id", 100),
        text=text,
        parent_id=_str(comment, "parentID", "comment.parentID", 128),
        author_id=_str(author, "id", "author.id", 256),
        author_role=_str(author, "role", "author.role", 64),
        story_id=_str(story, "id", "story.id") or "coral",
        story_url=_str(story, "url", "story.url", 2000),
        tenant_id=_str(body, "tenantID", "tenantID", 256) or _str(tenant, "id", "tenant.id", 256),
        tenant_domain=_str(body, "tenantDomain", "tenantDomain", 512) or _str(tenant, "domain", "tenant.domain"),
    )


def stored_comment_id(item: CoralComment) -> str | None:
    """The id the comment is stored under, or None when it must not be stored.

    Coral's requests carry no comment id (comment {body, parentID}); a proxy or a Coral fork may add comment.id,
    and then an EDIT is a new revision of `coral:<id>`. Without one, a NEW is stored under an id made of its
    story, author, parent and text (so Coral's retries are retries), but an EDIT cannot be matched to the comment
    it changes: it is answered and not stored, rather than stored as another comment. Matching it by story, author
    and parent would be a guess: an author may have several comments there, and Kavalu never sees a NEW that an
    earlier phase of Coral decided, so the match could be another comment, whose text the edit would replace."""
    if item.comment_id:
        return f"coral:{item.comment_id}"
    if item.action == "EDIT":
        return None
    return storage.external_id("coral", item.story_id, item.author_id, item.parent_id, item.text)


def answer(verdict: Verdict) -> dict:
    flags = []
    if verdict.status != "approved":
        for reason in verdict.reasons:
            flag = FLAG_OF_REASON.get(reason.get("code", ""))
            if flag and flag not in flags:
                flags.append(flag)
    return {
        "status": STATUS_OF_VERDICT[verdict.status],
        "actions": [{"actionType": "FLAG", "reason": flag} for flag in flags],
        "tags": [],
    }
