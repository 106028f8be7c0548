"""a publisher's previous signing secret and its expiry, for secret rotation with a grace period

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 10:00:00

`kavalu publishers rotate-secret --grace 24h` keeps the replaced secret valid, for verifying requests and
signing callbacks, until `previous_secret_expires_at`. Both columns are empty for a publisher that has
not rotated, or that rotated with `--now`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("publishers", sa.Column("previous_signing_secret", sa.String(length=200), nullable=True))
    op.add_column("publishers", sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # SQLite (the embedded store) drops columns only by rebuilding the table.
    with op.batch_alter_table("publishers") as batch:
        batch.drop_column("previous_secret_expires_at")
        batch.drop_column("previous_signing_secret")
