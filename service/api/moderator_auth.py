"""Who is calling: moderators, legal and admins send `Authorization: Bearer <token>`."""

from __future__ import annotations

from flask import request

from service.errors import ApiError
from service.models import Moderator
from service.review import moderators

BEARER_DOC: dict[str, list[dict[str, list[str]]]] = {"security": [{"bearerAuth": []}]}


def _invalid_token() -> ApiError:
    return ApiError.single(
        401,
        "invalid_token",
        "The bearer token is missing, invalid or revoked.",
        headers={"WWW-Authenticate": 'Bearer realm="kavalu"'},
    )


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate_moderator(session, roles: tuple[str, ...] | None = None) -> Moderator:
    """The calling moderator; 401 for a missing, unknown or revoked token, 403 for a role outside `roles`."""
    moderator = moderators.authenticate(session, bearer_token())
    if moderator is None:
        raise _invalid_token()
    if roles is not None and moderator.role not in roles:
        raise ApiError.single(403, "forbidden", f"This needs the {' or '.join(roles)} role.")
    return moderator
