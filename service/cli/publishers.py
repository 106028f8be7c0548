"""`kavalu publishers ...`: publishers that post comments to Kavalu."""

from __future__ import annotations

import json
from datetime import datetime
from typing import NoReturn, cast

import click

from service import policy as policies
from service.cli import store_session
from service.config import Settings
from service.errors import ApiError
from service.intake.body import parse_json
from service.publishers import accounts as publishers
from service.sealing import SealingError


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _fail(message: str) -> NoReturn:
    raise click.ClickException(message)


@click.group("publishers")
def publishers_group() -> None:
    """Publishers that post comments to Kavalu."""


@publishers_group.command("create")
@click.option("--name", required=True)
@click.option("--callback-url", default=None, help="Where decisions are POSTed (http or https).")
def publishers_create(name: str, callback_url: str | None) -> None:
    """Create a publisher; prints its id and signing secret (shown once)."""
    try:
        with store_session() as session:
            publisher, secret = publishers.create(session, name, callback_url)
    except publishers.PublisherError as error:
        _fail(str(error))
    click.echo(f"publisher_id: {publisher.id}")
    click.echo(f"signing_secret: {secret}")
    click.echo("Keep the secret safe: it is not shown again.", err=True)


@publishers_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def publishers_list(as_json: bool) -> None:
    """List publishers (never their secrets)."""
    with store_session() as session:
        rows = [
            {
                "publisher_id": p.id,
                "name": p.name,
                "callback_url": publishers.shown_url(p.callback_url),
                "policy_version": p.policy_version,
                "policy_overrides": p.policy_overrides,
                "ignored_policy_overrides": policies.ignored_overrides(p.policy_overrides),
                "previous_secret_valid_until": _iso(publishers.previous_secret_valid_until(p)),
            }
            for p in publishers.list_all(session)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['publisher_id']}  {row['name']}  callback={row['callback_url'] or '-'}  policy=v{row['policy_version']}"
        )


@publishers_group.command("rotate-secret")
@click.argument("publisher_id", required=False)
@click.option(
    "--grace",
    default=None,
    help="How long the old secret stays valid, for requests and callbacks: 90s, 15m, 24h (the default), 7d; at most 30d.",
)
@click.option("--now", "revoke_now", is_flag=True, help="Revoke the old secret at once instead.")
@click.option(
    "--unreadable",
    is_flag=True,
    help="Instead of PUBLISHER_ID: every publisher whose secrets the sealing keys do not open (a store restored"
    " without its key), old secrets revoked at once.",
)
def publishers_rotate_secret(publisher_id: str | None, grace: str | None, revoke_now: bool, unreadable: bool) -> None:
    """Issue a new signing secret; the old one keeps working for the grace period (or not at all with --now).

    During the grace both secrets verify requests and callbacks carry a signature under each.
    Rotating again inside the grace retires the oldest secret: at most two are valid.
    """
    if revoke_now and grace is not None:
        _fail("give --grace or --now, not both")
    if unreadable:
        if publisher_id or grace is not None:
            _fail(
                "--unreadable rotates every publisher whose secrets do not open, at once: give no PUBLISHER_ID and no --grace"
            )
        _rotate_unreadable()
        return
    if not publisher_id:
        _fail("give a PUBLISHER_ID, or --unreadable")
    try:
        grace_period = (
            None if revoke_now else publishers.parse_grace(grace) if grace is not None else publishers.DEFAULT_GRACE
        )
        with store_session() as session:
            rotation = publishers.rotate_secret(session, publisher_id, grace_period)
    except publishers.PublisherError as error:
        _fail(str(error))
    click.echo(f"signing_secret: {rotation.secret}")
    if rotation.previous_valid_until is None:
        click.echo("previous_secret: revoked")
    else:
        click.echo(f"previous_secret_valid_until: {_iso(rotation.previous_valid_until)}")
    click.echo("Keep the secret safe: it is not shown again.", err=True)


