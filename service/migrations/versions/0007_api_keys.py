"""API keys for the drop-in endpoints, and scores suggested through Perspective's suggestscore

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 21:20:00

`kavalu keys create --publisher ID --scope analyze|perspective|openai|coral` makes an `api_keys` row; only the
sha256 of the key is kept. `score_suggestions` keeps the labelled examples that `comments:suggestscore` sends,
for `kavalu feedback export`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column("publisher_id", sa.String(length=40), sa.ForeignKey("publishers.id"), nullable=False, index=True),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("store_text", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "score_suggestions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("publisher_id", sa.String(length=40), sa.ForeignKey("publishers.id"), nullable=False, index=True),
        sa.Column("api_key_id", sa.String(length=40), sa.ForeignKey("api_keys.id"), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attribute", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("client_token", sa.String(length=256), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("score_suggestions")
    op.drop_table("api_keys")
