"""The `kavalu` command line.

Each command group is imported only when it runs, so `kavalu --help` stays fast and
the service-side commands never import the scoring stack (torch, detoxify).
"""

from __future__ import annotations

import importlib

import click

# name -> (module:attribute, one-line help shown by `kavalu --help`)
COMMANDS = {
    "run": ("service.cli.run:run", "Run the API, a scoring worker with beat and a delivery worker."),
    "db": ("service.cli.store:db_group", "The results store."),
    "publishers": ("service.cli.publishers:publishers_group", "Publishers that post comments to Kavalu."),
    "moderators": ("service.cli.moderation:moderators_group", "Moderator, legal and admin tokens."),
    "authors": ("service.cli.moderation:authors_group", "Author bans and trust."),
    "legal": ("service.cli.moderation:legal_group", "Lawful disclosure of sender details."),
    "feedback": ("service.cli.moderation:feedback_group", "Moderator overrides as labelled examples."),
    "deliveries": ("service.cli.deliveries:deliveries_group", "Callbacks to publishers: list and redeliver."),
    "models": (
        "workers.cli:models_group",
        "Train the default abuse model or the defamation head, or pull official Detoxify models.",
    ),
    "eval": ("workers.cli:eval_group", "Evaluate scorers on a labelled CSV."),
}


class LazyGroup(click.Group):
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


@click.group(cls=LazyGroup)
def cli() -> None:
    """Kavalu: self-hosted comment moderation for news publishers."""


def main() -> None:
    cli()
