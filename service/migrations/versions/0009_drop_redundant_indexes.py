"""drop two indexes that a unique index already covers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:20:00

`ix_comments_publisher_id` (publisher_id) is the leading column of `uq_comments_publisher_external_id`
(publisher_id, external_id), and `ix_sender_details_comment_id` (comment_id) of `uq_sender_comment_revision`
(comment_id, revision): every look-up and foreign-key check they served, the unique index serves too. Each
cost an index insertion on every new comment (tests/test_schema.py keeps such prefixes out).
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_comments_publisher_id", table_name="comments")
    op.drop_index("ix_sender_details_comment_id", table_name="sender_details")


def downgrade() -> None:
    op.create_index("ix_sender_details_comment_id", "sender_details", ["comment_id"])
    op.create_index("ix_comments_publisher_id", "comments", ["publisher_id"])