def _rotate_unreadable() -> None:
    """One line per publisher, `PUBLISHER_ID SIGNING_SECRET`, for the operator to hand each site its new secret."""
    try:
        with store_session() as session:
            rotated = {
                publisher_id: publishers.rotate_secret(session, publisher_id, None).secret
                for publisher_id in publishers.unreadable_publishers(session)
            }
    except SealingError as error:
        _fail(str(error))
    for publisher_id, secret in rotated.items():
        click.echo(f"{publisher_id} {secret}")
    if rotated:
        click.echo(
            f"rotated the signing secrets of {len(rotated)} publisher(s), old ones revoked: keep these safe, they"
            " are not shown again",
            err=True,
        )
    else:
        click.echo("every publisher's signing secrets open with these keys: nothing rotated", err=True)


@publishers_group.command("reseal-secrets")
def publishers_reseal_secrets() -> None:
    """Seal every publisher's secrets again under the first of KAVALU_SEALING_KEYS (the secrets do not change);
    afterwards the other keys can be removed from every process."""
    try:
        with store_session() as session:
            count = publishers.reseal_secrets(session)
    except SealingError as error:
        _fail(str(error))
    click.echo(f"resealed the signing secrets of {count} publisher(s) under the first sealing key")


@publishers_group.command("show")
@click.argument("publisher_id")
def publishers_show(publisher_id: str) -> None:
    """Show a publisher's policy: its overrides, the effective policy, and stored overrides that no longer
    apply (thresholds of categories no scorer outputs), as JSON."""
    settings = Settings.from_env()
    try:
        with store_session(settings) as session:
            publisher = publishers.get(session, publisher_id)
            report = {
                "publisher_id": publisher.id,
                "name": publisher.name,
                "callback_url": publishers.shown_url(publisher.callback_url),
                "policy_version": publisher.policy_version,
                **policies.policy_report(settings.default_policy, publisher.policy_overrides),
            }
    except publishers.PublisherError as error:
        _fail(str(error))
    click.echo(json.dumps(report, indent=2))
    if report["ignored_overrides"]:
        click.echo(
            f"warning: ignored overrides (no scorer outputs these categories): {', '.join(report['ignored_overrides'])}",
            err=True,
        )


def _policy_refused(error: policies.PolicyInvalid) -> NoReturn:
    """Every problem, one per line: `FIELD: CODE: message`, and the same as the API's error body on stdout."""
    click.echo(json.dumps({"errors": [problem.to_dict() for problem in error.problems]}, indent=2))
    lines = [f"{p.field or 'policy'}: {p.code}: {p.message}" for p in error.problems]
    _fail("policy refused:\n  " + "\n  ".join(lines))


@publishers_group.command("set-policy")
@click.argument("publisher_id")
@click.option("--file", "policy_file", type=click.File("r"), help="JSON file of policy overrides ('-' for stdin).")
@click.option("--json", "policy_json", help="Policy overrides as a JSON string.")
def publishers_set_policy(publisher_id: str, policy_file, policy_json: str | None) -> None:
    """Replace the publisher's policy overrides (see config/policy.default.json for the keys).

    Thresholds may name only the categories the scorers output (a refusal lists them);
    `languages` sets thresholds for comments in a language, e.g.
    '{"languages": {"kn": {"thresholds": {"toxicity": {"review": 0.3}}}}}'. A refused policy lists every
    problem (FIELD: CODE: message on stderr, the API's error body as JSON on stdout) and exits 1.
    """
    if bool(policy_file) == bool(policy_json):
        _fail("give exactly one of --file or --json")
    try:
        text = policy_file.read() if policy_file else policy_json or ""  # one of them, checked above
    except UnicodeDecodeError:
        _fail("the policy file is not UTF-8 text")
    overrides = parse_json(text.encode("utf-8", "surrogatepass"))
    if isinstance(overrides, ApiError):
        _fail(f"policy is not valid JSON: {overrides.errors[0].message}")
    settings = Settings.from_env()
    try:
        with store_session(settings) as session:
            # Not an object: set_policy refuses it like any other problem.
            policy = publishers.set_policy(session, publisher_id, cast(dict, overrides), settings.default_policy)
    except policies.PolicyInvalid as error:
        _policy_refused(error)
    except publishers.PublisherError as error:
        _fail(str(error))
    click.echo(json.dumps(policy, indent=2))
