"""The refusal every review, disclosure and author-rule function raises instead of acting."""

from __future__ import annotations


class ReviewError(Exception):
    """A refusal the API maps to an HTTP status and an error code (and the CLI to a message)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def not_found() -> ReviewError:
    return ReviewError(404, "not_found", "No such comment.")
