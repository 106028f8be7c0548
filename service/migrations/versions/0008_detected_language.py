"""the language Kavalu detected in each comment, beside the one the publisher sent

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 21:20:00

`comments.language` is what the publisher sent (optional); `comments.detected_language` is what the scoring
worker found (a BCP 47 tag such as `en`, `hi`, `hi-Latn` for Hinglish, `kn`, `kn-Latn`, or `und`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("comments", sa.Column("detected_language", sa.String(length=35), nullable=True))


def downgrade() -> None:
    # Not batch_alter_table: SQLite (3.35 and later) drops a column in place, and a batch rebuild would
    # have to reflect the expression index ix_comments_publisher_email_lower, which it cannot.
    op.drop_column("comments", "detected_language")
