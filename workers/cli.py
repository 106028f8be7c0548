"""Entry point of the `kavalu` console script.

The service-side commands live in service/cli.py; commands that need the
scoring stack (torch, detoxify) are attached here so the API never imports them.
"""
from __future__ import annotations

from service.cli import cli
from workers.model_commands import eval_group, models_group

cli.add_command(models_group, "models")
cli.add_command(eval_group, "eval")


def main() -> None:
    cli()
