"""a lease on each outbound event while a worker makes an attempt

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00

Two delivery workers must not both send one event. On PostgreSQL the row lock held during the attempt keeps them
apart; SQLite has no row locks, so an attempt first claims the event with a compare-and-set on
`delivery_lease_until`, commits it, and only the worker whose claim changed the row sends (service/delivery/attempts.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbound_events", sa.Column("delivery_lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Not batch_alter_table, as in 0008: SQLite (3.35 and later) drops a column in place.
    op.drop_column("outbound_events", "delivery_lease_until")
