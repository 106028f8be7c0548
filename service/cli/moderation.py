"""`kavalu moderators|authors|legal|feedback` commands."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path

import click

from service.authors import rules as author_rules
from service.cli import store_session
from service.review import disclosure, feedback, moderators
from service.review.errors import ReviewError
from service.strings import storable


def _fail(message: str) -> None:
    raise click.ClickException(message)


# An author rule's id: a bigint in the store.
RULE_ID = click.IntRange(1, 2**63 - 1)
MAX_ACTOR = 200


def _actor(_ctx, _param, value: str | None) -> str | None:
    """--actor goes into the audit trail's 200-character column."""
    if value is not None and (not value.strip() or len(value) > MAX_ACTOR or not storable(value)):
        raise click.BadParameter(f"1 to {MAX_ACTOR} characters, without control characters")
    return value


def _stage(path: str, text: str) -> str:
    """Write text to a temporary file beside path and return its name; os.replace() gives it the real one."""
    if not path.strip():
        raise OSError(errno.EINVAL, "No file name given", path)
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as error:  # named by the path given, not by the temporary file's
        raise OSError(error.errno, error.strerror, path) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _write_atomically(path: str, text: str) -> None:
    # A half-written disclosure or training file is worse than none.
    os.replace(_stage(path, text), path)


# -- moderators -----------------------------------------------------------------------------------


@click.group("moderators")
def moderators_group() -> None:
    """Moderator, legal and admin tokens."""


@moderators_group.command("create")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(moderators.ROLES))
def moderators_create(name: str, role: str) -> None:
    """Create a moderator; prints the bearer token once (only its hash is stored)."""
    try:
        with store_session() as session:
            moderator, token = moderators.create(session, name, role)
    except moderators.ModeratorError as error:
        _fail(str(error))
    click.echo(f"moderator_id: {moderator.id}")
    click.echo(f"role: {moderator.role}")
    click.echo(f"token: {token}")
    click.echo("Keep the token safe: it is not shown again.", err=True)


