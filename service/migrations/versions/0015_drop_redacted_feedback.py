"""feedback examples of redacted revisions dropped

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 02:45:00

A redaction was kept as a label-1 feedback example holding the original text, which `kavalu feedback export` wrote
to a training file: what a moderator cut out (a phone number, an address) left the store that way. A redacted
revision now gives no example (service/review/feedback.py); the ones stored before are dropped. Nothing to undo.
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM feedback_examples WHERE EXISTS (SELECT 1 FROM comment_revisions r"
        " WHERE r.comment_id = feedback_examples.comment_id AND r.number = feedback_examples.revision"
        " AND r.redacted_text IS NOT NULL)"
    )


def downgrade() -> None:
    pass
