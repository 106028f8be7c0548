"""edits overtaken by a later one are kept as revisions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-20 10:00:00

An edit submitted before the current revision, but arriving after it, used to be answered with the current record
and dropped: the audit trail lost a text the publisher sent. It is now stored as a revision with `overtaken_by` (the
number of the revision current when it arrived), which is never made current, scored or decided.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("comment_revisions", sa.Column("overtaken_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("comment_revisions", "overtaken_by")
