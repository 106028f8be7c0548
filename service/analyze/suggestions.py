"""Perspective's suggestscore: a client's score for a text, kept as a labelled example (`kavalu feedback export`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.analyze.perspective import Suggestion
from service.models import ScoreSuggestion, utcnow

# A suggested score at or above this is a positive example (label 1), as the moderators' rejections are.
LABEL_AT = 0.5


def store_suggestion(session: Session, publisher_id: str, api_key_id: str | None, suggestion: Suggestion) -> list[int]:
    now = utcnow()
    rows = [
        ScoreSuggestion(
            publisher_id=publisher_id,
            api_key_id=api_key_id,
            text=suggestion.text,
            attribute=attribute,
            score=score,
            language=suggestion.languages[0][:35] if suggestion.languages else None,
            client_token=suggestion.client_token,
            created_at=now,
        )
        for attribute, score in suggestion.scores.items()
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def suggestion_rows(session: Session) -> list[dict]:
    """Every suggestion as a labelled example (`text,label,source`), oldest first; the source names the attribute."""
    return [
        {"text": s.text, "label": 1 if s.score >= LABEL_AT else 0, "source": f"suggestscore:{s.attribute}"}
        for s in session.scalars(select(ScoreSuggestion).order_by(ScoreSuggestion.id))
    ]
