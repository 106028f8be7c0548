"""scoring lease process

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 17:00:00

The scoring process that holds a comment's lease (its heartbeat row's name). When a whole worker dies or freezes,
no task of its is redelivered before the broker's visibility timeout; the sweeper frees the claims of a process
whose heartbeat stopped instead of leaving them to the lease's expiry.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("comments", sa.Column("scoring_lease_process", sa.String(255), nullable=True))


def downgrade() -> None:
    op.drop_column("comments", "scoring_lease_process")
