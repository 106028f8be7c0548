"""`kavalu moderators|authors|legal|feedback` commands."""
import click


@click.group("moderators")
def moderators_group() -> None:
    """Moderator, legal and admin tokens."""


@click.group("authors")
def authors_group() -> None:
    """Ban or trust authors."""


@click.group("legal")
def legal_group() -> None:
    """Lawful disclosure of sender details."""


@click.group("feedback")
def feedback_group() -> None:
    """Labelled examples from moderator overrides."""


GROUPS = [moderators_group, authors_group, legal_group, feedback_group]
