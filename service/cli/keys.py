"""`kavalu keys`: API keys for /v1/analyze and the Perspective, OpenAI and Coral endpoints."""

from __future__ import annotations

import json

import click

from service.apikeys.keys import SCOPES, ApiKeyError, create, list_keys, revoke, view
from service.cli import store_session


@click.group("keys")
def keys_group() -> None:
    """API keys: one scope each, shown once, stored hashed, revocable at once."""


@keys_group.command("create")
@click.option("--publisher", "publisher_id", required=True, help="The publisher the key acts for.")
@click.option("--scope", type=click.Choice(SCOPES), required=True, help="Which endpoints the key opens.")
@click.option("--no-store", is_flag=True, help="Requests with this key never store the text or its scores.")
def keys_create(publisher_id: str, scope: str, no_store: bool) -> None:
    """Create a key and print it once; only its hash is kept."""
    try:
        with store_session() as session:
            row, key = create(session, publisher_id, scope, store_text=not no_store)
            key_id = row.id
    except ApiKeyError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"id: {key_id}", err=True)
    click.echo("The key is shown once; store it now:", err=True)
    click.echo(key)


@keys_group.command("list")
@click.option("--publisher", "publisher_id", default=None, help="Only this publisher's keys.")
@click.option("--all", "include_revoked", is_flag=True, help="Revoked keys too.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def keys_list(publisher_id: str | None, include_revoked: bool, as_json: bool) -> None:
    """List keys (never the keys themselves: only their ids)."""
    with store_session() as session:
        rows = [view(row) for row in list_keys(session, publisher_id, include_revoked)]
    if not rows:
        click.echo("no keys", err=True)
    for row in rows:
        if as_json:
            click.echo(json.dumps(row))
        else:
            state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
            store = "store" if row["store_text"] else "no-store"
            click.echo(f"{row['id']}  {row['scope']:<11}  {store:<8}  publisher={row['publisher_id']}  {state}")


@keys_group.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke a key: its next request is refused."""
    try:
        with store_session() as session:
            revoke(session, key_id)
    except ApiKeyError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"revoked {key_id}")
