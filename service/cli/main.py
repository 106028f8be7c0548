"""The `kavalu` command line.

Each command group is imported only when it runs, so `kavalu --help` stays fast and
the service-side commands never import the scoring stack (torch, detoxify).

The root group is also where failures become messages: an expected failure (a store that is
not migrated or not reachable, a bad input file, an unknown id, no network) prints one line,
`error: ...`, and exits non-zero; `kavalu --debug ...` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import sys
import traceback
import urllib.error
from importlib.metadata import PackageNotFoundError, version
from typing import IO, TYPE_CHECKING, Any

import click

from service.config import ConfigError

if TYPE_CHECKING:
    from sqlalchemy.exc import SQLAlchemyError

# SQLAlchemy and Alembic are imported only when a command fails: `kavalu --help` must start fast.

# name -> (module:attribute, one-line help shown by `kavalu --help`)
COMMANDS = {
    "run": ("service.cli.run:run", "Run the API, a scoring worker with beat and a delivery worker."),
    "db": ("service.cli.store:db_group", "The results store."),
    "publishers": ("service.cli.publishers:publishers_group", "Publishers that post comments to Kavalu."),
    "moderators": ("service.cli.moderation:moderators_group", "Moderator, legal and admin tokens."),
    "authors": ("service.cli.moderation:authors_group", "Author bans and trust."),
    "legal": ("service.cli.moderation:legal_group", "Lawful disclosure of sender details."),
    "feedback": (
        "service.cli.moderation:feedback_group",
        "Moderator overrides and suggested scores as labelled examples.",
    ),
    "deliveries": ("service.cli.deliveries:deliveries_group", "Callbacks to publishers: list and redeliver."),
    "keys": ("service.cli.keys:keys_group", "API keys for /v1/analyze, Perspective, OpenAI and Coral."),
    "models": (
        "workers.cli:models_group",
        "Train the default abuse model or the defamation head, or pull official Detoxify models.",
    ),
    "eval": ("workers.cli:eval_group", "Evaluate scorers on a labelled CSV."),
}
# Commands that read or write the store: the embedded store is migrated before they run.
STORE_COMMANDS = {"publishers", "moderators", "authors", "legal", "feedback", "deliveries", "keys"}
UPGRADE_HINT = "run `kavalu db upgrade`"
# SQLSTATEs of a PostgreSQL schema older than the code: a missing table or column.
SCHEMA_BEHIND = {"42P01", "42703"}


class CommandFailed(click.ClickException):
    """An expected failure: one line on stderr and exit status 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file or sys.stderr)


class WrongUsage(CommandFailed):
    """A command used wrongly (an unknown option value, a missing argument): one line and exit status 2."""

    exit_code = 2


def kavalu_version() -> str:
    try:
        return version("kavalu")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def _store_name(database_url: str | None) -> str:
    if not database_url:
        return "the store"
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"the store {url.database}"
    return f"the database {url.render_as_string(hide_password=True)}"


def explain_database_error(error: SQLAlchemyError, database_url: str | None) -> str | None:
    from sqlalchemy import exc as sql_errors
    from sqlalchemy.engine import make_url

    store = _store_name(database_url)
    if isinstance(error, sql_errors.NoSuchTableError):
        return f"{store} has no table {error}: {UPGRADE_HINT}"
    if not isinstance(error, sql_errors.DBAPIError):
        return None
    reason = _first_line(error.orig or error)
    if getattr(error.orig, "sqlstate", None) in SCHEMA_BEHIND or reason.startswith(("no such table", "no such column")):
        return f"{store} is not migrated to this version of Kavalu ({reason}): {UPGRADE_HINT}"
    if isinstance(error, sql_errors.DataError):  # a value the store refuses (too long, out of range)
        return f"{store} refused a value: {reason}"
    if isinstance(error, sql_errors.OperationalError):
        if error.statement is not None:
            return f"{store} failed: {reason}"
        # It failed while connecting.
        if database_url and make_url(database_url).get_backend_name() == "sqlite":
            return f"cannot open {store}: {reason}; check KAVALU_DATA_DIR"
        return f"cannot connect to {store}: {reason}; check DATABASE_URL"
    return None


def explain(error: Exception, database_url: str | None) -> str | None:
    """The one-line message for an expected failure; None for anything else (a bug: keep its traceback)."""
    from alembic.util import CommandError as AlembicCommandError
    from sqlalchemy import exc as sql_errors

    from service.delivery.feed import InvalidCursor
    from service.delivery.redelivery import DeliveryError
    from service.migrate import MigrationRefused
    from service.publishers.accounts import PublisherError
    from service.review.errors import ReviewError
    from service.review.moderators import ModeratorError

    if isinstance(error, sql_errors.SQLAlchemyError):
        return explain_database_error(error, database_url)
    if isinstance(error, AlembicCommandError):  # e.g. a store migrated by a newer Kavalu
        return f"{_store_name(database_url)}: {_first_line(error)}"
    if isinstance(error, ConfigError | MigrationRefused):
        return str(error)
    if isinstance(error, ReviewError):
        return error.message
    if isinstance(error, PublisherError | ModeratorError | DeliveryError | InvalidCursor):
        return str(error)
    if isinstance(error, urllib.error.HTTPError):
        return f"cannot download {error.filename}: HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return f"cannot reach the network: {error.reason}"
    if isinstance(error, OSError):
        if error.filename and error.strerror:
            return f"{error.strerror}: {error.filename}"
        return _first_line(error)
    return None


def _database_url() -> str | None:
    from service.config import Settings

    try:
        return Settings.from_env().database_url
    except Exception:  # the message must not fail because the configuration is broken too
        return None


class KavaluGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, attribute = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short_help) for name, (_, short_help) in COMMANDS.items()])

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        # Here, not in each command: this is where the root learns which command runs. Help needs no store.
        if name in STORE_COMMANDS and not ctx.resilient_parsing and rest and "--help" not in rest:
            prepare_store()
        return name, command, rest

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (CommandFailed, click.exceptions.NoArgsIsHelpError):  # the latter: a group alone shows its help
            raise
        except click.UsageError as error:
            if debug:
                traceback.print_exc()
            where = f" (see `{error.ctx.command_path} --help`)" if error.ctx else ""
            raise WrongUsage(error.format_message() + where) from error
        except click.ClickException as error:
            if debug:
                traceback.print_exc()
            raise CommandFailed(error.format_message()) from error
        except (click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            message = None if debug else explain(error, _database_url())
            if message is None:
                raise
            raise CommandFailed(message) from error


def prepare_store() -> None:
    """The embedded store (SQLite) migrates itself on first use and after an upgrade of Kavalu;
    PostgreSQL is only ever migrated by `kavalu db upgrade`. Not while `kavalu run` serves it; a copy is kept."""
    from service.config import Settings
    from service.migrate import upgrade_embedded_store

    done = upgrade_embedded_store(Settings.from_env())
    if done:
        click.echo(done, err=True)


@click.group(cls=KavaluGroup)
@click.version_option(kavalu_version(), "--version", prog_name="kavalu", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show the Python traceback of a failure.")
def cli(debug: bool) -> None:
    """Kavalu: self-hosted comment moderation for news publishers."""


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
