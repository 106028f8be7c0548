"""indexes for the scoring rules' look-ups of an author's history and of earlier copies of a text

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 13:00:00

Each scoring batch counts the author's recent decisions (by publisher and lower-case email) and looks
for earlier comments with the same text fingerprint inside the duplicate window. Without these, both
read every comment of the publisher, or every comment ever made with a common text ("Nice article").
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_comments_publisher_email_lower", "comments", ["publisher_id", sa.text("lower(author_email)")])
    op.drop_index("ix_comments_text_fingerprint", table_name="comments")
    op.create_index("ix_comments_fingerprint_received", "comments", ["text_fingerprint", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_comments_fingerprint_received", table_name="comments")
    op.create_index("ix_comments_text_fingerprint", "comments", ["text_fingerprint"])
    op.drop_index("ix_comments_publisher_email_lower", table_name="comments")