@moderators_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def moderators_list(as_json: bool) -> None:
    """List moderators (never their tokens)."""
    with store_session() as session:
        rows = [
            {
                "moderator_id": m.id,
                "name": m.name,
                "role": m.role,
                "created_at": m.created_at.isoformat() if m.created_at else None,
                "revoked_at": m.revoked_at.isoformat() if m.revoked_at else None,
            }
            for m in moderators.list_all(session)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
        click.echo(f"{row['moderator_id']}  {row['role']:<9}  {row['name']}  {state}")


@moderators_group.command("revoke")
@click.argument("moderator_id")
def moderators_revoke(moderator_id: str) -> None:
    """Revoke a token; it stops working at once."""
    try:
        with store_session() as session:
            moderator = moderators.revoke(session, moderator_id)
            revoked_at = moderator.revoked_at
    except moderators.ModeratorError as error:
        _fail(str(error))
    click.echo(f"revoked {moderator_id} at {revoked_at.isoformat() if revoked_at else '-'}")


# -- authors --------------------------------------------------------------------------------------


@click.group("authors")
def authors_group() -> None:
    """Ban or trust authors by email, email domain or IP range."""


def _rule_command(action: str):
    @click.option("--email", default=None)
    @click.option("--domain", default=None, help="An email domain; subdomains are included.")
    @click.option("--ip-range", default=None, help="An IPv4/IPv6 address or CIDR range.")
    @click.option("--publisher", "publisher_id", default=None, help="Only for this publisher (default: all).")
    @click.option("--reason", default=None)
    @click.option(
        "--actor", default="cli", show_default=True, callback=_actor, help="Who is doing this, for the audit trail."
    )
    def command(email, domain, ip_range, publisher_id, reason, actor):
        given = [
            (kind, value) for kind, value in (("email", email), ("domain", domain), ("ip_range", ip_range)) if value
        ]
        if len(given) != 1:
            _fail("give exactly one of --email, --domain or --ip-range")
        kind, value = given[0]
        try:
            with store_session() as session:
                rule = author_rules.add_author_rule(
                    session,
                    kind=kind,
                    value=value,
                    action=action,
                    actor=actor,
                    publisher_id=publisher_id,
                    reason=reason,
                )
                row = author_rules.rule_dict(rule)
        except ReviewError as error:
            _fail(error.message)
        click.echo(json.dumps(row))

    command.__doc__ = {
        "ban": "Ban an author: their comments are rejected with reason author_banned.",
        "trust": "Trust an author: their comments skip review below the reject thresholds.",
    }[action]
    return command


authors_group.command("ban")(_rule_command("ban"))
authors_group.command("trust")(_rule_command("trust"))


@authors_group.command("list")
@click.option("--publisher", "publisher_id", default=None)
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked rules.")
@click.option("--json", "as_json", is_flag=True)
def authors_list(publisher_id, include_revoked, as_json) -> None:
    """List ban and trust rules."""
    with store_session() as session:
        rows = [
            author_rules.rule_dict(r) for r in author_rules.list_author_rules(session, publisher_id, include_revoked)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        scope = row["publisher_id"] or "all publishers"
        state = f"  revoked {row['revoked_at']}" if row["revoked_at"] else ""
        click.echo(f"{row['id']}  {row['action']:<5}  {row['kind']:<8}  {row['value']}  ({scope}){state}")


def _revoke_command(rule_id: int, reason, actor) -> None:
    try:
        with store_session() as session:
            rule = author_rules.revoke_author_rule(session, rule_id, actor, reason)
            row = author_rules.rule_dict(rule)
    except ReviewError as error:
        _fail(error.message)
    click.echo(json.dumps(row))


@authors_group.command("revoke")
@click.argument("rule_id", type=RULE_ID)
@click.option("--reason", default=None)
@click.option("--actor", default="cli", show_default=True, callback=_actor)
def authors_revoke(rule_id, reason, actor) -> None:
    """Revoke a ban or trust rule."""
    _revoke_command(rule_id, reason, actor)


@authors_group.command("unban")
@click.argument("rule_id", type=RULE_ID)
@click.option("--reason", default=None)
@click.option("--actor", default="cli", show_default=True, callback=_actor)
def authors_unban(rule_id, reason, actor) -> None:
    """Same as revoke."""
    _revoke_command(rule_id, reason, actor)


# -- legal ---------------------------------------------------------------------------------------


@click.group("legal")
def legal_group() -> None:
    """Lawful disclosure of sender details."""


@legal_group.command("export")
@click.option("--request-reference", required=True, help="The authority's request reference.")
@click.option("--comment", "comment_ids", multiple=True, required=True, help="A Kavalu comment id; repeat for several.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--actor", required=True, callback=_actor, help="Who is exporting, for the audit trail.")
def legal_export(request_reference, comment_ids, out_path, actor) -> None:
    """Write the sender details (IP, user agent, email, name, times) of comments to a JSON file; each is audited."""
    staged = None
    try:
        with store_session() as session:
            data = disclosure.legal_export(session, list(comment_ids), request_reference, actor)
            # Written before the audit events commit and named after: if writing fails, nothing is recorded as
            # disclosed, and if the commit fails, nothing is disclosed.
            staged = _stage(out_path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        os.replace(staged, out_path)
    except ReviewError as error:
        _fail(f"{error.message} ({error.code}{': ' + error.field if error.field else ''})")
    finally:
        if staged:
            Path(staged).unlink(missing_ok=True)
    click.echo(f"wrote sender details of {len(data['comments'])} comment(s) to {out_path}")


# -- feedback ------------------------------------------------------------------------------------


@click.group("feedback")
def feedback_group() -> None:
    """Labelled examples: moderator overrides and Perspective suggestscore rows."""


@feedback_group.command("export")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
def feedback_export(out_path) -> None:
    """Write moderator overrides and Perspective clients' suggested scores as CSV text,label,source (label 1 =
    reject-worthy; source `moderator` or `suggestscore:ATTRIBUTE`), for `kavalu eval` and `models train --feedback`."""
    with store_session() as session:
        rows = feedback.feedback_rows(session)
    _write_atomically(out_path, feedback.rows_to_csv(rows))
    click.echo(f"wrote {len(rows)} row(s) to {out_path}")
