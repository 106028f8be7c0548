"""when each scoring process last finished a task

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-15 10:00:00

A scoring process's heartbeat is written by a thread of its own, so it says the process is alive, not that tasks
reach it: a worker whose main process is frozen, or whose pool lost a job with a dead child, keeps a fresh heartbeat
while nothing is scored. `last_task_at` (service/ops/heartbeats.py) lets /readyz, the worker healthcheck and
`kavalu run` tell a stalled process from an idle one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("worker_heartbeats", sa.Column("last_task_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("worker_heartbeats", "last_task_at")
