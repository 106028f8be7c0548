"""number the feed's decisions in the order their transactions committed

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 19:50:00

The feed paged by decision id, which a row takes when it is inserted, not when its transaction commits: a worker
whose transaction was still open when a later one committed had its decisions numbered below a cursor the publisher
had already passed, and the feed never listed them. `feed_position` is given to decisions only once they are
committed (service/delivery/feed.py), so it only grows. The decisions already stored keep their id as position, so
cursors already handed out stay valid.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("decisions", sa.Column("feed_position", sa.BigInteger(), nullable=True))
    op.execute("UPDATE decisions SET feed_position = id")
    op.create_index("ix_decisions_feed_position", "decisions", ["feed_position"], unique=True)
    op.create_index("ix_decisions_publisher_id_feed_position", "decisions", ["publisher_id", "feed_position"])
    op.drop_index("ix_decisions_publisher_id_id", table_name="decisions")


def downgrade() -> None:
    op.create_index("ix_decisions_publisher_id_id", "decisions", ["publisher_id", "id"])
    op.drop_index("ix_decisions_publisher_id_feed_position", table_name="decisions")
    op.drop_index("ix_decisions_feed_position", table_name="decisions")
    op.drop_column("decisions", "feed_position")
