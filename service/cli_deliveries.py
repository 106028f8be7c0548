"""`kavalu deliveries` commands."""
import click


@click.group("deliveries")
def deliveries_group() -> None:
    """Callbacks to publishers."""


GROUPS = [deliveries_group]
