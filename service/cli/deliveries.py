"""`kavalu deliveries` commands: see and resend the callbacks to publishers."""

from __future__ import annotations

import json

import click

from service.cli import store_session
from service.config import Settings
from service.delivery.redelivery import DeliveryError, event_view, list_events, redeliver, redeliver_failed
from service.models import EVENT_STATUSES
from service.taskqueue import TaskQueue


@click.group("deliveries")
def deliveries_group() -> None:
    """Callbacks to publishers."""


@deliveries_group.command("list")
@click.option("--status", type=click.Choice(EVENT_STATUSES), default=None, help="Only events in this state.")
@click.option("--publisher", "publisher_id", default=None, help="Only this publisher's events.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def deliveries_list(status: str | None, publisher_id: str | None, limit: int, as_json: bool) -> None:
    """List outbound events, newest first (e.g. --status failed: those whose retries ran out)."""
    with store_session() as session:
        rows = [event_view(e) for e in list_events(session, status, publisher_id, limit)]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row))
        return
    if not rows:
        click.echo("no events", err=True)
        return
    for row in rows:
        click.echo(
            f"{row['event_id']}  {row['status']:<9}  attempts={row['attempts']:<3}  publisher={row['publisher_id']}  "
            f"comment={row['comment_id']}  last={row['last_status_code'] or '-'} {row['last_error'] or ''}".rstrip()
        )


@deliveries_group.command("redeliver")
@click.argument("event_id", required=False)
@click.option("--all-failed", is_flag=True, help="Every failed event (of --publisher, if given).")
@click.option("--publisher", "publisher_id", default=None, help="With --all-failed: only this publisher's events.")
def deliveries_redeliver(event_id: str | None, all_failed: bool, publisher_id: str | None) -> None:
    """Send an event again under the same event_id, with a fresh retry schedule."""
    if bool(event_id) == all_failed:
        raise click.UsageError("give either EVENT_ID or --all-failed")
    if publisher_id and not all_failed:
        raise click.UsageError("--publisher goes with --all-failed")
    settings = Settings.from_env()
    try:
        with store_session(settings) as session:
            if all_failed:
                ids = redeliver_failed(session, publisher_id)
            else:
                assert event_id is not None  # the usage check above
                ids = [redeliver(session, event_id).id]
    except DeliveryError as error:
        raise click.ClickException(str(error)) from error
    # The events are due now: the dispatcher picks them up even if this enqueue can't reach the broker.
    queue = TaskQueue(settings)
    for one in ids:
        queue.enqueue_delivery(one)
    click.echo(f"redelivering {len(ids)} event(s)")
    for one in ids:
        click.echo(one)
