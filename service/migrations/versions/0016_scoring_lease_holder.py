"""scoring lease holder

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 14:20:00

The scoring task that holds a comment's lease (its Celery task id). When the broker redelivers a task because its
worker process died, the task frees the rest of the lost batch at once instead of leaving it to the lease's expiry.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("comments", sa.Column("scoring_lease_holder", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("comments", "scoring_lease_holder")
